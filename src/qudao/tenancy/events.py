"""How business events read in the activity log: translated verbs and record names."""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VERB_LABELS: dict[str, str | Promise] = {
    "member_added": _("added a member"),
    "role_changed": _("changed a role"),
    "member_suspended": _("suspended access"),
    "member_restored": _("restored access"),
    "token_issued": _("issued an API token"),
    "token_revoked": _("revoked an API token"),
    "created": _("created"),
    "updated": _("updated"),
    "archived": _("archived"),
    "restored": _("restored"),
    "reassigned": _("reassigned"),
    "moved": _("moved"),
    "imported": _("imported"),
    "confirmed": _("confirmed"),
    "cancelled": _("cancelled"),
}


def register_verbs(labels: dict[str, str | Promise]) -> None:
    """Let a context name its own verbs (called from its AppConfig.ready)."""
    VERB_LABELS.update(labels)


def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb.replace("_", " ")))


def subject_label(subject_type: str) -> str:
    try:
        model = apps.get_model(subject_type)
    except (LookupError, ValueError):
        return subject_type
    return str(model._meta.verbose_name)
