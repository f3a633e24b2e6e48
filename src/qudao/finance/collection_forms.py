"""Input forms of the statement, reminder and collection pages: parsing only; the rules live
in the services."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qudao.core.forms import DateInput
from qudao.finance.forms import _customer_choices
from qudao.finance.models import PeriodKind, ReminderChannel
from qudao.parties.models import CustomerType, Tier


def _month_start() -> datetime.date:
    return timezone.localdate().replace(day=1)


class StatementForm(forms.Form):
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int)
    start = forms.DateField(
        label=pgettext_lazy("period", "From"), widget=DateInput, initial=_month_start
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "To"), widget=DateInput, initial=timezone.localdate
    )
    note = forms.CharField(label=_("Note to the customer"), max_length=300, required=False)

    def __init__(self, *args: Any, customers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = _customer_choices(customers)  # type: ignore[attr-defined]


class DisputeForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("What is wrong with this line?"), max_length=500)


class ResolutionForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), max_length=500)


# ---------------------------------------------------------------------------------------------
# Reminders

STEP_ROWS = 8


def _group_choices(choices: Any, anyone: Any) -> list[tuple[str, Any]]:
    return [("", anyone), *choices]


class ScheduleForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    customer_type = forms.ChoiceField(label=_("Customer type"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = _group_choices(Tier.choices, _("Any tier"))  # type: ignore[attr-defined]
        self.fields["customer_type"].choices = _group_choices(  # type: ignore[attr-defined]
            CustomerType.choices, _("Any customer type")
        )


class StepForm(forms.Form):
    offset_days = forms.IntegerField(
        label=_("Days from the due date"),
        required=False,
        help_text=_("Negative: before the due date; 0: on the day; positive: overdue."),
    )
    label = forms.CharField(label=_("Label"), max_length=60, required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    template = forms.CharField(
        label=_("Message template"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = ReminderChannel.choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("offset_days") is None and (data.get("template") or data.get("label")):
            self.add_error("offset_days", _("Enter the day of this step."))
        return data

    def is_blank(self) -> bool:
        return self.cleaned_data.get("offset_days") is None


class ReminderSettingsForm(forms.Form):
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    wecom_webhook = forms.CharField(
        label=_("WeCom robot webhook"),
        max_length=500,
        required=False,
        help_text=_("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"),
    )
    dingtalk_webhook = forms.CharField(
        label=_("DingTalk robot webhook"),
        max_length=500,
        required=False,
        help_text=_("https://oapi.dingtalk.com/robot/send?access_token=…"),
    )
    dingtalk_secret = forms.CharField(
        label=_("DingTalk signing secret"),
        max_length=100,
        required=False,
        help_text=_("Only when the robot's security setting is “signature” (加签)."),
    )
    paused = forms.BooleanField(label=_("Pause reminders"), required=False)


# ---------------------------------------------------------------------------------------------
# Collection workbench


class LogCallForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("What was said"), max_length=300)
    promised_on = forms.DateField(label=_("Promised to pay on"), widget=DateInput, required=False)
    amount = forms.DecimalField(
        label=_("Promised amount"), max_digits=18, decimal_places=2, min_value=0, required=False
    )
    promised_by = forms.CharField(label=_("Who promised"), max_length=60, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        promised = data.get("promised_on") is not None or data.get("amount") is not None
        if promised and (data.get("promised_on") is None or not data.get("amount")):
            raise forms.ValidationError(_("A promise needs both a date and an amount."))
        return data


# ---------------------------------------------------------------------------------------------
# Collection targets


class TargetForm(forms.Form):
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    day = forms.DateField(label=_("Any day in the period"), widget=DateInput)
    supplier = forms.TypedChoiceField(
        label=_("Manufacturer"), coerce=int, required=False, empty_value=None
    )
    rep = forms.TypedChoiceField(label=_("Sales rep"), coerce=int, required=False, empty_value=None)
    amount = forms.DecimalField(label=_("Target"), max_digits=18, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, suppliers: Any, reps: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = (
            [("", "—")]
            + [  # type: ignore[attr-defined]
                (str(pk), name) for pk, name in suppliers.values_list("pk", "name")[:500]
            ]
        )
        self.fields["rep"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(rep.pk), str(rep.user)) for rep in reps
        ]
