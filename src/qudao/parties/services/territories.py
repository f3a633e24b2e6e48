"""The territory tree: create, move, rename, archive."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.parties.models import (
    Party,
    Territory,
)
from qudao.parties.services.data import CODE_PATTERN, MAX_TERRITORY_DEPTH
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

# ---------------------------------------------------------------------------------------------
# Territories


@transaction.atomic
def create_territory(
    *, org: Organization, actor: Membership, code: str, name: str, parent_id: int | None = None
) -> Territory:
    """Add a territory under `parent_id` (or at the top of the tree)."""
    require_perm(actor, Perm.MANAGE_TERRITORIES)
    code, name = code.strip(), name.strip()
    _validate_territory(code=code, name=name)
    parent = _current_territory(parent_id, field="parent") if parent_id is not None else None
    path = f"{parent.path}/{code}" if parent else code
    depth = parent.depth + 1 if parent else 0
    _ensure_territory_fits(path=path, depth=depth)
    territory = Territory.objects.create(
        org=org, parent=parent, code=code, name=name, path=path, depth=depth
    )
    record_event(org=org, actor=actor, subject=territory, verb="created")
    return territory


@transaction.atomic
def update_territory(
    *,
    org: Organization,
    actor: Membership,
    territory: Territory,
    code: str,
    name: str,
    parent_id: int | None,
) -> Territory:
    """Rename or move a territory with everything below it; never under its own descendant."""
    require_perm(actor, Perm.MANAGE_TERRITORIES)
    territory = Territory.objects.select_for_update(of=("self",)).get(pk=territory.pk)
    code, name = code.strip(), name.strip()
    _validate_territory(code=code, name=name, exclude_pk=territory.pk)
    parent = _current_territory(parent_id, field="parent") if parent_id is not None else None
    if parent is not None and (
        parent.pk == territory.pk or parent.path.startswith(f"{territory.path}/")
    ):
        message = _("A territory cannot be moved under itself or one of its own sub-territories.")
        raise BusinessRuleViolation(message, code="territory_cycle", fields={"parent": message})
    old_path, old_depth = territory.path, territory.depth
    new_path = f"{parent.path}/{code}" if parent else code
    new_depth = parent.depth + 1 if parent else 0
    below = Territory.objects.filter(path__startswith=f"{old_path}/")
    deepest = below.aggregate(depth=models.Max("depth"), length=models.Max(Length("path")))
    _ensure_territory_fits(
        path=new_path,
        depth=new_depth + (deepest["depth"] or old_depth) - old_depth,
        longest=(deepest["length"] or len(old_path)) - len(old_path) + len(new_path),
    )
    moved = parent_id != territory.parent_id
    changed = moved or code != territory.code or name != territory.name
    if not changed:
        return territory
    if new_path != old_path:
        below.update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (new_depth - old_depth),
        )
    territory.parent = parent
    territory.code, territory.name = code, name
    territory.path, territory.depth = new_path, new_depth
    territory.save(update_fields=["parent", "code", "name", "path", "depth"])
    record_event(
        org=org,
        actor=actor,
        subject=territory,
        verb="moved" if moved else "updated",
        data={"from": old_path, "to": new_path} if moved else {},
    )
    return territory


@transaction.atomic
def archive_territory(*, org: Organization, actor: Membership, territory: Territory) -> Territory:
    """Hide a territory that no current customer or sub-territory uses any more."""
    require_perm(actor, Perm.MANAGE_TERRITORIES)
    territory = Territory.objects.select_for_update(of=("self",)).get(pk=territory.pk)
    if territory.archived_at is not None:
        raise BusinessRuleViolation(
            _("This territory is already archived."), code="already_archived"
        )
    if Territory.objects.filter(parent=territory, archived_at__isnull=True).exists():
        raise BusinessRuleViolation(
            _("Move or archive the sub-territories of %(name)s first.") % {"name": territory},
            code="territory_in_use",
        )
    if Party.objects.filter(territory=territory, archived_at__isnull=True).exists():
        raise BusinessRuleViolation(
            _("Customers are still placed in %(name)s. Move them to another territory first.")
            % {"name": territory},
            code="territory_in_use",
        )
    territory.archived_at = timezone.now()
    territory.save(update_fields=["archived_at"])
    record_event(org=org, actor=actor, subject=territory, verb="archived")
    return territory


def _validate_territory(*, code: str, name: str, exclude_pk: int | None = None) -> None:
    problems: dict[str, str] = {}
    if not code:
        problems["code"] = _("Enter the code.")
    elif len(code) > 40 or not CODE_PATTERN.match(code):
        problems["code"] = _("Use up to 40 letters, digits, dots, dashes and underscores.")
    elif Territory.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        problems["code"] = _("The code “%(code)s” is already used.") % {"code": code}
    if not name:
        problems["name"] = _("Enter the name.")
    elif len(name) > 100:
        problems["name"] = _("Use at most %(limit)d characters.") % {"limit": 100}
    if problems:
        raise BusinessRuleViolation(
            _("Some fields are not valid."), code="invalid", fields=problems
        )


def _current_territory(pk: int, *, field: str) -> Territory:
    territory = Territory.objects.filter(pk=pk, archived_at__isnull=True).first()
    if territory is None:
        message = _("Choose one of the organization's territories.")
        raise BusinessRuleViolation(message, code="unknown_territory", fields={field: message})
    return territory


def _ensure_territory_fits(*, path: str, depth: int, longest: int = 0) -> None:
    if depth >= MAX_TERRITORY_DEPTH or max(len(path), longest) > 500:
        raise BusinessRuleViolation(
            _("The territory tree cannot be deeper than %(levels)d levels.")
            % {"levels": MAX_TERRITORY_DEPTH},
            code="territory_too_deep",
            fields={"parent": _("Choose a territory higher up in the tree.")},
        )
