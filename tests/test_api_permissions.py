"""Every API operation refuses anonymous callers, and answers each role without a server error."""

from __future__ import annotations

import pytest

from qudao.api.urls import api
from qudao.tenancy.roles import Role
from qudao.tenancy.services import issue_api_token

MISSING_ID = 987654


def operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        for method in methods:
            concrete = path
            for placeholder in [p for p in path.split("/") if p.startswith("{")]:
                concrete = concrete.replace(placeholder, str(MISSING_ID))
            found.append((method.upper(), concrete))
    return found


OPERATIONS = operations()


def test_there_are_operations_to_check():
    assert ("GET", "/api/v1/me") in OPERATIONS


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_anonymous_callers_are_refused(client, db, method, path):
    response = client.generic(method, path, "{}", content_type="application/json")
    assert response.status_code == 401, (method, path, response.status_code)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_gets_an_answer_not_a_crash(client, org, member, role):
    _token, raw = issue_api_token(org=org, actor=member(role), name="matrix")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    crashes = []
    for method, path in OPERATIONS:
        if method != "GET":
            continue
        response = client.get(path, **headers)
        if response.status_code >= 500:
            crashes.append((path, response.status_code))
    assert crashes == []
