"""Pages for organization switching, members, API tokens and the activity log."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Filter, Listing
from qudao.tenancy import selectors, services
from qudao.tenancy.decorators import member_required
from qudao.tenancy.forms import MemberForm, TokenForm
from qudao.tenancy.middleware import SESSION_ORG_KEY
from qudao.tenancy.models import ApiToken, Event, Membership
from qudao.tenancy.roles import Perm, Role

MEMBER_COLUMNS = (
    Column("username", gettext_lazy("Username"), "user__username"),
    Column("name", gettext_lazy("Name"), "user__display_name"),
    Column("role", gettext_lazy("Role"), "role"),
    Column("party", gettext_lazy("Supplier or customer")),
    Column("status", gettext_lazy("Status"), "is_active"),
    Column("created", gettext_lazy("Member since"), "created_at"),
)


@require_POST
@member_required()
def switch_org(request: HttpRequest) -> HttpResponse:
    """Work in another of the user's organizations from now on."""
    wanted = request.POST.get("org", "")
    membership = next(
        (m for m in selectors.memberships_of(request.user) if str(m.org_id) == wanted),
        None,  # type: ignore[arg-type]
    )
    if membership is None:
        messages.error(request, _("You are not a member of that organization."))
    else:
        request.session[SESSION_ORG_KEY] = membership.org_id
        messages.success(request, _("You are now working in %(org)s.") % {"org": membership.org})
    return redirect("home")


@member_required(Perm.VIEW_MEMBERS)
def member_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=selectors.members(org=request.org),  # type: ignore[attr-defined]
        columns=MEMBER_COLUMNS,
        search_fields=("user__username", "user__display_name", "user__phone"),
        filters=(Filter("role", gettext_lazy("Role"), "role", Role.choices),),
        default_sort="user__username",
    )
    context = listing.context() | {
        "list_url": request.path,
        "row_template": "tenancy/_member_row.html",
        "search_placeholder": _("Search by username, name or phone"),
    }
    template = "shell/_list.html" if request.htmx else "tenancy/member_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@member_required(Perm.MANAGE_MEMBERS)
def member_add(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_member(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                new=services.NewMember(
                    username=data["username"],
                    display_name=data["display_name"],
                    email=data["email"],
                    role=data["role"],
                    password=data["password"],
                    party_id=data["party"].pk if data["party"] else None,
                ),
            )
        except BusinessRuleViolation as refusal:
            for field, message in refusal.fields.items():
                if field in form.fields:
                    form.add_error(field, message)
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("%(user)s was added.") % {"user": data["username"]})
            return redirect("tenancy-member-list")
    return render(request, "tenancy/member_form.html", {"form": form})


@member_required(Perm.VIEW_MEMBERS)
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(
        Membership.objects.select_related("user", "party"),
        pk=pk,
        org=request.org,  # type: ignore[attr-defined]
    )
    events = selectors.events_about(subject_type="tenancy.membership", subject_id=member.pk)
    history = member.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "tenancy/member_detail.html",
        {"member": member, "events": events[:20], "history": history, "roles": Role.choices},
    )


@require_POST
@member_required(Perm.MANAGE_MEMBERS)
def member_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Membership, pk=pk, org=request.org)  # type: ignore[attr-defined]
    active = request.POST.get("active") == "1"
    try:
        services.set_member_active(
            org=request.org,
            actor=request.membership,
            membership=member,
            active=active,  # type: ignore[attr-defined]
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("tenancy-member-detail", pk=pk)


@require_POST
@member_required(Perm.MANAGE_MEMBERS)
def member_change_role(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Membership, pk=pk, org=request.org)  # type: ignore[attr-defined]
    try:
        services.change_role(
            org=request.org,
            actor=request.membership,
            membership=member,  # type: ignore[attr-defined]
            role=request.POST.get("role", ""),
            party_id=member.party_id,
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("tenancy-member-detail", pk=pk)


@member_required(Perm.USE_API_TOKENS)
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.issue_api_token(
                org=request.org,
                actor=request.membership,
                name=form.cleaned_data["name"],  # type: ignore[attr-defined]
            )
        except BusinessRuleViolation as refusal:
            form.add_error("name", refusal.message)
        else:
            form = TokenForm()
    tokens = selectors.tokens_of(request.membership)  # type: ignore[attr-defined]
    return render(
        request, "tenancy/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@require_POST
@member_required(Perm.USE_API_TOKENS)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        services.revoke_api_token(org=request.org, actor=request.membership, token=token)  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The token was revoked."))
    return redirect("tenancy-token-list")


ACTIVITY_COLUMNS = (
    Column("at", gettext_lazy("When"), "at"),
    Column("actor", gettext_lazy("Who")),
    Column("verb", gettext_lazy("What"), "verb"),
    Column("subject", gettext_lazy("Record")),
    Column("reason", gettext_lazy("Reason")),
    Column("ip", gettext_lazy("From where")),
)


@member_required(Perm.VIEW_AUDIT)
def activity(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=Event.objects.select_related("actor__user"),
        columns=ACTIVITY_COLUMNS,
        search_fields=("verb", "subject_type", "reason", "actor__user__username"),
        default_sort="-at",
    )
    context = listing.context() | {
        "list_url": request.path,
        "row_template": "tenancy/_event_row.html",
        "search_placeholder": _("Search by action, record or person"),
    }
    template = "shell/_list.html" if request.htmx else "tenancy/activity.html"  # type: ignore[attr-defined]
    return render(request, template, context)
