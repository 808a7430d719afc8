"""Re-execute notebooks in place so that their stored outputs are fresh (``make notebooks``).

Deterministic by construction: one BLAS thread (the kernel inherits this environment), no
execution timings recorded, no widget state saved (the site's explorers are self-contained HTML),
each notebook run from its own folder in a fresh kernel. Two notebooks run at a time.

Usage:  python tools/run_notebooks.py notebooks/*.ipynb
"""
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402


def run(path):
    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        record_timing=False,
    )
    client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return path, time.perf_counter() - start


def main(paths):
    if not paths:
        sys.exit("usage: python tools/run_notebooks.py NOTEBOOK.ipynb [...]")
    with ProcessPoolExecutor(max_workers=2) as pool:
        for path, seconds in pool.map(run, paths):
            print(f"{seconds:6.1f} s  {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
