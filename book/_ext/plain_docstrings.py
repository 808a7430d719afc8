"""A Sphinx extension that shows a docstring verbatim when it is not valid reStructuredText.

The library's docstrings are written for readers of the source first: aligned argument lists,
``|x|`` for norms, formulas in plain Unicode. Many of those are not reStructuredText, and autodoc
would mangle them or fail the warnings-as-errors build. Each docstring is test-parsed on its own;
if docutils reports any problem, the summary line is kept as text and the rest is shown as a
literal block, exactly as it reads in the source. Valid docstrings render normally, with links.
"""
import re

import docutils.core
import docutils.utils

_SPHINX_ROLE = re.compile(r":(?:py:)?(?:func|mod|class|meth|attr|data|exc|obj|eq|ref|cite:[pt]|doc):`([^`]*)`")


def _is_clean_rst(text):
    # Sphinx's roles are unknown to plain docutils: stand them in as literals for the test parse.
    probe = _SPHINX_ROLE.sub(lambda m: "``" + m.group(1).replace("`", "") + "``", text)
    doctree = docutils.core.publish_doctree(
        probe, settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": False}
    )
    messages = list(doctree.findall(docutils.nodes.system_message)) + doctree.transform_messages
    # undefined |substitutions| leave a "problematic" node and a message kept aside by the transform
    return not any(msg["level"] >= 2 for msg in messages) and not any(doctree.findall(docutils.nodes.problematic))


def _verbatim_if_not_rst(app, what, name, obj, options, lines):
    text = "\n".join(lines)
    if not text.strip() or _is_clean_rst(text):
        return
    summary, rest = lines[0], lines[1:]
    while rest and not rest[0].strip():
        rest = rest[1:]
    if not _is_clean_rst(summary):
        summary, rest = "", lines
    lines[:] = ([summary, ""] if summary else []) + (["::", ""] + ["    " + line for line in rest] if rest else [])


def setup(app):
    app.connect("autodoc-process-docstring", _verbatim_if_not_rst)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
