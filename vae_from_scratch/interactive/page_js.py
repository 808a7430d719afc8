"""The explorers' JavaScript, kept as Python strings so that it ships inside the package.

Each explorer's ``<script>`` is ``COMMON_JS`` plus one ``*_JS`` starter, wrapped in a function so
that two explorers on one page share nothing but the document. The script finds its own
explorer through ``document.currentScript`` (no generated ids, so the HTML is deterministic) and
keeps all state in closures. The only math here is the decoder's forward pass; the table
explorer only looks numbers up in a grid that Python computed.

Test hooks on the explorer's root element: ``root.vaeDecode(z) -> Float32Array`` (decoder
explorers), ``root.vaeOutputsAt(indices) -> {name: value}`` (table explorer), and
``root.vaeLastRedrawMs``, the time the last redraw took.
"""

COMMON_JS = r"""
"use strict";

function findRoot(script) {
  // On the static site and in JupyterLab the script sits inside its explorer. Front ends that
  // run scripts elsewhere (classic Notebook uses jQuery) get the last explorer not yet started.
  let root = script && script.parentElement;
  if (!root || !root.classList.contains("vfs-explorer")) {
    const waiting = document.querySelectorAll(".vfs-explorer:not([data-vfs-ready])");
    root = waiting[waiting.length - 1];
  }
  return root;
}

function bytesFromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function floatsFromBase64(text) {
  // Python wrote little-endian float32; DataView reads it so whatever the machine's byte order.
  const bytes = bytesFromBase64(text);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

function drawGrey(canvas, values, scale) {
  // One image pixel per canvas pixel; CSS scales the canvas up with image-rendering: pixelated.
  const context = canvas.getContext("2d");
  const image = context.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < canvas.width * canvas.height; i++) {
    const grey = Math.min(255, Math.max(0, Math.round(values[i] * scale)));
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = grey;
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

function inkOf(element) {
  // Axes and labels take the page's text colour, so they read on light and dark themes alike.
  return getComputedStyle(element).color;
}

// The keys a slider or a list answers to. Stopped at the control, so that a page or app around it
// (JupyterLab moves between cells with the arrows) does not take them and cancel their action.
const CONTROL_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"];

function keepControlKeys(root) {
  root.querySelectorAll("input, select").forEach((control) => {
    control.addEventListener("keydown", (event) => {
      if (CONTROL_KEYS.includes(event.key)) event.stopPropagation();
    });
  });
}

function timed(root, redraw) {
  return function () {
    const start = performance.now();
    redraw();
    root.vaeLastRedrawMs = performance.now() - start;
  };
}
"""

DECODER_JS = r"""
const ACTIVATIONS = {
  tanh: Math.tanh,
  relu: (a) => Math.max(a, 0),
  softplus: (a) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a))),
};

// As vae_from_scratch.nn.sigmoid: written through tanh so that it never overflows.
const sigmoid = (a) => 0.5 * (Math.tanh(0.5 * a) + 1);

function makeDecoder(spec) {
  // The forward pass of vae_from_scratch.nn: h = act(h W + b) through the hidden layers, then
  // sigmoid(h W + b). W is row-major (n_in, n_out) as NumPy stores it. Sums run in double
  // precision and every layer's output is stored as float32.
  const layers = spec.layers.map((layer) => ({
    nIn: layer.n_in, nOut: layer.n_out, W: floatsFromBase64(layer.W), b: floatsFromBase64(layer.b),
  }));
  const activation = ACTIVATIONS[spec.activation];
  return function decode(z) {
    if (z.length !== layers[0].nIn) throw new Error("z must have " + layers[0].nIn + " entries");
    let h = Float32Array.from(z);
    layers.forEach((layer, k) => {
      const sum = Float64Array.from(layer.b);
      for (let i = 0; i < layer.nIn; i++) {
        const hi = h[i], row = i * layer.nOut;
        for (let j = 0; j < layer.nOut; j++) sum[j] += hi * layer.W[row + j];
      }
      const f = k === layers.length - 1 ? sigmoid : activation;
      h = new Float32Array(layer.nOut);
      for (let j = 0; j < layer.nOut; j++) h[j] = f(sum[j]);
    });
    return h;
  };
}
"""

