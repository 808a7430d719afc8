"""Where the built website is, and what its pages may print that is not our fault."""
import pathlib

SITE = pathlib.Path(__file__).resolve().parents[2] / "_build" / "html"

# Console messages a page may log that are not the book's fault (none, since book/_ext/dedupe_scripts.py).
KNOWN_HARMLESS_CONSOLE = ()
