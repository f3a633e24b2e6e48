"""View guards: a logged-in member of an organization whose role grants the page's permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

View = Callable[..., HttpResponse]


def member_required(perm: Perm | None = None) -> Callable[[View], View]:
    """Let the view run only for an active member whose role grants `perm`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                return render(request, "shell/no_membership.html", status=403)
            if perm is not None and not can(membership, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded.required_perm = perm  # type: ignore[attr-defined]
        return guarded

    return decorator
