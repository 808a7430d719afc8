"""Every page of the built website, opened in headless Chromium with the network off.

Each page must load with no JavaScript error and no failed request, fetch nothing from beyond the
site, show rendered MathJax wherever it has math (and no MathJax error), and give every image an
alt text.
"""
import pytest
from browser import PageWatch
from website import KNOWN_HARMLESS_CONSOLE, SITE

pytestmark = pytest.mark.site

# The search page and the index are Sphinx's own; viewcode's source pages have no math.
PAGES = sorted(
    str(p.relative_to(SITE))
    for p in SITE.rglob("*.html")
    if not str(p.relative_to(SITE)).startswith(("_static", "_sources", "_images"))
) if SITE.exists() else []


def _open(browser, url, path):
    context = browser.new_context(offline=False)
    page = context.new_page()
    watch = PageWatch(page, url, ignore_console=KNOWN_HARMLESS_CONSOLE)
    # Anything that tries to leave 127.0.0.1 is aborted and recorded: the site must work offline.
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) or route.request.url.startswith("data:") else route.abort())
    page.goto(url + path, wait_until="load")
    return context, page, watch


def test_the_site_has_pages():
    assert "index.html" in PAGES and "book/preface.html" in PAGES, "run `make build` first"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_offline(browser, site_url, path):
    context, page, watch = _open(browser, site_url, path)
    try:
        html = (SITE / path).read_text(encoding="utf-8")
        if 'class="math' in html:
            # MathJax typesets asynchronously: wait for its promise, then look at the result.
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
            page.evaluate("() => MathJax.startup.promise")
            assert page.locator("mjx-container").count() > 0, f"{path}: math on the page but none rendered"
            assert page.locator("mjx-merror").count() == 0, f"{path}: MathJax reports an error in an equation"
        page.wait_for_load_state("networkidle")
        assert not watch.problems(), f"{path}: {watch.problems()}"
        missing_alt = page.eval_on_selector_all(
            "main img", "imgs => imgs.filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src)"
        )
        assert not missing_alt, f"{path}: images without alt text: {missing_alt}"
    finally:
        context.close()
