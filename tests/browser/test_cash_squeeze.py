"""The boss opens the cash squeeze on the demo data: the ratios, the chart and the 13 weeks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_page_ok, log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]


def test_the_boss_sees_the_cash_squeeze_with_its_chart_and_weeks(
    open_page: Callable[..., Page],
) -> None:
    page = open_page()
    log_in(page, "demo-boss")

    # when
    response = page.goto("/analytics/cash-squeeze/?days=90")

    # then: the four ratios, the chart drawn, 13 weeks in the table
    assert_page_ok(page, response, "cash squeeze")
    for ratio in ("dso", "dio", "dpo", "ccc"):
        expect(page.locator(f'[data-testid="{ratio}"]')).not_to_have_text("")
    expect(page.locator('[data-testid="dso"]')).not_to_have_text("—")
    chart = page.locator('[data-testid="cash-chart"]')
    expect(chart).to_have_attribute("data-rendered", "1")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(page.locator('[data-testid="weeks"] tbody tr')).to_have_count(13)
    # the demo has supplier invoices falling due and bills maturing: real numbers both ways
    supplier_due = page.locator('[data-testid="weeks"] tbody tr td:nth-child(4)').all_inner_texts()
    assert any(text.strip() not in ("", "0.00", "¥0.00") for text in supplier_due), supplier_due

    # and the bills receivable list filters to what matures soon
    response = page.goto("/finance/bills/?due=30")
    assert_page_ok(page, response, "bills receivable")
    expect(page.locator('[data-testid="bill-table"] tbody tr').first).to_be_visible()
