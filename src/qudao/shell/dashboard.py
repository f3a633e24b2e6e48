"""What the home page shows a staff member: the organization at a glance."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from qudao.parties.models import Party, PartyKind, PartyStatus
from qudao.parties.selectors import visible_customers
from qudao.shell.activity import with_subjects
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm
from qudao.tenancy.selectors import latest_integrity_run, recent_events


def for_member(membership: Membership) -> dict[str, Any]:
    customers = visible_customers(membership).filter(archived_at__isnull=True)
    counts = customers.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=PartyStatus.ACTIVE)),
        prospects=Count("pk", filter=Q(status=PartyStatus.PROSPECT)),
    )
    suppliers = Party.objects.filter(kind=PartyKind.SUPPLIER, archived_at__isnull=True).count()
    by_type = list(customers.values("customer_type").annotate(n=Count("pk")).order_by("-n"))
    by_territory = list(
        customers.filter(territory__isnull=False)
        .values("territory__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:12]
    )
    type_labels = dict(Party._meta.get_field("customer_type").choices)  # type: ignore[arg-type]
    chart_types = [
        {"name": str(type_labels.get(row["customer_type"], _("Other"))), "value": row["n"]}
        for row in by_type
    ]
    chart_territories = {
        "names": [row["territory__name"] for row in by_territory],
        "values": [row["n"] for row in by_territory],
    }
    show_audit = can(membership, Perm.VIEW_AUDIT)
    return {
        "counts": counts,
        "suppliers": suppliers,
        "chart_types": chart_types,
        "chart_territories": chart_territories,
        "has_chart_data": bool(by_type),
        "has_territory_data": bool(by_territory),
        "events": with_subjects(list(recent_events(8))) if show_audit else [],
        "integrity": latest_integrity_run() if show_audit else None,
        "own_customers_only": not can(membership, Perm.VIEW_ALL_CUSTOMERS),
    }
