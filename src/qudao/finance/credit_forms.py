"""Forms of the credit pages: input shape only; the rules live in `services.credit`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from django import forms
from django.utils.translation import gettext_lazy as _

from qudao.core.forms import DateInput
from qudao.finance.credit import CreditPolicy
from qudao.finance.models import CreditGrade, CreditMode, ExceededAction, TermKind
from qudao.finance.services.credit import PolicyData
from qudao.parties.models import CustomerType, Tier

HUNDRED: Final = Decimal(100)
# the policy's numbers that a term kind may leave empty (0 when empty)
NUMBERS: Final = (
    "payment_term_days",
    "due_day",
    "overdue_tolerance_days",
    "overdue_tolerance_amount",
)


def _money(label: str, **kwargs: object) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=18, decimal_places=2, min_value=Decimal("0"), **kwargs
    )


class PolicyForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=CreditMode.choices)
    credit_limit = _money(_("Credit limit"))
    term_kind = forms.ChoiceField(label=_("Payment term kind"), choices=TermKind.choices)
    payment_term_days = forms.IntegerField(
        label=_("Payment term (days)"),
        min_value=0,
        max_value=365,
        initial=0,
        required=False,
        help_text=_("For a net or month-end term."),
    )
    due_day = forms.IntegerField(
        label=_("Due day of month"),
        min_value=0,
        max_value=31,
        initial=0,
        required=False,
        help_text=_("For a fixed-day term: 1 to 31."),
    )
    overdue_tolerance_days = forms.IntegerField(
        label=_("Overdue tolerance (days)"),
        min_value=0,
        max_value=365,
        initial=0,
        required=False,
        help_text=_("Empty: none."),
    )
    overdue_tolerance_amount = _money(
        _("Overdue tolerance (amount)"),
        initial=Decimal("0"),
        required=False,
        help_text=_("Empty: none."),
    )
    on_exceeded = forms.ChoiceField(label=_("When exceeded"), choices=ExceededAction.choices)
    grade = forms.ChoiceField(
        label=_("Credit grade"), choices=[("", "—"), *CreditGrade.choices], required=False
    )
    # entered in percent, kept as a share; empty: the organization's setting
    rebate_max_share = forms.DecimalField(
        label=_("Rebate may pay at most (% of an order)"),
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        help_text=_("Empty: the organization's setting."),
    )

    @staticmethod
    def initial_from(policy: CreditPolicy) -> dict[str, object]:
        """The form's initial values from the policy in force (the share in percent).

        Numbers are given as strings: the form template shows a falsy 0 as empty, and an
        empty rebate share would mean "the organization's setting" when saved again."""
        initial: dict[str, object] = {
            name: getattr(policy, name) for name in PolicyData.__dataclass_fields__
        }
        for name in NUMBERS:
            initial[name] = str(initial[name])
        share = policy.rebate_max_share
        initial["rebate_max_share"] = (
            None if share is None else str((share * HUNDRED).quantize(Decimal("0.01")))
        )
        return initial

    def clean(self) -> dict[str, Any]:
        """Each kind of term needs only its own number: days for net and month-end terms, the
        day of the month for a fixed-day term; the other one (hidden or left empty) is 0."""
        cleaned = super().clean() or {}
        kind = cleaned.get("term_kind")
        if kind == TermKind.FIXED_DAY:
            if not cleaned.get("due_day") and "due_day" not in self.errors:
                self.add_error("due_day", _("A fixed-day term needs a day between 1 and 31."))
        elif kind in (TermKind.NET, TermKind.MONTH_END):
            if cleaned.get("payment_term_days") is None and "payment_term_days" not in self.errors:
                self.add_error("payment_term_days", _("Enter the number of days (0 to 365)."))
        for name in NUMBERS:
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = Decimal("0.00") if name == "overdue_tolerance_amount" else 0
        return cleaned

    def policy(self) -> PolicyData:
        values = {name: self.cleaned_data[name] for name in PolicyData.__dataclass_fields__}
        percent = values["rebate_max_share"]
        values["rebate_max_share"] = None if percent is None else percent / HUNDRED
        return PolicyData(**values)


class GroupPolicyForm(PolicyForm):
    tier = forms.ChoiceField(
        label=_("Tier"), choices=[("", _("Any tier")), *Tier.choices], required=False
    )
    customer_type = forms.ChoiceField(
        label=_("Customer type"),
        choices=[("", _("Any type")), *CustomerType.choices],
        required=False,
    )


class RaiseForm(forms.Form):
    amount = _money(_("Amount"))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class OverrideForm(forms.Form):
    amount = _money(_("Order amount"))
    reference = forms.CharField(label=_("Order reference"), max_length=100)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CheckForm(forms.Form):
    amount = _money(_("Order amount"))
