"""The retailer tops up from its phone with a photo of the transfer, finance credits it from
its queue with the voucher beside the button, and the retailer sees the balance grow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import assert_page_ok, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]
SHOTS = ARTIFACTS / "screenshots" / "accounts"


def test_a_retailer_sends_a_voucher_and_finance_credits_it(
    open_page: Callable[..., Page], tmp_path: Path
) -> None:
    from qudao.shell.demo.accounts import voucher_png

    SHOTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "转账截图.png"
    photo.write_bytes(voucher_png("2680.00", 7))

    # given the retailer on its phone
    phone = open_page(phone=True)
    assert_page_ok(phone, log_in(phone, "demo-shop"), "demo-shop logs in")
    expect(phone.locator('[data-testid="portal-prepayment"]')).to_be_visible()

    # when it sends a transfer of 2,680.00 with the voucher
    phone.goto("/portal/account/top-up/")
    phone.fill("#id_amount", "2680.00")
    phone.select_option("#id_method", "wechat")
    phone.fill("#id_reference", "4200009988776655")
    phone.set_input_files("#id_voucher", str(photo))
    phone.screenshot(path=str(SHOTS / "01-phone-top-up.png"), full_page=True)
    with phone.expect_navigation():
        phone.click('[data-testid="top-up-form"] button[type=submit]')
    expect(phone.locator('[data-testid="top-ups"]')).to_contain_text("待财务审核")
    before = phone.locator('[data-testid="prepayment-balance"]').inner_text()
    phone.screenshot(path=str(SHOTS / "02-phone-waiting.png"), full_page=True)
    log_out(phone)

    # then finance finds it in its queue, sees the voucher and credits it
    page = open_page()
    log_in(page, "demo-finance")
    page.goto("/finance/top-ups/")
    row = page.locator("#list tbody tr", has_text="2,680.00")
    expect(row).to_have_count(1)
    with page.expect_navigation():
        row.locator("a").first.click()
    expect(page.locator('[data-testid="voucher"]')).to_be_visible()
    page.screenshot(path=str(SHOTS / "03-finance-voucher.png"), full_page=True)
    with page.expect_navigation():
        page.click('[data-testid="approve"]')
    expect(page.locator(".alert-success")).to_be_visible()

    # and the retailer's balance grew by the amount
    log_in(phone, "demo-shop")
    phone.goto("/portal/account/")
    expect(phone.locator('[data-testid="top-ups"]')).to_contain_text("已入账")
    after = phone.locator('[data-testid="prepayment-balance"]').inner_text()
    assert _yuan(after) - _yuan(before) == 268000
    phone.screenshot(path=str(SHOTS / "04-phone-credited.png"), full_page=True)


def _yuan(text: str) -> int:
    """¥1,234.56 → 123456 (fen), for comparing what the page shows."""
    digits = text.replace("¥", "").replace(",", "").strip()
    negative = digits.startswith("-")
    whole, _dot, fen = digits.lstrip("-").partition(".")
    value = int(whole) * 100 + int((fen + "00")[:2])
    return -value if negative else value
