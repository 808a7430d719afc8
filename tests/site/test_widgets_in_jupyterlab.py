"""The ipywidgets twins of the explorers, in a real JupyterLab driven by real input events.

A notebook written here builds the three live explorers on a small decoder with fixed weights,
JupyterLab runs it (its own "Run All Cells" command), and Chromium moves every slider the way
a reader would: key presses on a focused slider handle and mouse drags. After each move a check
cell asks the kernel what it now holds, and the test asserts that

* the kernel's slider values followed the browser's (``aria-valuenow`` of the handle),
* the kernel redrew: its image is the package's NumPy decoder at the new z (PNG bytes equal), and
  the browser shows exactly those bytes (SHA-256 of the ``<img>``'s blob = the kernel's),
* the table explorer's view shows the number computed at the new setting,
* the static-page explorer (HTML + JavaScript, no kernel needed) runs inside JupyterLab too,
* the page logged no error and asked nothing of the network beyond the local server.
"""
import json
import pathlib
import sys
import textwrap

import nbformat
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))  # for browser.py and lab.py

from browser import PageWatch  # noqa: E402
from lab import jupyterlab  # noqa: E402

pytestmark = pytest.mark.site

CELLS = [
    # 0: a decoder with fixed weights and non-zero biases, so that every z draws a different image
    """
    import hashlib, itertools, json
    import numpy as np
    from vae_from_scratch import nn
    from vae_from_scratch.interactive import interpolation_widget, latent_explorer_widget, table_widget
    from vae_from_scratch.interactive.decoder import pixel_scale
    from vae_from_scratch.interactive.widgets import decoded_png

    rng = np.random.default_rng(0)
    decoder = [(W, b + 0.5 * rng.standard_normal(b.shape)) for W, b in nn.init_mlp([2, 50, 64], rng, init="glorot")]
    SCALE = pixel_scale((8, 8), None)
    checks = itertools.count(1)

    def report(**found):
        print(json.dumps({"check": next(checks), **found}))

    def sha(png):
        return hashlib.sha256(png).hexdigest()
    """,
    # 1
    """
    latent = latent_explorer_widget(decoder, (8, 8), title="latent")
    latent
    """,
    # 2: what the kernel holds for the latent explorer
    """
    z = np.array([s.value for s in latent.children[1].children[0].children])
    report(values=z.tolist(), shown=sha(latent.children[1].children[1].value),
           expected=sha(decoded_png(decoder, z, (8, 8), "bernoulli", "tanh", SCALE)))
    """,
    # 3
    """
    z_start, z_end = np.array([-2.0, -1.0]), np.array([2.0, 1.5])
    walk = interpolation_widget(decoder, z_start, z_end, (8, 8), title="walk")
    walk
    """,
    # 4
    """
    t = walk.children[1].value
    report(values=[t], shown=sha(walk.children[2].children[1].children[0].value),
           expected=sha(decoded_png(decoder, (1 - t) * z_start + t * z_end, (8, 8), "bernoulli", "tanh", SCALE)))
    """,
    # 5: a table explorer whose one number names its setting
    """
    table = table_widget({"a": [1, 2, 3, 4, 5], "w": [10, 100]}, lambda a, w: {"a times w": a * w},
                         title="table", digits=0)
    table
    """,
    # 6
    """
    report(values=[c.value for c in table.children[1].children])
    """,
    # 7: the static-page explorer, which a notebook run in JupyterLab shows too (its script runs
    # because the output was made in this session)
    """
    from vae_from_scratch.interactive import latent_explorer
    latent_explorer(decoder, (8, 8), title="static")
    """,
]
LATENT, LATENT_CHECK, WALK, WALK_CHECK, TABLE, TABLE_CHECK, STATIC = range(1, 8)


