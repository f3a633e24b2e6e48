"""Form pieces every context uses."""

from __future__ import annotations

from typing import Any, Final

from django import forms
from django.utils.translation import gettext_lazy as _

from qudao.core.errors import BusinessRuleViolation

# What marks a date field for the shared calendar picker (shell/static/qudao/dates.js); the
# hand-written inputs of shell/_date_input.html carry the same attributes.
DATE_INPUT_ATTRS: Final[dict[str, Any]] = {
    "class": "form-control",
    "data-qd-date": "",
    "placeholder": _("yyyy-mm-dd"),
    "autocomplete": "off",
    "maxlength": "10",
}


class DateInput(forms.DateInput):
    """A date typed and shown as yyyy-mm-dd in every language and browser, with a calendar.

    Chromium draws `<input type="date">` in the browser's locale, not the page's, so this is a
    text input that the shared picker enhances; its value is always ISO (2026-11-29).
    """

    input_type = "text"
    picker = "date"  # lets hand-written field templates tell it from a plain text input

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({**DATE_INPUT_ATTRS, **(attrs or {})}, format="%Y-%m-%d")


def show_refusal(form: forms.BaseForm, refusal: BusinessRuleViolation) -> None:
    """Put a service's refusal on the form: each field it names, and its message on top."""
    for field, message in refusal.fields.items():
        if field in form.fields and message:
            form.add_error(field, message)
    form.add_error(None, refusal.message)
