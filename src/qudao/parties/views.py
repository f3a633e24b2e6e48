"""Pages for customers, suppliers, their contacts, territories and customer reassignment."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Filter, Listing
from qudao.parties import selectors, services
from qudao.parties.forms import ContactForm, PartyForm, ReassignForm, TerritoryForm
from qudao.parties.models import Contact, CustomerType, Party, PartyKind, Territory, Tier
from qudao.tenancy.decorators import member_required
from qudao.tenancy.events import verb_label
from qudao.tenancy.models import Event, Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

CUSTOMER = PartyKind.CUSTOMER.value
SUPPLIER = PartyKind.SUPPLIER.value

CUSTOMER_COLUMNS = (
    Column("code", gettext_lazy("Code"), "code"),
    Column("name", gettext_lazy("Name"), "name"),
    Column("type", gettext_lazy("Type"), "customer_type", phone=False),
    Column("tier", gettext_lazy("Tier"), "tier", phone=False),
    Column("status", gettext_lazy("Status"), "status"),
    Column("territory", gettext_lazy("Territory"), "territory__path", phone=False),
    Column("owner", gettext_lazy("Owner"), "owner__user__display_name", phone=False),
    Column("phone", gettext_lazy("Phone")),
    Column("contact", gettext_lazy("Primary contact"), phone=False),
)
SUPPLIER_COLUMNS = (
    Column("code", gettext_lazy("Code"), "code"),
    Column("name", gettext_lazy("Name"), "name"),
    Column("short_name", gettext_lazy("Short name"), "short_name", phone=False),
    Column("phone", gettext_lazy("Phone")),
    Column("tax_id", gettext_lazy("Tax id"), "tax_id", phone=False),
    Column("contact", gettext_lazy("Primary contact"), phone=False),
    Column("status", gettext_lazy("Status"), "status"),
)


@dataclass
class PartyListing(Listing[Party]):
    """A list of parties: the search reaches contacts, a territory includes its sub-territories,
    and archived parties stay hidden unless the status filter asks for them."""

    def rows(self) -> QuerySet[Party]:
        active = self.active_filters
        filters = selectors.PartyFilters(
            search=self.search,
            status=active.get("status", ""),
            customer_type=active.get("type", ""),
            tier=active.get("tier", ""),
            territory_id=int(active["territory"]) if "territory" in active else None,
            owner_id=int(active["owner"]) if "owner" in active else None,
        )
        return selectors.filter_parties(self.queryset, filters).order_by(*self.ordering)


def _listing(request: HttpRequest, kind: str) -> PartyListing:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    filters = [Filter("status", gettext_lazy("Status"), "status", selectors.status_choices())]
    if kind == CUSTOMER:
        filters += [
            Filter("type", gettext_lazy("Type"), "customer_type", CustomerType.choices),
            Filter("tier", gettext_lazy("Tier"), "tier", Tier.choices),
            Filter(
                "territory",
                gettext_lazy("Territory"),
                "territory",
                selectors.territory_choices(include_archived=True),
            ),
        ]
        if can(membership, Perm.VIEW_ALL_CUSTOMERS):
            filters.append(
                Filter("owner", gettext_lazy("Owner"), "owner", selectors.sales_rep_choices())
            )
    return PartyListing(
        request=request,
        queryset=selectors.with_list_columns(selectors.visible_parties(membership, kind)),
        columns=CUSTOMER_COLUMNS if kind == CUSTOMER else SUPPLIER_COLUMNS,
        filters=filters,
        default_sort="code",
    )


@member_required(Perm.VIEW_PARTIES)
def party_list(request: HttpRequest, kind: str) -> HttpResponse:
    listing = _listing(request, kind)
    context = listing.context() | {
        "kind": kind,
        "list_url": request.path,
        "export_url": reverse(f"parties-{kind}-export"),
        "row_template": f"parties/_{kind}_row.html",
        "search_placeholder": _("Search by code, name, phone or contact"),
        "can_manage": can(request.membership, Perm.MANAGE_PARTIES),  # type: ignore[attr-defined]
        "can_reassign": can(request.membership, Perm.REASSIGN_CUSTOMERS),  # type: ignore[attr-defined]
        "own_customers_only": not can(request.membership, Perm.VIEW_ALL_CUSTOMERS),  # type: ignore[attr-defined]
    }
    template = "shell/_list.html" if request.htmx else "parties/party_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _export_columns(kind: str) -> Sequence[tuple[str, Callable[[Party], object]]]:
    columns: list[tuple[str, Callable[[Party], object]]] = [
        (_("Code"), lambda p: p.code),
        (_("Name"), lambda p: p.name),
        (_("Short name"), lambda p: p.short_name),
    ]
    if kind == CUSTOMER:
        columns += [
            (_("Type"), lambda p: p.get_customer_type_display()),
            (_("Tier"), lambda p: p.get_tier_display()),
        ]
    columns += [
        (_("Status"), lambda p: p.get_status_display()),
        (_("Archived"), lambda p: _("Yes") if p.archived_at else ""),
    ]
    if kind == CUSTOMER:
        columns += [
            (_("Territory"), lambda p: p.territory.name if p.territory else ""),
            (_("Owner"), lambda p: str(p.owner.user) if p.owner else ""),
        ]
    columns += [
        (_("Phone"), lambda p: p.phone),
        (_("Primary contact"), lambda p: p.primary_contact_name or ""),  # type: ignore[attr-defined]
        (_("Contact phone"), lambda p: p.primary_contact_phone or ""),  # type: ignore[attr-defined]
        (_("Tax id"), lambda p: p.tax_id),
        (_("Invoice title"), lambda p: p.invoice_title),
        (_("Bank"), lambda p: p.bank_name),
        (_("Bank account"), lambda p: p.bank_account),
        (_("Address"), lambda p: p.address),
        (_("Notes"), lambda p: p.notes),
        (_("Created"), lambda p: timezone.localtime(p.created_at).strftime("%Y-%m-%d")),
    ]
    return columns


@member_required(Perm.VIEW_PARTIES)
def party_export(request: HttpRequest, kind: str) -> FileResponse:
    """The list as it is filtered now, as an .xlsx file (written row by row)."""
    rows = _listing(request, kind).rows()
    columns = _export_columns(kind)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Customers") if kind == CUSTOMER else _("Suppliers"))
    sheet.append([label for label, _value in columns])
    for party in rows.iterator(chunk_size=2000):
        sheet.append([value(party) for _label, value in columns])
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{kind}s-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _visible_party(request: HttpRequest, kind: str, pk: int) -> Party:
    """A party this member may see, or 404 (another rep's customer looks like a missing one)."""
    parties = selectors.visible_parties(request.membership, kind)  # type: ignore[attr-defined]
    return get_object_or_404(parties.select_related("territory", "owner__user"), pk=pk)


def _apply_refusal(form: Any, refusal: BusinessRuleViolation) -> None:
    for field, message in refusal.fields.items():
        name = {"territory_id": "territory", "owner_id": "owner"}.get(field, field)
        if name in form.fields:
            form.add_error(name, message)
    form.add_error(None, refusal.message)


@member_required(Perm.MANAGE_PARTIES)
def party_create(request: HttpRequest, kind: str) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    form = PartyForm(request.POST or None, kind=kind, actor=actor)
    duplicates: list[Party] = []
    reasons: dict[int, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            party = services.create_party(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor,
                kind=kind,
                data=form.to_data(),
                confirm_duplicate=request.POST.get("confirm_duplicate") == "1",
            )
        except services.PossibleDuplicate as refusal:
            duplicates, reasons = refusal.matches, refusal.reasons
        except BusinessRuleViolation as refusal:
            _apply_refusal(form, refusal)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": party.name})
            return redirect(f"parties-{kind}-detail", pk=party.pk)
    visible = set(
        selectors.visible_parties(actor, kind)
        .filter(pk__in=[d.pk for d in duplicates])
        .values_list("pk", flat=True)
    )
    matches = [
        {"party": d, "visible": d.pk in visible, "reasons": _reason_labels(reasons.get(d.pk, []))}
        for d in duplicates
    ]
    return render(
        request,
        "parties/party_form.html",
        {"form": form, "kind": kind, "party": None, "duplicates": matches},
    )


def _reason_labels(reasons: list[str]) -> str:
    labels = {
        "name": _("same name"),
        "phone": _("same phone"),
        "tax_id": _("same tax id"),
        "contact_phone": _("a contact has this phone"),
    }
    return ", ".join(str(labels.get(r, r)) for r in reasons)


@member_required(Perm.MANAGE_PARTIES)
def party_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    party = _visible_party(request, kind, pk)
    form = PartyForm(
        request.POST or None, kind=kind, actor=actor, initial=PartyForm.initial_for(party)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_party(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor,
                party=party,
                data=form.to_data(party=party),
            )
        except BusinessRuleViolation as refusal:
            _apply_refusal(form, refusal)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"parties-{kind}-detail", pk=party.pk)
    return render(
        request,
        "parties/party_form.html",
        {"form": form, "kind": kind, "party": party, "duplicates": []},
    )


def _timeline_entry(event: Event) -> dict[str, object]:
    data = event.data or {}
    detail = ""
    if event.verb == "customers_reassigned":
        detail = _("From %(from)s to %(to)s") % {
            "from": data.get("from_name", ""),
            "to": data.get("to_name", ""),
        }
    elif event.verb.startswith("contact_"):
        detail = str(data.get("name", ""))
    elif event.verb == "status_changed":
        detail = f"{data.get('from', '')} → {data.get('to', '')}"
    return {
        "at": event.at,
        "who": str(event.actor.user) if event.actor else _("System"),
        "what": verb_label(event.verb),
        "detail": detail,
        "reason": event.reason,
        "ip_address": event.ip_address or "",
    }


def _detail_context(
    request: HttpRequest, party: Party, contact_form: ContactForm | None = None
) -> dict[str, object]:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    return {
        "party": party,
        "kind": party.kind,
        "contacts": list(selectors.contacts_of(party)),
        "contact_form": contact_form or ContactForm(),
        "history": selectors.party_history(party),
        "timeline": [_timeline_entry(e) for e in selectors.timeline(party)],
        "can_manage": can(membership, Perm.MANAGE_PARTIES),
        "can_reassign": can(membership, Perm.REASSIGN_CUSTOMERS),
    }


@member_required(Perm.VIEW_PARTIES)
def party_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    party = _visible_party(request, kind, pk)
    return render(request, "parties/party_detail.html", _detail_context(request, party))


@require_POST
@member_required(Perm.MANAGE_PARTIES)
def party_archive(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    party = _visible_party(request, kind, pk)
    try:
        services.archive_party(
            org=request.org,  # type: ignore[attr-defined]
            actor=request.membership,  # type: ignore[attr-defined]
            party=party,
            reason=request.POST.get("reason", "")[:500],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(name)s was archived.") % {"name": party.name})
    return redirect(f"parties-{kind}-detail", pk=pk)


@require_POST
@member_required(Perm.MANAGE_PARTIES)
def party_restore(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    party = _visible_party(request, kind, pk)
    try:
        services.restore_party(org=request.org, actor=request.membership, party=party)  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(name)s was restored.") % {"name": party.name})
    return redirect(f"parties-{kind}-detail", pk=pk)


# ---------------------------------------------------------------------------------------------
# Contacts


def _visible_contact(request: HttpRequest, pk: int) -> Contact:
    contacts = selectors.visible_contacts(request.membership)  # type: ignore[attr-defined]
    return get_object_or_404(contacts.filter(archived_at__isnull=True), pk=pk)


@require_POST
@member_required(Perm.MANAGE_PARTIES)
def contact_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    party = _visible_party(request, kind, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            contact = services.add_contact(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                party=party,
                data=form.to_data(),
            )
        except BusinessRuleViolation as refusal:
            _apply_refusal(form, refusal)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": contact.name})
            return redirect(f"parties-{kind}-detail", pk=pk)
    context = _detail_context(request, party, contact_form=form) | {"contact_form_open": True}
    return render(request, "parties/party_detail.html", context)


@member_required(Perm.MANAGE_PARTIES)
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _visible_contact(request, pk)
    form = ContactForm(request.POST or None, initial=ContactForm.initial_for(contact))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                contact=contact,
                data=form.to_data(),
            )
        except BusinessRuleViolation as refusal:
            _apply_refusal(form, refusal)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"parties-{contact.party.kind}-detail", pk=contact.party_id)
    return render(request, "parties/contact_form.html", {"form": form, "contact": contact})


@require_POST
@member_required(Perm.MANAGE_PARTIES)
def contact_archive(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _visible_contact(request, pk)
    try:
        services.archive_contact(org=request.org, actor=request.membership, contact=contact)  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": contact.name})
    return redirect(f"parties-{contact.party.kind}-detail", pk=contact.party_id)


# ---------------------------------------------------------------------------------------------
# Territories


@member_required(Perm.VIEW_PARTIES)
def territory_list(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    show_archived = request.GET.get("archived") == "1"
    nodes = selectors.territory_tree(membership, include_archived=show_archived)
    return render(
        request,
        "parties/territory_list.html",
        {
            "nodes": nodes,
            "show_archived": show_archived,
            "can_manage": can(membership, Perm.MANAGE_TERRITORIES),
            "own_customers_only": not can(membership, Perm.VIEW_ALL_CUSTOMERS),
        },
    )


@member_required(Perm.MANAGE_TERRITORIES)
def territory_create(request: HttpRequest) -> HttpResponse:
    initial = {"parent": request.GET.get("parent", "")}
    form = TerritoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            territory = services.create_territory(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                parent_id=form.cleaned_data["parent"],
            )
        except BusinessRuleViolation as refusal:
            _apply_refusal(form, refusal)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": territory.name})
            return redirect("parties-territory-list")
    return render(request, "parties/territory_form.html", {"form": form, "territory": None})


@member_required(Perm.MANAGE_TERRITORIES)
def territory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    territory = get_object_or_404(Territory, pk=pk)
    initial = {"code": territory.code, "name": territory.name, "parent": territory.parent_id or ""}
    form = TerritoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_territory(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                territory=territory,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                parent_id=form.cleaned_data["parent"],
            )
        except BusinessRuleViolation as refusal:
            _apply_refusal(form, refusal)
        else:
            messages.success(request, _("Saved."))
            return redirect("parties-territory-list")
    return render(request, "parties/territory_form.html", {"form": form, "territory": territory})


@require_POST
@member_required(Perm.MANAGE_TERRITORIES)
def territory_archive(request: HttpRequest, pk: int) -> HttpResponse:
    territory = get_object_or_404(Territory, pk=pk)
    try:
        services.archive_territory(
            org=request.org,  # type: ignore[attr-defined]
            actor=request.membership,  # type: ignore[attr-defined]
            territory=territory,
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(name)s was archived.") % {"name": territory.name})
    return redirect("parties-territory-list")


# ---------------------------------------------------------------------------------------------
# Reassignment

REASSIGN_PREVIEW = 200


@member_required(Perm.REASSIGN_CUSTOMERS)
def reassign(request: HttpRequest) -> HttpResponse:
    """Move all, or the ticked, customers of one sales rep to another."""
    form = ReassignForm(request.POST or request.GET or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        selected = None
        if request.POST.get("scope") == "selected":
            try:
                selected = {int(pk) for pk in request.POST.getlist("parties")}
            except ValueError:
                selected = set()
        reps = {m.pk: m for m in selectors.sales_reps(include_inactive=True)}
        try:
            if data["from_owner"] not in reps or data["to_owner"] not in reps:
                raise Http404
            result = services.reassign_customers(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                from_owner=reps[data["from_owner"]],
                to_owner=reps[data["to_owner"]],
                party_ids=selected,
                reason=data["reason"],
            )
        except BusinessRuleViolation as refusal:
            _apply_refusal(form, refusal)
        else:
            messages.success(
                request,
                _("%(count)d customers were moved from %(from)s to %(to)s.")
                % {
                    "count": result.count,
                    "from": result.from_owner.user,
                    "to": result.to_owner.user,
                },
            )
            return redirect("parties-reassign")
    customers: list[Party] = []
    total = 0
    from_owner = form.data.get("from_owner") if form.is_bound else ""
    if from_owner and str(from_owner).isdigit():
        owned = (
            Party.objects.filter(kind=CUSTOMER, owner_id=int(from_owner))
            .select_related("territory")
            .order_by("code")
        )
        total = owned.count()
        customers = list(owned[:REASSIGN_PREVIEW])
    if request.method == "GET":
        form.errors.clear()  # choosing the first rep is not an error yet
    template = "parties/_reassign_customers.html" if request.htmx else "parties/reassign.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "form": form,
            "customers": customers,
            "total": total,
            "preview_limit": REASSIGN_PREVIEW,
            "selected": set(request.POST.getlist("parties")),
        },
    )
