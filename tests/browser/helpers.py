"""What the browser tests do on a page: log in, read the navigation, open pages, check them.

Nothing here hard-codes which pages exist: the sidebar's `data-nav` links are read from the
DOM at run time, so new pages (parties, catalog, …) are walked as soon as they appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import NoReverseMatch, reverse
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect

DEMO_PASSWORD = "qudao-demo-2026"
MAIN_ORG = "江南渠道商贸有限公司"
BRANCH_ORG = "江南渠道·合肥分公司"
LANGUAGES = ("zh-hans", "en")

MEMBERS = "tenancy-member-list"
ACTIVITY = "tenancy-activity"
TOKENS = "tenancy-token-list"
PORTAL = "portal-home"
CUSTOMERS = "parties-customer-list"
API_DOCS = "/api/v1/docs"


@dataclass(frozen=True)
class DemoUser:
    """A demo login and what its role must (and must not) find in the sidebar."""

    key: str
    username: str
    external: bool
    must_see: frozenset[str]
    must_not_see: frozenset[str]

    @property
    def landing(self) -> str:
        return "/portal/" if self.external else "/"


_BOSS_HIDDEN = frozenset({PORTAL})
_FINANCE_HIDDEN = frozenset({MEMBERS, PORTAL})
_STAFF_HIDDEN = frozenset({MEMBERS, ACTIVITY, PORTAL})
_EXTERNAL_HIDDEN = frozenset({MEMBERS, ACTIVITY, CUSTOMERS})

DEMO_USERS: dict[str, DemoUser] = {
    user.key: user
    for user in (
        DemoUser("boss", "demo-boss", False, frozenset({MEMBERS, ACTIVITY, TOKENS}), _BOSS_HIDDEN),
        DemoUser("rep", "demo-rep", False, frozenset({TOKENS}), _STAFF_HIDDEN),
        DemoUser("finance", "demo-finance", False, frozenset({ACTIVITY, TOKENS}), _FINANCE_HIDDEN),
        DemoUser("warehouse", "demo-warehouse", False, frozenset({TOKENS}), _STAFF_HIDDEN),
        DemoUser("service", "demo-service", False, frozenset({TOKENS}), _STAFF_HIDDEN),
        DemoUser("viewer", "demo-viewer", False, frozenset({TOKENS}), _STAFF_HIDDEN),
        DemoUser("maker", "demo-maker", True, frozenset({PORTAL}), _EXTERNAL_HIDDEN),
        DemoUser("shop", "demo-shop", True, frozenset({PORTAL}), _EXTERNAL_HIDDEN),
    )
}
# An external user's sidebar holds the portal and nothing of the distributor's own work.
# (roles.py grants API tokens to external users too, for their integrations.)
EXTERNAL_ALLOWED = frozenset(
    {PORTAL, TOKENS, "portal-statement-list", "portal-consignment", "portal-account"}
)


def url_of(url_name: str) -> str | None:
    """The page's URL, or None while that page is not built yet."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


class PageWatch:
    """Collects what goes wrong behind a page's back: script errors, failed or foreign requests."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("requestfailed", self._failed)
        page.on("request", self._request)

    def _failed(self, request: Request) -> None:
        # a navigation (a reload, a redirect after a form) cancels what the last page was still
        # fetching: that is the browser's doing, not a broken page
        if request.failure == "net::ERR_ABORTED" and request.resource_type != "document":
            return
        self.problems.append(f"failed: {request.url} {request.failure}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _request(self, request: Request) -> None:
        # Qudao vendors its front-end files: nothing may be fetched from outside.
        # (Chromium resolves no outside host here, see conftest.CHROMIUM_ARGS.)
        if not re.match(r"^(http://(localhost|127\.0\.0\.1)[:/]|data:|blob:)", request.url):
            self.problems.append(f"request leaves the server: {request.url}")

    def reset(self) -> None:
        self.problems.clear()

    def assert_clean(self, where: str) -> None:
        problems, self.problems = self.problems, []
        assert not problems, f"{where}: {problems}"


def watch(page: Page) -> PageWatch:
    return page.watch  # type: ignore[attr-defined,no-any-return]


def path_of(page: Page) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def assert_page_ok(page: Page, response: Response | None, where: str) -> None:
    """The page answered below 400, is no error page, and nothing failed behind it."""
    assert response is not None, f"{where}: no response"
    assert response.status < 400, f"{where}: HTTP {response.status} at {response.url}"
    title = page.title()
    assert not re.match(r"^\s*(40\d|500)\b", title), f"{where}: error page {title!r}"
    assert page.locator(".empty-header").count() == 0, f"{where}: error page at {page.url}"
    body = page.locator("body").inner_text()
    for marker in ("Traceback", "Server Error", "TemplateSyntaxError", "NoReverseMatch"):
        assert marker not in body, f"{where}: {marker!r} on {page.url}"
    watch(page).assert_clean(where)


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> Response | None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation() as navigation:
        page.click('form[action$="/login/"] button[type=submit]')
    return navigation.value


def log_out(page: Page) -> None:
    page.click('[data-testid="user-menu"]')
    with page.expect_navigation():
        page.click('[data-testid="logout"]')


def nav_links(page: Page) -> dict[str, str]:
    """{url name: href} of every sidebar entry in the page, in order."""
    pairs = page.eval_on_selector_all(
        "a[data-nav]", "links => links.map(a => [a.dataset.nav, a.getAttribute('href')])"
    )
    return dict(pairs)


def user_menu_links(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        '[data-testid="user-menu"] + .dropdown-menu a.dropdown-item[href]',
        "links => links.map(a => a.getAttribute('href'))",
    )


def switch_language(page: Page) -> Response | None:
    """Press the language button in the top bar; Django's set_language brings us back."""
    with page.expect_navigation() as navigation:
        page.click('[data-testid="language-switch"]')
    return navigation.value


