"""Every role logs in, walks its whole sidebar in both languages, and logs out.

The walk saves a screenshot of every page it opens, per role and language, under
test-artifacts/screenshots/<role>/<language>/ (01-home.png, 02-parties-customer-list.png, …).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import (
    DEMO_USERS,
    Camera,
    assert_forbidden_pages_refused,
    assert_page_ok,
    html_lang,
    log_in,
    log_out,
    path_of,
    switch_language,
    walk_shell,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]
SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.mark.parametrize("key", list(DEMO_USERS))
def test_each_role_walks_its_navigation_in_both_languages_and_logs_out(
    open_page: Callable[..., Page], key: str
) -> None:
    user = DEMO_USERS[key]
    shutil.rmtree(SCREENSHOTS / key, ignore_errors=True)
    camera = Camera(SCREENSHOTS)
    page = open_page()

    # given: logged in, in the default language
    response = log_in(page, user.username)
    assert_page_ok(page, response, f"{user.username} after login")
    assert urlsplit(page.url).path == user.landing
    assert html_lang(page) == "zh-hans"
    expect(page.locator('[data-testid="language-switch"]')).to_have_text("English")
    switcher = page.locator('[data-testid="org-switcher"]')
    expect(switcher).to_have_count(1 if key == "boss" else 0)  # only the boss has two orgs

    # when / then: every page of the sidebar opens, in Chinese …
    walked_zh = walk_shell(page, user, "zh-hans", camera)

    # … the language button switches to English and stays on the same page …
    before = path_of(page)
    assert_page_ok(page, switch_language(page), f"{user.username} switches to English")
    assert path_of(page) == before
    assert html_lang(page) == "en"
    expect(page.locator('[data-testid="language-switch"]')).to_have_text("中文")

    # … and every page opens in English too, with the same entries
    walked_en = walk_shell(page, user, "en", camera)
    assert list(walked_en) == list(walked_zh)

    assert_page_ok(page, switch_language(page), f"{user.username} switches back to Chinese")
    assert html_lang(page) == "zh-hans"

    # and the pages the role must not have are refused when their address is typed in
    assert_forbidden_pages_refused(page, user)

    # when: logging out
    page.goto(user.landing)
    log_out(page)

    # then: back at the login page, and the shell is closed
    assert urlsplit(page.url).path == "/login/"
    expect(page.locator('[data-testid="user-menu"]')).to_have_count(0)
    page.goto(user.landing)
    assert urlsplit(page.url).path == "/login/"
    assert camera.taken, "screenshots were saved"
