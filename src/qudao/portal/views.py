"""The portals: what a retailer or a manufacturer user sees of their own account."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qudao.portal import selectors
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm


@member_required(Perm.USE_PORTAL)
def home(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    return render(request, "portal/home.html", selectors.account_overview(membership))
