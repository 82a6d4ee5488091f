"""A small Sphinx extension for the book: each script is included once per page, and every
glued number links to its record in the build's ``results.json``.

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


def _glue_key(text: str) -> str:
    """``name`` from a glue role's text (``name``, ``name:.1f``, ``doc::name:.0f``)."""
    key = text.split("::", 1)[-1]
    return key.rsplit(":", 1)[0] if ":" in key else key


def _is_figure(text: str) -> bool:
    """A pasted number or short quantity ("2.4", "US$ 1,424", "19 years"), not a computed
    sentence: only those link to their record (a sentence underlined as a link reads badly)."""
    return len(text) <= 40 and any(ch.isdigit() for ch in text)


def _linked(run):
    """Wrap a myst-nb paste role's ``run``: a pasted number (:func:`_is_figure`) becomes a
    link to its record,
    ``results.json#<name>`` at the site root (``_static/aiboom-charts.js`` shows the record
    in place; the link opens the file)."""
    from docutils import nodes

    def wrapped(self):
        out, messages = run(self)
        if len(out) == 1 and isinstance(out[0], nodes.inline) \
                and "pasted-text" in out[0].get("classes", []) and _is_figure(out[0].astext()):
            key = _glue_key(self.text)
            docname = self.document.settings.env.docname
            uri = "../" * docname.count("/") + f"results.json#{key}"
            ref = nodes.reference("", "", out[0], refuri=uri, classes=["aiboom-glued"],
                                  internal=False)
            ref["reftitle"] = f"Glued result {key}: its record in results.json"
            out = [ref]
        return out, messages

    wrapped._aiboom_linked = True
    return wrapped


def link_glued_numbers() -> None:
    """Make myst-nb's ``{glue:text}`` and ``{glue}`` roles link what they paste."""
    from myst_nb.ext.glue import roles

    for cls in (roles.PasteTextRole, roles.PasteRoleAny):
        if not getattr(cls.run, "_aiboom_linked", False):
            cls.run = _linked(cls.run)


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", dedupe_scripts, priority=900)
    link_glued_numbers()
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
