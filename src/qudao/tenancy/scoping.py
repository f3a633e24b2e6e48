"""One organization at a time: the scope every tenant-owned query runs in.

The scope is opened once at each edge (request middleware, API auth, task, command, test
fixture). A tenant-owned model queried outside a scope raises instead of leaking rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, TypeVar

from django.db import models

if TYPE_CHECKING:
    from qudao.tenancy.models import Organization

_current_org: ContextVar[Organization | None] = ContextVar("qudao_current_org", default=None)

_M = TypeVar("_M", bound=models.Model)


class OrgScopeError(RuntimeError):
    """A tenant-owned model was queried with no organization in scope."""


def current_org() -> Organization | None:
    return _current_org.get()


@contextmanager
def org_scope(org: Organization) -> Iterator[Organization]:
    """Run the block with `org` as the only organization tenant-owned queries can see."""
    token = _current_org.set(org)
    try:
        yield org
    finally:
        _current_org.reset(token)


def enter_org_scope(org: Organization | None) -> Token[Organization | None]:
    """Open a scope for the rest of the current context (the caller resets the token)."""
    return _current_org.set(org)


def leave_org_scope(token: Token[Organization | None]) -> None:
    _current_org.reset(token)


class OrgManager(models.Manager[_M]):
    def get_queryset(self) -> models.QuerySet[_M]:
        org = _current_org.get()
        if org is None:
            raise OrgScopeError(f"{self.model.__name__} queried outside an org scope")
        return super().get_queryset().filter(org=org)


class OrgScopedModel(models.Model):
    """A tenant-owned row: it belongs to one organization and is only seen inside its scope."""

    org = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = OrgManager()
    unscoped = models.Manager()  # the nightly integrity job and the operator console only

    class Meta:
        abstract = True
        base_manager_name = "unscoped"
