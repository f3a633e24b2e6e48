"""Large files go through the real task queue: the task body, and a real consumer."""

from __future__ import annotations

import time

import pytest
from huey.contrib.djhuey import HUEY

from qudao.imports import services
from qudao.imports.models import ImportJob, ImportStatus
from qudao.imports.tasks import apply_import_task, validate_import_task
from qudao.imports.tests.helpers import CUSTOMER_HEADERS, csv_file, customer_rows, upload
from qudao.parties.models import Party


@pytest.fixture
def queued(settings):
    """Every file counts as large: validation and apply go to the queue."""
    settings.QUDAO_IMPORT_INLINE_MAX_BYTES = 0


def test_a_large_upload_waits_for_the_queue(org, boss, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(3)))

    assert (job.status, job.progress, len(callbacks)) == (ImportStatus.UPLOADED, 0, 1)


def test_the_queued_tasks_validate_then_apply(org, boss, queued):
    # given
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(4)))

    # when
    validated = validate_import_task.call_local(org.pk, job.pk)
    job.refresh_from_db()
    job = services.request_apply(org=org, actor=boss, job=job)
    applied = apply_import_task.call_local(org.pk, job.pk, boss.pk)

    # then
    assert (validated, applied) == (ImportStatus.VALIDATED, ImportStatus.APPLIED)
    assert Party.objects.count() == 4


def test_running_a_task_twice_changes_nothing_more(org, boss, queued):
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(2)))
    validate_import_task.call_local(org.pk, job.pk)
    job.refresh_from_db()
    services.request_apply(org=org, actor=boss, job=job)
    apply_import_task.call_local(org.pk, job.pk, boss.pk)

    assert validate_import_task.call_local(org.pk, job.pk) == ImportStatus.APPLIED
    assert apply_import_task.call_local(org.pk, job.pk, boss.pk) == ImportStatus.APPLIED
    assert Party.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_real_consumer_validates_an_enqueued_job(org, boss, queued):
    # given: a job, enqueued on the real (SQLite-backed) queue
    HUEY.flush()
    job = upload(org, boss, csv_file(CUSTOMER_HEADERS, customer_rows(5)))
    validate_import_task(org.pk, job.pk)
    consumer = HUEY.create_consumer(workers=1, periodic=False, check_worker_health=False)

    # when
    consumer.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status != ImportStatus.UPLOADED:
                break
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)

    # then
    assert (job.status, job.rows_total, job.progress) == (ImportStatus.VALIDATED, 5, 100)
    assert ImportJob.objects.count() == 1
