from __future__ import annotations

from qudao.imports.models import ImportStatus
from qudao.imports.tests.helpers import CUSTOMER_HEADERS, csv_file, customer_rows
from qudao.parties.models import Party
from qudao.tenancy.roles import Role
from qudao.tenancy.services import issue_api_token

URL = "/api/v1/imports"


def _bearer(org, membership):
    _token, raw = issue_api_token(org=org, actor=membership, name="erp")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_upload_validate_apply_and_read_back(org, boss, client):
    auth = _bearer(org, boss)

    created = client.post(
        URL, {"kind": "customers", "file": csv_file(CUSTOMER_HEADERS, customer_rows(2))}, **auth
    )
    job_id = created.json()["id"]
    applied = client.post(f"{URL}/{job_id}/apply", **auth)
    read = client.get(f"{URL}/{job_id}", **auth)

    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("kind", "status", "rows_total", "errors")} == {
        "kind": "customers",
        "status": ImportStatus.VALIDATED,
        "rows_total": 2,
        "errors": [],
    }
    assert (applied.status_code, applied.json()["status"]) == (200, ImportStatus.APPLIED)
    assert read.json()["rows_written"] == 2
    assert Party.objects.count() == 2


def test_row_errors_come_back_with_row_and_column(org, boss, client):
    rows = customer_rows(2)
    rows[0][0] = ""

    created = client.post(
        URL,
        {"kind": "customers", "file": csv_file(CUSTOMER_HEADERS, rows)},
        **_bearer(org, boss),
    )

    body = created.json()
    assert (body["status"], body["error_count"]) == (ImportStatus.INVALID, 1)
    assert {k: body["errors"][0][k] for k in ("row", "column", "code")} == {
        "row": 2,
        "column": "客户编码",
        "code": "required",
    }


def test_applying_an_invalid_job_is_a_structured_409(org, boss, client):
    auth = _bearer(org, boss)
    created = client.post(
        URL, {"kind": "customers", "file": csv_file(["客户编码"], [["C1"]])}, **auth
    )

    response = client.post(f"{URL}/{created.json()['id']}/apply", **auth)

    assert response.status_code == 409
    assert response.json()["code"] == "not_validated"


def test_a_read_only_member_gets_403(org, member, client):
    readonly = member(Role.READONLY)

    response = client.post(
        URL,
        {"kind": "customers", "file": csv_file(CUSTOMER_HEADERS, customer_rows(1))},
        **_bearer(org, readonly),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Party.objects.count() == 0


def test_an_unknown_kind_is_a_422(org, boss, client):
    response = client.post(
        URL,
        {"kind": "spaceships", "file": csv_file(CUSTOMER_HEADERS, customer_rows(1))},
        **_bearer(org, boss),
    )

    assert response.status_code == 422
