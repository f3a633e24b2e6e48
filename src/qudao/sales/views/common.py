"""What the sales pages share."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from qudao.core.errors import BusinessRuleViolation
from qudao.tenancy.models import Membership, Organization


def actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def org(request: HttpRequest) -> Organization:
    return request.org  # type: ignore[attr-defined,no-any-return]


def show_refusal(form: forms.Form, refusal: BusinessRuleViolation) -> None:
    for field, message in (refusal.fields or {}).items():
        if field in form.fields and message:
            form.add_error(field, message)
    form.add_error(None, refusal.message)
