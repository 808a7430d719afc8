"""Two small fixes for Jupyter Book 1, made at the source so the site's tests can be strict.

1. JB1 registers sphinx-thebe's configuration twice, so every page declared ``const
   THEBE_JS_URL`` twice and the browser reported "Identifier 'THEBE_JS_URL' has already been
   declared". Exact duplicate <script> tags (same file, same inline body) are dropped.
2. ``_config.yml`` is YAML, so ``nitpick_ignore`` arrives as a list of lists, which Sphinx never
   matches (it looks up tuples). The entries are turned into tuples.
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


def _nitpick_entries_as_tuples(app, config):
    config.nitpick_ignore = [tuple(entry) for entry in config.nitpick_ignore]


def setup(app):
    app.connect("config-inited", _nitpick_entries_as_tuples)
    # Early: Sphinx stops calling handlers of this event at the first one that returns a template.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
