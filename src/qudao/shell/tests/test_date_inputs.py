"""Every date field is the shared yyyy-mm-dd picker, never the browser's own date input.

Chromium draws `<input type="date">` in the browser's locale (mm/dd/yyyy in an English browser
on a Chinese page); `qudao.core.forms.DateInput` and `shell/_date_input.html` are one markup
that `shell/static/qudao/dates.js` turns into a calendar in the page's language.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from django import forms
from django.template.loader import render_to_string
from django.utils import translation

import qudao
from qudao.core.forms import DateInput

SRC = Path(qudao.__file__).resolve().parent
VENDOR = SRC / "shell/static/vendor"
# <input type="date">, type='date', type=date, or a type that becomes "date" in template tags
RAW_IN_MARKUP = re.compile(
    r"""<input\b[^>]*\btype\s*=\s*(?:"[^"]*\bdate\b[^"]*"|'[^']*\bdate\b[^']*'|date\b)"""
    r"""|\.type\s*=\s*["']date["']|setAttribute\(\s*["']type["']\s*,\s*["']date["']""",
    re.IGNORECASE,
)
RAW_IN_PYTHON = re.compile(r"""input_type\s*=\s*["']date["']|["']type["']\s*:\s*["']date["']""")


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.found.append({name: value or "" for name, value in attrs})


def inputs(html: str) -> list[dict[str, str]]:
    parser = _Inputs()
    parser.feed(html)
    return parser.found


def all_forms() -> list[type[forms.BaseForm]]:
    """Every form class of Qudao, after importing every module that may define one."""
    for module in pkgutil.walk_packages(qudao.__path__, "qudao."):
        name = module.name
        if ".tests" in name or ".migrations" in name or name.startswith("qudao.settings"):
            continue
        if re.search(r"forms|views", name.rsplit(".", 1)[-1]):
            importlib.import_module(name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type[forms.BaseForm]] = [forms.BaseForm]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("qudao."):
                found.append(sub)
    return found


def test_no_template_script_or_widget_uses_the_browsers_date_input():
    sources = [
        (path, RAW_IN_PYTHON if path.suffix == ".py" else RAW_IN_MARKUP)
        for path in [*SRC.rglob("*.html"), *SRC.rglob("*.js"), *SRC.rglob("*.py")]
        if VENDOR not in path.parents and "tests" not in path.parts
    ]
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path, raw in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if raw.search(line)
    ]
    assert offenders == []
    assert len(sources) > 100, "the walk found the templates"


def test_every_date_field_of_every_form_uses_the_shared_widget():
    checked = 0
    offenders = []
    for form in all_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                checked += 1
                if not isinstance(field.widget, DateInput):
                    offenders.append(f"{form.__module__}.{form.__name__}.{name}")
    assert offenders == []
    assert checked > 30, "the walk found the forms"


def test_the_hand_written_date_input_is_the_widgets_markup():
    with translation.override("zh-hans"):
        widget = DateInput().render("day", date(2026, 11, 29), attrs={"id": "target-day"})
        template = render_to_string(
            "shell/_date_input.html",
            {"name": "day", "id": "target-day", "value": date(2026, 11, 29)},
        )

    [from_widget] = inputs(widget)
    [from_template] = inputs(template)
    assert from_template == from_widget
    assert from_widget["type"] == "text"
    assert from_widget["value"] == "2026-11-29"
    assert "data-qd-date" in from_widget


def test_a_hand_written_date_input_may_start_empty():
    [field] = inputs(render_to_string("shell/_date_input.html", {"name": "promised_on"}))

    assert (field["name"], field["value"], "id" in field) == ("promised_on", "", False)


class _DueForm(forms.Form):
    due_on = forms.DateField(label="Due on", widget=DateInput)
    note = forms.CharField(label="Note", required=False)


def test_the_shared_field_template_draws_the_picker_with_the_iso_value():
    # given: an unbound form showing a date, and a bound one keeping what was typed
    shown = _DueForm(initial={"due_on": date(2026, 11, 29)})
    typed = _DueForm(data={"due_on": "2026-13-45"})
    assert not typed.is_valid()

    # when
    pages = [render_to_string("tenancy/_form_fields.html", {"form": f}) for f in (shown, typed)]

    # then
    [date_shown, _note] = inputs(pages[0])
    [date_typed, _note] = inputs(pages[1])
    assert (date_shown["name"], date_shown["type"], date_shown["value"]) == (
        "due_on",
        "text",
        "2026-11-29",
    )
    assert "data-qd-date" in date_shown and "is-invalid" not in date_shown["class"]
    assert date_typed["value"] == "2026-13-45" and "is-invalid" in date_typed["class"]


def test_the_base_layout_loads_the_picker_and_its_chinese_words():
    html = render_to_string("shell/base.html", {})
    for asset in (
        "vendor/flatpickr/flatpickr.min.css",
        "vendor/flatpickr/flatpickr.min.js",
        "vendor/flatpickr/zh.js",
        "qudao/dates.js",
    ):
        assert asset in html
        assert (SRC / "shell/static" / asset).is_file()
