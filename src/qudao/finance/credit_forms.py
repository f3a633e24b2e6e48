"""Forms of the credit pages: input shape only; the rules live in `services.credit`."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from qudao.finance.models import CreditGrade, CreditMode, ExceededAction, TermKind
from qudao.finance.services.credit import PolicyData
from qudao.parties.models import CustomerType, Tier


def _money(label: str, **kwargs: object) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=18, decimal_places=2, min_value=Decimal("0"), **kwargs
    )


class PolicyForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=CreditMode.choices)
    credit_limit = _money(_("Credit limit"))
    term_kind = forms.ChoiceField(label=_("Payment term kind"), choices=TermKind.choices)
    payment_term_days = forms.IntegerField(
        label=_("Payment term (days)"), min_value=0, max_value=365, initial=0
    )
    due_day = forms.IntegerField(
        label=_("Due day of month"),
        min_value=0,
        max_value=31,
        initial=0,
        help_text=_("For a fixed-day term: 1 to 31."),
    )
    overdue_tolerance_days = forms.IntegerField(
        label=_("Overdue tolerance (days)"), min_value=0, max_value=365, initial=0
    )
    overdue_tolerance_amount = _money(_("Overdue tolerance (amount)"), initial=Decimal("0"))
    on_exceeded = forms.ChoiceField(label=_("When exceeded"), choices=ExceededAction.choices)
    grade = forms.ChoiceField(
        label=_("Credit grade"), choices=[("", "—"), *CreditGrade.choices], required=False
    )

    def policy(self) -> PolicyData:
        return PolicyData(
            **{name: self.cleaned_data[name] for name in PolicyData.__dataclass_fields__}
        )


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
    starts_on = forms.DateField(label=_("Starts on"))
    expires_on = forms.DateField(label=_("Expires on"))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class OverrideForm(forms.Form):
    amount = _money(_("Order amount"))
    reference = forms.CharField(label=_("Order reference"), max_length=100)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CheckForm(forms.Form):
    amount = _money(_("Order amount"))
