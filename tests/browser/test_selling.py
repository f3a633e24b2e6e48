"""A sales rep types an order with the keyboard only, submits it, and finance overrides the
credit rule it trips: the order entry and the approval chain as people use them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import assert_page_ok, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]
SHOTS = ARTIFACTS / "screenshots" / "selling"


def test_a_rep_types_an_order_by_pinyin_and_finance_approves_it(
    open_page: Callable[..., Page],
) -> None:
    from qudao.catalog.models import Product
    from qudao.parties.models import Party
    from qudao.tenancy.models import Organization
    from qudao.tenancy.scoping import org_scope

    with org_scope(Organization.objects.get(code="jiangnan")):
        product = Product.objects.filter(is_serialized=False).order_by("code").first()
        customer = (
            Party.objects.filter(owner__user__username="demo-rep", status="active", tier="A")
            .order_by("code")
            .first()
        )
    assert product is not None and customer is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page()
    assert_page_ok(page, log_in(page, "demo-rep"), "demo-rep logs in")

    # given a new draft for one of the rep's customers
    page.goto("/sales/orders/new/")
    page.select_option("#id_customer", str(customer.pk))
    page.select_option("#id_warehouse", label="上海总仓")
    with page.expect_navigation():
        page.click("form.card button[type=submit]")
    assert "/new/" not in page.url

    # when the rep types pinyin initials, picks the hit, types a quantity and presses Enter
    box = page.locator("#id_product")
    box.type(product.pinyin[:3].lower(), delay=30)
    hit = page.locator(f'.qd-hit[data-code="{product.code}"]')
    expect(hit).to_be_visible()
    page.screenshot(path=str(SHOTS / "01-search.png"))
    hit.click()
    expect(box).to_have_value(product.code)
    page.locator("#id_quantity").fill("2")
    with page.expect_navigation():
        page.locator("#id_quantity").press("Enter")

    # then the line is priced from the list and the total is shown in words
    row = page.locator("#entry tbody tr").first
    expect(row).to_contain_text(product.code)
    expect(page.locator("#entry tfoot")).to_contain_text("¥")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    expect(page.locator('[data-testid="chain"]')).to_be_visible()
    page.screenshot(path=str(SHOTS / "02-submitted.png"), full_page=True)
    order_url = page.url
    log_out(page)

    # and finance, who sees it waiting, approves it (or overrides the rule, with a reason)
    log_in(page, "demo-finance")
    page.goto(order_url)
    if page.locator("#id_override_reason").count():
        page.fill("#id_override_reason", "老客户，月底前回款")
        with page.expect_navigation():
            page.get_by_role("button", name="越权放行并通过").click()
    elif page.get_by_role("button", name="审核通过").count():
        with page.expect_navigation():
            page.get_by_role("button", name="审核通过").click()
    expect(page.locator("h2.page-title")).to_contain_text("已确认")
    page.screenshot(path=str(SHOTS / "03-confirmed.png"), full_page=True)
