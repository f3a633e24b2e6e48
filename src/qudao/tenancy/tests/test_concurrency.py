"""On PostgreSQL, with real threads and connections: the numbering lock holds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from qudao.tenancy.models import Sequence
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.services import next_number
from qudao.tenancy.tests.factories import OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_confirmations_get_distinct_gapless_numbers():
    # given
    assert connection.vendor == "postgresql"
    org = OrganizationFactory()
    with org_scope(org), transaction.atomic():
        next_number(org=org, key="INV2026")  # the sequence row exists; now they race on it
    taken: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def confirm() -> None:
        try:
            with org_scope(org):
                barrier.wait(timeout=10)
                for _ in range(10):
                    with transaction.atomic():
                        number = next_number(org=org, key="INV2026")
                    with lock:
                        taken.append(number)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=confirm) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then
    assert sorted(taken) == [f"INV2026-{n:06d}" for n in range(2, 82)]
    with org_scope(org):
        assert Sequence.objects.get(key="INV2026").last == 81
