"""The explorers on the built website: they respond to real input and match NumPy, offline.

For every chapter page that carries an explorer (``div.vfs-explorer``): each slider, moved by key
presses, redraws a canvas and updates its displayed value; each list of conditions, changed by key
presses, redraws; every decoder explorer's JavaScript
forward pass equals the package's NumPy forward pass on the weights inlined in the page to 1e-5;
and axe-core finds no serious or critical accessibility violation on chapter pages. Redraw times
are measured in the page and written to ``_build/explorer_redraw_ms.txt`` (reported, not asserted:
speed belongs to benchmarks, not to pass/fail tests).
"""
import base64
import json

import numpy as np
import pytest
from browser import PageWatch, axe_violations
from website import KNOWN_HARMLESS_CONSOLE, SITE

from vae_from_scratch.nn import mlp, sigmoid

pytestmark = pytest.mark.site

CHAPTERS = sorted(str(p.relative_to(SITE)) for p in (SITE / "notebooks").glob("*.html")) if SITE.exists() else []
WITH_EXPLORERS = [p for p in CHAPTERS if "vfs-explorer" in (SITE / p).read_text(encoding="utf-8")]
# One line per slider move: page, explorer, slider, milliseconds. `make site` empties it first and
# summarises it after; tests append (two xdist workers may write to it).
REPORT = SITE.parent / "explorer_redraw_ms.txt"


def _config_of(script_text):
    # explorer_script() ends with "start(root, <JSON>);\n}\n})();"
    start = script_text.rindex("start(root, ") + len("start(root, ")
    end = script_text.rindex(");\n}\n})();")
    return json.loads(script_text[start:end])


def _numpy_decoder(config):
    def array(text, shape):
        return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float64).reshape(shape)

    chain = [(array(l["W"], (l["n_in"], l["n_out"])), array(l["b"], (l["n_out"],))) for l in config["decoder"]["layers"]]
    return lambda z: sigmoid(mlp(chain, z, config["decoder"]["activation"]))


# What a reader sees change: every canvas's pixels and the bars (their lengths and numbers).
VIEW_STATE = """el => [...el.querySelectorAll('canvas')].map(c => c.toDataURL())
    .concat([...el.querySelectorAll('.vfs-views')].map(v => v.innerHTML))"""


def test_the_book_has_explorers():
    assert WITH_EXPLORERS, "no chapter page carries an explorer; run `make build` first"


@pytest.mark.parametrize("path", WITH_EXPLORERS)
def test_every_slider_redraws_and_decoders_match_numpy(browser, site_url, path):
    context = browser.new_context()
    page = context.new_page()
    watch = PageWatch(page, site_url, ignore_console=KNOWN_HARMLESS_CONSOLE)
    page.goto(site_url + path, wait_until="load")
    redraws = []
    roots = page.locator("div.vfs-explorer")
    assert roots.count() > 0
    for r in range(roots.count()):
        root = roots.nth(r)
        root.scroll_into_view_if_needed()
        sliders = root.locator("input.vfs-range")
        assert sliders.count() > 0, f"{path}: explorer {r} has no slider"
        for s in range(sliders.count()):
            slider = sliders.nth(s)
            before = root.evaluate(VIEW_STATE)
            shown_before = root.locator("output").nth(s).inner_text()
            at_max = slider.evaluate("el => Number(el.value) >= Number(el.max)")
            slider.focus()
            for _ in range(5):
                page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
            after = root.evaluate(VIEW_STATE)
            assert after != before, f"{path}: explorer {r}, slider {s} moved but nothing redrew"
            assert root.locator("output").nth(s).inner_text() != shown_before, f"{path}: slider {s}'s value display did not change"
            redraws.append(f"{path}\t{r}\t{s}\t{root.evaluate('el => el.vaeLastRedrawMs'):.2f}\n")
        choices = root.locator("select.vfs-select")
        for s in range(choices.count()):  # a conditional decoder's list of conditions
            choice = choices.nth(s)
            before, chosen = root.evaluate(VIEW_STATE), choice.input_value()
            choice.focus()
            page.keyboard.press("ArrowUp" if choice.evaluate("el => el.selectedIndex === el.options.length - 1")
                                else "ArrowDown")
            assert choice.input_value() != chosen, f"{path}: explorer {r}, list {s} did not change with the keyboard"
            assert root.evaluate(VIEW_STATE) != before, f"{path}: explorer {r}, list {s} changed but nothing redrew"
            redraws.append(f"{path}\t{r}\tlist {s}\t{root.evaluate('el => el.vaeLastRedrawMs'):.2f}\n")
        if root.evaluate("el => typeof el.vaeDecode === 'function'"):
            config = _config_of(root.locator("script").inner_text())
            decode = _numpy_decoder(config)
            latent_dim = config["decoder"]["layers"][0]["n_in"]
            z = np.random.default_rng(0).uniform(-2.5, 2.5, size=(5, latent_dim))
            js = np.array([root.evaluate("(el, z) => Array.from(el.vaeDecode(z))", list(point)) for point in z])
            np.testing.assert_allclose(js, decode(z), atol=1e-5, err_msg=f"{path}: explorer {r}'s decoder differs from NumPy")
    assert not watch.problems(), f"{path}: {watch.problems()}"
    context.close()
    with REPORT.open("a") as report:
        report.writelines(redraws)


# Every chapter in both themes: in the dark one the theme draws HTML outputs (the explorers) on a
# light panel, which their colours must survive.
AXE_PAGES = [(p, scheme) for p in CHAPTERS for scheme in ("light", "dark")]


@pytest.mark.parametrize("path, scheme", AXE_PAGES)
def test_chapter_page_has_no_serious_accessibility_violation(browser, site_url, path, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(site_url + path, wait_until="load")
    violations = axe_violations(page)
    context.close()
    assert not violations, f"{path} ({scheme}): {json.dumps(violations, indent=1)[:3000]}"
