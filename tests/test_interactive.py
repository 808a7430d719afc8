"""Python-side tests of the explorers (vae_from_scratch.interactive); browser tests are in tests/site/."""
import base64
import doctest
import importlib
import json
import re
import struct
import zlib

import numpy as np
import pytest

from vae_from_scratch import nn
from vae_from_scratch.interactive import (
    decode_mean,
    interpolation_explorer,
    interpolation_widget,
    latent_explorer,
    latent_explorer_widget,
    table_explorer,
    table_widget,
)
from vae_from_scratch.interactive.png import grey_png
from vae_from_scratch.interactive.views import tick

import ipywidgets


def bernoulli_decoder(sizes=(2, 200, 64), seed=0):
    """Glorot weights plus non-zero biases, so that z = 0 already gives a non-flat image."""
    rng = np.random.default_rng(seed)
    return [(W, b + 0.5 * rng.standard_normal(b.shape)) for W, b in nn.init_mlp(list(sizes), rng, init="glorot")]


def gaussian_decoder(n_latent=3, hidden=(30,), n_out=20, seed=1):
    rng = np.random.default_rng(seed)
    params = nn.init_gaussian_mlp(n_latent, list(hidden), n_out, rng, init="glorot")
    return [(W, b + 0.5 * rng.standard_normal(b.shape)) for W, b in params]


def page_config(explorer):
    """The JSON configuration the explorer's script starts with."""
    match = re.search(r"start\(root, (\{.*\})\);\n\}\n\}\)\(\);</script></div>$", explorer.html, re.S)
    assert match, "the explorer's HTML does not end with its starter script"
    return json.loads(match.group(1))


def floats(text):
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def page_forward(layers, activation, z):
    """The page's forward pass, in NumPy, from the weights the page holds."""
    act = nn.ACTIVATIONS[activation]
    h = np.asarray(z, dtype=np.float64)
    for k, layer in enumerate(layers):
        W = floats(layer["W"]).reshape(layer["n_in"], layer["n_out"]).astype(np.float64)
        a = h @ W + floats(layer["b"])
        h = nn.sigmoid(a) if k == len(layers) - 1 else act(a)
    return h


