"""Every bad input is refused with its row and column, and nothing is written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qudao.imports import services
from qudao.imports.models import ImportStatus
from qudao.imports.tests.helpers import (
    CUSTOMER_HEADERS,
    csv_file,
    customer_rows,
    problems,
    upload,
    xlsx_file,
)
from qudao.parties.models import Contact, Party, PartyKind, Territory
from qudao.tenancy.models import Event


def test_a_clean_file_is_ready_with_its_row_count_and_nothing_is_written_yet(org, boss):
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(3)))

    assert (job.status, job.rows_total, job.error_count, job.errors) == (
        ImportStatus.VALIDATED,
        3,
        0,
        [],
    )
    assert Party.objects.count() == 0


def test_english_headers_are_accepted_too(org, boss):
    headers = ["Customer code", "Customer name", "Customer type", "Tier"]
    rows = [["C1", "Shop one", "Retailer", "B"], ["C2", "Shop two", "wholesaler", "C"]]

    job = upload(org, boss, csv_file(headers, rows))

    assert job.status == ImportStatus.VALIDATED


def test_missing_required_column_names_row_one_and_the_column(org, boss):
    job = upload(org, boss, csv_file(["客户编码", "电话"], [["C1", "138"]]))

    assert job.status == ImportStatus.INVALID
    assert problems(job) == [(1, "Customer name", "missing_column")]
    assert "Customer name" in job.errors[0]["message"]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.csv", "empty_file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "not_spreadsheet"),
        (b"plain text", "customers.xlsx", "not_spreadsheet"),
    ],
)
def test_malformed_files_are_refused_with_a_message(org, boss, content, name, code):
    job = upload(org, boss, SimpleUploadedFile(name, content))

    assert job.status == ImportStatus.INVALID
    assert [e["code"] for e in job.errors] == [code]
    assert job.errors[0]["message"]


def test_header_without_rows_is_refused(org, boss):
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, []))

    assert problems(job) == [(2, "", "no_rows")]


def test_gbk_csv_is_imported_with_its_chinese_text(org, boss):
    # given
    file = csv_file(CUSTOMER_HEADERS, customer_rows(2), encoding="gbk")

    # when
    job = upload(org, boss, file)
    job = services.request_apply(org=org, actor=boss, job=job)

    # then
    assert job.status == ImportStatus.APPLIED
    assert sorted(Party.objects.values_list("name", flat=True)) == ["客户1", "客户2"]


def test_utf8_bom_csv_finds_its_first_header(org, boss):
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(2), encoding="utf-8-sig"))

    assert job.status == ImportStatus.VALIDATED


def test_duplicate_code_in_the_file_names_both_rows(org, boss):
    rows = customer_rows(3)
    rows[2][0] = rows[0][0]

    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, rows))

    assert problems(job) == [(4, "客户编码", "duplicate_in_file")]
    assert "row 2" in job.errors[0]["message"]


def test_duplicate_code_against_the_database_is_refused(org, boss):
    Party.objects.create(org=org, kind=PartyKind.CUSTOMER, code="C00002", name="老客户")

    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(3)))

    assert problems(job) == [(3, "客户编码", "duplicate_code")]


def test_a_supplier_may_reuse_a_customer_code(org, boss):
    Party.objects.create(org=org, kind=PartyKind.CUSTOMER, code="S1", name="也是客户")

    job = upload(org, boss, csv_file(["供应商编码", "供应商名称"], [["S1", "厂家"]]), "suppliers")

    assert job.status == ImportStatus.VALIDATED


def test_unknown_territory_and_owner_are_refused_with_row_and_column(org, boss, rep):
    Territory.objects.create(org=org, code="HZ", name="杭州")
    rows = customer_rows(3)
    rows[0][4] = "HZ"
    rows[0][5] = rep.user.username
    rows[1][4] = "XX"
    rows[2][5] = "nobody"

    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, rows))

    assert problems(job) == [
        (3, "区域编码", "unknown_territory"),
        (4, "负责业务员", "unknown_owner"),
    ]


def test_a_sales_rep_owns_what_they_import_and_cannot_give_it_to_others(org, boss, rep):
    rows = customer_rows(2)
    rows[1][5] = boss.user.username

    job = upload(org, rep, csv_file(CUSTOMER_HEADERS, rows))

    assert problems(job) == [(3, "负责业务员", "owner_not_allowed")]


def test_bad_choices_and_long_text_are_refused(org, boss):
    rows = customer_rows(2)
    rows[0][2] = "外星人"
    rows[1][1] = "长" * 201

    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, rows))

    assert problems(job) == [(2, "客户类型", "invalid_choice"), (3, "客户名称", "too_long")]


def test_missing_required_value_is_refused(org, boss):
    rows = customer_rows(1)
    rows[0][1] = ""

    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, rows))

    assert problems(job) == [(2, "客户名称", "required")]


def test_stored_errors_are_capped_but_all_are_counted(org, boss, settings):
    rows = [["", "x"] for _ in range(1100)]

    job = upload(org, boss, csv_file(["客户编码", "客户名称"], rows))

    assert (job.error_count, len(job.errors), job.errors_not_shown) == (1100, 1000, 100)


def test_contacts_need_a_known_party_code(org, boss):
    party = Party.objects.create(org=org, kind=PartyKind.CUSTOMER, code="C1", name="客户")
    headers = ["客户/供应商编码", "联系人姓名", "邮箱", "生日", "主要联系人"]
    rows = [
        ["C1", "张伟", "zw@example.com", "1985-06-18", "是"],
        ["C9", "李娜", "", "", "否"],
        ["C1", "王芳", "not-an-email", "18/06/1985", "也许"],
    ]

    job = upload(org, boss, csv_file(headers, rows), "contacts")

    assert problems(job) == [
        (3, "客户/供应商编码", "unknown_party"),
        (4, "邮箱", "invalid_email"),
        (4, "生日", "invalid_date"),
        (4, "主要联系人", "invalid_boolean"),
    ]
    assert Contact.objects.filter(party=party).count() == 0


def test_contacts_are_applied_to_their_party(org, boss):
    party = Party.objects.create(org=org, kind=PartyKind.SUPPLIER, code="S1", name="厂家")
    headers = ["Customer or supplier code", "Contact name", "Birthday", "Primary contact"]
    job = upload(org, boss, csv_file(headers, [["S1", "张伟", "1985-06-18", "yes"]]), "contacts")

    job = services.request_apply(org=org, actor=boss, job=job)

    contact = Contact.objects.get()
    assert (job.status, contact.party_id, str(contact.birthday), contact.is_primary) == (
        ImportStatus.APPLIED,
        party.pk,
        "1985-06-18",
        True,
    )


def test_xlsx_cells_of_any_type_are_read(org, boss):
    file = xlsx_file(["客户编码", "客户名称", "电话"], [[1001, "数字编码客户", 13800138000]])

    job = upload(org, boss, file)
    services.request_apply(org=org, actor=boss, job=job)

    assert list(Party.objects.values_list("code", "phone")) == [("1001", "13800138000")]


def test_apply_writes_every_row_and_one_event(org, boss):
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(7)))

    job = services.request_apply(org=org, actor=boss, job=job)

    assert (job.status, job.rows_written, job.progress) == (ImportStatus.APPLIED, 7, 100)
    assert Party.objects.filter(kind=PartyKind.CUSTOMER, customer_type="retailer").count() == 7
    event = Event.objects.get()
    assert (event.verb, event.subject_id, event.data["rows"]) == ("import_applied", job.pk, 7)


def test_apply_is_all_or_nothing_when_the_database_changed_since_validation(org, boss):
    # given: a validated file, then someone creates one of its codes by hand
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(5)))
    Party.objects.create(org=org, kind=PartyKind.CUSTOMER, code="C00004", name="手工录入")

    # when
    job = services.request_apply(org=org, actor=boss, job=job)

    # then
    assert job.status == ImportStatus.FAILED
    assert problems(job) == [(5, "客户编码", "duplicate_code")]
    assert list(Party.objects.values_list("code", flat=True)) == ["C00004"]
    assert not Event.objects.exists()


def test_an_invalid_job_cannot_be_applied(org, boss):
    job = upload(org, boss, csv_file(["客户编码"], [["C1"]]))

    with pytest.raises(services.BusinessRuleViolation) as refused:
        services.request_apply(org=org, actor=boss, job=job)

    assert refused.value.code == "not_validated"
    assert Party.objects.count() == 0


def test_applying_twice_writes_once(org, boss):
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(2)))
    job = services.request_apply(org=org, actor=boss, job=job)

    again = services.run_apply(org=org, actor=boss, job=job)

    assert again.status == ImportStatus.APPLIED
    assert Party.objects.count() == 2


def _queries_to_validate(org, boss, rows: int) -> int:
    file = csv_file(CUSTOMER_HEADERS, customer_rows(rows, start=rows * 10))
    with CaptureQueriesContext(connection) as captured:
        upload(org, boss, file)
    return len(captured)


def test_validating_does_not_query_per_row(org, boss, rep):
    Territory.objects.create(org=org, code="HZ", name="杭州")

    small = _queries_to_validate(org, boss, 10)
    large = _queries_to_validate(org, boss, 1000)

    assert small == large
