"""A small Sphinx extension for the book: each script is included once per page.

Jupyter Book 1 lets sphinx-thebe register its inline configuration twice, which declares the
same ``const`` twice and raises a SyntaxError in every page. Removing exact duplicates of a
script (same file, same attributes, same inline body) keeps the page's behaviour and its
console clean.
"""

from __future__ import annotations

from typing import Any


def _script_key(script: Any) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    filename = getattr(script, "filename", script) or ""  # None and "" both mean inline
    return str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items()))


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context`` handler: drop repeated entries of ``script_files``."""
    seen: set[tuple] = set()
    unique = []
    for script in context.get("script_files", []):
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
