"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in the main thread, so Django's async-safety check
would refuse the ORM calls our fixtures make; it is switched off for these tests only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from tests.browser.helpers import PageWatch  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Nothing outside the live server resolves: a page that needs the internet shows it at once.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1366, "height": 900}
# ECharts draws with a one-second animation; screenshots must show the finished chart.
STILL_CHARTS = """
(() => {
  let echarts;
  const still = (lib) => {
    if (!lib || lib.__qdStill || typeof lib.init !== "function") return lib;
    const init = lib.init;
    lib.init = function (...args) {
      const chart = init.apply(this, args);
      const setOption = chart.setOption;
      chart.setOption = function (option, ...rest) {
        if (option && typeof option === "object") option.animation = false;
        return setOption.call(this, option, ...rest);
      };
      return chart;
    };
    lib.__qdStill = true;
    return lib;
  };
  Object.defineProperty(window, "echarts", {
    configurable: true,
    get: () => still(echarts),
    set: (value) => { echarts = value; },
  });
})();
"""
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One Chromium for the whole session; each test gets its own clean context."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(append_only_flushable: None) -> None:
    """The small demo data set: both organizations and a user for every role."""
    from qudao.shell.demo import build

    build(size="small")


@pytest.fixture
def open_page(
    chromium: Browser, live_server: object, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """open_page(phone=False) → a fresh page (own cookies) whose base URL is the live server.

    The browser speaks Chinese (Accept-Language zh-CN), like the people Qudao is built for.
    Every page collects JavaScript errors and failed requests; the test checks them.
    """
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def make(*, phone: bool = False) -> Page:
        context = chromium.new_context(
            base_url=str(live_server),
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=1,
        )
        context.set_default_timeout(10_000)
        context.add_init_script(STILL_CHARTS)
        contexts.append(context)
        page = context.new_page()
        page.watch = PageWatch(page)  # type: ignore[attr-defined]
        pages.append(page)
        return page

    yield make
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for index, page in enumerate(pages):
            try:
                page.screenshot(path=str(folder / f"{name}-{index}.png"), full_page=True)
            except Exception:  # noqa: BLE001 — a failure screenshot is best effort
                pass
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Keep the call report on the item so fixtures can save a screenshot of a failure."""
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
