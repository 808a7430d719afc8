"""Browser test helpers: serve a folder on 127.0.0.1, drive Debian's chromium, audit with axe-core.

Shared by the explorers' standalone tests and the website's tests. Nothing here downloads a
browser: playwright drives ``/usr/bin/chromium`` (``apt-get install chromium``; never
``playwright install``). axe-core comes from the npm registry through ``npm pack``, checked
against its published SHA-512 and cached in ``.cache/npm/`` (git-ignored).

    with serve_directory(folder) as (url, stop), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        watch = PageWatch(page, url)
        page.goto(url + "index.html")
        ...
        assert not watch.problems()
        assert not axe_violations(page)
"""
import contextlib
import functools
import http.server
import json
import pathlib
import sys
import tarfile
import threading

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from vendor_assets import npm_tarball  # noqa: E402  (the one verified npm fetcher, shared with the build)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

AXE_VERSION = "4.10.3"
AXE_INTEGRITY = "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep pytest's output for the tests
        pass


@contextlib.contextmanager
def serve_directory(path):
    """Serve ``path`` over HTTP on 127.0.0.1 at a free port; yields ``(url, stop)``.

    ``url`` ends with "/". ``stop()`` shuts the server down early; leaving the block always does.
    """
    handler = functools.partial(QuietHandler, directory=str(path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stopped = threading.Event()

    def stop():
        if not stopped.is_set():
            stopped.set()
            server.shutdown()
            server.server_close()
            thread.join()

    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", stop
    finally:
        stop()


def launch_chromium(playwright):
    """A headless Debian chromium driven by playwright, with no background network traffic."""
    if not pathlib.Path(CHROMIUM).exists():
        raise FileNotFoundError(f"{CHROMIUM} not found; install it with apt-get install chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


class PageWatch:
    """Records a page's console errors, uncaught errors, failed requests and requests off ``origin``."""

    def __init__(self, page, origin, ignore_console=()):
        self.origin = origin
        self.ignore_console = tuple(ignore_console)
        self.console_errors, self.page_errors, self.failed, self.foreign = [], [], [], []
        self.requests = []  # every URL the page asked for, in order
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", lambda request: self.failed.append(request.url))
        page.on("request", self._request)

    def _console(self, message):
        if message.type == "error" and not any(text in message.text for text in self.ignore_console):
            self.console_errors.append(message.text)

    def _request(self, request):
        self.requests.append(request.url)
        # data: and this origin's blob: URLs never leave the page; everything else must come from the server.
        if not request.url.startswith((self.origin, "data:", "blob:" + self.origin)):
            self.foreign.append(request.url)

    def problems(self):
        """Everything recorded, as {kind: [messages]}; empty when the page behaved."""
        found = {
            "console errors": self.console_errors,
            "page errors": self.page_errors,
            "failed requests": self.failed,
            "requests beyond the served folder": self.foreign,
        }
        return {kind: items for kind, items in found.items() if items}


@functools.lru_cache(maxsize=None)
def axe_core_source():
    """The text of axe-core's ``axe.min.js`` at the pinned version."""
    with tarfile.open(npm_tarball("axe-core", AXE_VERSION, AXE_INTEGRITY)) as tar:
        return tar.extractfile("package/axe.min.js").read().decode("utf-8")


def axe_violations(page, impacts=("serious", "critical")):
    """axe-core's violations on the loaded page with one of ``impacts``, as short readable dicts."""
    page.add_script_tag(content=axe_core_source())
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["html"][:200] for n in v["nodes"]]}
        for v in json.loads(result)["violations"]
        if v["impact"] in impacts
    ]
