"""Apply inserts the rows checked at validation; a refusal falls back to checking every row."""

from __future__ import annotations

import datetime

from qudao.imports import services
from qudao.imports.models import ImportStatus
from qudao.imports.tests.helpers import CUSTOMER_HEADERS, customer_rows, problems, upload, xlsx_file
from qudao.parties.models import Contact, Party, PartyKind


def test_apply_inserts_the_kept_rows_without_reading_the_upload(org, boss):
    # given: a validated workbook whose upload is then spoiled
    job = upload(org, boss, xlsx_file(CUSTOMER_HEADERS, customer_rows(3)))
    assert job.file.storage.exists(services._checked_name(job))
    with open(job.file.path, "r+b") as stored:
        stored.write(b"not a workbook any more")

    # when
    job = services.request_apply(org=org, actor=boss, job=job)

    # then
    assert (job.status, job.rows_written) == (ImportStatus.APPLIED, 3)
    assert Party.objects.count() == 3


def test_without_kept_rows_apply_reads_and_checks_the_file_again(org, boss):
    job = upload(org, boss, xlsx_file(CUSTOMER_HEADERS, customer_rows(2)))
    job.file.storage.delete(services._checked_name(job))

    job = services.request_apply(org=org, actor=boss, job=job)

    assert (job.status, Party.objects.count()) == (ImportStatus.APPLIED, 2)


def test_a_code_taken_since_validation_is_named_by_row_and_nothing_is_written(org, boss):
    # given: valid at upload, then someone adds one of the codes by hand
    job = upload(org, boss, xlsx_file(CUSTOMER_HEADERS, customer_rows(3)))
    Party.objects.create(org=org, kind=PartyKind.CUSTOMER, code="C00002", name="抢先")

    # when
    job = services.request_apply(org=org, actor=boss, job=job)

    # then
    assert problems(job) == [(3, "客户编码", "duplicate_code")]
    assert Party.objects.count() == 1


def test_dates_survive_the_kept_rows(org, boss):
    # given
    party = Party.objects.create(org=org, kind=PartyKind.CUSTOMER, code="C1", name="客户")
    headers = ["客户/供应商编码", "联系人姓名", "生日"]
    file = xlsx_file(headers, [["C1", "张伟", datetime.date(1985, 6, 18)]])

    # when
    job = upload(org, boss, file, "contacts")
    job = services.request_apply(org=org, actor=boss, job=job)

    # then
    assert job.status == ImportStatus.APPLIED
    assert Contact.objects.values_list("party_id", "birthday").get() == (
        party.pk,
        datetime.date(1985, 6, 18),
    )
