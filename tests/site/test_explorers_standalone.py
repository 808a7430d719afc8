"""The explorers in a real browser: standalone pages in a tmp folder, served on 127.0.0.1.

Checks that the page's own decoder equals NumPy's, that real key presses and mouse drags move
the sliders and redraw the canvases, that explorers on one page keep to themselves, that the page
logs no error and asks the network for nothing but itself, and that axe-core finds no serious or
critical accessibility problem in light or dark page themes. Redraw times are printed (``-s``),
not asserted.
"""
import html
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))  # for browser.py, whatever pytest's import mode

from browser import PageWatch, axe_violations, serve_directory  # noqa: E402

from vae_from_scratch import nn  # noqa: E402
from vae_from_scratch.interactive import (  # noqa: E402
    decode_mean,
    interpolation_explorer,
    latent_explorer,
    table_explorer,
)

pytestmark = pytest.mark.site

Z_POINTS = np.random.default_rng(7).uniform(-3, 3, size=(6, 5))  # enough columns for every decoder input


def decoder_with_biases(sizes, seed, gaussian=False):
    """Glorot weights plus non-zero biases, so that every z gives a different, non-flat image."""
    rng = np.random.default_rng(seed)
    if gaussian:
        params = nn.init_gaussian_mlp(sizes[0], list(sizes[1:-1]), sizes[-1], rng, init="glorot")
    else:
        params = nn.init_mlp(list(sizes), rng, init="glorot")
    return [(W, b + 0.5 * rng.standard_normal(b.shape)) for W, b in params]


BERNOULLI = decoder_with_biases((2, 200, 64), seed=0)
OTHER_BERNOULLI = decoder_with_biases((2, 200, 64), seed=5)
GAUSSIAN = decoder_with_biases((3, 30, 20), seed=1, gaussian=True)
CONDITIONAL = decoder_with_biases((5, 60, 64), seed=3)  # input [z (2), one-hot c (3)]
ONE_HOT = {str(k): np.eye(3)[k] for k in range(3)}


def manifold(decoder, n=10):
    """Decoded means on an n × n grid of [−3, 3]², row 0 at the top: the plane's background."""
    values = np.linspace(-3, 3, n)
    rows = [np.hstack([decode_mean(decoder, [z1, z2]).reshape(8, 8) for z1 in values]) for z2 in values[::-1]]
    return np.vstack(rows)


def gap_outputs(mu, log_sigma):
    """Toy ELBO gap: p(z) = N(0, 1), p(x|z) = N(x; z, 1) at x = 1, q = N(mu, exp(log_sigma)²)."""
    x, s2 = 1.0, np.exp(2 * log_sigma)
    log_px = -0.5 * np.log(2 * np.pi * 2) - x**2 / 4
    elbo = -0.5 * np.log(2 * np.pi) - 0.5 * ((x - mu) ** 2 + s2) - 0.5 * (mu**2 + s2 - 1 - 2 * log_sigma)
    grid = np.linspace(-3, 3, 40)
    return {
        "ELBO": elbo,
        "log p(x)": log_px,
        "KL gap": log_px - elbo,
        "shade of mu": np.full((3, 3), 1 / (1 + np.exp(-mu))),
        "curve of sigma": (grid, np.exp(-0.5 * grid**2 / s2)),
    }


TABLE_SLIDERS = {"mu": np.linspace(-1, 2, 13), "log_sigma": np.linspace(-2, 0.5, 11)}

EXPLORERS = {
    "latent2d": lambda: [latent_explorer(BERNOULLI, (8, 8), z0=[0.3, -0.6], background=manifold(BERNOULLI))],
    "latent_gaussian": lambda: [
        latent_explorer(GAUSSIAN, (4, 5), likelihood="gaussian", activation="relu", title="Gaussian decoder")
    ],
    "interpolation": lambda: [interpolation_explorer(BERNOULLI, [-2.0, 1.0], [2.0, -1.5], (8, 8))],
    "table": lambda: [
        table_explorer(TABLE_SLIDERS, gap_outputs, title="The ELBO gap", slider_labels={"log_sigma": "log σ"})
    ],
    "two": lambda: [
        latent_explorer(BERNOULLI, (8, 8), title="First"),
        latent_explorer(OTHER_BERNOULLI, (8, 8), title="Second"),
    ],
    "conditional": lambda: [
        latent_explorer(CONDITIONAL, (8, 8), conditions=ONE_HOT, condition="1", condition_name="digit",
                        title="Conditional decoder")
    ],
}
DECODERS = {
    "latent2d": [BERNOULLI],
    "latent_gaussian": [GAUSSIAN],
    "interpolation": [BERNOULLI],
    "two": [BERNOULLI, OTHER_BERNOULLI],
    "conditional": [CONDITIONAL],
}
LIKELIHOODS = {"latent_gaussian": ("gaussian", "relu")}


