"""HTML tables for the book: escaped text, right-aligned numbers, links only where given.

Notebooks display tables through :func:`html_table` so that text from the registry, the data
sidecars or a scenario (which a fork controls) is always escaped before it reaches the page.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import pandas as pd
from IPython.display import HTML

Formatter = Callable[[object], str]


def fmt_number(value: object) -> str:
    """Compact, readable number: thousands separators, at most four significant digits."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    x = float(value)  # type: ignore[arg-type]
    if x == 0:
        return "0"
    if abs(x) >= 1e6 or abs(x) < 1e-3:
        return f"{x:.3g}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def _code(escaped: str) -> str:
    return "<code>" + escaped.replace("_", "_<wbr>") + "</code>"


def html_table(df: pd.DataFrame, *, numeric: tuple[str, ...] = (),
               links: Mapping[str, str] | None = None,
               formatters: Mapping[str, Formatter] | None = None,
               caption: str | None = None, code: tuple[str, ...] = (),
               below: Mapping[str, str] | None = None) -> HTML:
    """Render ``df`` as an accessible HTML table.

    Parameters
    ----------
    numeric : columns formatted with :func:`fmt_number` and right-aligned.
    links : maps a text column to the column holding its URL; the text becomes a link.
    formatters : per-column functions returning plain text (escaped afterwards).
    caption : table caption (escaped).
    code : columns shown in a code font (identifiers such as registry ids).
    below : maps a column to another whose value is shown under it, in a code font.
    """
    below = dict(below or {})
    if df.empty:
        return HTML(f'<p class="aiboom-table-empty">{html.escape(caption or "No rows.")}</p>')
    links = dict(links or {})
    formatters = dict(formatters or {})
    hidden = set(links.values()) | set(below.values())
    cols = [c for c in df.columns if c not in hidden]
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if c in numeric else ""}>{html.escape(str(c))}</th>'
                   for c in cols)
    rows = []
    for _, row in df.iterrows():
        cells = []
        for c in cols:
            value = row[c]
            if c in formatters:
                text = formatters[c](value)
            elif c in numeric:
                text = fmt_number(value)
            else:
                text = "" if value is None or (isinstance(value, float) and pd.isna(value)) \
                    else str(value)
            text = html.escape(text)
            if c in code:  # identifiers may wrap at underscores only
                text = _code(text)
            if c in below:
                text += "<br>" + _code(html.escape(str(row[below[c]])))
            url = row[links[c]] if c in links else None
            if isinstance(url, str) and url.startswith(("https://", "http://")):
                text = f'<a href="{html.escape(url, quote=True)}">{text}</a>'
            cells.append(f"<td{num if c in numeric else ''}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return HTML(f'<div class="aiboom-table-wrap"><table class="aiboom-table">{cap}<thead><tr>'
                f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def scenario_banner(title: str, description: str, name: str) -> HTML:
    """A short, escaped note naming the scenario a page was computed under."""
    return HTML(f'<p class="aiboom-scenario">Computed under the scenario '
                f'<strong>{html.escape(title)}</strong> (<code>{html.escape(name)}</code>). '
                f"{html.escape(description)}</p>")
