"""Reminder texts: a finance-written template with named placeholders, filled per customer."""

from __future__ import annotations

import datetime
import string
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize

PLACEHOLDERS: Final = (
    "customer",
    "organization",
    "total",
    "count",
    "invoices",
    "due_date",
    "days",
    "rep",
)

# What the "suggested schedule" button fills in. The messages go to Chinese customers, so the
# texts are Chinese whatever the clerk's screen language; finance edits them freely.
SUGGESTED_STEPS: Final[tuple[tuple[int, str, str], ...]] = (
    (
        -3,
        "提前叮嘱",
        "{customer}您好！温馨提醒：您在{organization}有{count}笔货款将于{due_date}到期，"
        "合计{total}：\n{invoices}\n如已安排付款，请忽略本消息。感谢您一直以来的支持！",
    ),
    (
        0,
        "到期提醒",
        "{customer}您好！您在{organization}的{count}笔货款今天（{due_date}）到期，"
        "合计{total}：\n{invoices}\n麻烦您方便时安排付款，谢谢！",
    ),
    (
        7,
        "逾期提醒",
        "{customer}您好！您在{organization}有{count}笔货款已逾期{days}天，合计{total}：\n"
        "{invoices}\n烦请尽快安排付款；如对账目有疑问，请随时联系我们。谢谢！",
    ),
    (
        15,
        "再次提醒",
        "{customer}您好！您在{organization}有{count}笔货款已逾期{days}天，合计{total}：\n"
        "{invoices}\n为不影响后续发货和授信额度，请尽快安排付款。"
        "如有困难，请联系您的业务员{rep}商量还款计划。",
    ),
    (
        30,
        "升级提醒",
        "{customer}您好！您在{organization}的{count}笔货款已逾期{days}天，合计{total}：\n"
        "{invoices}\n按照双方约定，逾期超过30天将暂停赊销发货。请于近日安排付款，"
        "或与我司财务部联系确认还款安排。谢谢配合！",
    ),
)


@dataclass(frozen=True)
class ReminderInvoice:
    invoice_id: int
    number: str
    due_date: datetime.date
    open_amount: Decimal


def yuan(amount: Decimal) -> str:
    """¥1,234.50, as on every page."""
    value = quantize(amount)
    return f"{'-' if value < 0 else ''}¥{abs(value):,.2f}"


def check_template(template: str) -> None:
    """Refuse a template that is empty, malformed or names an unknown placeholder."""
    if not template.strip():
        raise BusinessRuleViolation(
            _("Write the message of each step."),
            code="template_required",
            fields={"template": _("This field is required.")},
        )
    try:
        names = {field for _text, field, _spec, _conv in string.Formatter().parse(template)}
    except ValueError:
        names = {"{"}
    unknown = sorted(name for name in names if name is not None and name not in PLACEHOLDERS)
    if unknown:
        message = _(
            "Unknown placeholder %(names)s: use %(allowed)s, and write braces only around them."
        ) % {
            "names": ", ".join(f"{{{name}}}" for name in unknown),
            "allowed": " ".join(f"{{{name}}}" for name in PLACEHOLDERS),
        }
        raise BusinessRuleViolation(message, code="invalid_template", fields={"template": message})


def render_reminder(
    *,
    template: str,
    customer: str,
    organization: str,
    rep: str,
    offset_days: int,
    invoices: Sequence[ReminderInvoice],
) -> str:
    """Fill the placeholders: amounts as ¥, one line per invoice with its number and due date."""
    total = sum((invoice.open_amount for invoice in invoices), ZERO)
    lines = "\n".join(
        f"· {invoice.number}  {yuan(invoice.open_amount)}  到期日 {invoice.due_date:%Y-%m-%d}"
        for invoice in invoices
    )
    return template.format(
        customer=customer,
        organization=organization,
        total=yuan(total),
        count=len(invoices),
        invoices=lines,
        due_date=f"{min(invoice.due_date for invoice in invoices):%Y-%m-%d}",
        days=abs(offset_days),
        rep=rep,
    )
