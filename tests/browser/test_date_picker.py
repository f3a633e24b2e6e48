"""Date fields read and type as yyyy-mm-dd in the page's language, whatever the browser's.

Chromium draws its own date input in the browser's locale: a Chinese page in an English
browser showed mm/dd/yyyy. These tests run an English (en-US) browser on Qudao in Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import ARTIFACTS, DESKTOP
from tests.browser.helpers import PageWatch, html_lang, log_in, switch_language, watch

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "screenshots" / "dates"
PASSWORD = "secret-pass-123"  # tenancy's UserFactory
CALENDAR = ".flatpickr-calendar.open"


@pytest.fixture
def buyer(append_only_flushable: None) -> str:
    """A boss who buys from one supplier; returns the username."""
    from qudao.catalog.tests.factories import SupplierFactory
    from qudao.tenancy.roles import Role
    from qudao.tenancy.scoping import org_scope
    from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

    org = OrganizationFactory(name="江南渠道商贸有限公司", code="dates")
    with org_scope(org):
        MembershipFactory(org=org, role=Role.BOSS, user__username="buyer")
        SupplierFactory(org=org, code="S-SNOW", name="华润雪花")
    return "buyer"


@pytest.fixture
def english_browser(chromium: Browser, live_server: object) -> Iterator[Page]:
    """A page in a browser whose own language is American English."""
    context = chromium.new_context(
        base_url=str(live_server),
        locale="en-US",
        timezone_id="Asia/Shanghai",
        viewport=DESKTOP,
        device_scale_factor=1,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.watch = PageWatch(page)  # type: ignore[attr-defined]
    yield page
    context.close()


def in_chinese(page: Page, username: str) -> None:
    log_in(page, username, PASSWORD)
    if html_lang(page) != "zh-hans":
        switch_language(page)  # the user picks 中文 in the top bar; the browser stays English
    assert html_lang(page) == "zh-hans"


def day(page: Page, number: int) -> Locator:
    return (
        page.locator(f"{CALENDAR} .flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)")
        .filter(has_text=re.compile(rf"^{number}$"))
        .first
    )


def test_a_chinese_page_in_an_english_browser_types_shows_and_submits_iso_dates(
    english_browser: Page, buyer: str
) -> None:
    from qudao.purchasing.models import PurchaseOrder
    from qudao.tenancy.models import Organization
    from qudao.tenancy.scoping import org_scope

    page = english_browser
    SHOTS.mkdir(parents=True, exist_ok=True)
    in_chinese(page, buyer)
    page.goto(reverse("purchasing-order-create"))
    field = page.locator("#id_expected_on")
    expect(field).to_have_attribute("type", "text")

    # when the clerk types the date
    field.click()
    expect(page.locator(CALENDAR)).to_be_visible()
    field.press_sequentially("2026-11-29")
    field.press("Tab")

    # then it reads as typed, and the calendar agrees, in Chinese, weeks from Monday
    expect(field).to_have_value("2026-11-29")
    field.click()
    calendar = page.locator(CALENDAR)
    expect(calendar.locator(".flatpickr-day.selected")).to_have_text("29")
    expect(calendar.locator(".flatpickr-monthDropdown-months")).to_have_value("10")
    expect(calendar.locator(".flatpickr-monthDropdown-months option:checked")).to_have_text(
        "十一月"
    )
    expect(calendar.locator(".cur-year")).to_have_value("2026")
    expect(calendar.locator(".flatpickr-weekday").first).to_have_text(re.compile(r"^\s*周一\s*$"))
    page.screenshot(path=str(SHOTS / "order-form-picker-zh.png"), animations="disabled")

    # when the clerk picks the day before on the calendar and saves
    day(page, 28).click()
    expect(field).to_have_value("2026-11-28")
    page.select_option("#id_supplier", label="S-SNOW 华润雪花")
    with page.expect_navigation():
        page.locator("form.card button[type=submit]").click()

    # then the order has that date, and its edit form shows it the same way
    with org_scope(Organization.objects.get(code="dates")):
        order = PurchaseOrder.objects.get()
    assert order.expected_on == date(2026, 11, 28)
    page.goto(reverse("purchasing-order-edit", args=[order.pk]))
    expect(page.locator("#id_expected_on")).to_have_value("2026-11-28")
    watch(page).assert_clean("the order form in Chinese in an English browser")


def test_the_calendar_speaks_english_on_an_english_page(english_browser: Page, buyer: str) -> None:
    page = english_browser
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, buyer, PASSWORD)
    if html_lang(page) != "en":
        switch_language(page)
    page.goto(reverse("purchasing-order-create"))
    field = page.locator("#id_expected_on")

    field.click()
    field.press_sequentially("2026-11-29")
    field.press("Tab")
    field.click()

    calendar = page.locator(CALENDAR)
    expect(field).to_have_value("2026-11-29")
    expect(calendar.locator(".flatpickr-monthDropdown-months option:checked")).to_have_text(
        "November"
    )
    expect(calendar.locator(".flatpickr-weekday").first).to_have_text(re.compile(r"^\s*Mon\s*$"))
    page.screenshot(path=str(SHOTS / "order-form-picker-en.png"), animations="disabled")
    watch(page).assert_clean("the order form in English")


def test_a_date_field_that_htmx_swaps_in_gets_the_picker_too(
    english_browser: Page, buyer: str
) -> None:
    page = english_browser
    in_chinese(page, buyer)
    page.goto(reverse("purchasing-order-list"))

    # when htmx brings in a fragment holding a date field
    page.evaluate(
        """() => htmx.swap("#list", '<form id="late"><input type="text" name="due_on"'
            + ' id="late-date" class="form-control" data-qd-date value="2026-11-29"></form>',
            {swapStyle: "beforeend"})"""
    )

    # then it opens the same calendar, in Chinese, on the date it holds
    field = page.locator("#late-date")
    field.click()
    calendar = page.locator(CALENDAR)
    expect(calendar.locator(".flatpickr-day.selected")).to_have_text("29")
    expect(calendar.locator(".flatpickr-monthDropdown-months option:checked")).to_have_text(
        "十一月"
    )
    day(page, 30).click()
    expect(field).to_have_value("2026-11-30")
    watch(page).assert_clean("a date field swapped in by htmx")


def test_a_day_that_does_not_exist_stays_as_typed_and_the_form_refuses_it(
    english_browser: Page, buyer: str
) -> None:
    from qudao.purchasing.models import PurchaseOrder
    from qudao.tenancy.models import Organization
    from qudao.tenancy.scoping import org_scope

    page = english_browser
    in_chinese(page, buyer)
    page.goto(reverse("purchasing-order-create"))
    field = page.locator("#id_expected_on")

    # when the clerk types 30 November without dashes, it reads as a date
    field.click()
    field.press_sequentially("20261130")
    field.press("Tab")
    expect(field).to_have_value("2026-11-30")

    # when the clerk types 31 November, it is neither rolled into December nor wiped out
    field.fill("")
    field.press_sequentially("2026-11-31")
    field.press("Tab")
    expect(field).to_have_value("2026-11-31")
    page.select_option("#id_supplier", label="S-SNOW 华润雪花")
    with page.expect_navigation():
        page.locator("form.card button[type=submit]").click()

    # then the form says so, and no order was made
    expect(page.locator("#id_expected_on")).to_have_value("2026-11-31")
    expect(page.locator("#id_expected_on")).to_have_class(re.compile(r"\bis-invalid\b"))
    with org_scope(Organization.objects.get(code="dates")):
        assert not PurchaseOrder.objects.exists()
    watch(page).assert_clean("a day that does not exist")