def standalone_page(title, explorers, dark=False):
    theme = ' style="background:#121212;color:#e8e8e8;color-scheme:dark"' if dark else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{html.escape(title)}</title></head>'
        f"<body{theme}><main><h1>{html.escape(title)}</h1>"
        + "".join(e.html for e in explorers)
        + "</main></body></html>"
    )


@pytest.fixture(scope="module")
def explorers_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explorers")
    for name, make in EXPLORERS.items():
        explorers = make()
        (folder / f"{name}.html").write_text(standalone_page(name, explorers), encoding="utf-8")
        (folder / f"{name}-dark.html").write_text(standalone_page(name, explorers, dark=True), encoding="utf-8")
    with serve_directory(folder) as (url, _stop):
        yield url


@pytest.fixture
def open_page(browser, explorers_url):
    # ``browser`` is the session's one Chromium (tests/site/conftest.py): a second sync_playwright
    # in the same process would fail ("Sync API inside the asyncio loop").
    """Opens a served page; returns (page, watch). Pages close when the test ends."""
    pages = []

    def open_(name, dark=False):
        page = browser.new_page(color_scheme="dark" if dark else "light")
        watch = PageWatch(page, explorers_url)
        page.goto(explorers_url + name)
        pages.append(page)
        return page, watch

    yield open_
    for page in pages:
        page.close()


def assert_page_behaved(watch, explorers_url, name):
    assert not watch.problems(), watch.problems()
    assert watch.requests == [explorers_url + name]


def root(page, k=0):
    return page.locator(".vfs-explorer").nth(k)


def data_url(locator):
    return locator.evaluate("(canvas) => canvas.toDataURL()")


def grey_pixels(locator):
    return np.array(locator.evaluate(
        "(c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).filter((_, i) => i % 4 === 0)"
    ))


def press(page, slider, key, times):
    slider.focus()
    for _ in range(times):
        page.keyboard.press(key)


def report_redraw(page, k, what):
    ms = root(page, k).evaluate("(r) => r.vaeLastRedrawMs")
    print(f"\n[redraw] {what}: {ms:.2f} ms")
    return ms


@pytest.mark.parametrize("name", ["latent2d", "latent_gaussian", "interpolation", "two", "conditional"])
def test_the_pages_decoder_equals_numpys(open_page, explorers_url, name):
    page, watch = open_page(f"{name}.html")
    for k, decoder in enumerate(DECODERS[name]):
        likelihood, activation = LIKELIHOODS.get(name, ("bernoulli", "tanh"))
        n_latent = decoder[0][0].shape[0]
        z = Z_POINTS[:, :n_latent]
        decode_in_page = "(r, zs) => zs.map((z) => Array.from(r.vaeDecode(z)))"
        in_page = np.array(root(page, k).evaluate(decode_in_page, z.tolist()))
        error = np.abs(in_page - decode_mean(decoder, z, likelihood, activation)).max()
        print(f"\n[decoder] {name}[{k}]: max |JS - NumPy| = {error:.2e}")
        assert error < 1e-5
    assert_page_behaved(watch, explorers_url, f"{name}.html")


@pytest.mark.parametrize(
    "name, z0, step", [("latent2d", [0.3, -0.6], 0.03), ("latent_gaussian", [0.0, 0.0, 0.0], 0.03)]
)
def test_arrow_keys_move_each_latent_slider_and_redraw(open_page, explorers_url, name, z0, step):
    page, watch = open_page(f"{name}.html")
    likelihood, activation = LIKELIHOODS.get(name, ("bernoulli", "tanh"))
    (decoder,) = DECODERS[name]
    image = root(page).locator("canvas.vfs-image")
    assert image.evaluate("(c) => getComputedStyle(c).imageRendering") == "pixelated"
    z = np.array(z0)
    for j in range(len(z0)):
        slider = root(page).locator("input.vfs-range").nth(j)
        shown = root(page).locator("output.vfs-value").nth(j)
        before_image, before_text = data_url(image), shown.inner_text()
        press(page, slider, "ArrowRight", 5)
        z[j] += 5 * step
        assert shown.inner_text() == f"{z[j]:.2f}" != before_text
        assert data_url(image) != before_image
        expected = np.round(255 * decode_mean(decoder, z, likelihood, activation))
        assert np.abs(grey_pixels(image) - expected).max() <= 1
        assert f"{z[j]:.2f}" in image.get_attribute("aria-label")
        report_redraw(page, 0, f"{name} slider z{j + 1}")
    assert_page_behaved(watch, explorers_url, f"{name}.html")


