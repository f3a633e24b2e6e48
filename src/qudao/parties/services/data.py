"""Inputs of the party services and the refusal that carries duplicate matches."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.parties import selectors
from qudao.parties.models import (
    Contact,
    Party,
    PartyKind,
    PartyStatus,
)

CODE_PATTERN = re.compile(r"^[\w.\-]+$")
CODE_KEYS = {PartyKind.CUSTOMER: "C", PartyKind.SUPPLIER: "S"}
MAX_TERRITORY_DEPTH = 8


@dataclass(frozen=True)
class PartyData:
    """What a person enters about a supplier or customer. Empty code: the next free number."""

    name: str
    code: str = ""
    short_name: str = ""
    customer_type: str = ""
    tier: str = ""
    status: str = PartyStatus.ACTIVE
    territory_id: int | None = None
    owner_id: int | None = None
    phone: str = ""
    tax_id: str = ""
    bank_name: str = ""
    bank_account: str = ""
    invoice_title: str = ""
    address: str = ""
    notes: str = ""

    @classmethod
    def of(cls, party: Party) -> PartyData:
        """The party's current values (a partial update replaces some of them)."""
        return cls(**{f.name: getattr(party, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class ContactData:
    name: str
    title: str = ""
    phone: str = ""
    wechat_id: str = ""
    email: str = ""
    birthday: date | None = None
    is_primary: bool = False
    notes: str = ""

    @classmethod
    def of(cls, contact: Contact) -> ContactData:
        return cls(**{f.name: getattr(contact, f.name) for f in fields(cls)})


class PossibleDuplicate(BusinessRuleViolation):
    """The new party looks like one that exists; creating it needs an explicit confirmation."""

    def __init__(self, matches: list[Party], *, name: str, phone: str, tax_id: str) -> None:
        super().__init__(
            _(
                "A party with the same name, phone or tax id already exists. "
                "Check the possible duplicates, or confirm to create it anyway."
            ),
            code="possible_duplicate",
        )
        self.matches = matches
        self.reasons = {
            m.pk: selectors.duplicate_reasons(m, name=name, phone=phone, tax_id=tax_id)
            for m in matches
        }
