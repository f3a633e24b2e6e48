"""Pages for transfers between warehouses and stock counts (盘点)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.core.listing import Column, Filter, Listing
from qudao.inventory import selectors, services
from qudao.inventory.forms import (
    CountForm,
    CountLineForm,
    LineForm,
    TransferForm,
)
from qudao.inventory.models import (
    CountStatus,
    StockCount,
    Transfer,
    TransferStatus,
)
from qudao.inventory.views.common import actor_of, flags, form_page
from qudao.tenancy.decorators import member_required
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

# ---------------------------------------------------------------------------------------------
# Transfers


@member_required(Perm.VIEW_STOCK)
def transfer_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=selectors.transfers(),
        columns=(
            Column("number", gettext_lazy("Number"), "number"),
            Column("status", gettext_lazy("Status"), "status"),
            Column("from", gettext_lazy("From")),
            Column("to", gettext_lazy("To")),
            Column("created_at", gettext_lazy("Created"), "created_at", phone=False),
        ),
        search_fields=("number",),
        filters=[Filter("status", gettext_lazy("Status"), "status", TransferStatus.choices)],
    )
    context = (
        listing.context()
        | flags(request)
        | {
            "list_url": request.path,
            "row_template": "inventory/_transfer_row.html",
            "search_placeholder": _("Search by number"),
        }
    )
    template = "shell/_list.html" if request.htmx else "inventory/transfer_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@member_required(Perm.MOVE_STOCK)
def transfer_create(request: HttpRequest) -> HttpResponse:
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.create_transfer(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor_of(request),
                from_location_id=form.cleaned_data["from_location"],
                to_location_id=form.cleaned_data["to_location"],
                note=form.cleaned_data["note"],
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            return redirect("inventory-transfer-detail", pk=transfer.pk)
    return form_page(
        request,
        form,
        title=_("New transfer"),
        back=reverse("inventory-transfer-list"),
        submit=_("Create draft"),
    )


@member_required(Perm.VIEW_STOCK)
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(selectors.transfers(), pk=pk)
    form = LineForm(request.POST or None)
    if request.method == "POST":
        if not can(actor_of(request), Perm.MOVE_STOCK):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.set_transfer_line(
                    org=request.org,  # type: ignore[attr-defined]
                    actor=actor_of(request),
                    transfer=transfer,
                    line=services.QuantityLine(
                        product_id=form.cleaned_data["product"].pk,
                        quantity=form.cleaned_data["quantity"],
                    ),
                )
            except BusinessRuleViolation as refusal:
                show_refusal(form, refusal)
            else:
                return redirect("inventory-transfer-detail", pk=transfer.pk)
    return render(
        request,
        "inventory/transfer_detail.html",
        {
            "transfer": transfer,
            "lines": transfer.lines.select_related("product").order_by("product__code"),
            "form": form,
            **flags(request),
        },
    )


def _transfer_action(request: HttpRequest, pk: int, act: Any, done: str) -> HttpResponse:
    transfer = get_object_or_404(Transfer, pk=pk)
    try:
        act(org=request.org, actor=actor_of(request), transfer=transfer)  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect("inventory-transfer-detail", pk=transfer.pk)


@require_POST
@member_required(Perm.MOVE_STOCK)
def transfer_ship(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_action(request, pk, services.ship_transfer, _("The transfer was shipped."))


@require_POST
@member_required(Perm.MOVE_STOCK)
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_action(request, pk, services.receive_transfer, _("The transfer was received."))


@require_POST
@member_required(Perm.MOVE_STOCK)
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_action(request, pk, services.cancel_transfer, _("The transfer was cancelled."))


# ---------------------------------------------------------------------------------------------
# Stock counts


@member_required(Perm.VIEW_STOCK)
def count_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=selectors.counts(),
        columns=(
            Column("number", gettext_lazy("Number"), "number"),
            Column("status", gettext_lazy("Status"), "status"),
            Column("location", gettext_lazy("Location")),
            Column("reason", gettext_lazy("Reason"), phone=False),
            Column("created_at", gettext_lazy("Created"), "created_at", phone=False),
        ),
        search_fields=("number", "reason"),
        filters=[Filter("status", gettext_lazy("Status"), "status", CountStatus.choices)],
    )
    context = (
        listing.context()
        | flags(request)
        | {
            "list_url": request.path,
            "row_template": "inventory/_count_row.html",
            "search_placeholder": _("Search by number or reason"),
        }
    )
    template = "shell/_list.html" if request.htmx else "inventory/count_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@member_required(Perm.MOVE_STOCK)
def count_create(request: HttpRequest) -> HttpResponse:
    form = CountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.create_count(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor_of(request),
                location_id=form.cleaned_data["location"],
                reason=form.cleaned_data["reason"],
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            return redirect("inventory-count-detail", pk=count.pk)
    return form_page(
        request,
        form,
        title=_("New stock count"),
        back=reverse("inventory-count-list"),
        submit=_("Create count sheet"),
    )


@member_required(Perm.VIEW_STOCK)
def count_detail(request: HttpRequest, pk: int) -> HttpResponse:
    count = get_object_or_404(selectors.counts(), pk=pk)
    form = CountLineForm(request.POST or None)
    if request.method == "POST":
        if not can(actor_of(request), Perm.MOVE_STOCK):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.set_count_line(
                    org=request.org,  # type: ignore[attr-defined]
                    actor=actor_of(request),
                    count=count,
                    product_id=form.cleaned_data["product"].pk,
                    counted=form.cleaned_data["counted"],
                )
            except BusinessRuleViolation as refusal:
                show_refusal(form, refusal)
            else:
                return redirect("inventory-count-detail", pk=count.pk)
    return render(
        request,
        "inventory/count_detail.html",
        {
            "count": count,
            "lines": count.lines.select_related("product").order_by("product__code"),
            "form": form,
            **flags(request),
        },
    )


@require_POST
@member_required(Perm.MOVE_STOCK)
def count_post(request: HttpRequest, pk: int) -> HttpResponse:
    count = get_object_or_404(StockCount, pk=pk)
    try:
        services.post_count(
            org=request.org,  # type: ignore[attr-defined]
            actor=actor_of(request),
            count=count,
            reason=request.POST.get("reason", ""),
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The count was posted."))
    return redirect("inventory-count-detail", pk=count.pk)


@require_POST
@member_required(Perm.MOVE_STOCK)
def count_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    count = get_object_or_404(StockCount, pk=pk)
    try:
        services.cancel_count(
            org=request.org,  # type: ignore[attr-defined]
            actor=actor_of(request),
            count=count,
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The count was cancelled."))
    return redirect("inventory-count-detail", pk=count.pk)