LATENT_JS = r"""
function drawPanel(panel, background, range, z1, z2) {
  // The (z1, z2) plane: optional background image, faint axes through 0, and a marker drawn as
  // a dark ring inside a light one so that it shows on any background.
  const context = panel.getContext("2d");
  const w = panel.width, h = panel.height;
  context.clearRect(0, 0, w, h);
  if (background) {
    context.imageSmoothingEnabled = false;
    context.drawImage(background, 0, 0, w, h);
  }
  context.strokeStyle = inkOf(panel);
  context.globalAlpha = 0.45;
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(0, h / 2); context.lineTo(w, h / 2);
  context.moveTo(w / 2, 0); context.lineTo(w / 2, h);
  context.stroke();
  context.globalAlpha = 1;
  const x = (z1 + range) / (2 * range) * w, y = (range - z2) / (2 * range) * h;
  [["#ffffff", 4], ["#000000", 1.5]].forEach(([colour, width]) => {
    context.strokeStyle = colour;
    context.lineWidth = width;
    context.beginPath();
    context.arc(x, y, 6, 0, 2 * Math.PI);
    context.stroke();
  });
}

function backgroundCanvas(spec) {
  if (!spec) return null;
  const canvas = document.createElement("canvas");
  canvas.width = spec.width;
  canvas.height = spec.height;
  drawGrey(canvas, bytesFromBase64(spec.data), 1);
  return canvas;
}

function start(root, config) {
  const decode = makeDecoder(config.decoder);
  root.vaeDecode = (z) => decode(z);  // the decoder's whole input: z, then the condition if any
  const inputs = Array.from(root.querySelectorAll("input.vfs-range"));
  const outputs = Array.from(root.querySelectorAll("output.vfs-value"));
  const image = root.querySelector("canvas.vfs-image");
  const panel = root.querySelector("canvas.vfs-panel");
  const select = root.querySelector("select.vfs-select");
  const background = backgroundCanvas(config.background);

  const redraw = timed(root, () => {
    const z = inputs.map((input) => parseFloat(input.value));
    const text = z.map((value) => value.toFixed(config.digits));
    const condition = select ? config.conditions.vectors[select.selectedIndex] : [];
    drawGrey(image, decode(z.concat(condition)), 255);
    outputs.forEach((output, k) => { output.value = text[k]; });
    const given = select ? " given " + config.conditions.name + " " + select.options[select.selectedIndex].text : "";
    image.setAttribute("aria-label", "Decoded image at z = (" + text.join(", ") + ")" + given);
    if (panel) {
      drawPanel(panel, background, config.range, z[0], z[1]);
      panel.setAttribute("aria-label", config.panel_label + " Marker at (" + text.join(", ") + ").");
    }
  });
  inputs.forEach((input) => input.addEventListener("input", redraw));
  if (select) select.addEventListener("change", redraw);

  if (panel) {
    // Click or drag on the plane sets (z1, z2). Assigning a range input's value snaps it to the
    // slider's step and clamps it to its range, so the sliders stay the single source of truth.
    const moveTo = (event) => {
      const box = panel.getBoundingClientRect();
      const u = (event.clientX - box.left) / box.width, v = (event.clientY - box.top) / box.height;
      inputs[0].value = String(config.range * (2 * u - 1));
      inputs[1].value = String(config.range * (1 - 2 * v));
      redraw();
    };
    panel.addEventListener("pointerdown", (event) => {
      panel.setPointerCapture(event.pointerId);
      moveTo(event);
    });
    panel.addEventListener("pointermove", (event) => {
      if (panel.hasPointerCapture(event.pointerId)) moveTo(event);
    });
  }
  redraw();
}
"""

INTERPOLATION_JS = r"""
function start(root, config) {
  const decode = makeDecoder(config.decoder);
  root.vaeDecode = (z) => decode(z);
  const input = root.querySelector("input.vfs-range");
  const output = root.querySelector("output.vfs-value");
  const image = root.querySelector("canvas.vfs-image");
  const zStart = config.z_start, zEnd = config.z_end;
  drawGrey(root.querySelector("canvas.vfs-start"), decode(zStart), 255);
  drawGrey(root.querySelector("canvas.vfs-end"), decode(zEnd), 255);

  const redraw = timed(root, () => {
    const t = parseFloat(input.value);
    const z = zStart.map((a, j) => (1 - t) * a + t * zEnd[j]);
    drawGrey(image, decode(z), 255);
    output.value = t.toFixed(config.digits);
    image.setAttribute("aria-label", "Decoded image at t = " + output.value + " between the two endpoints");
  });
  input.addEventListener("input", redraw);
  redraw();
}
"""

