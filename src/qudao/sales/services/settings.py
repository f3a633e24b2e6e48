"""The organization's sales settings: which approval steps are on, where credit is checked."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from qudao.sales.models import ControlPoint, SalesSettings
from qudao.sales.services.common import refuse
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event


@dataclass(frozen=True)
class SettingsData:
    order_review: bool
    finance_review: bool
    warehouse_release: bool
    receipt_confirmation: bool
    return_review: bool
    credit_control: str
    return_finance_review: bool = False
    return_warehouse_acceptance: bool = False
    return_shipment: bool = False


@transaction.atomic
def update_settings(*, org: Organization, actor: Membership, data: SettingsData) -> SalesSettings:
    require_perm(actor, Perm.MANAGE_SALES_SETTINGS)
    if data.credit_control not in ControlPoint.values:
        raise refuse(_("Choose when credit is checked."), "invalid_control_point")
    row, _created = SalesSettings.objects.select_for_update().get_or_create(org=org)
    before = {field: getattr(row, field) for field in asdict(data)}
    for field, value in asdict(data).items():
        setattr(row, field, value)
    row.save()
    record_event(
        org=org,
        actor=actor,
        subject=row,
        verb="settings_changed",
        data={"before": before, "after": asdict(data)},
    )
    return row
