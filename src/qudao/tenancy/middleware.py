"""Open the organization scope once per request, from the user's chosen membership."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.scoping import enter_org_scope, leave_org_scope

SESSION_ORG_KEY = "qudao_org_id"


class OrgRequest(HttpRequest):
    """An HttpRequest as our views see it (for type checking)."""

    org: Organization | None
    membership: Membership | None


def active_membership(request: HttpRequest) -> Membership | None:
    """The membership the user works in now: the one chosen in the session, or the first."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("org", "party")
        .order_by("pk")
    )
    chosen = request.session.get(SESSION_ORG_KEY)
    if chosen is not None:
        membership = next((m for m in memberships if m.org_id == chosen), None)
        if membership is not None:
            return membership
    return next(iter(memberships), None)


class OrgScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = active_membership(request)
        org = membership.org if membership is not None else None
        request.membership = membership  # type: ignore[attr-defined]
        request.org = org  # type: ignore[attr-defined]
        token = enter_org_scope(org)  # the API's token auth may replace it for this request
        try:
            if org is not None:
                timezone.activate(zoneinfo.ZoneInfo(org.timezone))
            return self.get_response(request)
        finally:
            timezone.deactivate()
            leave_org_scope(token)
