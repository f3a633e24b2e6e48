from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from qudao.tenancy.roles import Role


class MemberForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    party = forms.ModelChoiceField(
        label=_("Supplier or customer"),
        queryset=None,
        required=False,
        help_text=_("Only for manufacturer and retailer users."),
    )
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Leave empty to add an existing user."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        party_model = apps.get_model("parties", "Party")
        self.fields["party"].queryset = party_model.objects.filter(  # type: ignore[attr-defined]
            archived_at__isnull=True
        ).order_by("kind", "name")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    party_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
