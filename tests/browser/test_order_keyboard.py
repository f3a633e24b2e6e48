"""A sales rep enters order lines with the keyboard only: a code and Enter picks the product
and moves to the quantity, Enter there adds the line; ↑↓ walk the hits and Tab takes one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_page_ok, log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]


def test_a_rep_adds_lines_by_keyboard_only(open_page: Callable[..., Page]) -> None:
    from qudao.catalog.models import Product
    from qudao.parties.models import Party
    from qudao.tenancy.models import Organization
    from qudao.tenancy.scoping import org_scope

    with org_scope(Organization.objects.get(code="jiangnan")):
        product = Product.objects.filter(is_serialized=False).order_by("code").first()
        air_conditioners = list(
            Product.objects.filter(name__contains="空调", archived_at__isnull=True)
            .exclude(pinyin__startswith="kt")
            .order_by("code")
            .values_list("code", flat=True)
        )
        customer = (
            Party.objects.filter(owner__user__username="demo-rep", status="active")
            .order_by("code")
            .first()
        )
    assert product is not None and customer is not None and len(air_conditioners) >= 2
    page = open_page()
    assert_page_ok(page, log_in(page, "demo-rep"), "demo-rep logs in")
    page.goto("/sales/orders/new/")
    page.select_option("#id_customer", str(customer.pk))
    page.select_option("#id_warehouse", label="上海总仓")
    with page.expect_navigation():
        page.click("form.card button[type=submit]")
    box, quantity = page.locator("#id_product"), page.locator("#id_quantity")
    expect(box).to_be_focused()

    # when the rep types a code and presses Enter on the highlighted hit
    page.keyboard.type(product.code, delay=30)
    first = page.locator("#product-hit-0")
    expect(first).to_have_attribute("data-code", product.code)
    expect(box).to_have_attribute("aria-activedescendant", "product-hit-0")
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Enter")

    # then the code is taken and the quantity is next; Enter there adds the line
    expect(box).to_have_value(product.code)
    expect(quantity).to_be_focused()
    page.keyboard.type("3")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#entry tbody tr").first).to_contain_text(product.code)
    expect(page.locator(".invalid-feedback")).to_have_count(0)

    # when the rep types initials from the middle of the name and walks the hits with arrows
    expect(box).to_be_focused()
    page.keyboard.type("kt", delay=30)
    expect(page.locator("#product-hits [role=option]").nth(1)).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "product-hit-1")
    expect(page.locator("#product-hit-1")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", "product-hit-0")
    page.keyboard.press("ArrowDown")
    codes = page.locator("#product-hits [role=option]").evaluate_all(
        "options => options.map(option => option.dataset.code)"
    )
    assert set(codes) & set(air_conditioners)
    chosen = codes[1]

    # then Tab takes the highlighted hit and lands on the quantity, whose Enter adds the line
    page.keyboard.press("Tab")
    expect(box).to_have_value(chosen)
    expect(quantity).to_be_focused()
    page.keyboard.type("1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#entry tbody")).to_contain_text(chosen)
    expect(page.locator("#entry tbody tr")).to_have_count(2)
