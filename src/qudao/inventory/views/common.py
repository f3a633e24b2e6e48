"""What every stock page shares: the acting member, role flags, form refusals, the form page.

Everyone inside the organization reads stock (VIEW_STOCK); boss and warehouse move it
(MOVE_STOCK); unit costs and values appear only for roles that may see costs (VIEW_COSTS).
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qudao.inventory import selectors
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


def actor_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def flags(request: HttpRequest) -> dict[str, bool]:
    actor = actor_of(request)
    return {
        "can_move": can(actor, Perm.MOVE_STOCK),
        "show_costs": selectors.can_see_costs(actor),
    }


def form_page(
    request: HttpRequest, form: forms.Form, *, title: str, back: str, submit: str
) -> HttpResponse:
    return render(
        request,
        "inventory/form.html",
        {"form": form, "title": title, "back_url": back, "submit_label": submit},
    )
