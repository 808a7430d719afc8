"""The test command must fail when a notebook is broken. These tests break one on purpose.

Each builds a throw-away copy of the book's configuration in a temporary folder with one small
notebook, breaks it in one way (a changed output, a cell error, a missing table-of-contents entry,
a broken equation reference) and checks that nbval or the warnings-as-errors build fails — and that
the unbroken version passes, so the failure is the breakage's and not the harness's.
"""
import os
import pathlib
import shutil
import subprocess
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(sys.executable).parent
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _notebook(code="print(1 + 1)", output="2\n", markdown="# A chapter\n\n$$ a = b $$ (eq-test-a)\n\nSee {eq}`eq-test-a`."):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(code, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    nb.cells = [nbformat.v4.new_markdown_cell(markdown), cell]
    return nb


def _book(tmp_path, nb, listed=True):
    for name in ("_config.yml", "references.bib", ".nbval_sanitize.cfg"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("book/images", "book/assets", "book/_ext"):  # what _config.yml points at
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "index.md").write_text("# Home\n\nA test book {cite:p}`kingma2014aevb`.\n\n```{bibliography}\n```\n")
    nbformat.write(nb, tmp_path / "chapter.ipynb")
    chapters = "chapters:\n  - file: chapter\n" if listed else ""
    (tmp_path / "_toc.yml").write_text(f"format: jb-book\nroot: index\n{chapters}")
    return tmp_path


def _nbval(book):
    args = [BIN / "pytest", "--nbval", "--nbval-current-env", "--nbval-sanitize-with", ".nbval_sanitize.cfg",
            "-q", "-p", "no:cacheprovider", "chapter.ipynb"]
    return subprocess.run(args, cwd=book, env=ENV, capture_output=True, text=True, timeout=120)


def _build(book):
    args = [BIN / "jupyter-book", "build", ".", "-W", "-n", "--keep-going", "--all"]
    # html_static_path points at _vendor/ (MathJax); an empty one is enough for these pages
    (book / "_vendor").mkdir(exist_ok=True)
    return subprocess.run(args, cwd=book, env=ENV, capture_output=True, text=True, timeout=300)


def test_an_intact_notebook_passes_nbval_and_the_build(tmp_path):
    book = _book(tmp_path, _notebook())
    assert _nbval(book).returncode == 0
    result = _build(book)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_a_changed_output_fails_nbval(tmp_path):
    book = _book(tmp_path, _notebook(output="3\n"))
    result = _nbval(book)
    assert result.returncode != 0
    assert "mismatch" in result.stdout.lower() or "differ" in result.stdout.lower()


def test_a_cell_error_fails_nbval(tmp_path):
    book = _book(tmp_path, _notebook(code="1 / 0", output=""))
    result = _nbval(book)
    assert result.returncode != 0
    assert "ZeroDivisionError" in result.stdout


def test_a_notebook_missing_from_the_toc_fails_the_build(tmp_path):
    result = _build(_book(tmp_path, _notebook(), listed=False))
    assert result.returncode != 0
    assert "toctree" in (result.stdout + result.stderr)


def test_a_broken_equation_reference_fails_the_build(tmp_path):
    nb = _notebook(markdown="# A chapter\n\n$$ a = b $$ (eq-test-a)\n\nSee {eq}`eq-test-missing`.")
    result = _build(_book(tmp_path, nb))
    assert result.returncode != 0
    assert "eq-test-missing" in (result.stdout + result.stderr)
