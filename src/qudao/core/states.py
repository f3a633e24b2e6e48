"""Document state machines: every move is checked against a transition table."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation


def ensure_transition(current: str, target: str, table: Mapping[str, frozenset[str]]) -> None:
    """Refuse a move that the document's transition table does not allow."""
    if target not in table.get(current, frozenset()):
        raise BusinessRuleViolation(
            _("A document in state “%(current)s” cannot move to “%(target)s”.")
            % {"current": current, "target": target},
            code="invalid_transition",
        )
