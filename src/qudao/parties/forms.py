"""Input forms of the parties pages: they check the shape of input; services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qudao.core.forms import DateInput
from qudao.parties import selectors
from qudao.parties.models import Contact, CustomerType, Party, PartyKind, PartyStatus, Tier
from qudao.parties.services import ContactData, PartyData
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


def _optional_id() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(coerce=int, empty_value=None, required=False)


class PartyForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to take the next number."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    customer_type = forms.ChoiceField(label=_("Customer type"), choices=CustomerType.choices)
    tier = forms.ChoiceField(
        label=_("Tier"), choices=[("", _("No tier")), *Tier.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=PartyStatus.choices, initial=PartyStatus.ACTIVE
    )
    territory = _optional_id()
    owner = _optional_id()
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    tax_id = forms.CharField(label=_("Tax id"), max_length=30, required=False)
    invoice_title = forms.CharField(label=_("Invoice title"), max_length=200, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=50, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, kind: str, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        territory = self.fields["territory"]
        territory.label = _("Territory")
        territory.choices = [("", _("No territory")), *selectors.territory_choices()]  # type: ignore[attr-defined]
        if kind == PartyKind.SUPPLIER:
            for name in ("customer_type", "owner"):
                del self.fields[name]
        elif can(actor, Perm.REASSIGN_CUSTOMERS):
            owner = self.fields["owner"]
            owner.label = _("Owner sales rep")
            owner.choices = [  # type: ignore[attr-defined]
                ("", _("No owner")),
                *((str(rep.pk), str(rep.user)) for rep in selectors.sales_reps()),
            ]
        else:
            del self.fields["owner"]  # a sales rep's customers are their own

    @classmethod
    def initial_for(cls, party: Party) -> dict[str, object]:
        data = PartyData.of(party)
        initial: dict[str, object] = {
            name: value
            for name, value in vars(data).items()
            if name not in ("territory_id", "owner_id")
        }
        initial["territory"] = str(party.territory_id or "")
        initial["owner"] = str(party.owner_id or "")
        return initial

    def to_data(self, *, party: Party | None = None) -> PartyData:
        values = self.cleaned_data
        owner_id = values.get("owner") if "owner" in self.fields else None
        if party is not None and "owner" not in self.fields:
            owner_id = party.owner_id  # not editable here: keep it
        return PartyData(
            name=values["name"],
            code=values["code"],
            short_name=values["short_name"],
            customer_type=values.get("customer_type", ""),
            tier=values["tier"],
            status=values["status"],
            territory_id=values["territory"],
            owner_id=owner_id,
            phone=values["phone"],
            tax_id=values["tax_id"],
            bank_name=values["bank_name"],
            bank_account=values["bank_account"],
            invoice_title=values["invoice_title"],
            address=values["address"],
            notes=values["notes"],
        )


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    title = forms.CharField(label=_("Title"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    wechat_id = forms.CharField(label=_("WeChat id"), max_length=60, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=DateInput)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    @classmethod
    def initial_for(cls, contact: Contact) -> dict[str, object]:
        initial: dict[str, object] = dict(vars(ContactData.of(contact)))
        initial["birthday"] = contact.birthday.isoformat() if contact.birthday else ""
        return initial

    def to_data(self) -> ContactData:
        return ContactData(**self.cleaned_data)


class TerritoryForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = _optional_id()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        parent.label = _("Parent territory")
        parent.choices = [("", _("None (top level)")), *selectors.territory_choices()]  # type: ignore[attr-defined]


class ReassignForm(forms.Form):
    from_owner = _optional_id()
    to_owner = _optional_id()
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = [
            (str(rep.pk), str(rep.user)) for rep in selectors.sales_reps(include_inactive=True)
        ]
        active = [(str(rep.pk), str(rep.user)) for rep in selectors.sales_reps()]
        self.fields["from_owner"].label = _("From sales rep")
        self.fields["from_owner"].required = True
        self.fields["from_owner"].choices = [("", "—"), *everyone]  # type: ignore[attr-defined]
        self.fields["to_owner"].label = _("To sales rep")
        self.fields["to_owner"].required = True
        self.fields["to_owner"].choices = [("", "—"), *active]  # type: ignore[attr-defined]
