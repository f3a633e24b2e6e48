"""How business events read in the activity log: translated verbs and record names."""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

VERB_LABELS: dict[str, str | Promise] = {
    "member_added": pgettext_lazy("event", "Added a member"),
    "role_changed": pgettext_lazy("event", "Changed a role"),
    "member_suspended": pgettext_lazy("event", "Suspended access"),
    "member_restored": pgettext_lazy("event", "Restored access"),
    "token_issued": pgettext_lazy("event", "Issued an API token"),
    "token_revoked": pgettext_lazy("event", "Revoked an API token"),
    "created": pgettext_lazy("event", "Created"),
    "updated": pgettext_lazy("event", "Changed the details"),
    "archived": pgettext_lazy("event", "Archived"),
    "restored": pgettext_lazy("event", "Restored"),
    "imported": pgettext_lazy("event", "Imported"),
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