def test_the_condition_list_is_keyboard_operable_and_redraws(open_page, explorers_url):
    page, watch = open_page("conditional.html")
    image, choice = root(page).locator("canvas.vfs-image"), root(page).locator("select.vfs-select")
    assert choice.evaluate("(s) => s.closest('label').innerText.trim()").startswith("digit")
    z = np.zeros(2)
    for label in ("1", "2", "1", "0"):  # starts at 1; down, up, up
        if label != "1" or choice.input_value() != "1":
            before = data_url(image)
            key = "ArrowDown" if int(label) > int(choice.input_value()) else "ArrowUp"
            choice.focus()
            page.keyboard.press(key)
            assert data_url(image) != before
        assert choice.input_value() == label
        expected = np.round(255 * decode_mean(CONDITIONAL, np.concatenate([z, ONE_HOT[label]])))
        assert np.abs(grey_pixels(image) - expected).max() <= 1
        assert image.get_attribute("aria-label").endswith(f"given digit {label}")
    press(page, root(page).locator("input.vfs-range").nth(0), "ArrowRight", 10)  # the sliders still move z
    z[0] += 10 * 0.03
    expected = np.round(255 * decode_mean(CONDITIONAL, np.concatenate([z, ONE_HOT["0"]])))
    assert np.abs(grey_pixels(image) - expected).max() <= 1
    report_redraw(page, 0, "conditional: the condition list")
    assert_page_behaved(watch, explorers_url, "conditional.html")


def test_dragging_on_the_plane_sets_z1_and_z2(open_page, explorers_url):
    page, watch = open_page("latent2d.html")
    panel, image = root(page).locator("canvas.vfs-panel"), root(page).locator("canvas.vfs-image")
    before_panel, before_image = data_url(panel), data_url(image)
    box = panel.bounding_box()
    page.mouse.move(box["x"] + 0.25 * box["width"], box["y"] + 0.5 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.75 * box["width"], box["y"] + 0.2 * box["height"], steps=8)
    page.mouse.up()
    values = root(page).locator("input.vfs-range").evaluate_all("(inputs) => inputs.map((i) => i.value)")
    z = [float(v) for v in values]
    # 0.75 across and 0.2 down of [-3, 3]²: (1.5, 1.8), up to a slider step and a pixel
    assert z == pytest.approx([1.5, 1.8], abs=0.07)
    assert [root(page).locator("output.vfs-value").nth(j).inner_text() for j in range(2)] == [f"{v:.2f}" for v in z]
    assert data_url(panel) != before_panel and data_url(image) != before_image
    assert np.abs(grey_pixels(image) - np.round(255 * decode_mean(BERNOULLI, z))).max() <= 1
    assert f"({z[0]:.2f}, {z[1]:.2f})" in panel.get_attribute("aria-label")
    report_redraw(page, 0, "latent2d drag on the plane")
    assert_page_behaved(watch, explorers_url, "latent2d.html")


def test_the_interpolation_slider_moves_the_middle_image_only(open_page, explorers_url):
    page, watch = open_page("interpolation.html")
    start, middle, end = (root(page).locator(f"canvas.vfs-{kind}") for kind in ("start", "image", "end"))
    ends, before = (data_url(start), data_url(end)), data_url(middle)
    press(page, root(page).locator("input.vfs-range"), "ArrowRight", 10)
    assert root(page).locator("output.vfs-value").inner_text() == "0.60"
    assert data_url(middle) != before and (data_url(start), data_url(end)) == ends
    z = 0.4 * np.array([-2.0, 1.0]) + 0.6 * np.array([2.0, -1.5])
    assert np.abs(grey_pixels(middle) - np.round(255 * decode_mean(BERNOULLI, z))).max() <= 1
    for canvas, z_end in ((start, [-2.0, 1.0]), (end, [2.0, -1.5])):
        assert np.abs(grey_pixels(canvas) - np.round(255 * decode_mean(BERNOULLI, z_end))).max() <= 1
    report_redraw(page, 0, "interpolation slider t")
    assert_page_behaved(watch, explorers_url, "interpolation.html")


