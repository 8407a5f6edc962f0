"""Visit pages in Debian's chromium at several widths, and note what a reader would trip on: an error status or a
redirect elsewhere, a page wider than the window, a header link out of sight (after opening the menu, if the
header folds its links behind one), and axe-core's serious and critical violations, every rule on. Optionally
write a full-page screenshot of each.

Used by the browser gate (tests/e2e/test_every_page.py) and by `make screenshots` (tools/screenshots.py). It
drives Playwright's async API on a thread of its own, several pages at once: a few hundred pages at two widths
take minutes one after the other, and the server and the browser each wait on the other half of the time.
axe-core comes from tests/e2e/axe (its npm package, unchanged); the browser fetches it at an address of the site
that Playwright answers from that file, so that the pages' content security policy stays in force.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tools.pages import Page

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AXE = PROJECT_ROOT / "tests" / "e2e" / "axe" / "axe.min.js"
AXE_PATH = "/__axe-core__/axe.min.js"  # answered by Playwright, never by the server
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium tries to reach Google's services and, on a closed network, its
# connections are refused. The browser tests (tests/e2e/conftest.py) launch it with the same flags.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A desktop and a phone (an iPhone 12–15's CSS pixels).
VIEWPORTS = {1366: {"width": 1366, "height": 900}, 390: {"width": 390, "height": 844}}
SERIOUS = ("serious", "critical")

# The header's links that a reader cannot see: empty boxes, hidden, or beyond the window's width.
HIDDEN_HEADER_LINKS = """() => {
    const header = document.querySelector('#header') || document.querySelector('header');
    if (!header) return null;
    const width = window.innerWidth;
    return [...header.querySelectorAll('a[href]')].filter((link) => {
        const box = link.getBoundingClientRect();
        const style = getComputedStyle(link);
        return !(box.width > 0 && box.height > 0 && box.left >= -0.5 && box.right <= width + 0.5
                 && style.visibility !== 'hidden' && Number(style.opacity) > 0);
    }).map((link) => `${(link.textContent || '').trim().replace(/\\s+/g, ' ') || link.getAttribute('aria-label')}`
                     + ` (${link.getAttribute('href')})`);
}"""
# The toggles of a header that folds its links: closed <details> and collapsed buttons.
HEADER_TOGGLES = ":is(#header, header) details:not([open]) > summary, :is(#header, header) [aria-expanded='false']"
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => ({
        id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
        targets: v.nodes.slice(0, 3).map((node) => node.target.join(' ')),
    }));
}"""
WIDTHS = """() => [document.documentElement.scrollWidth, window.innerWidth]"""


def _view_name(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        return resolve(path).view_name
    except Resolver404:
        return path


@dataclass
class Visit:
    """What one page showed at one width."""

    page: Page
    width: int
    status: int | None = None
    final_path: str = ""
    scroll_width: int = 0
    inner_width: int = 0
    header_found: bool = True
    hidden_links: list[str] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        """Each thing that fails the gate, in a sentence; none for a page that passes."""
        if self.error:
            return [f"error: {self.error}"]
        found = []
        if self.status is None or self.status >= 400:
            found.append(f"status {self.status}")
        if _view_name(self.final_path) != _view_name(self.page.path):
            # Sent to another page (a login page, most likely); a redirect within the same view is fine (a password
            # reset link goes on to its form at another address).
            found.append(f"ended at {self.final_path} instead of {self.page.path}")
        if self.scroll_width > self.inner_width:
            found.append(f"horizontal scroll: scrollWidth {self.scroll_width} > innerWidth {self.inner_width}")
        if not self.header_found:
            found.append("no header (#header or <header>)")
        if self.hidden_links:
            found.append("header links out of sight: " + "; ".join(self.hidden_links))
        for violation in self.violations:
            found.append(
                f"axe {violation['id']} ({violation['impact']}, {violation['count']} element(s)): "
                f"{violation['help']} — e.g. {' | '.join(violation['targets'])}"
            )
        return found


async def _visit(context, base_url: str, page: Page, width: int, screenshots: Path | None, check: bool) -> Visit:
    from urllib.parse import urlsplit

    visit = Visit(page, width)
    loop = asyncio.get_running_loop()
    started = loop.time()
    tab = await context.new_page()
    try:
        response = await tab.goto(base_url + page.path, wait_until="load")
        visit.status = response.status if response else None
        visit.final_path = urlsplit(tab.url).path
        if screenshots is not None:
            folder = screenshots / str(width)
            folder.mkdir(parents=True, exist_ok=True)
            await tab.screenshot(path=str(folder / f"{page.file_stem}.png"), full_page=True)
        if check:
            visit.scroll_width, visit.inner_width = await tab.evaluate(WIDTHS)
            await tab.add_script_tag(url=base_url + AXE_PATH)
            visit.violations = await tab.evaluate(AXE_RUN)
            hidden = await tab.evaluate(HIDDEN_HEADER_LINKS)
            if hidden is None:
                visit.header_found = False
            elif hidden:
                # A header that folds its links behind a menu: open it as a reader would, then look again.
                toggles = tab.locator(HEADER_TOGGLES)
                for index in range(await toggles.count()):
                    toggle = toggles.nth(index)
                    if await toggle.is_visible():
                        await toggle.click()
                hidden = await tab.evaluate(HIDDEN_HEADER_LINKS)
            visit.hidden_links = hidden or []
    except Exception as error:  # noqa: BLE001  (reported as the page's failure, the others go on)
        visit.error = f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        await tab.close()
        visit.seconds = loop.time() - started
    return visit


async def _visit_all(base_url, cookies, pages, widths, concurrency, screenshots, check, progress):
    from playwright.async_api import async_playwright

    axe = AXE.read_text()

    async def serve_axe(route):
        await route.fulfill(status=200, content_type="text/javascript", body=axe)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = {}
        for width in widths:
            for anonymous in (False, True):
                context = await browser.new_context(locale="fr-FR", viewport=VIEWPORTS[width])
                context.set_default_timeout(60_000)
                await context.route(base_url + AXE_PATH, serve_axe)
                if not anonymous:
                    await context.add_cookies(cookies)
                contexts[width, anonymous] = context
        limit = asyncio.Semaphore(concurrency)

        async def one(page, width):
            async with limit:
                visit = await _visit(contexts[width, page.anonymous], base_url, page, width, screenshots, check)
                if progress:
                    progress(visit)
                return visit

        visits = await asyncio.gather(*(one(page, width) for width in widths for page in pages))
        await browser.close()
    return {(visit.page.name, visit.width): visit for visit in visits}


def visit_pages(
    base_url: str,
    cookies: list[dict],
    pages: list[Page],
    *,
    widths=(1366, 390),
    concurrency: int = 3,
    screenshots: Path | None = None,
    check: bool = True,
    progress=None,
) -> dict[tuple[str, int], Visit]:
    """{(page name, width): Visit} for every page at every width. ``cookies`` are a logged-in session's, as
    Playwright's ``add_cookies`` takes them (pages marked anonymous are visited without them). Runs on a thread of
    its own, so that it does not meet the event loop of a synchronous Playwright in the caller's."""
    outcome = {}

    def run():
        try:
            outcome["visits"] = asyncio.run(
                _visit_all(base_url, cookies, pages, widths, concurrency, screenshots, check, progress)
            )
        except BaseException as error:  # noqa: BLE001  (raised again in the caller's thread)
            outcome["error"] = error

    thread = threading.Thread(target=run, name="page-checks")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["visits"]
