"""The book's structure: every notebook is listed, executed, launchable on Colab, and complete.

These checks keep the pipeline honest between builds: a notebook committed without outputs would
make nbval compare nothing, and one missing from the table of contents would be unreachable.
"""
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CONFIG = (ROOT / "_config.yml").read_text()
TOC = (ROOT / "_toc.yml").read_text()
REPOSITORY_URL = re.search(r"^repository:\s*\n\s+url:\s*(\S+)", CONFIG, re.M).group(1)


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_every_page_of_the_toc_exists():
    for entry in re.findall(r"(?:root|file):\s*(\S+)", TOC):
        matches = list(ROOT.glob(entry + ".*"))
        assert matches, f"_toc.yml lists {entry}, which does not exist"


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_in_the_toc(path):
    assert f"notebooks/{path.stem}" in TOC, f"{path.name} is missing from _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_executed_in_order(path):
    code = [c for c in _cells(path) if c["cell_type"] == "code" and _source(c).strip()]
    counts = [c.get("execution_count") for c in code]
    assert None not in counts, f"{path.name}: {counts.count(None)} code cells were never run; run `make notebooks`"
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: cells were not run top to bottom in one kernel"
    nb = json.loads(path.read_text())
    assert "widgets" not in nb["metadata"], f"{path.name}: stored ipywidgets state would need CDN JavaScript"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_installs_the_library_on_colab(path):
    code = [_source(c) for c in _cells(path) if c["cell_type"] == "code"]
    setup = next((s for s in code if "google.colab" in s), None)
    assert setup is not None, f"{path.name}: no guarded Colab install cell"
    assert 'if "google.colab" in sys.modules' in setup
    assert f"git+{REPOSITORY_URL}" in setup, f"{path.name}: the install cell must use {REPOSITORY_URL} (_config.yml)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_has_goals_exercises_solutions_and_checks(path):
    cells = _cells(path)
    markdown = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    code = "\n".join(_source(c) for c in cells if c["cell_type"] == "code")
    assert re.search(r"learning goals", markdown, re.I), f"{path.name}: no learning goals"
    prose = re.sub(r"^(`{3,}).*?^\1", "", markdown, flags=re.M | re.S)  # a "# 0.38" in a code block is a comment
    numbered = re.findall(r"^#+ +\d+(?:\.\d+)*\.? ", prose, re.M)
    assert not numbered, f"{path.name}: headings {numbered} carry hand-written numbers; the numbered toc supplies them"
    assert re.search(r"^#+ .*summary", markdown, re.I | re.M), f"{path.name}: no summary section"
    exercises = re.findall(r"\{exercise\}", markdown)
    solutions = re.findall(r"\{solution\}[^\n]*\n:class: dropdown", markdown)
    assert len(exercises) >= 3, f"{path.name}: {len(exercises)} exercises, at least 3 wanted"
    assert len(solutions) >= len(exercises), f"{path.name}: every exercise needs a dropdown solution"
    assert re.search(r"\$\$ *\((eq-[\w-]+)\)", markdown), f"{path.name}: no labelled equation"
    assert re.search(r"^\s*assert\b|assert_allclose", code, re.M), f"{path.name}: no asserted check"
    assert "vae_from_scratch.exercises" in code or "from vae_from_scratch import exercises" in code, (
        f"{path.name}: no exercise is checked by vae_from_scratch.exercises"
    )
