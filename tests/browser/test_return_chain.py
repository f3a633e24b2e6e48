"""A return passes the whole approval chain, each step by its own people: the boss switches the
return steps on, records a return, finance reviews the credit, the warehouse accepts it, marks
it on its way (collected by our driver) and counts it back into stock."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import assert_page_ok, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]
SHOTS = ARTIFACTS / "screenshots" / "returns"
RETURN_STEPS = (
    "return_review",
    "return_finance_review",
    "return_warehouse_acceptance",
    "return_shipment",
)


def _press(page: Page, action: str) -> None:
    with page.expect_navigation():
        page.click(f"form[action$='/{action}/'] button[type=submit]")


def test_a_return_goes_through_the_whole_chain(open_page: Callable[..., Page]) -> None:
    from qudao.finance.models import CreditMode
    from qudao.sales.models import DeliveryNote, DeliveryStatus
    from qudao.tenancy.models import Organization
    from qudao.tenancy.scoping import org_scope

    with org_scope(Organization.objects.get(code="jiangnan")):
        delivery = (
            DeliveryNote.objects.filter(
                status__in=[DeliveryStatus.SHIPPED, DeliveryStatus.DELIVERED],
                invoice_id__isnull=True,
            )
            .exclude(order__payment_mode=CreditMode.CONSIGNMENT)
            .order_by("pk")
            .first()
        )
    assert delivery is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page()

    # given: the boss switches every return step on in 销售设置
    assert_page_ok(page, log_in(page, "demo-boss"), "demo-boss logs in")
    page.goto("/sales/settings/")
    for name in RETURN_STEPS:
        page.check(f"input[name={name}]")
    with page.expect_navigation():
        page.click("form.card button[type=submit]")
    for name in RETURN_STEPS:
        expect(page.locator(f"input[name={name}]")).to_be_checked()

    # when: the boss records a return of one unit and passes return review (退货审核)
    response = page.goto(f"/sales/deliveries/{delivery.pk}/return/")
    assert_page_ok(page, response, "the return form")
    page.fill("[name=reason]", "包装破损，客户要求退货")
    page.locator("input[name^=qty_]").first.fill("1")
    with page.expect_navigation():
        page.click("form button.btn-primary[type=submit]")
    return_url = page.url
    chain = page.locator('[data-testid="chain"]')
    expect(chain.locator('[data-step="review"]')).to_have_attribute("data-state", "current")
    _press(page, "approve")
    log_out(page)

    # then: finance sees its step waiting and approves the credit (财务审核)
    log_in(page, "demo-finance")
    page.goto(return_url)
    expect(chain.locator('[data-step="finance_review"]')).to_have_attribute("data-state", "current")
    page.screenshot(path=str(SHOTS / "01-finance-review.png"), full_page=True)
    _press(page, "approve")
    expect(page.locator("form[action$='/approve/']")).to_have_count(0)
    log_out(page)

    # and the warehouse accepts (入库审核), sends the driver (发货确认) and receives (收货确认)
    log_in(page, "demo-warehouse")
    page.goto(return_url)
    _press(page, "approve")
    page.fill("#id_carrier", "司机王师傅")
    _press(page, "ship")
    expect(chain.locator('[data-step="received"]')).to_have_attribute("data-state", "current")
    _press(page, "receive")
    for step in ("review", "finance_review", "warehouse_acceptance", "shipped", "received"):
        expect(chain.locator(f'[data-step="{step}"]')).to_have_attribute("data-state", "done")
    timeline = page.locator('[data-testid="timeline"] .list-group-item')
    expect(timeline).to_have_count(6)
    expect(page.locator('[data-testid="timeline"]')).to_contain_text("司机王师傅")
    assert_page_ok(page, page.reload(), "the received return")
    page.screenshot(path=str(SHOTS / "02-received.png"), full_page=True)