def check_sidebar(page: Page, user: DemoUser) -> dict[str, str]:
    """The role sees what it must, nothing it must not; returns {url name: href}."""
    links = nav_links(page)
    visible = set(links)
    must_see = {name for name in user.must_see if url_of(name) is not None}
    assert must_see <= visible, f"{user.username} misses {sorted(must_see - visible)}"
    assert not visible & user.must_not_see, (
        f"{user.username} must not see {sorted(visible & user.must_not_see)}"
    )
    if user.external:
        extra = sorted(visible - EXTERNAL_ALLOWED)
        assert not extra, f"{user.username} sees {extra}"
    elif url_of(CUSTOMERS) is not None:
        assert CUSTOMERS in visible, f"{user.username} should see the customer list"
    return links


@dataclass
class Camera:
    """Saves a full-page screenshot of each page visited, with a readable name."""

    folder: Path | None = None
    taken: list[Path] = field(default_factory=list)

    def shoot(self, page: Page, role: str, language: str, name: str) -> None:
        if self.folder is None:
            return
        target = self.folder / role / language
        target.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^\w-]+", "-", name).strip("-") or "page"
        path = target / f"{len(list(target.iterdir())) + 1:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        self.taken.append(path)


def walk_shell(
    page: Page, user: DemoUser, language: str, camera: Camera | None = None
) -> dict[str, str]:
    """Open the landing page, then every sidebar entry and user-menu link, checking each.

    The page must be logged in and show `language`; each page is opened once (by its link,
    as a user would) and the walk ends on the sidebar's last page. Returns {url name: href}.
    """
    camera = camera or Camera()
    if urlsplit(page.url).path != user.landing:
        with page.expect_navigation() as navigation:
            page.click(".qd-brand")
        assert_page_ok(page, navigation.value, f"{user.username} home link [{language}]")
    assert urlsplit(page.url).path == user.landing, f"{user.username} lands on {page.url}"
    assert html_lang(page) == language
    watch(page).assert_clean(f"{user.username} landing [{language}]")
    camera.shoot(page, user.key, language, "portal" if user.external else "home")
    visited = {user.landing}

    links = check_sidebar(page, user)
    for name, href in links.items():
        if href in visited:
            continue
        where = f"{user.username} → {name} [{language}]"
        with page.expect_navigation() as navigation:
            page.click(f'a[data-nav="{name}"]')
        assert_page_ok(page, navigation.value, where)
        assert urlsplit(page.url).path == href, where
        assert html_lang(page) == language, where
        expect(page.locator(f'li.nav-item.active > a[data-nav="{name}"]')).to_have_count(1)
        assert check_sidebar(page, user) == links, f"{where}: the sidebar changed"
        camera.shoot(page, user.key, language, name)
        visited.add(href)

    last = page.url
    others = [h for h in user_menu_links(page) if h not in visited and not h.startswith(API_DOCS)]
    for href in others:  # the API docs are their own test: test_api_documentation_*
        response = page.goto(href)
        assert_page_ok(page, response, f"{user.username} user menu → {href} [{language}]")
        camera.shoot(page, user.key, language, f"menu-{href}")
    if others:
        page.goto(last)
    return links


def assert_forbidden_pages_refused(page: Page, user: DemoUser) -> None:
    """Typing the URL of a page the role may not have gets the 403 page, inside the shell."""
    for name in sorted(user.must_not_see):
        url = url_of(name)
        if url is None:
            continue
        response = page.goto(url)
        assert response is not None
        assert response.status == 403, f"{user.username} opened {url}: HTTP {response.status}"
        expect(page.locator(".empty-header")).to_have_text("403")
        expect(page.locator('[data-testid="user-menu"]')).to_be_visible()
        watch(page).reset()