def png_pixels(data):
    """Decode the 8-bit greyscale, filter-0 PNGs that png.grey_png writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 0)
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, width + 1)
    assert np.all(rows[:, 0] == 0)
    return rows[:, 1:]


def widgets_of(widget, kind):
    """Every widget of ``kind`` inside ``widget``, depth first."""
    found = [widget] if isinstance(widget, kind) else []
    for child in getattr(widget, "children", ()):
        found += widgets_of(child, kind)
    return found


@pytest.mark.parametrize("module", ["latent", "interpolation", "table"])
def test_the_docstring_examples_run(module):
    imported = importlib.import_module(f"vae_from_scratch.interactive.{module}")
    result = doctest.testmod(imported, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# --- the NumPy reference -------------------------------------------------------------------------


def test_decode_mean_is_the_sigmoid_of_the_bernoulli_logits():
    decoder, z = bernoulli_decoder(), np.array([[0.3, -1.2], [2.0, 0.5]])
    np.testing.assert_allclose(decode_mean(decoder, z), nn.sigmoid(nn.bernoulli_mlp(decoder, z)), rtol=0, atol=0)


def test_decode_mean_of_a_gaussian_decoder_is_its_sigmoid_mean():
    decoder, z = gaussian_decoder(), np.array([[0.3, -1.2, 0.7]])
    mean, _ = nn.gaussian_mlp(decoder, z, sigmoid_mean=True)
    np.testing.assert_array_equal(decode_mean(decoder, z, "gaussian"), mean)
    assert 0 < mean.min() and mean.max() < 1


# --- latent explorer --------------------------------------------------------------------------------


def test_latent_explorer_has_one_labelled_slider_with_an_output_per_latent():
    html = latent_explorer(gaussian_decoder(), (4, 5), likelihood="gaussian").html
    assert len(re.findall(r'<label><span class="vfs-name">z<sub>\d</sub></span><input class="vfs-range" type="range"', html)) == 3
    assert html.count('<output class="vfs-value">0.00</output>') == 3
    assert re.search(r'<canvas class="vfs-pixels vfs-image" width="5" height="4" [^>]*role="img" aria-label=', html)
    assert '<canvas class="vfs-panel"' not in html  # the clickable plane is only for a 2-D latent


def test_a_2d_latent_gets_the_clickable_plane_with_its_background():
    background = np.linspace(0, 1, 12).reshape(3, 4)
    explorer = latent_explorer(bernoulli_decoder(), (8, 8), background=background)
    assert re.search(r'<canvas class="vfs-panel" width="200" height="200" role="img" aria-label="The latent plane', explorer.html)
    stored = page_config(explorer)["background"]
    assert (stored["height"], stored["width"]) == (3, 4)
    np.testing.assert_array_equal(np.frombuffer(base64.b64decode(stored["data"]), np.uint8), np.round(255 * background.ravel()))


def test_the_page_holds_the_decoder_that_numpy_runs():
    """Weights round-trip through base64 float32 in the right layout, for both likelihoods."""
    z = np.random.default_rng(2).uniform(-3, 3, size=(5, 2))
    decoder = bernoulli_decoder()
    config = page_config(latent_explorer(decoder, (8, 8)))["decoder"]
    assert np.abs(page_forward(config["layers"], "tanh", z) - decode_mean(decoder, z)).max() < 1e-5

    gaussian = gaussian_decoder()
    config = page_config(latent_explorer(gaussian, (4, 5), likelihood="gaussian", activation="relu"))["decoder"]
    assert len(config["layers"]) == 2  # the hidden layer and the mean head; no log-variance head
    z3 = np.random.default_rng(3).uniform(-3, 3, size=(5, 3))
    assert np.abs(page_forward(config["layers"], "relu", z3) - decode_mean(gaussian, z3, "gaussian", "relu")).max() < 1e-5


def test_the_same_inputs_give_byte_identical_html_and_other_weights_do_not():
    first = latent_explorer(bernoulli_decoder(), (8, 8), z0=[0.5, -1.0], title="A")
    again = latent_explorer(bernoulli_decoder(), (8, 8), z0=[0.5, -1.0], title="A")
    assert first.html == again.html and repr(first) == repr(again)
    assert latent_explorer(bernoulli_decoder(seed=1), (8, 8), z0=[0.5, -1.0], title="A").html != first.html
    assert "0x" not in repr(first)  # no memory address in a notebook's stored text/plain output


def test_a_64_200_2_decoder_explorer_is_under_300_kb():
    size = len(latent_explorer(bernoulli_decoder((2, 200, 64)), (8, 8)).html.encode())
    print(f"64-200-2 latent explorer: {size / 1000:.1f} kB")
    assert size < 300_000


def test_the_starting_z_sets_the_sliders():
    html = latent_explorer(bernoulli_decoder(), (8, 8), z0=[0.5, -1.2]).html
    assert 'step="0.03" value="0.5"' in html and 'value="-1.2"' in html
    assert '<output class="vfs-value">-1.20</output>' in html


def test_a_title_cannot_break_out_of_the_markup():
    html = latent_explorer(bernoulli_decoder(), (8, 8), title='</script><b onload="x">').html
    assert html.count("</script>") == 1 and "<b onload" not in html


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image_shape": (28, 28)}, "has 784 pixels but the decoder outputs 64"),
        ({"likelihood": "poisson"}, "unknown likelihood 'poisson'"),
        ({"activation": "sigmoid"}, "unknown activation 'sigmoid'"),
        ({"z0": [0.0, 0.0, 0.0]}, r"z0 must have shape \(2,\)"),
        ({"z0": [0.0, 4.0]}, r"z0\[1\] = 4 lies outside .* pass a larger z_range"),
        ({"z_range": -1}, "z_range must be a positive number"),
        ({"likelihood": "gaussian"}, "mean head .* log-variance head .* differ"),
        ({"background": np.zeros((2, 2, 3))}, "background must be a 2-D grey image"),
    ],
)
def test_bad_input_to_the_latent_explorer_is_named(kwargs, message):
    arguments = {"decoder_params": bernoulli_decoder(), "image_shape": (8, 8)} | kwargs
    with pytest.raises(ValueError, match=message):
        latent_explorer(**arguments)


def test_a_diverged_decoder_is_caught():
    decoder = bernoulli_decoder()
    decoder[1][0][3, 5] = np.nan
    with pytest.raises(ValueError, match=r"decoder_params\[1\] holds NaN or infinite values"):
        latent_explorer(decoder, (8, 8))


def test_passing_the_whole_vae_is_caught():
    decoder = bernoulli_decoder()
    with pytest.raises(ValueError, match=r"pass only the decoder, e.g. vae_params\[1\]"):
        latent_explorer((decoder, decoder), (8, 8))


def test_a_background_needs_a_2d_latent():
    with pytest.raises(ValueError, match="needs a 2-D latent space; this decoder takes 3"):
        latent_explorer(gaussian_decoder(), (4, 5), likelihood="gaussian", background=np.zeros((4, 4)))


# --- interpolation explorer ----------------------------------------------------------------------------


def test_interpolation_explorer_shows_both_ends_and_one_t_slider():
    explorer = interpolation_explorer(bernoulli_decoder(), [-2.0, 0.0], [2.0, 1.0], (8, 8), t0=0.25)
    html = explorer.html
    assert html.count('type="range"') == 1 and 'min="0" max="1" step="0.01" value="0.25"' in html
    for css_class in ("vfs-start", "vfs-image", "vfs-end"):
        assert f'class="vfs-pixels {css_class}"' in html
    config = page_config(explorer)
    assert (config["z_start"], config["z_end"]) == ([-2.0, 0.0], [2.0, 1.0])


def test_bad_endpoints_are_named():
    with pytest.raises(ValueError, match=r"z_end must have shape \(2,\)"):
        interpolation_explorer(bernoulli_decoder(), [0.0, 0.0], [1.0], (8, 8))
    with pytest.raises(ValueError, match=r"t0 must lie in \[0, 1\]"):
        interpolation_explorer(bernoulli_decoder(), [0.0, 0.0], [1.0, 1.0], (8, 8), t0=2)


# --- table explorer --------------------------------------------------------------------------------------


def gap_outputs(mu, log_sigma):
    """Toy ELBO gap: p(z) = N(0, 1), p(x|z) = N(x; z, 1) at x = 1, q = N(mu, exp(log_sigma)²)."""
    x, s2 = 1.0, np.exp(2 * log_sigma)
    log_px = -0.5 * np.log(2 * np.pi * 2) - x**2 / 4
    elbo = -0.5 * np.log(2 * np.pi) - 0.5 * ((x - mu) ** 2 + s2) - 0.5 * (mu**2 + s2 - 1 - 2 * log_sigma)
    grid = np.linspace(-3, 3, 25)
    q = np.exp(-0.5 * (grid - mu) ** 2 / s2) / np.sqrt(2 * np.pi * s2)
    return {
        "ELBO": elbo,
        "log p(x)": log_px,
        "KL gap": log_px - elbo,
        "shade": np.full((2, 3), 1 / (1 + np.exp(-mu))),
        "q(z)": (grid, q),
    }


SLIDERS = {"mu": np.linspace(-1, 2, 7), "log_sigma": np.linspace(-1, 0.5, 4)}


def test_the_table_holds_every_grid_point_in_c_order():
    config = page_config(table_explorer(SLIDERS, gap_outputs))
    assert config["strides"] == [4, 1]
    bars = floats(config["bars"]["data"]).reshape(7, 4, 3)
    assert config["bars"]["names"] == ["ELBO", "log p(x)", "KL gap"]
    for i, mu in enumerate(SLIDERS["mu"]):
        for j, log_sigma in enumerate(SLIDERS["log_sigma"]):
            expected = gap_outputs(mu, log_sigma)
            np.testing.assert_allclose(bars[i, j], [expected[k] for k in config["bars"]["names"]], rtol=1e-6)
    assert config["bars"]["lo"] == pytest.approx(min(0.0, bars.min()), rel=1e-6)
    assert config["bars"]["hi"] == pytest.approx(max(0.0, bars.max()), rel=1e-6)
    (image,) = config["images"]
    shades = np.frombuffer(base64.b64decode(image["data"]), np.uint8).reshape(7, 4, 2, 3)
    assert np.all(np.diff(shades[:, 0, 0, 0].astype(int)) > 0)  # the shade grows with mu only
    assert np.all(shades[:, :1] == shades)
    (line,) = config["lines"]
    assert not line["x_per_point"] and line["n"] == 25 and line["box"]["x0"] == -3.0


def test_bars_share_one_scale_that_includes_zero():
    config = page_config(table_explorer({"a": [1.0, 2.0]}, lambda a: {"x": a, "y": 2 * a}))
    assert (config["bars"]["lo"], config["bars"]["hi"]) == (0.0, 4.0)


def test_the_table_starts_at_the_middle_or_at_initial_and_shows_labels():
    html = table_explorer(SLIDERS, gap_outputs, slider_labels={"log_sigma": "log σ"}).html
    assert 'max="6" step="1" value="3"' in html and '<output class="vfs-value">0.5</output>' in html
    assert '<span class="vfs-name">log σ</span>' in html
    html = table_explorer(SLIDERS, gap_outputs, initial={"mu": 1.5}).html
    assert 'max="6" step="1" value="5"' in html  # np.linspace's 1.5000000000000002 still matches


def test_the_table_first_paint_shows_the_starting_values():
    html = table_explorer(SLIDERS, gap_outputs, initial={"mu": -1.0, "log_sigma": -1.0}).html
    elbo = gap_outputs(-1.0, -1.0)["ELBO"]
    assert '<span class="vfs-bar-name">ELBO</span>' in html and f"<output>{elbo:.3f}</output>" in html


def test_string_slider_values_are_passed_and_shown_as_given():
    seen = []

    def compute(kind, n):
        seen.append((kind, n))
        return {"value": len(kind) * n}

    config = page_config(table_explorer({"kind": ["small", "large"], "n": [1, 2, 3]}, compute))
    assert seen == [("small", 1), ("small", 2), ("small", 3), ("large", 1), ("large", 2), ("large", 3)]
    assert config["sliders"][0]["labels"] == ["small", "large"]


def test_the_table_is_deterministic():
    assert table_explorer(SLIDERS, gap_outputs).html == table_explorer(SLIDERS, gap_outputs).html


@pytest.mark.parametrize(
    "compute, message",
    [
        (lambda a: {"x": a} if a < 2 else {"y": a}, r"at a=2 but \[\('x', 'bar', \(\)\)\] at the first point"),
        (lambda a: {"x": np.nan if a == 1 else a}, "output 'x' at a=1 is not finite"),
        (lambda a: {"img": np.full((2, 2), a)}, r"image values must lie in \[0, 1\]"),
        (lambda a: {"cube": np.zeros((2, 2, 2))}, r"got an array of shape \(2, 2, 2\)"),
        (lambda a: [a], "compute must return a non-empty dict"),
        (lambda a: {"line": (np.zeros(3), np.zeros(4))}, "two 1-D arrays of one length"),
    ],
)
def test_bad_table_outputs_are_named(compute, message):
    with pytest.raises(ValueError, match=message):
        table_explorer({"a": [1.0, 2.0]}, compute)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sliders": {}}, "sliders must be a non-empty dict"),
        ({"sliders": {"a b": [1]}}, "must be a Python identifier"),
        ({"sliders": {"a": []}}, "has no values"),
        ({"initial": {"a": 5.0}}, r"initial a=5.0 is not one of the slider's values"),
        ({"initial": {"b": 1.0}}, r"initial names \['b'\], which are not sliders"),
        ({"slider_labels": {"b": "B"}}, "slider_labels names"),
        ({"digits": -1}, "digits must be a non-negative integer"),
    ],
)
@pytest.mark.parametrize("explorer", [table_explorer, table_widget])
def test_bad_table_settings_are_named(explorer, kwargs, message):
    calls = []
    arguments = {"sliders": {"a": [1.0, 2.0]}, "compute": lambda a: calls.append(a) or {"x": a}} | kwargs
    with pytest.raises(ValueError, match=message):
        explorer(**arguments)
    assert calls == []  # refused before anything was computed


# --- live-kernel twins ---------------------------------------------------------------------------------


def test_tick_labels_round_to_the_axis_span():
    assert [tick(v, 2e-107, 0.999) for v in (2e-107, 0.999)] == ["0", "0.999"]
    assert [tick(v, -3.0, 3.0) for v in (-3.0, 3.0)] == ["-3", "3"]
    assert tick(1234.5678, 0.0, 2000.0) == "1230"


def test_grey_png_round_trips_and_scales():
    levels = np.arange(6, dtype=np.uint8).reshape(2, 3) * 40
    np.testing.assert_array_equal(png_pixels(grey_png(levels)), levels)
    np.testing.assert_array_equal(png_pixels(grey_png(levels, 3)), np.kron(levels, np.ones((3, 3), np.uint8)))


def test_latent_widget_redraws_from_numpy_when_a_slider_moves():
    decoder = bernoulli_decoder()
    box = latent_explorer_widget(decoder, (8, 8), pixel_size=1)
    sliders, (image,) = widgets_of(box, ipywidgets.FloatSlider), widgets_of(box, ipywidgets.Image)
    assert [s.description for s in sliders] == ["z₁", "z₂"]
    before = bytes(image.value)
    sliders[0].value = 1.5
    sliders[1].value = -0.6
    assert bytes(image.value) != before
    expected = np.round(255 * decode_mean(decoder, np.array([1.5, -0.6]))).reshape(8, 8)
    np.testing.assert_array_equal(png_pixels(bytes(image.value)), expected)


def test_latent_widget_sees_a_model_changed_in_place():
    decoder = bernoulli_decoder()
    box = latent_explorer_widget(decoder, (8, 8))
    slider, image = widgets_of(box, ipywidgets.FloatSlider)[0], widgets_of(box, ipywidgets.Image)[0]
    before = bytes(image.value)
    decoder[-1][1][:] += 2.0  # e.g. a training step updating the output bias in place
    slider.value = 0.0 + slider.step
    slider.value = 0.0
    assert bytes(image.value) != before


def test_interpolation_widget_moves_the_middle_image_only():
    decoder = bernoulli_decoder()
    box = interpolation_widget(decoder, [-2.0, 0.0], [2.0, 1.0], (8, 8), pixel_size=1)
    (slider,) = widgets_of(box, ipywidgets.FloatSlider)
    start, middle, end = widgets_of(box, ipywidgets.Image)
    ends, before = (bytes(start.value), bytes(end.value)), bytes(middle.value)
    slider.value = 0.9
    assert bytes(middle.value) != before and (bytes(start.value), bytes(end.value)) == ends
    z = 0.1 * np.array([-2.0, 0.0]) + 0.9 * np.array([2.0, 1.0])
    np.testing.assert_array_equal(png_pixels(bytes(middle.value)), np.round(255 * decode_mean(decoder, z)).reshape(8, 8))


def test_table_widget_computes_live_when_a_slider_moves():
    calls = []

    def compute(mu, log_sigma):
        calls.append((mu, log_sigma))
        return gap_outputs(mu, log_sigma)

    box = table_widget(SLIDERS, compute)
    mu_slider, _ = widgets_of(box, ipywidgets.SelectionSlider)
    (view,) = [w for w in widgets_of(box, ipywidgets.HTML) if "vfs-bars" in w.value]
    before = view.value
    mu_slider.value = SLIDERS["mu"][0]
    assert view.value != before
    assert calls[-1] == (SLIDERS["mu"][0], SLIDERS["log_sigma"][2])
    assert f'{gap_outputs(SLIDERS["mu"][0], SLIDERS["log_sigma"][2])["ELBO"]:.3f}' in view.value
    assert view.value.count("<svg") == 1 and view.value.count("data:image/png;base64,") == 1


def test_widgets_reject_bad_input_like_the_pages():
    with pytest.raises(ValueError, match="has 784 pixels"):
        latent_explorer_widget(bernoulli_decoder(), (28, 28))
    with pytest.raises(ValueError, match="lies outside the sliders' range"):
        latent_explorer_widget(bernoulli_decoder(), (8, 8), z0=[0.0, -5.0])
    with pytest.raises(ValueError, match=r"z_start must have shape \(2,\)"):
        interpolation_widget(bernoulli_decoder(), [0.0], [1.0, 1.0], (8, 8))
    with pytest.raises(ValueError, match=r"t0 must lie in \[0, 1\]"):
        interpolation_widget(bernoulli_decoder(), [0.0, 0.0], [1.0, 1.0], (8, 8), t0=1.5)
    with pytest.raises(ValueError, match="n_steps must be a positive integer"):
        interpolation_widget(bernoulli_decoder(), [0.0, 0.0], [1.0, 1.0], (8, 8), n_steps=0)


# --- conditional decoders: a drop-down list of conditions c in the decoder's input [z, c] ---------------

ONE_HOT = {str(k): np.eye(3)[k] for k in range(3)}


def test_conditions_add_a_labelled_choice_and_slide_z_only():
    decoder = bernoulli_decoder(sizes=(5, 40, 64))  # input [z (2), one-hot (3)]
    explorer = latent_explorer(decoder, (8, 8), conditions=ONE_HOT, condition="1", condition_name="digit")
    assert explorer.html.count('type="range"') == 2
    select = re.search(r'<label><span class="vfs-name">digit</span><select class="vfs-select">(.*?)</select>',
                       explorer.html).group(1)
    assert re.findall(r">(\d)</option>", select) == ["0", "1", "2"]
    assert '<option value="1" selected>1</option>' in select
    config = page_config(explorer)
    assert config["conditions"] == {"name": "digit", "vectors": [list(v) for v in np.eye(3)]}
    assert "vfs-panel" in explorer.html  # z is 2-D, so the plane is there too
    # the page's forward pass on [z, c] is the NumPy decoder's
    point = np.array([0.4, -1.2, 0.0, 1.0, 0.0])
    np.testing.assert_allclose(page_forward(config["decoder"]["layers"], "tanh", point),
                               decode_mean(decoder, point), atol=1e-6)
    assert explorer.html == latent_explorer(decoder, (8, 8), conditions=ONE_HOT, condition="1",
                                            condition_name="digit").html  # deterministic


BAD_CONDITIONS = [
    ({"conditions": {}}, "conditions must be a non-empty dict"),
    ({"conditions": {"a": [1.0, 0.0], "b": [1.0]}}, "condition 'b' has shape"),
    ({"conditions": {"a": [np.nan, 0.0, 0.0]}}, "condition 'a' holds NaN"),
    ({"conditions": {"a": np.zeros(5)}}, "the decoder takes 5 inputs in all"),
    ({"conditions": ONE_HOT, "condition": "7"}, r"condition '7' is not one of the conditions \['0', '1', '2'\]"),
    ({"condition": "1"}, "pass conditions"),
    ({"conditions": {1: [1.0, 0, 0], "1": [0, 1.0, 0]}}, "names that print alike"),
]


@pytest.mark.parametrize(
    "explorer, kwargs, message",
    [(latent_explorer, *bad) for bad in BAD_CONDITIONS]
    + [(latent_explorer_widget, *bad) for bad in BAD_CONDITIONS]
    + [(latent_explorer, {"conditions": ONE_HOT, "background": np.zeros((16, 16))},
        "conditions or a background, not both")],  # the widget has no background
)
def test_bad_conditions_are_named(explorer, kwargs, message):
    with pytest.raises(ValueError, match=message):
        explorer(bernoulli_decoder(sizes=(5, 40, 64)), (8, 8), **kwargs)


def test_latent_widget_chooses_the_condition():
    decoder = bernoulli_decoder(sizes=(5, 40, 64))
    box = latent_explorer_widget(decoder, (8, 8), conditions=ONE_HOT, condition_name="digit", pixel_size=1)
    (chooser,), sliders = widgets_of(box, ipywidgets.Dropdown), widgets_of(box, ipywidgets.FloatSlider)
    image = widgets_of(box, ipywidgets.Image)[0]
    assert chooser.description == "digit" and chooser.label == "0" and len(sliders) == 2
    before = bytes(image.value)
    chooser.value = 2
    sliders[0].value = 0.9
    assert bytes(image.value) != before
    expected = np.round(255 * decode_mean(decoder, np.array([0.9, 0.0, 0.0, 0.0, 1.0]))).reshape(8, 8)
    np.testing.assert_array_equal(png_pixels(bytes(image.value)), expected)
