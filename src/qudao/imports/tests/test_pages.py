from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from qudao.imports.models import ImportJob, ImportStatus
from qudao.imports.tests.helpers import CUSTOMER_HEADERS, csv_file, customer_rows, upload
from qudao.parties.models import Party
from qudao.tenancy.roles import Role


def test_the_job_list_and_the_form_render(org, boss, login):
    upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(2)), "customers")
    client = login(boss)

    listing = client.get(reverse("imports-job-list"))
    form = client.get(reverse("imports-job-create"))

    assert (listing.status_code, form.status_code) == (200, 200)
    assert "data.csv" in listing.content.decode()
    assert reverse("imports-template", args=["customers"]) in form.content.decode()


def test_upload_then_preview_then_apply_on_the_pages(org, boss, login):
    client = login(boss)

    response = client.post(
        reverse("imports-job-create"),
        {"kind": "customers", "file": csv_file(CUSTOMER_HEADERS, customer_rows(3))},
    )
    job = ImportJob.objects.get()
    preview = client.get(reverse("imports-job-detail", args=[job.pk]))
    applied = client.post(reverse("imports-job-apply", args=[job.pk]))

    assert response.url == reverse("imports-job-detail", args=[job.pk])
    assert 'data-testid="summary"' in preview.content.decode()
    assert applied.status_code == 302
    job.refresh_from_db()
    assert (job.status, Party.objects.count()) == (ImportStatus.APPLIED, 3)


def test_the_preview_lists_row_errors_as_row_column_message(org, boss, login):
    rows = customer_rows(2)
    rows[1][1] = ""
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, rows))

    page = login(boss).get(reverse("imports-job-detail", args=[job.pk])).content.decode()

    assert 'data-testid="errors"' in page
    assert "客户名称" in page
    assert 'data-testid="apply"' not in page


def test_a_running_job_polls_every_second(org, boss, login, settings):
    settings.QUDAO_IMPORT_INLINE_MAX_BYTES = 0
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(2)))

    fragment = login(boss).get(reverse("imports-job-detail", args=[job.pk]), HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_the_template_round_trips(org, boss, login):
    # given: the downloaded template (Chinese, the default language), filled in
    client = login(boss)
    client.cookies.pop("django_language")
    response = client.get(reverse("imports-template", args=["customers"]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    sheet.append(["C1", "杭州示例商贸有限公司", "示例商贸", "零售商", "A"])
    buffer = io.BytesIO()
    book.save(buffer)

    # when
    job = upload(org, boss, SimpleUploadedFile("filled.xlsx", buffer.getvalue()))

    # then
    assert headers[:3] == ["客户编码", "客户名称", "简称"]
    assert (job.status, job.rows_total) == (ImportStatus.VALIDATED, 1)


@pytest.mark.parametrize("name", ["imports-job-list", "imports-job-create"])
def test_a_read_only_member_cannot_import(org, member, login, name):
    client = login(member(Role.READONLY))

    assert client.get(reverse(name)).status_code == 403


def test_a_read_only_member_cannot_apply(org, boss, member, login):
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(1)))

    response = login(member(Role.READONLY)).post(reverse("imports-job-apply", args=[job.pk]))

    assert response.status_code == 403
    assert Party.objects.count() == 0


def test_another_organizations_job_is_not_found(org, other_org, boss, login):
    from qudao.tenancy.scoping import org_scope
    from qudao.tenancy.tests.factories import MembershipFactory

    stranger = MembershipFactory(org=other_org, role=Role.BOSS)
    with org_scope(other_org):
        job = upload(other_org, stranger, csv_file(CUSTOMER_HEADERS, customer_rows(1)))

    assert login(boss).get(reverse("imports-job-detail", args=[job.pk])).status_code == 404
