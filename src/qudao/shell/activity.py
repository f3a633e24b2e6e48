"""The home page's activity feed: each event with its record's name (a document's number)
and a link to the record's page, read in one query per kind of record, not one per event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from django.apps import apps
from django.db import models
from django.urls import reverse

from qudao.tenancy.models import Event

# The page of each kind of record an event may be about (label_lower → URL name); a party's
# page depends on its kind (customer or supplier). Kinds without a page are shown unlinked.
SUBJECT_PAGES: Final[dict[str, str]] = {
    "sales.salesorder": "sales-order-detail",
    "sales.deliverynote": "sales-delivery-detail",
    "sales.salesreturn": "sales-return-detail",
    "sales.damageclaim": "sales-damage-detail",
    "finance.invoice": "finance-invoice-detail",
    "finance.payment": "finance-payment-detail",
    "finance.statement": "finance-statement-detail",
    "finance.prepaymenttopup": "finance-topup-detail",
    "purchasing.purchaseorder": "purchasing-order-detail",
    "purchasing.goodsreceipt": "purchasing-receipt-detail",
    "purchasing.receiptclaim": "purchasing-claim-detail",
    "purchasing.supplierinvoice": "purchasing-invoice-detail",
    "purchasing.supplierpayment": "purchasing-payment-detail",
    "inventory.stockcount": "inventory-count-detail",
    "inventory.transfer": "inventory-transfer-detail",
    "inventory.warehouse": "inventory-warehouse-detail",
    "catalog.product": "catalog-product-detail",
    "catalog.pricelist": "catalog-pricelist-detail",
}
PARTY: Final = "parties.party"
PARTY_PAGES: Final = {"customer": "parties-customer-detail", "supplier": "parties-supplier-detail"}


@dataclass(frozen=True)
class Activity:
    event: Event
    subject: str  # the record's name (a document's number), or "#id" when it is gone
    url: str  # its page; "" when it has none


def _url(subject_type: str, record: models.Model) -> str:
    if subject_type == PARTY:
        name = PARTY_PAGES.get(getattr(record, "kind", ""), "")
    else:
        name = SUBJECT_PAGES.get(subject_type, "")
    return reverse(name, args=[record.pk]) if name else ""


def with_subjects(events: Sequence[Event]) -> list[Activity]:
    """The events with their records' names and pages (one query per kind of record)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for event in events:
        ids[event.subject_type].add(event.subject_id)
    records: dict[str, dict[int, models.Model]] = {}
    for subject_type, pks in ids.items():
        try:
            model = apps.get_model(subject_type)
        except (LookupError, ValueError):
            continue
        records[subject_type] = model._default_manager.in_bulk(pks)
    activities = []
    for event in events:
        record = records.get(event.subject_type, {}).get(event.subject_id)
        if record is None:
            activities.append(Activity(event, f"#{event.subject_id}", ""))
        else:
            activities.append(Activity(event, str(record), _url(event.subject_type, record)))
    return activities
