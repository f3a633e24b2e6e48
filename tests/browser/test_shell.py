"""The shell around every page: logging in, switching organizations, phones, list search."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import (
    API_DOCS,
    BRANCH_ORG,
    DEMO_USERS,
    MAIN_ORG,
    MEMBERS,
    Camera,
    assert_page_ok,
    html_lang,
    log_in,
    log_out,
    nav_links,
    switch_language,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]
ROWS = "#list tbody tr"
COUNT = '[data-testid="list-count"]'


def shows_number(text: str, number: int) -> bool:
    """`number` stands alone in `text`, whatever words the translation puts around it."""
    return re.search(rf"(?<![\d,.]){number}(?![\d,.])", text) is not None


def test_a_wrong_password_shows_an_error_and_stays_on_the_login_page(
    open_page: Callable[..., Page],
) -> None:
    page = open_page()

    # when
    response = log_in(page, "demo-boss", password="not-the-password")

    # then
    assert response is not None and response.status == 200
    assert urlsplit(page.url).path == "/login/"
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value("demo-boss")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator('[data-testid="user-menu"]')).to_have_count(0)
    page.goto("/")
    assert urlsplit(page.url).path == "/login/", "still not logged in"
    watch(page).assert_clean("login page")


def test_the_login_page_switches_language_before_logging_in(
    open_page: Callable[..., Page],
) -> None:
    page = open_page()
    page.goto("/login/")
    assert html_lang(page) == "zh-hans"

    # when
    with page.expect_navigation():
        page.click('form[action$="/i18n/setlang/"] button[value="en"]')

    # then: still the login page, now in English, and logging in keeps English
    assert urlsplit(page.url).path == "/login/"
    assert html_lang(page) == "en"
    log_in(page, "demo-viewer")
    assert urlsplit(page.url).path == "/"
    assert html_lang(page) == "en"
    watch(page).assert_clean("login in English")


def test_the_boss_switches_to_the_second_organization(open_page: Callable[..., Page]) -> None:
    # given: the boss works in the main organization, with its 400 customers
    page = open_page()
    log_in(page, "demo-boss")
    expect(page.locator(".qd-switcher-name")).to_have_text(MAIN_ORG)
    expect(page.locator('[data-testid="kpi-customers"]')).to_have_text("400")

    # when
    page.click('[data-testid="org-switcher"]')
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=re.compile(re.escape(BRANCH_ORG))).click()

    # then: the page shows the branch and its own 30 customers, also after a reload
    assert_page_ok(page, navigation.value, "after switching")
    expect(page.locator(".qd-switcher-name")).to_have_text(BRANCH_ORG)
    expect(page.locator(".alert-success")).to_contain_text(BRANCH_ORG)
    expect(page.locator('[data-testid="org-switcher"]')).to_contain_text(BRANCH_ORG)
    expect(page.locator('[data-testid="kpi-customers"]')).to_have_text("30")
    page.reload()
    expect(page.locator(".qd-switcher-name")).to_have_text(BRANCH_ORG)

    # and back again
    page.click('[data-testid="org-switcher"]')
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(re.escape(MAIN_ORG))).click()
    expect(page.locator(".qd-switcher-name")).to_have_text(MAIN_ORG)
    expect(page.locator('[data-testid="kpi-customers"]')).to_have_text("400")
    watch(page).assert_clean("switching organizations")


def test_members_search_filters_the_rows_in_place(open_page: Callable[..., Page]) -> None:
    # given: the boss on the members list (5 staff, 6 reps, 2 portal users)
    page = open_page()
    log_in(page, "demo-boss")
    page.click(f'a[data-nav="{MEMBERS}"]')
    expect(page.locator(ROWS)).to_have_count(13)
    assert shows_number(page.locator(COUNT).inner_text(), 13)
    page.evaluate("window.qdSamePage = true")

    # when: typing in the search box
    page.fill('#list input[name="q"]', "demo-rep")

    # then: htmx swaps the list for the six reps, without reloading the page
    expect(page.locator(ROWS)).to_have_count(6)
    expect(page.locator(ROWS).first).to_contain_text("demo-rep")
    for row in page.locator(ROWS).all():
        expect(row).to_contain_text("demo-rep")
    count = page.locator(COUNT).inner_text()
    assert shows_number(count, 6) and not shows_number(count, 13), count
    assert page.evaluate("window.qdSamePage") is True
    assert parse_qs(urlsplit(page.url).query)["q"] == ["demo-rep"], "the search is in the URL"

    # when: a search matches nobody, then the box is cleared
    page.fill('#list input[name="q"]', "没有这个人")
    expect(page.locator(f"{ROWS} td[colspan]")).to_have_count(1)
    assert shows_number(page.locator(COUNT).inner_text(), 0)
    page.fill('#list input[name="q"]', "")

    # then: every member is back, still on the same page
    expect(page.locator(ROWS)).to_have_count(13)
    assert page.evaluate("window.qdSamePage") is True
    watch(page).assert_clean("members search")

    # and a search in the address survives a reload (钱观察 is the read-only user)
    page.goto("/org/members/?q=%E9%92%B1%E8%A7%82%E5%AF%9F")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS)).to_contain_text("demo-viewer")
    expect(page.locator('#list input[name="q"]')).to_have_value("钱观察")


@pytest.mark.parametrize("key", ["boss", "shop"])
def test_at_phone_width_the_navigation_collapses_and_still_works(
    open_page: Callable[..., Page], key: str
) -> None:
    user = DEMO_USERS[key]
    shutil.rmtree(ARTIFACTS / "screenshots" / "phone" / key, ignore_errors=True)
    camera = Camera(ARTIFACTS / "screenshots" / "phone")
    page = open_page(phone=True)
    log_in(page, user.username)
    camera.shoot(page, key, "zh-hans", "landing-menu-closed")

    # then: the sidebar is folded behind the toggle, and nothing is wider than the phone
    toggle = page.locator("aside .navbar-toggler")
    expect(toggle).to_be_visible()
    links = nav_links(page)
    first = next(iter(links))
    expect(page.locator(f'a[data-nav="{first}"]')).to_be_hidden()
    assert_fits_the_phone(page)

    # when: opening the menu and following its first entry to another page
    toggle.click()
    expect(page.locator(f'a[data-nav="{first}"]')).to_be_visible()
    camera.shoot(page, key, "zh-hans", "menu-open")
    here = urlsplit(page.url).path
    # another page if there is one (a retailer's portal has a single entry: open it again)
    name = next((name for name, href in links.items() if href != here), first)
    with page.expect_navigation() as navigation:
        page.click(f'a[data-nav="{name}"]')

    # then: the page opens, folded again, and fits the phone
    assert_page_ok(page, navigation.value, f"{user.username} phone → {name}")
    expect(page.locator(f'a[data-nav="{first}"]')).to_be_hidden()
    assert_fits_the_phone(page)
    camera.shoot(page, key, "zh-hans", name)

    # and the language switch and the user menu work with a thumb
    switch_language(page)
    assert html_lang(page) == "en"
    assert_fits_the_phone(page)
    camera.shoot(page, key, "en", name)
    log_out(page)
    assert urlsplit(page.url).path == "/login/"
    assert_fits_the_phone(page)


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide on a 390px phone"


def test_api_documentation_loads_without_the_internet(open_page: Callable[..., Page]) -> None:
    """The user menu links to the API docs; their scripts must be served by Qudao itself."""
    page = open_page()
    log_in(page, "demo-boss")
    page.click('[data-testid="user-menu"]')
    with page.expect_navigation() as navigation:
        page.click(f'a.dropdown-item[href="{API_DOCS}"]')
    assert navigation.value is not None and navigation.value.status == 200
    page.wait_for_load_state("networkidle")
    watch(page).assert_clean("API docs")
    expect(page.locator(".swagger-ui")).to_be_visible()
