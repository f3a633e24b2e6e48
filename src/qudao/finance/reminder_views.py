"""Pages for collection reminders (催款提醒): the log and "send now", the schedules per
customer group, and where each customer's reminders go."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Filter, Listing
from qudao.finance import services
from qudao.finance.collection_forms import (
    STEP_ROWS,
    ReminderSettingsForm,
    ScheduleForm,
    StepForm,
)
from qudao.finance.credit import group_label
from qudao.finance.models import (
    CustomerReminderSettings,
    ReminderChannel,
    ReminderLog,
    ReminderSchedule,
    ReminderStatus,
)
from qudao.finance.reminders.planning import due_reminders
from qudao.finance.reminders.rendering import PLACEHOLDERS
from qudao.finance.tasks import send_reminders
from qudao.finance.views import _member, _render_list
from qudao.parties.selectors import visible_customers
from qudao.tenancy.decorators import member_required
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

LOG_COLUMNS = (
    Column("created", gettext_lazy("Time"), "created_at"),
    Column("customer", gettext_lazy("Customer"), "customer__name"),
    Column("step", gettext_lazy("Step"), "offset_days", phone=False),
    Column("channel", gettext_lazy("Channel"), "channel", phone=False),
    Column("total", gettext_lazy("Amount"), "total", numeric=True),
    Column("status", gettext_lazy("Result"), "status"),
)


@member_required(Perm.VIEW_FINANCE)
def reminder_log(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    listing = Listing(
        request=request,
        queryset=ReminderLog.objects.filter(customer__in=visible_customers(member)).select_related(
            "customer", "triggered_by__user"
        ),
        columns=LOG_COLUMNS,
        search_fields=("customer__name", "customer__code", "text"),
        filters=(
            Filter("status", gettext_lazy("Result"), "status", ReminderStatus.choices),
            Filter("channel", gettext_lazy("Channel"), "channel", ReminderChannel.choices),
        ),
        default_sort="-created_at",
    )
    can_post = can(member, Perm.POST_FINANCE)
    due = due_reminders(today=timezone.localdate()) if can_post and not request.htmx else []  # type: ignore[attr-defined]
    return _render_list(
        request,
        listing,
        "finance/reminder_log.html",
        row_template="finance/_reminder_row.html",
        search_placeholder=_("Search by customer or message"),
        can_post=can_post,
        due=due,
        has_schedule=ReminderSchedule.objects.filter(is_active=True).exists(),
    )


@require_POST
@member_required(Perm.POST_FINANCE)
def reminder_send(request: HttpRequest) -> HttpResponse:
    """Send what is due today now, on the task queue (the page does not wait for the robots)."""
    org_id, actor_id = request.org.pk, _member(request).pk  # type: ignore[attr-defined]
    transaction.on_commit(lambda: send_reminders(org_id, actor_id))
    messages.success(
        request, _("The reminders due today are being sent; their results appear below.")
    )
    return redirect("finance-reminder-log")


@member_required(Perm.VIEW_FINANCE)
def schedule_list(request: HttpRequest) -> HttpResponse:
    schedules = list(ReminderSchedule.objects.prefetch_related("steps"))
    return render(
        request,
        "finance/reminder_schedules.html",
        {
            "schedules": [(s, group_label(s.tier, s.customer_type)) for s in schedules],
            "has_default": any(not s.tier and not s.customer_type for s in schedules),
            "can_manage": can(_member(request), Perm.MANAGE_CREDIT),
            "placeholders": [f"{{{name}}}" for name in PLACEHOLDERS],
        },
    )


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def schedule_suggest(request: HttpRequest) -> HttpResponse:
    try:
        services.add_suggested_schedule(org=request.org, actor=_member(request))  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The suggested schedule was added; adjust it as you like."))
    return redirect("finance-reminder-schedules")


@member_required(Perm.MANAGE_CREDIT)
def schedule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    schedule = get_object_or_404(ReminderSchedule, pk=pk) if pk is not None else None
    initial_steps = (
        [
            {
                "offset_days": s.offset_days,
                "label": s.label,
                "channel": s.channel,
                "template": s.template,
            }
            for s in schedule.steps.all()
        ]
        if schedule
        else []
    )
    data = request.POST if request.method == "POST" else None
    form = ScheduleForm(
        data,
        initial={
            "tier": schedule.tier,
            "customer_type": schedule.customer_type,
            "is_active": schedule.is_active,
        }
        if schedule
        else None,
    )
    step_forms = [
        StepForm(
            data, prefix=f"step{i}", initial=initial_steps[i] if i < len(initial_steps) else None
        )
        for i in range(STEP_ROWS)
    ]
    if data is not None and form.is_valid() and all(f.is_valid() for f in step_forms):
        steps = [
            services.StepData(
                f.cleaned_data["offset_days"],
                f.cleaned_data["label"],
                f.cleaned_data["channel"],
                f.cleaned_data["template"],
            )
            for f in step_forms
            if not f.is_blank()
        ]
        try:
            if schedule is not None and (
                schedule.tier,
                schedule.customer_type,
            ) != (form.cleaned_data["tier"], form.cleaned_data["customer_type"]):
                raise BusinessRuleViolation(
                    _("The group of a schedule cannot change; make a new schedule instead."),
                    code="group_changed",
                )
            services.save_reminder_schedule(
                org=request.org,  # type: ignore[attr-defined]
                actor=_member(request),
                tier=form.cleaned_data["tier"],
                customer_type=form.cleaned_data["customer_type"],
                steps=steps,
                is_active=form.cleaned_data["is_active"],
            )
        except BusinessRuleViolation as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("finance-reminder-schedules")
    return render(
        request,
        "finance/reminder_schedule_form.html",
        {
            "form": form,
            "step_forms": step_forms,
            "schedule": schedule,
            "placeholders": [f"{{{name}}}" for name in PLACEHOLDERS],
        },
        status=400 if data is not None else 200,
    )


@member_required(Perm.MANAGE_CREDIT)
def customer_settings(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(visible_customers(_member(request)), pk=pk)
    row = CustomerReminderSettings.objects.filter(party=customer).first()
    initial = (
        {
            "email": row.email,
            "wecom_webhook": row.wecom_webhook,
            "dingtalk_webhook": row.dingtalk_webhook,
            "dingtalk_secret": row.dingtalk_secret,
            "paused": row.paused,
        }
        if row
        else None
    )
    form = ReminderSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_reminder_settings(
                org=request.org,  # type: ignore[attr-defined]
                actor=_member(request),
                customer=customer,
                data=services.ReminderSettingsData(**form.cleaned_data),
            )
        except BusinessRuleViolation as refusal:
            for field, message in refusal.fields.items():
                if field in form.fields:
                    form.add_error(field, message)
            if not refusal.fields:
                form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("finance-account-detail", pk=customer.pk)
    return render(
        request,
        "finance/reminder_settings_form.html",
        {"form": form, "customer": customer},
        status=400 if form.is_bound and form.errors else 200,
    )


urlpatterns = [
    path("reminders/", reminder_log, name="finance-reminder-log"),
    path("reminders/send/", reminder_send, name="finance-reminder-send"),
    path("reminders/schedules/", schedule_list, name="finance-reminder-schedules"),
    path("reminders/schedules/suggest/", schedule_suggest, name="finance-reminder-suggest"),
    path("reminders/schedules/new/", schedule_edit, name="finance-reminder-schedule-create"),
    path("reminders/schedules/<int:pk>/", schedule_edit, name="finance-reminder-schedule-edit"),
    path("reminders/customers/<int:pk>/", customer_settings, name="finance-reminder-customer"),
]
