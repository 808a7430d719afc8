"""A Sphinx extension that removes duplicate <script> tags from every page.

Jupyter Book 1 registers sphinx-thebe's configuration twice, so every page declares
``const THEBE_JS_URL`` twice and the browser reports "Identifier 'THEBE_JS_URL' has already been
declared". Dropping exact duplicates (same file, same inline body) fixes it at the source, so the
browser tests can demand pages with no JavaScript error at all.
"""


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # an inline script has filename None or "" depending on who added it
        key = (str(getattr(script, "filename", script) or ""), getattr(script, "attributes", {}).get("body", ""))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # in place: the list is the builder's own, and later handlers (MathJax) append to it
    context["script_files"][:] = unique


def setup(app):
    # Early: Sphinx stops calling handlers of this event at the first one that returns a template.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
