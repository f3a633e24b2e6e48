from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from qudao.shell.navigation import navigation_for
from qudao.tenancy.selectors import memberships_of


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page of the shell needs: navigation, the organization switcher."""
    membership = getattr(request, "membership", None)
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"membership": None, "navigation": [], "switchable": []}
    return {
        "membership": membership,
        "navigation": navigation_for(membership, request.path),
        "switchable": list(memberships_of(request.user)),  # type: ignore[arg-type]
    }
