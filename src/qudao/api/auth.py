"""API authentication: a bearer token (integrations) or the page session (our own scripts).

Either way the request ends up with one membership, and the organization scope is opened
for it — the same scope the pages use.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from qudao.tenancy.models import ApiToken, Membership, hash_token
from qudao.tenancy.scoping import enter_org_scope


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        # The edge that opens the scope: a token is looked up before any org is known.
        found = (
            ApiToken.unscoped.filter(key_hash=hash_token(token), revoked_at__isnull=True)
            .select_related("membership__org", "membership__user", "membership__party")
            .first()
        )
        if found is None or not found.membership.is_active or not found.membership.user.is_active:
            return None
        ApiToken.unscoped.filter(pk=found.pk).update(last_used_at=timezone.now())
        membership = found.membership
        request.membership = membership  # type: ignore[attr-defined]
        request.org = membership.org  # type: ignore[attr-defined]
        request.user = membership.user
        enter_org_scope(membership.org)  # reset by OrgScopeMiddleware at the end of the request
        return membership


class SessionAuth(APIKeyCookie):
    """The logged-in page session; CSRF-checked like any form post."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Membership | None:
        membership = getattr(request, "membership", None)
        if request.user.is_authenticated and membership is not None:
            return membership
        return None
