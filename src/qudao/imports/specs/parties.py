"""Import kinds for parties: customers, suppliers and their contacts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import attrgetter, itemgetter
from typing import ClassVar, Final, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qudao.imports.reading import Cell
from qudao.imports.specs.base import (
    Checker,
    Column,
    Report,
    RowCheck,
    Spec,
    choice,
    choice_lookup,
    date,
    optional_date,
    required,
    text,
    yes_no,
)
from qudao.parties.models import (
    Contact,
    CustomerType,
    Party,
    PartyKind,
    PartyStatus,
    Territory,
    Tier,
)
from qudao.parties.selectors import visible_customers
from qudao.parties.services import (
    CONTACT_COLUMNS,
    PARTY_COLUMNS,
    ContactData,
    NewContact,
    PartyData,
    insert_contacts,
    insert_party_rows,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import STAFF_ROLES, Perm

PARTY_VALUES: Final = attrgetter(*PARTY_COLUMNS)
PartyRow = tuple[object, ...]
# A checked party row is a tuple of PartyData's values in PARTY_COLUMNS order, not a dataclass.
# PartyChecker.row_check reads the usual row's cells in ROW_INPUTS order and makes its values in
# ROW_VALUES order (the same fields, references resolved), then puts them in column order.
ROW_INPUTS: Final = (
    "code", "name", "short_name", "customer_type", "tier", "status", "territory", "owner",
    "phone", "tax_id", "bank_name", "bank_account", "invoice_title", "address", "notes",
)  # fmt: skip
ROW_VALUES: Final = tuple(
    {"territory": "territory_id", "owner": "owner_id"}.get(key, key) for key in ROW_INPUTS
)
IN_COLUMN_ORDER: Final = itemgetter(*(ROW_VALUES.index(name) for name in PARTY_COLUMNS))
CONTACT_VALUES: Final = attrgetter(*CONTACT_COLUMNS)
CHINESE_CUSTOMER_TYPES: Final = {
    CustomerType.SUB_DISTRIBUTOR: ("二级分销商", "分销商", "二批"),
    CustomerType.WHOLESALER: ("批发商",),
    CustomerType.RETAILER: ("零售商", "终端"),
    CustomerType.CHAIN_STORE: ("连锁店", "连锁"),
    CustomerType.END_CUSTOMER: ("终端客户", "最终客户"),
}
CHINESE_STATUSES: Final = {
    PartyStatus.PROSPECT: ("潜在", "潜在客户"),
    PartyStatus.ACTIVE: ("正常", "启用", "活跃"),
    PartyStatus.SUSPENDED: ("暂停", "停用"),
    PartyStatus.CLOSED: ("关闭", "已关闭"),
}
CHINESE_TIERS: Final = {tier: (f"{tier}级", f"{tier}类") for tier in Tier.values}
CHINESE_KINDS: Final = {PartyKind.CUSTOMER: ("客户",), PartyKind.SUPPLIER: ("供应商", "厂家")}

# (key, max length): the plain text columns copied onto the party as they are.
PARTY_TEXT: Final = (
    ("short_name", 60),
    ("phone", 30),
    ("tax_id", 30),
    ("bank_name", 100),
    ("bank_account", 50),
    ("invoice_title", 200),
    ("address", 300),
    ("notes", 5000),
)
PARTY_TAIL_COLUMNS: Final = (
    Column("phone", gettext_noop("Phone"), "电话", example="0571-88886666"),
    Column("tax_id", gettext_noop("Tax id"), "税号", example="91330100MA2XXXXXXX"),
    Column("bank_name", gettext_noop("Bank"), "开户行", example="中国工商银行杭州分行"),
    Column("bank_account", gettext_noop("Bank account"), "银行账号", example="1202020209000012345"),
    Column(
        "invoice_title", gettext_noop("Invoice title"), "开票抬头", example="杭州示例商贸有限公司"
    ),
    Column("address", gettext_noop("Address"), "地址", example="杭州市西湖区文三路100号"),
    Column("notes", gettext_noop("Notes"), "备注"),
)


def _allowed(lookup_choices: object) -> str:
    return " / ".join(str(label) for _value, label in lookup_choices)  # type: ignore[attr-defined]


class PartyChecker(Checker):
    def __init__(self, *, org: Organization, actor: Membership, kind: str) -> None:
        self.org = org
        self.actor = actor
        self.kind = kind
        # One query per referenced table; nothing is read per row.
        self.existing = set(Party.objects.filter(kind=kind).values_list("code", flat=True))
        self.territories = dict(Territory.objects.values_list("code", "pk"))
        self.members = dict(
            Membership.objects.filter(
                org=org, is_active=True, role__in=sorted(STAFF_ROLES)
            ).values_list("user__username", "pk")
        )
        self.may_assign = can(actor, Perm.REASSIGN_CUSTOMERS)
        self.seen: dict[str, int] = {}
        self.types = choice_lookup(CustomerType.choices, CHINESE_CUSTOMER_TYPES)
        self.statuses = choice_lookup(PartyStatus.choices, CHINESE_STATUSES)
        self.tiers = choice_lookup(Tier.choices, CHINESE_TIERS)
        self.types_allowed = _allowed(CustomerType.choices)
        self.statuses_allowed = _allowed(PartyStatus.choices)
        self.tiers_allowed = _allowed(Tier.choices)

    def check(self, row: int, values: Mapping[str, Cell], report: Report) -> PartyRow | None:
        before = report.count
        cleaned: dict[str, object] = {}
        code = values.get("code", "")
        if required(code, row, "code", report):
            code = text(code, row, "code", report, max_length=40)
            if code is not None:
                self._check_code(code, row, report)
                cleaned["code"] = code
        name = values.get("name", "")
        if required(name, row, "name", report):
            cleaned["name"] = text(name, row, "name", report, max_length=200)
        for key, max_length in PARTY_TEXT:
            value = values.get(key, "")
            if value != "":
                cleaned[key] = text(value, row, key, report, max_length=max_length)
        if self.kind == PartyKind.CUSTOMER:
            value = values.get("customer_type", "")
            if value != "":
                cleaned["customer_type"] = choice(
                    value,
                    row,
                    "customer_type",
                    report,
                    lookup=self.types,
                    allowed=self.types_allowed,
                )
        value = values.get("tier", "")
        if value != "":
            cleaned["tier"] = choice(
                value, row, "tier", report, lookup=self.tiers, allowed=self.tiers_allowed
            )
        value = values.get("status", "")
        if value != "":
            cleaned["status"] = choice(
                value, row, "status", report, lookup=self.statuses, allowed=self.statuses_allowed
            )
        value = values.get("territory", "")
        if value != "":
            territory_id = self.territories.get(str(value))
            if territory_id is None:
                report.add(
                    row,
                    "territory",
                    _(
                        "Row %(row)s, column “%(column)s”: there is no territory with code "
                        "“%(value)s”."
                    )
                    % {"row": row, "column": report.headers.get("territory"), "value": value},
                    "unknown_territory",
                )
            cleaned["territory_id"] = territory_id
        if self.kind == PartyKind.CUSTOMER:
            cleaned["owner_id"] = self._owner(values.get("owner", ""), row, report)
        if report.count != before:
            return None
        return PARTY_VALUES(PartyData(**cleaned))  # type: ignore[arg-type,no-any-return]

    def row_check(self, keys: Sequence[str]) -> RowCheck:
        """`check` made fast for the usual row: text that fits, known choices and references.

        Such a row becomes its values at once; any other row (a problem, a date in a text
        column, a choice written another way) goes through `check`, which names the problem.
        """
        check = super().row_check(keys)
        blank = len(keys)  # the cells are given one more, empty, cell for absent columns
        cells_of = itemgetter(*(keys.index(key) if key in keys else blank for key in ROW_INPUTS))
        customers = self.kind == PartyKind.CUSTOMER
        existing, seen, territories, members = (
            self.existing,
            self.seen,
            self.territories,
            self.members,
        )
        types, tiers, statuses = self.types, self.tiers, self.statuses
        own_pk, may_assign = self.actor.pk, self.may_assign
        no_owner = own_pk if customers and not may_assign else None

        def check_cells(row: int, cells: Sequence[Cell], report: Report) -> PartyRow | None:
            (
                code, name, short_name, customer_type, tier, status, territory, owner,
                phone, tax_id, bank_name, bank_account, invoice_title, address, notes,
            ) = cells_of((*cells, ""))  # fmt: skip
            try:  # len() of a date cell raises TypeError: `check` writes it as text
                usual = (
                    0 < len(code) <= 40
                    and 0 < len(name) <= 200
                    and len(short_name) <= 60
                    and len(phone) <= 30
                    and len(tax_id) <= 30
                    and len(bank_name) <= 100
                    and len(bank_account) <= 50
                    and len(invoice_title) <= 200
                    and len(address) <= 300
                    and len(notes) <= 5000
                    and code not in existing
                    and code not in seen
                )
            except TypeError:
                usual = False
            if not usual:
                return check(row, cells, report)  # type: ignore[return-value]
            customer_type = types.get(customer_type) if customers and customer_type else ""
            tier = tiers.get(tier) if tier else ""
            status = statuses.get(status) if status else PartyStatus.ACTIVE
            territory_id = territories.get(territory) if territory else None
            if owner and customers:
                owner_id = members.get(owner)
                if owner_id != own_pk and not may_assign:
                    owner_id = None
            else:
                owner_id = no_owner
            if (
                customer_type is None
                or tier is None
                or status is None
                or (territory and territory_id is None)
                or (owner and customers and owner_id is None)
            ):
                return check(row, cells, report)  # type: ignore[return-value]
            seen[code] = row
            return IN_COLUMN_ORDER(  # type: ignore[no-any-return]
                (
                    code, name, short_name, customer_type, tier, status, territory_id, owner_id,
                    phone, tax_id, bank_name, bank_account, invoice_title, address, notes,
                )
            )  # fmt: skip

        return check_cells

    def insert(self, *, actor: Membership, rows: Sequence[object]) -> int:
        parties = cast("Sequence[PartyRow]", rows)
        return insert_party_rows(org=self.org, actor=actor, kind=self.kind, rows=parties)

    def encode(self, row: object) -> Sequence[object]:
        return cast("PartyRow", row)

    def decode(self, values: list[object]) -> PartyRow:
        return tuple(values)

    def _check_code(self, code: str, row: int, report: Report) -> None:
        if code in self.existing:
            report.add(
                row,
                "code",
                _("Row %(row)s, column “%(column)s”: code “%(code)s” already exists.")
                % {"row": row, "column": report.headers.get("code"), "code": code},
                "duplicate_code",
            )
        elif code in self.seen:
            report.add(
                row,
                "code",
                _(
                    "Row %(row)s, column “%(column)s”: code “%(code)s” is also used in row "
                    "%(first)s of this file."
                )
                % {
                    "row": row,
                    "column": report.headers.get("code"),
                    "code": code,
                    "first": self.seen[code],
                },
                "duplicate_in_file",
            )
        else:
            self.seen[code] = row

    def _owner(self, value: Cell, row: int, report: Report) -> int | None:
        if value == "":
            return None if self.may_assign else self.actor.pk
        owner_id = self.members.get(str(value))
        if owner_id is None:
            report.add(
                row,
                "owner",
                _(
                    "Row %(row)s, column “%(column)s”: no active member has the username "
                    "“%(value)s”."
                )
                % {"row": row, "column": report.headers.get("owner"), "value": value},
                "unknown_owner",
            )
        elif owner_id != self.actor.pk and not self.may_assign:
            report.add(
                row,
                "owner",
                _(
                    "Row %(row)s, column “%(column)s”: you may only import customers you own "
                    "yourself; leave the column empty or write your own username."
                )
                % {"row": row, "column": report.headers.get("owner")},
                "owner_not_allowed",
            )
            return None
        return owner_id


class CustomerSpec(Spec):
    kind: ClassVar[str] = "customers"
    perm: ClassVar[Perm] = Perm.MANAGE_PARTIES
    columns: ClassVar = (
        Column("code", gettext_noop("Customer code"), "客户编码", required=True, example="C00001"),
        Column(
            "name",
            gettext_noop("Customer name"),
            "客户名称",
            required=True,
            example="杭州示例商贸有限公司",
        ),
        Column("short_name", gettext_noop("Short name"), "简称", example="示例商贸"),
        Column(
            "customer_type",
            gettext_noop("Customer type"),
            "客户类型",
            example="零售商",
            hint=gettext_noop("Sub-distributor, wholesaler, retailer, chain store or end customer"),
        ),
        Column(
            "tier", gettext_noop("Tier"), "客户等级", example="A", hint=gettext_noop("A, B, C or D")
        ),
        Column(
            "status",
            gettext_noop("Status"),
            "状态",
            example="正常",
            hint=gettext_noop("Prospect, active, suspended or closed; empty means active"),
        ),
        Column(
            "territory",
            gettext_noop("Territory code"),
            "区域编码",
            example="HZ",
            hint=gettext_noop("The code of an existing territory"),
        ),
        Column(
            "owner",
            gettext_noop("Owner sales rep"),
            "负责业务员",
            hint=gettext_noop("The username of an active member"),
        ),
    ) + PARTY_TAIL_COLUMNS

    def prepare(self, *, org: Organization, actor: Membership) -> Checker:
        return PartyChecker(org=org, actor=actor, kind=PartyKind.CUSTOMER)


class SupplierSpec(Spec):
    kind: ClassVar[str] = "suppliers"
    perm: ClassVar[Perm] = Perm.MANAGE_PARTIES
    columns: ClassVar = (
        Column(
            "code", gettext_noop("Supplier code"), "供应商编码", required=True, example="S00001"
        ),
        Column(
            "name",
            gettext_noop("Supplier name"),
            "供应商名称",
            required=True,
            example="示例酒业股份有限公司",
        ),
        Column("short_name", gettext_noop("Short name"), "简称", example="示例酒业"),
        Column(
            "tier", gettext_noop("Tier"), "等级", example="A", hint=gettext_noop("A, B, C or D")
        ),
        Column(
            "status",
            gettext_noop("Status"),
            "状态",
            example="正常",
            hint=gettext_noop("Prospect, active, suspended or closed; empty means active"),
        ),
        Column(
            "territory",
            gettext_noop("Territory code"),
            "区域编码",
            hint=gettext_noop("The code of an existing territory"),
        ),
    ) + PARTY_TAIL_COLUMNS

    def prepare(self, *, org: Organization, actor: Membership) -> Checker:
        return PartyChecker(org=org, actor=actor, kind=PartyKind.SUPPLIER)


class ContactChecker(Checker):
    def __init__(self, *, org: Organization, actor: Membership) -> None:
        self.org = org
        customers = Party.objects.filter(kind=PartyKind.CUSTOMER)
        if not can(actor, Perm.VIEW_ALL_CUSTOMERS):
            customers = visible_customers(actor)
        self.parties: dict[str, dict[str, int]] = {}
        suppliers = Party.objects.filter(kind=PartyKind.SUPPLIER)
        for parties in (customers, suppliers):
            for code, kind, pk in parties.values_list("code", "kind", "pk"):
                self.parties.setdefault(code, {})[kind] = pk
        self.with_primary = set(
            Contact.objects.filter(is_primary=True).values_list("party_id", flat=True)
        )
        self.primary_rows: dict[int, int] = {}
        self.kinds = choice_lookup(PartyKind.choices, CHINESE_KINDS)
        self.kinds_allowed = _allowed(PartyKind.choices)

    def check(self, row: int, values: Mapping[str, Cell], report: Report) -> NewContact | None:
        before = report.count
        cleaned: dict[str, object] = {}
        party_id = self._party(values, row, report)
        name = values.get("name", "")
        if required(name, row, "name", report):
            cleaned["name"] = text(name, row, "name", report, max_length=60)
        for key, max_length in (("title", 60), ("phone", 30), ("wechat_id", 60), ("notes", 5000)):
            value = values.get(key, "")
            if value != "":
                cleaned[key] = text(value, row, key, report, max_length=max_length)
        email = values.get("email", "")
        if email != "":
            try:
                validate_email(email)
            except ValidationError:
                report.add(
                    row,
                    "email",
                    _("Row %(row)s, column “%(column)s”: “%(value)s” is not an email address.")
                    % {"row": row, "column": report.headers.get("email"), "value": email},
                    "invalid_email",
                )
            cleaned["email"] = email
        birthday = values.get("birthday", "")
        if birthday != "":
            cleaned["birthday"] = date(birthday, row, "birthday", report)
        primary = values.get("is_primary", "")
        cleaned["is_primary"] = yes_no(primary, row, "is_primary", report)
        if cleaned["is_primary"] and party_id is not None:
            self._check_primary(party_id, row, report)
        if report.count != before or party_id is None:
            return None
        return NewContact(party_id=party_id, contact=ContactData(**cleaned))  # type: ignore[arg-type]

    def insert(self, *, actor: Membership, rows: Sequence[object]) -> int:
        contacts = cast("Sequence[NewContact]", rows)
        return insert_contacts(org=self.org, actor=actor, rows=contacts)

    def encode(self, row: object) -> list[object]:
        contact = cast("NewContact", row)
        return [contact.party_id, *CONTACT_VALUES(contact.contact)]

    def decode(self, values: list[object]) -> NewContact:
        party_id, name, title, phone, wechat_id, email, birthday, is_primary, notes = values
        contact = ContactData(
            name=str(name),
            title=str(title),
            phone=str(phone),
            wechat_id=str(wechat_id),
            email=str(email),
            birthday=optional_date(birthday),
            is_primary=bool(is_primary),
            notes=str(notes),
        )
        return NewContact(party_id=cast("int", party_id), contact=contact)

    def _party(self, values: Mapping[str, Cell], row: int, report: Report) -> int | None:
        code = values.get("party_code", "")
        if not required(code, row, "party_code", report):
            return None
        kinds = self.parties.get(str(code), {})
        wanted = values.get("party_kind", "")
        if wanted != "":
            kind = choice(
                wanted, row, "party_kind", report, lookup=self.kinds, allowed=self.kinds_allowed
            )
            if kind is None:
                return None
            kinds = {kind: kinds[kind]} if kind in kinds else {}
        if not kinds:
            report.add(
                row,
                "party_code",
                _(
                    "Row %(row)s, column “%(column)s”: there is no customer or supplier with code "
                    "“%(value)s”."
                )
                % {"row": row, "column": report.headers.get("party_code"), "value": code},
                "unknown_party",
            )
            return None
        if len(kinds) > 1:
            report.add(
                row,
                "party_code",
                _(
                    "Row %(row)s, column “%(column)s”: both a customer and a supplier have code "
                    "“%(value)s”; fill in the party type column."
                )
                % {"row": row, "column": report.headers.get("party_code"), "value": code},
                "ambiguous_party",
            )
            return None
        return next(iter(kinds.values()))

    def _check_primary(self, party_id: int, row: int, report: Report) -> None:
        if party_id in self.with_primary:
            report.add(
                row,
                "is_primary",
                _("Row %(row)s, column “%(column)s”: this party already has a primary contact.")
                % {"row": row, "column": report.headers.get("is_primary")},
                "primary_exists",
            )
        elif party_id in self.primary_rows:
            report.add(
                row,
                "is_primary",
                _(
                    "Row %(row)s, column “%(column)s”: row %(first)s already makes another "
                    "contact of this party primary."
                )
                % {
                    "row": row,
                    "column": report.headers.get("is_primary"),
                    "first": self.primary_rows[party_id],
                },
                "primary_in_file",
            )
        else:
            self.primary_rows[party_id] = row


class ContactSpec(Spec):
    kind: ClassVar[str] = "contacts"
    perm: ClassVar[Perm] = Perm.MANAGE_PARTIES
    columns: ClassVar = (
        Column(
            "party_code",
            gettext_noop("Customer or supplier code"),
            "客户/供应商编码",
            required=True,
            example="C00001",
        ),
        Column(
            "party_kind",
            gettext_noop("Party type"),
            "类型",
            example="客户",
            hint=gettext_noop("Customer or supplier; needed only when both use the same code"),
        ),
        Column("name", gettext_noop("Contact name"), "联系人姓名", required=True, example="张伟"),
        Column("title", gettext_noop("Job title"), "职务", example="采购经理"),
        Column("phone", gettext_noop("Phone"), "电话", example="13800138000"),
        Column("wechat_id", gettext_noop("WeChat id"), "微信号", example="zhangwei_hz"),
        Column("email", gettext_noop("Email"), "邮箱", example="zhangwei@example.com"),
        Column(
            "birthday",
            gettext_noop("Birthday"),
            "生日",
            example="1985-06-18",
            hint=gettext_noop("A date such as 1985-06-18"),
        ),
        Column(
            "is_primary",
            gettext_noop("Primary contact"),
            "主要联系人",
            example="是",
            hint=gettext_noop("是 or 否 (yes or no)"),
        ),
        Column("notes", gettext_noop("Notes"), "备注"),
    )

    def prepare(self, *, org: Organization, actor: Membership) -> Checker:
        return ContactChecker(org=org, actor=actor)
