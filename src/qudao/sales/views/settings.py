"""The sales settings page: the approval chain's switches and where credit is checked."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.sales import services
from qudao.sales.forms import SettingsForm
from qudao.sales.services.common import settings_of
from qudao.sales.views.common import actor, org
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm


@member_required(Perm.MANAGE_SALES_SETTINGS)
def sales_settings(request: HttpRequest) -> HttpResponse:
    current = settings_of(org(request))
    initial = {field: getattr(current, field) for field in SettingsForm.base_fields}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                org=org(request),
                actor=actor(request),
                data=services.SettingsData(**form.cleaned_data),
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("The sales settings were saved."))
            return redirect("sales-settings")
    return render(
        request,
        "sales/settings.html",
        {"form": form, "current": asdict(services.SettingsData(**initial))},
    )
