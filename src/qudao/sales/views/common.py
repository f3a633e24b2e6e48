"""What the sales pages share."""

from __future__ import annotations

from django.http import HttpRequest

from qudao.tenancy.models import Membership, Organization


def actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def org(request: HttpRequest) -> Organization:
    return request.org  # type: ignore[attr-defined,no-any-return]