def test_the_table_looks_up_what_python_computed(open_page, explorers_url):
    page, watch = open_page("table.html")
    explorer = root(page)
    for indices in ([0, 0], [6, 5], [12, 10], [3, 7]):
        looked_up = explorer.evaluate("(r, i) => r.vaeOutputsAt(i)", indices)
        expected = gap_outputs(TABLE_SLIDERS["mu"][indices[0]], TABLE_SLIDERS["log_sigma"][indices[1]])
        for name in ("ELBO", "log p(x)", "KL gap"):
            assert looked_up[name] == pytest.approx(expected[name], rel=1e-6)
        assert looked_up["shade of mu"] == [round(255 * expected["shade of mu"][0, 0])] * 9
        np.testing.assert_allclose(looked_up["curve of sigma"][1], expected["curve of sigma"][1], rtol=1e-6, atol=1e-7)
    assert_page_behaved(watch, explorers_url, "table.html")


@pytest.mark.parametrize(
    "k, changed, unchanged",
    [(0, "canvas.vfs-table-image", "canvas.vfs-line"), (1, "canvas.vfs-line", "canvas.vfs-table-image")],
)
def test_arrow_keys_move_each_table_slider(open_page, explorers_url, k, changed, unchanged):
    page, watch = open_page("table.html")
    explorer = root(page)
    bar_values = explorer.locator(".vfs-bar-row output")
    names = ("ELBO", "log p(x)", "KL gap")
    before = {
        "changed": data_url(explorer.locator(changed)),
        "unchanged": data_url(explorer.locator(unchanged)),
        "bars": bar_values.all_inner_texts(),
        "shown": explorer.locator("output.vfs-value").nth(k).inner_text(),
    }
    press(page, explorer.locator("input.vfs-range").nth(k), "ArrowRight", 2)
    indices = [6, 5]
    indices[k] += 2
    mu, log_sigma = TABLE_SLIDERS["mu"][indices[0]], TABLE_SLIDERS["log_sigma"][indices[1]]
    shown = explorer.locator("output.vfs-value").nth(k).inner_text()
    assert shown == f"{(mu, log_sigma)[k]:.4g}" != before["shown"]
    expected = gap_outputs(mu, log_sigma)
    assert bar_values.all_inner_texts() == [f"{expected[n]:.3f}" for n in names] != before["bars"]
    assert data_url(explorer.locator(changed)) != before["changed"]
    assert data_url(explorer.locator(unchanged)) == before["unchanged"]
    assert explorer.locator("input.vfs-range").nth(k).get_attribute("aria-valuetext") == shown
    report_redraw(page, 0, f"table slider {k}")
    assert_page_behaved(watch, explorers_url, "table.html")


def test_two_explorers_on_one_page_keep_to_themselves(open_page, explorers_url):
    page, watch = open_page("two.html")
    first, second = root(page, 0), root(page, 1)
    assert first.evaluate("(r) => r.dataset.vfsReady") == second.evaluate("(r) => r.dataset.vfsReady") == "1"
    images = [r.locator("canvas.vfs-image") for r in (first, second)]
    before = [data_url(image) for image in images]
    assert before[0] != before[1]  # different decoders draw different images at z = 0
    press(page, first.locator("input.vfs-range").nth(0), "ArrowRight", 4)
    assert data_url(images[0]) != before[0] and data_url(images[1]) == before[1]
    assert second.locator("output.vfs-value").all_inner_texts() == ["0.00", "0.00"]
    assert first.locator("output.vfs-value").all_inner_texts() == ["0.12", "0.00"]
    second.locator("canvas.vfs-panel").scroll_into_view_if_needed()  # a click off-screen reaches nothing
    box = second.locator("canvas.vfs-panel").bounding_box()
    page.mouse.click(box["x"] + 0.1 * box["width"], box["y"] + 0.9 * box["height"])
    assert first.locator("output.vfs-value").all_inner_texts() == ["0.12", "0.00"]
    assert second.locator("output.vfs-value").all_inner_texts() != ["0.00", "0.00"]
    assert_page_behaved(watch, explorers_url, "two.html")


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_axe_finds_no_serious_accessibility_problem(open_page, explorers_url, name, dark):
    page_name = f"{name}-dark.html" if dark else f"{name}.html"
    page, watch = open_page(page_name, dark=dark)
    violations = axe_violations(page)
    assert not violations, violations
    assert not watch.problems(), watch.problems()
