"""Checks of a membership's role, shared by services, views and the API."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qudao.core.errors import PermissionDenied
from qudao.tenancy.models import Membership
from qudao.tenancy.roles import Perm, has_perm


def can(actor: Membership | None, perm: Perm) -> bool:
    return actor is not None and actor.is_active and has_perm(actor.role, perm)


def require_perm(actor: Membership | None, perm: Perm) -> None:
    """Refuse when the actor's role does not grant `perm`."""
    if not can(actor, perm):
        raise PermissionDenied(_("Your role does not allow this."))
