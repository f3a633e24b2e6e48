"""Template helpers shared by every page: icons and money."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from qudao.core.money import amount_in_words, quantize

register = template.Library()


@register.simple_tag
def icon(name: str, extra_class: str = "") -> SafeString:
    """An icon from the vendored Tabler sprite."""
    return format_html(
        '<svg class="icon {}" aria-hidden="true"><use href="{}#{}"></use></svg>',
        extra_class,
        static("qudao/icons.svg"),
        name,
    )


@register.filter
def money(value: object, currency: str = "CNY") -> str:
    """¥1,234.50 — the one way an amount is shown."""
    if value is None or value == "":
        return ""
    try:
        amount = quantize(Decimal(str(value)), currency)
    except (InvalidOperation, KeyError):
        return str(value)
    symbol = "¥" if currency == "CNY" else ""
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


@register.filter
def unit_price(value: object) -> str:
    """A unit price: 2 decimals, up to 4 when it has them (80.45, 114.00, 3.1416)."""
    if value is None or value == "":
        return ""
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = 4 if price != price.quantize(Decimal("0.01")) else 2
    return f"{price:,.{places}f}"


@register.filter
def in_words(value: object) -> str:
    """An amount in Chinese capital numerals (大写)."""
    return amount_in_words(Decimal(str(value)))


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key, "")


@register.filter
def verb_label(verb: str) -> str:
    """A business event's verb as the user reads it."""
    from qudao.tenancy.events import verb_label as label

    return label(verb)


@register.filter
def subject_label(subject_type: str) -> str:
    """The kind of record an event is about, in the user's language."""
    from qudao.tenancy.events import subject_label as label

    return label(subject_type)