TABLE_JS = r"""
function drawLine(canvas, xs, ys, box) {
  // Axes with their end values, then the polyline. The axes' limits are the same for every grid
  // point (Python took them over the whole grid), so a change is a change of the curve.
  const context = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  const left = 44, right = 8, top = 8, bottom = 20;
  const ink = inkOf(canvas);
  const px = (x) => left + (x - box.x0) / (box.x1 - box.x0 || 1) * (w - left - right);
  const py = (y) => h - bottom - (y - box.y0) / (box.y1 - box.y0 || 1) * (h - top - bottom);
  // Tick labels to three digits of the axis's span, so that 2e-107 on a 0..1 axis reads "0".
  const tickFor = (lo, hi) => {
    const unit = Math.pow(10, Math.floor(Math.log10(Math.abs(hi - lo) || Math.abs(hi) || 1)) - 2);
    return (value) => String(Number((Math.round(value / unit) * unit).toPrecision(3)));
  };
  const xTick = tickFor(box.x0, box.x1), yTick = tickFor(box.y0, box.y1);
  context.clearRect(0, 0, w, h);
  context.strokeStyle = ink;
  context.fillStyle = ink;
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(left, top); context.lineTo(left, h - bottom); context.lineTo(w - right, h - bottom);
  context.stroke();
  context.font = "11px sans-serif";
  context.textAlign = "right";
  context.textBaseline = "middle";
  context.fillText(yTick(box.y1), left - 4, top + 4);
  context.fillText(yTick(box.y0), left - 4, h - bottom - 4);
  context.textBaseline = "top";
  context.textAlign = "left";
  context.fillText(xTick(box.x0), left, h - bottom + 4);
  context.textAlign = "right";
  context.fillText(xTick(box.x1), w - right, h - bottom + 4);
  context.strokeStyle = "#3b82f6";
  context.lineWidth = 2;
  context.beginPath();
  for (let i = 0; i < ys.length; i++) {
    if (i === 0) context.moveTo(px(xs[i]), py(ys[i])); else context.lineTo(px(xs[i]), py(ys[i]));
  }
  context.stroke();
}

function start(root, config) {
  const inputs = Array.from(root.querySelectorAll("input.vfs-range"));
  const outputs = Array.from(root.querySelectorAll("output.vfs-value"));
  const bars = config.bars && {
    values: floatsFromBase64(config.bars.data),
    rows: Array.from(root.querySelectorAll(".vfs-bar-row")),
  };
  const images = config.images.map((spec, k) => ({
    spec, bytes: bytesFromBase64(spec.data), canvas: root.querySelectorAll("canvas.vfs-table-image")[k],
  }));
  const lines = config.lines.map((spec, k) => ({
    spec, x: floatsFromBase64(spec.x), y: floatsFromBase64(spec.y),
    canvas: root.querySelectorAll("canvas.vfs-line")[k],
  }));
  const pointOf = (indices) => indices.reduce((sum, i, k) => sum + i * config.strides[k], 0);
  const slice = (array, point, size) => array.subarray(point * size, (point + 1) * size);
  const xOf = (line, point) => line.spec.x_per_point ? slice(line.x, point, line.spec.n) : line.x;

  // The grid's outputs at slider indices, as Python computed them (for tests and the curious).
  root.vaeOutputsAt = (indices) => {
    const point = pointOf(indices), out = {};
    if (bars) {
      const n = config.bars.names.length;
      config.bars.names.forEach((name, b) => { out[name] = bars.values[point * n + b]; });
    }
    images.forEach((image) => {
      out[image.spec.name] = Array.from(slice(image.bytes, point, image.spec.width * image.spec.height));
    });
    lines.forEach((line) => {
      out[line.spec.name] = [Array.from(xOf(line, point)), Array.from(slice(line.y, point, line.spec.n))];
    });
    return out;
  };

  const redraw = timed(root, () => {
    const indices = inputs.map((input) => parseInt(input.value, 10));
    const point = pointOf(indices);
    const settings = indices.map((i, k) => config.sliders[k].name + " = " + config.sliders[k].labels[i]).join(", ");
    indices.forEach((i, k) => {
      const label = config.sliders[k].labels[i];
      outputs[k].value = label;
      inputs[k].setAttribute("aria-valuetext", label);
    });
    if (bars) {
      const n = config.bars.names.length, lo = config.bars.lo, span = config.bars.hi - config.bars.lo || 1;
      bars.rows.forEach((row, b) => {
        const value = bars.values[point * n + b];
        const bar = row.querySelector(".vfs-bar");
        bar.style.left = (100 * (Math.min(value, 0) - lo) / span).toFixed(3) + "%";
        bar.style.width = (100 * Math.abs(value) / span).toFixed(3) + "%";
        row.querySelector("output").value = value.toFixed(config.bars.digits);
      });
    }
    images.forEach((image) => {
      drawGrey(image.canvas, slice(image.bytes, point, image.spec.width * image.spec.height), 1);
      image.canvas.setAttribute("aria-label", image.spec.name + " at " + settings);
    });
    lines.forEach((line) => {
      drawLine(line.canvas, xOf(line, point), slice(line.y, point, line.spec.n), line.spec.box);
      line.canvas.setAttribute("aria-label", "Line plot of " + line.spec.name + " at " + settings);
    });
  });
  inputs.forEach((input) => input.addEventListener("input", redraw));
  redraw();
}
"""

STARTERS = {"latent": DECODER_JS + LATENT_JS, "interpolation": DECODER_JS + INTERPOLATION_JS, "table": TABLE_JS}


def explorer_script(kind, config_json):
    """The inline script of one explorer of ``kind``, started with its JSON configuration."""
    return (
        "(function () {\n"
        + COMMON_JS
        + STARTERS[kind]
        + "\nconst root = findRoot(document.currentScript);\n"
        + "if (root && !root.dataset.vfsReady) {\n"
        + '  root.dataset.vfsReady = "1";\n'
        + "  keepControlKeys(root);\n"
        + "  start(root, "
        + config_json
        + ");\n}\n})();"
    )
