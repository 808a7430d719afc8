"""A private JupyterLab server for browser tests: its own folders, a token, no network, no user settings.

    with jupyterlab(folder) as lab:
        page.goto(lab.url("lab/tree/explore.ipynb"))

The server runs the venv's ``jupyter lab`` on 127.0.0.1 at a free port. Every Jupyter folder
(config, data, runtime, settings, workspaces) is a fresh temporary one, so nothing the user has
configured leaks in and nothing of theirs is written. JupyterLab's news feed and update check are
switched off (they are the only requests it would make beyond the server), and so is its
windowing, which would leave cells scrolled out of view out of the DOM.
``--LabApp.expose_app_in_browser`` sets ``window.jupyterapp``, which the tests use to run cells
through JupyterLab's own commands ("Run All Cells", "Run Selected Cell").
"""
import contextlib
import json
import os
import pathlib
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

JUPYTER = pathlib.Path(sys.executable).parent / "jupyter"
SETTINGS = {
    # no news feed, no update check: the only requests JupyterLab would make beyond its server
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    # every cell in the DOM, scrolled out of view or not, so that tests can read any cell's output
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


class Lab:
    def __init__(self, port, token, log):
        self.origin = f"http://127.0.0.1:{port}/"
        self.token = token
        self.log = log

    def url(self, path):
        return f"{self.origin}{path}?token={self.token}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(notebook_dir, start_timeout=60.0):
    """Start JupyterLab serving ``notebook_dir``; yield a :class:`Lab`; stop it and its kernels after."""
    if not JUPYTER.exists():
        raise FileNotFoundError(f"{JUPYTER} not found; JupyterLab comes with requirements-dev.txt (make test)")
    with tempfile.TemporaryDirectory(prefix="vfs-lab-") as home:
        home = pathlib.Path(home)
        settings = home / "settings"
        for name, values in SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values))
        env = dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_DATA_DIR=str(home / "data"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
            IPYTHONDIR=str(home / "ipython"),
        )
        port, token = free_port(), secrets.token_hex(16)
        log_path = home / "server.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [
                    str(JUPYTER), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                    f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebook_dir}",
                    "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
                    "--allow-root",  # CI containers run as root; the server only listens on 127.0.0.1
                ],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )
            lab = Lab(port, token, log_path)
            try:
                wait_until_up(server, lab, start_timeout)
                yield lab
            finally:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


def wait_until_up(server, lab, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {server.returncode}:\n{lab.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(lab.url("api/status"), timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"jupyter lab did not answer within {timeout:.0f} s:\n{lab.log.read_text()[-3000:]}")
