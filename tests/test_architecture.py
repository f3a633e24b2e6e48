"""Structural tests that keep the architecture honest (STYLE.md §5 and §8)."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from qudao.tenancy.scoping import OrgScopedModel

SRC = Path(__file__).resolve().parent.parent / "src/qudao"
NOT_TENANT_OWNED = {
    # The tenant itself, people (who may belong to several tenants), and their memberships.
    "tenancy.Organization",
    "tenancy.HistoricalOrganization",
    "tenancy.User",
    "tenancy.HistoricalUser",
    "tenancy.Membership",
    "tenancy.HistoricalMembership",
}
GLOBALLY_UNIQUE = {
    "tenancy.Organization.code",  # the tenant's own key
    "tenancy.User.username",  # a person logs in once, whatever organizations they belong to
    "tenancy.ApiToken.key_hash",  # found before the organization is known
}
PUBLIC_VIEWS = {
    "login",
    "logout",
    "set_language",
    "javascript-catalog",
    "healthz",
    "sales-customer-confirm",  # the customer's link: its unguessable key is the credential
}


def qudao_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("qudao.")]


def is_history(model: type[models.Model]) -> bool:
    return model.__name__.startswith("Historical")


def test_every_model_is_tenant_owned_or_allowlisted():
    unscoped = [
        model._meta.label
        for model in qudao_models()
        if model._meta.label not in NOT_TENANT_OWNED
        and not issubclass(model, OrgScopedModel)
        and not (is_history(model) and _has_org(model))
    ]
    assert unscoped == []


def _has_org(model: type[models.Model]) -> bool:
    return any(f.name == "org" for f in model._meta.concrete_fields)


def test_unique_constraints_lead_with_org():
    offenders = []
    for model in qudao_models():
        if model._meta.label in NOT_TENANT_OWNED or is_history(model):
            continue
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields[0] != "org":
                offenders.append(f"{model._meta.label}.{constraint.name}")
        for field in model._meta.concrete_fields:
            label = f"{model._meta.label}.{field.name}"
            if field.unique and not field.primary_key and label not in GLOBALLY_UNIQUE:
                offenders.append(label)
        for together in model._meta.unique_together:
            if together[0] != "org":
                offenders.append(f"{model._meta.label}.unique_together")
    assert offenders == []


def test_indexes_of_tenant_tables_lead_with_org():
    offenders = [
        f"{model._meta.label}.{index.name}"
        for model in qudao_models()
        if issubclass(model, OrgScopedModel)
        for index in model._meta.indexes
        if index.fields and index.fields[0].lstrip("-") != "org"
    ]
    assert offenders == []


def walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[URLPattern]:
    found: list[URLPattern] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if "api-v1" in (pattern.namespace or "") or str(pattern.pattern) == "api/v1/":
                continue  # the API is covered by tests/test_api_permissions.py
            found.extend(walk(pattern.url_patterns, prefix + str(pattern.pattern)))
        else:
            found.append(pattern)
    return found


def test_every_page_is_guarded_by_a_role_check_or_deliberately_public():
    unguarded = [
        pattern.name
        for pattern in walk(get_resolver().url_patterns)
        if pattern.name not in PUBLIC_VIEWS
        and not hasattr(pattern.callback, "required_perm")
        and not pattern.name.startswith("static")
    ]
    assert unguarded == []


def test_every_icon_a_template_names_is_in_the_vendored_sprite():
    """`{% icon "name" %}` draws from shell/static/qudao/icons.svg; a missing one is blank."""
    sprite = (SRC / "shell/static/qudao/icons.svg").read_text()
    have = set(re.findall(r'<symbol id="([a-z0-9-]+)"', sprite))
    used = {
        name
        for template in SRC.rglob("*.html")
        for name in re.findall(r'\{% icon "([a-z0-9-]+)"', template.read_text())
    }
    assert used - have == set()