# The notebook is open and its kernel has started and is waiting (before that, "Run All" does nothing).
KERNEL_IDLE = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
    return kernel && kernel.status === 'idle' && document.querySelector('.jp-Notebook .jp-Cell');
}"""


@pytest.fixture(scope="module")
def lab_page(browser, tmp_path_factory):
    """JupyterLab with the notebook above open and run; yields (page, watch)."""
    folder = tmp_path_factory.mktemp("lab")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(textwrap.dedent(source).strip()) for source in CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "explore.ipynb")
    with jupyterlab(folder) as lab:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        watch = PageWatch(page, lab.origin)
        page.goto(lab.url("lab/tree/explore.ipynb"))
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        # Not awaited: the command's promise settles only when every cell has run.
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        for check in (LATENT_CHECK, WALK_CHECK, TABLE_CHECK):
            wait_for_report(page, check)
        yield page, watch
        page.close()


def cell(page, index):
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def wait_for_report(page, index, after=0):
    """The JSON printed by check cell ``index`` once its check number exceeds ``after``."""
    output = cell(page, index).locator(".jp-OutputArea-output")
    page.wait_for_function(
        """([output, after]) => {
            const text = output && output.innerText;
            try { return JSON.parse(text).check > after; } catch (e) { return false; }
        }""",
        arg=[output.element_handle(timeout=60_000), after],
        timeout=60_000,
    )
    return json.loads(output.inner_text())


def rerun(page, index):
    """Run cell ``index`` again through JupyterLab's "Run Selected Cell"; return its new report.

    Check numbers only grow (one counter in the kernel), so the new report is the first one whose
    number exceeds what the cell shows now.
    """
    shown = wait_for_report(page, index)["check"]
    page.evaluate(
        """(index) => {
            const notebook = window.jupyterapp.shell.currentWidget.content;
            notebook.activeCellIndex = index;
            window.jupyterapp.commands.execute('notebook:run-cell');
        }""",
        index,
    )
    return wait_for_report(page, index, after=shown)


def handles(page, index):
    return cell(page, index).locator(".noUi-handle")


def readouts(page, index):
    """The numbers the sliders of cell ``index`` show (their readouts, as the reader sees them)."""
    texts = cell(page, index).locator(".widget-readout").all_inner_texts()
    return [float(text.replace("\u2212", "-")) for text in texts]  # ipywidgets prints a minus sign, U+2212


def settled_report(page, index, shown, tolerance, attempts=40):
    """Re-run check cell ``index`` until the kernel's values match ``shown()``, the browser's.

    ipywidgets sends one update at a time and waits for the kernel between them, so a quick run of
    key presses can reach the kernel after a check cell that was queued in the middle of it.
    """
    for _ in range(attempts):
        report = rerun(page, index)
        if report["values"] == pytest.approx(shown(), abs=tolerance):
            return report
        page.wait_for_timeout(250)
    raise AssertionError(f"the kernel holds {report['values']}, the browser shows {shown()}")


def image_digest(page, image):
    """SHA-256 (hex) of the bytes the browser shows in ``image`` (an <img> with a blob: URL)."""
    return page.evaluate(
        """async (img) => {
            const bytes = await (await fetch(img.src)).arrayBuffer();
            const digest = await crypto.subtle.digest('SHA-256', bytes);
            return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('');
        }""",
        image.element_handle(),
    )


def press(handle, key, times):
    handle.focus()
    for _ in range(times):
        handle.press(key)


def drag(page, handle, dx):
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y, steps=4)
    page.mouse.move(x + dx, y, steps=4)
    page.mouse.up()


def assert_shows_kernel_image(page, image, report, attempts=40):
    assert report["shown"] == report["expected"], "the kernel's image is not the decoder's at its slider values"
    for _ in range(attempts):  # the view swaps in the new image's blob asynchronously
        if image_digest(page, image) == report["shown"]:
            return
        page.wait_for_timeout(250)
    raise AssertionError("the browser does not show the kernel's image")


def test_latent_explorer_follows_keys_and_mouse(lab_page):
    page, watch = lab_page
    image = cell(page, LATENT).locator("img.widget-image")
    z1, z2 = handles(page, LATENT).nth(0), handles(page, LATENT).nth(1)
    report = rerun(page, LATENT_CHECK)
    assert report["values"] == [0.0, 0.0]
    assert_shows_kernel_image(page, image, report)

    for move in (lambda: press(z1, "ArrowRight", 5), lambda: drag(page, z2, -60)):
        before = report
        move()
        report = settled_report(page, LATENT_CHECK, lambda: readouts(page, LATENT), tolerance=0.005)
        assert report["values"] != before["values"], "the slider did not move"
        assert report["shown"] != before["shown"], "the image did not change"
        assert_shows_kernel_image(page, image, report)
    assert report["values"][0] > 0 > report["values"][1]  # right arrow raised z1, the drag left lowered z2
    assert not watch.problems()


def test_interpolation_follows_keys(lab_page):
    page, watch = lab_page
    image = cell(page, WALK).locator("img.widget-image").nth(1)  # start, t, end
    t = handles(page, WALK).first
    report = rerun(page, WALK_CHECK)
    assert report["values"] == [pytest.approx(0.5)]
    assert_shows_kernel_image(page, image, report)
    before = report
    press(t, "ArrowLeft", 10)
    report = settled_report(page, WALK_CHECK, lambda: readouts(page, WALK), tolerance=0.005)
    assert report["values"][0] < 0.5
    assert report["shown"] != before["shown"], "the image did not change"
    assert_shows_kernel_image(page, image, report)
    assert not watch.problems()


def test_table_explorer_shows_each_setting(lab_page):
    page, watch = lab_page
    a, w = handles(page, TABLE).nth(0), handles(page, TABLE).nth(1)
    view = cell(page, TABLE).locator(".widget-html-content").last
    report = rerun(page, TABLE_CHECK)
    assert report["values"] == [3, 100] == readouts(page, TABLE)  # each slider starts at its middle value

    for move, expected in ((lambda: press(a, "ArrowRight", 1), [4, 100]), (lambda: drag(page, w, -200), [4, 10])):
        move()
        report = settled_report(page, TABLE_CHECK, lambda: readouts(page, TABLE), tolerance=0)
        assert report["values"] == expected
        product = expected[0] * expected[1]
        page.wait_for_function("([view, text]) => view.innerText.split(/\\s+/).includes(text)",
                               arg=[view.element_handle(), str(product)], timeout=30_000)
    assert not watch.problems()


def test_static_explorer_runs_in_jupyterlab_too(lab_page):
    """The HTML explorer of the website, shown by a notebook run in JupyterLab, answers keys and mouse.

    JupyterLab takes arrow keys for moving between cells; the explorer keeps them at its sliders.
    """
    page, watch = lab_page
    explorer = cell(page, STATIC).locator("div.vfs-explorer")
    page.wait_for_function("(el) => el.dataset.vfsReady === '1'", arg=explorer.element_handle(), timeout=30_000)
    image, values = explorer.locator("canvas.vfs-image"), explorer.locator("output.vfs-value")
    z1, z2 = explorer.locator("input.vfs-range").nth(0), explorer.locator("input.vfs-range").nth(1)

    before = image.evaluate("(c) => c.toDataURL()")
    press(z2, "ArrowRight", 5)
    assert values.nth(1).inner_text() == "0.15", "the arrow keys did not move z2's slider (0.03 a step)"
    assert image.evaluate("(c) => c.toDataURL()") != before, "the canvas did not redraw"

    before = image.evaluate("(c) => c.toDataURL()")
    drag(page, z1, 60)
    assert float(values.nth(0).inner_text()) > 0, "dragging z1's slider to the right did not raise z1"
    assert image.evaluate("(c) => c.toDataURL()") != before, "the canvas did not redraw"
    assert not watch.problems()
