"""The data-integrity check: no row may point at another organization's row.

For every foreign key from one tenant-owned model to another, one set-based query counts the
rows whose `org_id` differs from their target's. Run nightly by the task queue, and on demand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.utils import timezone

from qudao.tenancy.models import IntegrityRun, Organization
from qudao.tenancy.scoping import org_scope


@dataclass(frozen=True)
class Problem:
    check: str
    rows: int

    def as_dict(self) -> dict[str, object]:
        return {"check": self.check, "rows": self.rows}


def _has_org(model: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field("org")
    except FieldDoesNotExist:
        return False
    return getattr(field, "related_model", None) is Organization


def tenant_models() -> list[type[models.Model]]:
    """Every model whose rows belong to one organization (history tables included)."""
    return [model for model in apps.get_models() if _has_org(model)]


def _cross_org_links() -> list[tuple[type[models.Model], models.ForeignKey]]:  # type: ignore[type-arg]
    links = []
    for model in tenant_models():
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.ForeignKey)
                and field.name != "org"
                and _has_org(field.related_model)
            ):
                links.append((model, field))
    return links


ContextCheck = Callable[[Organization], list[Problem]]
_CONTEXT_CHECKS: dict[str, ContextCheck] = {}


def register_check(name: str, check: ContextCheck) -> None:
    """Let a context add its own invariants (ledgers balance, stock equals its moves) to the
    nightly run, without tenancy importing it: call this from the context's AppConfig.ready."""
    _CONTEXT_CHECKS[name] = check


def find_problems(org: Organization) -> tuple[int, list[Problem]]:
    """Cross-organization links, then every registered context check, for `org`."""
    checks, problems = _cross_org_problems(org)
    for check in _CONTEXT_CHECKS.values():
        checks += 1
        with org_scope(org):
            problems.extend(check(org))
    return checks, problems


def _cross_org_problems(org: Organization) -> tuple[int, list[Problem]]:
    """Count rows of `org` whose foreign keys reach into another organization."""
    quote = connection.ops.quote_name
    problems: list[Problem] = []
    links = _cross_org_links()
    with connection.cursor() as cursor:
        for model, field in links:
            target = field.related_model._meta
            cursor.execute(
                f"SELECT COUNT(*) FROM {quote(model._meta.db_table)} child "
                f"JOIN {quote(target.db_table)} parent "
                f"ON parent.{quote(target.pk.column)} = child.{quote(field.column)} "
                "WHERE child.org_id = %s AND parent.org_id <> child.org_id",
                [org.pk],
            )
            (count,) = cursor.fetchone()
            if count:
                problems.append(Problem(f"{model._meta.label}.{field.name}", int(count)))
    return len(links), problems


def run_integrity_check(*, org: Organization) -> IntegrityRun:
    """Run every check for `org` and keep the result (idempotent apart from the new record)."""
    started = timezone.now()
    checks, problems = find_problems(org)
    with org_scope(org):
        return IntegrityRun.objects.create(
            org=org,
            started_at=started,
            finished_at=timezone.now(),
            checks=checks,
            problems=[p.as_dict() for p in problems],
        )
