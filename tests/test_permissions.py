"""The role × page matrix: every page answers 403 to the roles its permission excludes, and
opens (or 404s on a made-up id) for the roles it includes. GETs for pages, POSTs for actions.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, get_resolver

from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Role

from .test_architecture import PUBLIC_VIEWS, walk

MISSING_ID = 987654


def page_urls() -> list[tuple[str, str, object]]:
    urls = []
    for pattern in walk(get_resolver().url_patterns):
        if pattern.name in PUBLIC_VIEWS or pattern.name is None:
            continue
        urls.append((pattern.name, _example_path(pattern), pattern.callback.required_perm))
    return urls


def _example_path(pattern: URLPattern) -> str:
    from django.urls import reverse

    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {
        name: MISSING_ID if type(conv).__name__ == "IntConverter" else "x"
        for name, conv in converters.items()
    }
    return reverse(pattern.name, kwargs=kwargs)


PAGES = page_urls()


def is_post_only(view: object) -> bool:
    # require_POST wraps the view in a closure whose first cell is the allowed method list.
    closure = getattr(view, "__closure__", None) or ()
    return any(
        isinstance(cell.cell_contents, list | tuple) and list(cell.cell_contents) == ["POST"]
        for cell in closure
    )


def test_the_matrix_covers_every_page():
    assert len(PAGES) >= 8
    assert {name for name, _path, _perm in PAGES} >= {
        "home",
        "portal-home",
        "tenancy-member-list",
        "tenancy-token-list",
        "tenancy-activity",
    }


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_the_pages_its_permissions_allow(role, member, login):
    client = login(member(role))
    resolver = get_resolver()
    wrong = []
    for name, path, perm in PAGES:
        view = resolver.resolve(path).func
        response = client.post(path, {}) if is_post_only(view) else client.get(path)
        allowed = perm is None or can(client_membership(client), perm)
        denied = response.status_code == 403
        if allowed == denied or response.status_code >= 500:
            wrong.append((name, path, response.status_code, "allowed" if allowed else "denied"))
    assert wrong == []


def client_membership(client):
    from qudao.tenancy.models import Membership

    return Membership.objects.get(user_id=int(client.session["_auth_user_id"]))


def test_paths_have_no_trailing_ids_leaking_between_orgs():
    assert all(not re.search(r"//", path) for _name, path, _perm in PAGES)
