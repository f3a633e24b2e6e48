"""The shell: home dashboard and health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from huey.contrib.djhuey import HUEY

from qudao.shell import dashboard
from qudao.tenancy.decorators import member_required
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


@member_required()
def home(request: HttpRequest) -> HttpResponse:
    """Staff see the dashboard; external users land in their portal."""
    membership = request.membership  # type: ignore[attr-defined]
    if can(membership, Perm.USE_PORTAL):
        return redirect("portal-home")
    return render(request, "shell/home.html", dashboard.for_member(membership))


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_queue() -> str:
    HUEY.storage.queue_size()
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the task queue answer; 503 with what failed otherwise."""
    checks: dict[str, str] = {}
    for name, check in (("database", _check_database), ("queue", _check_queue)):
        try:
            checks[name] = check()
        except Exception as failure:  # noqa: BLE001 — a health check reports every failure
            checks[name] = f"error: {type(failure).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "error", **checks}
    if not healthy:
        body["message"] = _("Some services are not reachable.")
    return JsonResponse(body, status=200 if healthy else 503)
