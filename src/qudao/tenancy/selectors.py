"""Reads about organizations, members, tokens and events."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qudao.tenancy.models import ApiToken, Event, IntegrityRun, Membership, Organization, User


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("org", "party")
        .order_by("org__name")
    )


def members(*, org: Organization, search: str = "") -> QuerySet[Membership]:
    rows = Membership.objects.filter(org=org).select_related("user", "party")
    if search:
        rows = rows.filter(
            Q(user__username__icontains=search)
            | Q(user__display_name__icontains=search)
            | Q(user__phone__icontains=search)
        )
    return rows


def tokens_of(membership: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=membership).order_by("-created_at")


def events_about(*, subject_type: str, subject_id: int) -> QuerySet[Event]:
    return (
        Event.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("actor__user")
        .order_by("-at", "-pk")
    )


def recent_events(limit: int = 20) -> QuerySet[Event]:
    return Event.objects.select_related("actor__user").order_by("-at", "-pk")[:limit]


def latest_integrity_run() -> IntegrityRun | None:
    return IntegrityRun.objects.order_by("-started_at").first()
