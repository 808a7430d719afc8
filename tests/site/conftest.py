"""Fixtures for the browser tests of the built website (``make site``; run after ``make build``)."""
import pytest
from browser import launch_chromium, serve_directory  # tests/site is on sys.path (no __init__.py)
from website import SITE


@pytest.fixture(scope="session")
def site_dir():
    if not (SITE / "index.html").exists():
        pytest.fail(f"{SITE} has no built site; run `make build` (or `make book`) first")
    return SITE


@pytest.fixture(scope="session")
def site_url(site_dir):
    with serve_directory(site_dir) as (url, _stop):
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
