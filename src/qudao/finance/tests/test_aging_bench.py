"""The aging benchmark on PostgreSQL, at a small size: the report equals the hand-written floor,
and the load leaves the invoices as autovacuum leaves a table at rest (every page all-visible),
so the report is timed on the plan a settled database gets, not on a half-vacuumed heap."""

from __future__ import annotations

import pytest

from qudao.finance.benchmarks import INVOICES_PER_CUSTOMER, bench_aging

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_load_leaves_every_invoice_page_all_visible_and_the_report_equals_the_floor(
    tmp_path,
):
    # given the benchmark's own load (COPY, commit, VACUUM), at 200 customers
    printed: list[str] = []
    figures = bench_aging(rows=200 * INVOICES_PER_CUSTOMER, out=printed.append, workdir=tmp_path)

    # then the VACUUM after the load marked every page of the invoices all-visible (an
    # asynchronous commit not yet flushed to the WAL kept it from marking the pages it reached
    # first), and the report's numbers are the floor's
    assert figures["all_visible"] == 1.0
    assert figures["equal"] is True
    assert figures["customers"] == 200
    assert figures["open_items"] == 200 * INVOICES_PER_CUSTOMER
