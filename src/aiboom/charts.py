"""The book's one chart theme, its offline renderer, and the chart builders behind each figure.

Every chart is Altair. :func:`figure` attaches the caption, source line and alt text; the
``aiboom`` renderer turns it into HTML that draws with the Vega bundle served from the site's
own ``_static/vega-bundle.js`` (no CDN) and carries a static SVG inside ``<noscript>`` for
readers without JavaScript. ``_static/aiboom-charts.js`` draws each chart at its column's width
in the page's light or dark theme and adds the figure number, permalink, downloads (CSV, SVG,
PNG) and citation. :data:`ENTITY_COLORS` gives each entity (company, model size, project
type, ...) one colour across the book; :func:`color` builds that encoding, and the renderer
applies it to every nominal colour encoding.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from aiboom.backend import COMPUTED_BY

#: Colour-blind-safe categorical palette (Okabe & Ito, 2008), in a fixed order.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
)
#: Neutral colours for reference marks (rules, ticks, annotations, bands). The page script
#: (``book/_static/aiboom-charts.js``) swaps each for a light grey in dark mode.
INK = "#333333"
GREY = "#999999"
WIDTH_PX = 560
HEIGHT_PX = 280
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

_BLUE, _ORANGE, _GREEN, _VERMILION, _PURPLE, _SKY, _YELLOW, _BLACK = PALETTE

#: One colour per entity, for the whole book: every chart draws an entity in the colour this
#: table gives it, whichever chapter it is in (the renderer enforces it, :func:`color` builds
#: it). Kinds group the entities; a value may appear under one kind only, or with the same
#: colour everywhere. Built from the Okabe-Ito palette (colour-blind safe), black swapped for
#: a light grey in dark mode.
ENTITY_COLORS: dict[str, dict[str, str]] = {
    "company": {
        "Microsoft": _BLUE, "Amazon": _ORANGE, "Alphabet": _GREEN, "Google": _GREEN,
        "Meta": _SKY, "OpenAI": _VERMILION, "Anthropic": _PURPLE, "DeepSeek": _BLACK,
    },
    "model_size": {
        "Small (8B)": _GREEN, "Frontier-class (100B)": _BLUE, "Largest dense (405B)": _VERMILION,
        "Small specialised model": _GREEN, "Frontier-class model": _BLUE,
        "Small tier": _GREEN, "Mid tier": _ORANGE, "Frontier tier": _BLUE,
        "Frontier (registry)": _BLUE, "Open model (registry discount)": _PURPLE,
        "Same capability, plain answer": _GREEN, "Frontier, plain answer": _BLUE,
        "Frontier, reasoning answer": _VERMILION,
        "Frontier (top ten at release)": _BLUE, "Other notable": GREY,
    },
    "query": {"Answer written directly": _BLUE, "Reasoning model": _VERMILION},
    "project": {
        "Traditional software": _ORANGE, "Typical tech project": _ORANGE,
        "Typical-tech payback": _ORANGE,
        "Generative AI": _BLUE, "Generative AI, typical subscriber": _BLUE,
        "Generative AI, heavy reasoning user": _VERMILION, "Agentic AI": _PURPLE,
    },
    "goal": {"One-year payback": _BLUE, "Chatbot covers its compute": _GREEN,
             "Chatbot earns a 76% margin": _VERMILION},
    "scenario": {"Baseline": _BLUE, "Bear": _VERMILION, "Bull": _GREEN,
                 "Small models take the volume": _PURPLE,
                 # the shipped files' full titles, as the scenarios page labels them
                 "Bear: the correction deepens": _VERMILION, "Bull: efficiency wins": _GREEN,
                 # The revenue curve the four scenario files share (chapter 8's race).
                 "Baseline, Bear, Bull, Small models take the volume": _BLUE},
    "case": {"Low: US$ 200 thousand": _SKY, "Central: US$ 500 thousand": _BLUE,
             "High: US$ 1,250 thousand": _VERMILION},
    "source_kind": {
        "aiboom model": _BLUE, "modelled": _BLUE, "Published estimates": _ORANGE,
        "reported": _ORANGE, "Frontier model (Epoch AI estimate)": _ORANGE,
        "Frontier run (book's cost model)": _ORANGE,
        "Fitted trend (90% interval)": _BLUE, "Model cost (median, 90% interval)": _BLUE,
        "Inference spend (median, 90% interval)": _BLUE,
        "Revenue required by Cahn's rule": _BLUE, "Cahn's published requirement": _BLACK,
        "AI revenue credited by Cahn": _PURPLE,
        "Disclosed AI run-rates of OpenAI, Anthropic and Microsoft": _VERMILION,
    },
    "method": {"Method 1: amortised hardware + energy": _BLUE, "Method 2: cloud rental": _ORANGE,
               "Hoffmann et al. (Chinchilla)": _BLUE, "Besiroglu et al. (refit)": _ORANGE,
               "Accounting life, 6 years": _BLUE, "Economic life, 4 years": _VERMILION},
    "cost_component": {
        "Accelerators": _BLUE, "Rest of the servers": _ORANGE, "Networking": _GREEN,
        "Building, power and cooling": _VERMILION, "Electricity": _PURPLE, "Operations": _SKY,
        "Cost of capital": _YELLOW, "Hardware, servers and network": _BLUE, "Rental": _ORANGE,
        "Subscription revenue": _GREEN, "Compute cost of all users": _VERMILION,
        "Operating cash flow": _GREEN, "Capital expenditure": _VERMILION,
    },
    "segment": {"Data centre": _BLUE, "Other segments (gaming, visualisation, automotive)": _SKY,
                "2 years after launch": _SKY, "3 years after launch": _BLUE},
    "accelerator_precision": {"BF16": _BLUE, "FP8": _ORANGE},
    "lever": {
        "Monthly gross benefit": _BLUE, "Share of value captured": _ORANGE,
        "Serving cost per query": _GREEN, "Fleet utilisation": _VERMILION,
        "Up-front build cost": _PURPLE, "Data clean-up delay": _SKY,
    },
    "validation_family": {"Training cost": _BLUE, "Serving": _ORANGE,
                          "Energy per query": _GREEN, "Bills and revenue": _PURPLE},
}


def _value_colors() -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, table in ENTITY_COLORS.items():
        for value, colour in table.items():
            if out.get(value, colour) != colour:
                raise ValueError(f"ENTITY_COLORS: {value!r} ({kind}) has two colours")
            out[value] = colour
    return out


#: Every entity's colour, whatever its kind.
VALUE_COLORS: dict[str, str] = _value_colors()
#: Colours handed to entities missing from :data:`ENTITY_COLORS` (a warning names them).
_FALLBACK = (_BLUE, _ORANGE, _GREEN, _VERMILION, _PURPLE, _SKY, GREY)


def color_of(value: object) -> str:
    """The book's colour for one entity. An entity missing from :data:`ENTITY_COLORS` gets a
    fixed colour from its name (the same in every chart); ``tests/test_chart_colors.py`` asks
    for it to be added to the table."""
    key = str(value)
    if key in VALUE_COLORS:
        return VALUE_COLORS[key]
    return _FALLBACK[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(_FALLBACK)]


def color(field: str, values: Sequence[object] | None = None, *, kind: str | None = None,
          **kwargs) -> alt.Color:
    """A nominal colour encoding of ``field`` with the book's fixed colour per entity.

    ``values`` (in legend order) default to every entity of ``kind`` in :data:`ENTITY_COLORS`;
    other keyword arguments (``title``, ``legend``, ``sort``) go to :class:`altair.Color`.
    """
    if values is None:
        if kind is None:
            raise ValueError("color needs values or a kind")
        values = list(ENTITY_COLORS[kind])
    domain = [str(v) for v in dict.fromkeys(values)]
    kwargs.setdefault("title", None)
    return alt.Color(f"{field}:N", scale=alt.Scale(domain=domain,
                                                   range=[color_of(v) for v in domain]),
                     **kwargs)


@alt.theme.register("aiboom", enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "width": WIDTH_PX,
        "height": HEIGHT_PX,
        "background": "white",
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "range": {"category": list(PALETTE)},
            # Marks without a colour encoding: the palette's blue, never Vega's default.
            "mark": {"color": PALETTE[0]},
            "text": {"color": INK},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "titleFontWeight": "normal",
                     "gridColor": "#e6e6e6", "domainColor": "#888", "tickColor": "#888",
                     "labelLimit": 260},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom",
                       "direction": "horizontal", "columns": 4, "labelLimit": 260},
            "title": {"fontSize": 14, "anchor": "start", "fontWeight": "normal"},
            "line": {"strokeWidth": 2},
            "point": {"size": 40, "filled": True},
        },
    }


def figure(chart: alt.TopLevelMixin, *, caption: str, source: str, alt_text: str,
           glue: str | None = None) -> alt.TopLevelMixin:
    """Attach caption, source line and alt text to a chart (rendered by :func:`render_html`).

    The alt text also becomes the Vega-Lite ``description`` (the SVG's ARIA label). With
    ``glue``, the finished figure is also glued under that name, so that another page (the
    summary) can show the very same chart with ``{glue:figure}``.
    """
    for field, text in (("caption", caption), ("source", source), ("alt_text", alt_text)):
        if not text or not text.strip():
            raise ValueError(f"figure needs a non-empty {field}")
    meta = {"caption": caption, "source": source, "alt": alt_text}
    computed = computed_by(chart)
    if computed:
        meta["computed_by"] = computed
    out = chart.properties(description=alt_text, usermeta={"aiboom": meta})
    if glue:
        from myst_nb import glue as myst_glue

        myst_glue(glue, out, display=False)
    return out


def _chart_frames(chart: Any) -> list[pd.DataFrame]:
    """Every pandas table a chart draws: its own data, its layers' and sub-charts'."""
    frames = [chart.data] if isinstance(getattr(chart, "data", None), pd.DataFrame) else []
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in getattr(chart, key, None) or []:
            if isinstance(child, alt.TopLevelMixin | alt.SchemaBase):
                frames += _chart_frames(child)
    spec = getattr(chart, "spec", None)
    if isinstance(spec, alt.SchemaBase):
        frames += _chart_frames(spec)
    return frames


def computed_by(chart: Any) -> dict[str, Any] | None:
    """What computed a chart's numbers: the kernels (``module.function``) that tagged its
    tables (:meth:`aiboom.backend.Backend.frame`), the backend and the device; ``None`` for a
    chart of data alone."""
    tags = [f.attrs[COMPUTED_BY] for f in _chart_frames(chart) if COMPUTED_BY in f.attrs]
    if not tags:
        return None
    return {**tags[0], "kernels": sorted({k for t in tags for k in t["kernels"]})}


def _static_svg(spec: dict) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec)


def _units(spec: dict):
    """Every view of a chart spec: the top level, layers, concatenated views, facet's spec."""
    yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key) or []:
            if isinstance(child, dict):
                yield from _units(child)
    if isinstance(spec.get("spec"), dict):
        yield from _units(spec["spec"])


def _datasets(spec: dict) -> list[list[dict]]:
    """The tables a spec plots: its named datasets and any inline ``data.values``, in order."""
    out = [rows for rows in (spec.get("datasets") or {}).values() if isinstance(rows, list)]
    for unit in _units(spec):
        values = (unit.get("data") or {}).get("values")
        if isinstance(values, list) and values and isinstance(values[0], dict):
            out.append(values)
    return out


def apply_palette(spec: dict) -> dict:
    """Give every nominal colour encoding of ``spec`` (in place) the book's colour per entity:
    a fixed domain (the scale's or the sort's order, then the plotted values) and its range."""
    tables = _datasets(spec)
    for unit in _units(spec):
        for channel in ("color", "fill", "stroke"):
            enc = (unit.get("encoding") or {}).get(channel)
            if not isinstance(enc, dict) or not isinstance(enc.get("field"), str) \
                    or enc.get("type", "nominal") != "nominal":
                continue
            field = enc["field"]
            scale = enc.get("scale") or {}
            domain = list(scale.get("domain") or []) if isinstance(scale.get("domain"), list) \
                else []
            if isinstance(enc.get("sort"), list):
                domain += enc["sort"]
            seen = [r[field] for rows in tables for r in rows
                    if isinstance(r, dict) and r.get(field) is not None]
            domain += sorted(dict.fromkeys(seen), key=str)
            domain = list(dict.fromkeys(domain))
            if not domain:
                continue
            enc["scale"] = {**{k: v for k, v in scale.items() if k not in ("scheme",)},
                            "domain": domain, "range": [color_of(v) for v in domain]}
    return spec


def _fit_positions(spec: dict) -> dict:
    """Annotations pinned at the right edge by a pixel count (``x: {"value": 560}``) follow the
    chart's width instead, so they stay at the edge when the page resizes the chart."""
    for unit in _units(spec):
        width = unit.get("width", spec.get("width"))
        enc = unit.get("encoding") or {}
        x = enc.get("x")
        if isinstance(width, (int, float)) and isinstance(x, dict) and set(x) == {"value"} \
                and isinstance(x["value"], (int, float)) and x["value"] >= width - 12:
            x["value"] = "width"
    return spec


def _title_text(title: object) -> str:
    if isinstance(title, list):
        return " ".join(str(t) for t in title)
    return str(title) if isinstance(title, str) and title.strip() else ""


def chart_columns(spec: dict) -> dict[str, str]:
    """Each plotted field with the title (and so the unit) its axis, legend or tooltip gives."""
    titles: dict[str, str] = {}

    def note(defn: object) -> None:
        if isinstance(defn, dict) and isinstance(defn.get("field"), str):
            text = _title_text(defn.get("title"))
            if text and defn["field"] not in titles:
                titles[defn["field"]] = text

    for unit in _units(spec):
        enc = unit.get("encoding") or {}
        for channel in ("x", "y", "x2", "y2", "theta", "color", "size", "text", "tooltip"):
            defn = enc.get(channel)
            for d in defn if isinstance(defn, list) else [defn]:
                note(d)
    return titles


def chart_rows(spec: dict) -> tuple[list[str], list[dict]]:
    """The rows a chart plots (every table it draws from; a ``part`` column numbers them
    when there are several) and their columns in order."""
    tables, seen = [], set()
    for rows in _datasets(spec):
        key = json.dumps(rows, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            tables.append(rows)
    columns: list[str] = []
    out: list[dict] = []
    for i, rows in enumerate(tables, start=1):
        for r in rows:
            if not isinstance(r, dict):
                continue
            for k in r:
                if k not in columns:
                    columns.append(k)
            out.append({**({"part": i} if len(tables) > 1 else {}), **r})
    if len(tables) > 1:
        columns.insert(0, "part")
    return columns, out


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e15 else f"{value:.4g}"
    return str(value)


#: Rows shown in a chart's data table (the CSV download has them all).
TABLE_ROWS = 200


def data_table_html(spec: dict, caption: str) -> str:
    """A collapsed ``<details>`` table of the rows a chart plots, for screen readers and for
    readers who want the numbers."""
    columns, rows = chart_rows(spec)
    if not rows:
        return ""
    titles = chart_columns(spec)
    head = "".join(f'<th scope="col">{html.escape(titles.get(c, c))}</th>' for c in columns)
    num = ' class="num"'
    body = "".join(
        "<tr>" + "".join(
            f'<td{num if isinstance(r.get(c), (int, float)) else ""}>'
            f"{html.escape(_cell(r.get(c)))}</td>" for c in columns) + "</tr>"
        for r in rows[:TABLE_ROWS])
    more = (f'<p class="aiboom-table-note">First {TABLE_ROWS} of {len(rows)} rows; the CSV '
            "download has them all.</p>") if len(rows) > TABLE_ROWS else ""
    return (f'<details class="aiboom-chart-data"><summary>Data table</summary>'
            f'<div class="aiboom-table-wrap"><table class="aiboom-table">'
            f"<caption>Data plotted: {html.escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{more}</details>")


def _slug(text: str, limit: int = 48) -> str:
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > limit:
            break
        out = f"{out}-{w}" if out else w
    return out or "chart"


def render_html(spec: dict) -> dict[str, str]:
    """Altair renderer: a ``<figure>`` that ``_static/aiboom-charts.js`` draws, fitted to its
    column and to the page's light or dark theme, with actions (CSV, SVG, PNG, Cite), a data
    table and a static SVG fallback.

    The spec travels as inert JSON (``<script type="application/json">``). The element ids come
    from the caption and a hash of the spec, so re-executing a notebook gives identical HTML.
    """
    spec = _fit_positions(apply_palette(json.loads(json.dumps(spec))))
    meta = spec.get("usermeta", {}).get("aiboom", {})
    if meta:
        meta["columns"] = chart_columns(spec)
    payload = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
    svg64 = base64.b64encode(_static_svg(spec).encode()).decode()
    alt_text = html.escape(meta.get("alt", spec.get("description", "chart")), quote=True)
    caption = ""
    table = ""
    anchor = f"chart-{digest[:8]}"
    if meta:
        anchor = f"chart-{_slug(meta['caption'])}-{digest[:6]}"
        caption = (f'<figcaption><span class="aiboom-caption">{html.escape(meta["caption"])}'
                   f'</span> <span class="aiboom-source">Source: {html.escape(meta["source"])}'
                   "</span></figcaption>")
        table = data_table_html(spec, meta["caption"])
    # "</" cannot appear inside a script element: escape it in the JSON.
    safe_payload = payload.replace("</", "<\\/")
    body = (
        f'<figure class="aiboom-chart" id="{anchor}">'
        f'<div class="aiboom-chart-view" id="vis-{digest}" role="img" aria-label="{alt_text}">'
        f'</div><noscript><img class="aiboom-chart-static" alt="{alt_text}" '
        f'src="data:image/svg+xml;base64,{svg64}"></noscript>{caption}{table}'
        f'<script type="application/json" class="aiboom-chart-spec">{safe_payload}</script>'
        "</figure>"
    )
    return {"text/html": body, "text/plain": f"<aiboom chart {digest}: {meta.get('caption', '')}>"}


alt.renderers.register("aiboom", render_html)
alt.renderers.enable("aiboom")
alt.data_transformers.disable_max_rows()


def write_vega_bundle(path: str | Path) -> Path:
    """Write the self-contained Vega, Vega-Lite and vega-embed bundle served by the site.

    The bundle comes from vl-convert (no network). It is wrapped in a function scope because
    its top-level names would clash with Sphinx's globals.
    """
    import vl_convert as vlc
    from altair.vegalite.v6.display import VEGALITE_VERSION

    js = vlc.javascript_bundle(vl_version=".".join(VEGALITE_VERSION.split(".")[:2]))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = "(function () {\n" + js + "\n})();\n"
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def write_page_assets(folder: str | Path) -> list[str]:
    """Write what a standalone page needs to draw charts (outside the book): the Vega bundle,
    ``aiboom-charts.js`` and ``aiboom.css``. Returns the ``<script>``/``<link>`` tags, in order."""
    from aiboom import paths

    out = Path(folder)
    write_vega_bundle(out / "vega-bundle.js")
    static = paths.BOOK / "_static"
    for name in ("aiboom-charts.js", "aiboom.css"):
        (out / name).write_bytes((static / name).read_bytes())
    return ['<link rel="stylesheet" href="aiboom.css">', '<script src="vega-bundle.js"></script>',
            '<script src="aiboom-charts.js"></script>']


# --------------------------------------------------------------------------------------------
# Chart builders. Each takes a tidy DataFrame and returns an Altair chart with tooltips and axis
# titles carrying units; notebooks wrap them in figure().
# --------------------------------------------------------------------------------------------

def _entity_color(df: pd.DataFrame, field: str) -> alt.Color:
    """The book's colour encoding for ``field``, its entities sorted as Vega-Lite would."""
    return color(field, sorted(df[field].dropna().unique(), key=str))


def _tooltip(fields: Sequence[tuple[str, str, str]]) -> list[alt.Tooltip]:
    return [alt.Tooltip(f, title=t, format=fmt) if fmt else alt.Tooltip(f, title=t)
            for f, t, fmt in fields]


def stacked_bars(df: pd.DataFrame, *, x: str, y: str, color: str, x_title: str, y_title: str,
                 y_format: str = ",.0f", x_type: str = "O") -> alt.Chart:
    """Stacked bars of ``y`` by ``x``, split by ``color`` (e.g. capex by year and company)."""
    return alt.Chart(df).mark_bar().encode(
        x=alt.X(f"{x}:{x_type}", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format)),
        color=_entity_color(df, color),
        tooltip=_tooltip([(f"{x}:{x_type}", x_title, ""), (f"{color}:N", "", ""),
                          (f"{y}:Q", y_title, y_format)]),
    )


def lines(df: pd.DataFrame, *, x: str, y: str, color: str | None, x_title: str, y_title: str,
          x_type: str = "Q", y_format: str = ",.2f", log_x: bool = False, log_y: bool = False,
          points: bool = True, x_format: str | None = None) -> alt.Chart:
    """Lines of ``y`` against ``x``, one per ``color`` group, with optional log axes."""
    enc = {
        "x": alt.X(f"{x}:{x_type}", title=x_title,
                   scale=alt.Scale(type="log") if log_x else alt.Undefined,
                   axis=alt.Axis(format=x_format) if x_format else alt.Undefined),
        "y": alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(type="log") if log_y else
                   alt.Scale(zero=False), axis=alt.Axis(format=y_format)),
        "tooltip": _tooltip([(f"{x}:{x_type}", x_title, x_format or ""),
                             (f"{y}:Q", y_title, y_format)]
                            + ([(f"{color}:N", "", "")] if color else [])),
    }
    if color:
        enc["color"] = _entity_color(df, color)
    return alt.Chart(df).mark_line(point=points).encode(**enc)


def bars(df: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str,
         color: str | None = None, y_format: str = ",.2f", horizontal: bool = False,
         sort: Sequence[str] | str | None = None, log_y: bool = False) -> alt.Chart:
    """Plain bars (one per category), optionally coloured by a field; horizontal for long names."""
    cat = alt.X(f"{x}:N", title=x_title, sort=sort, axis=alt.Axis(labelAngle=0)) \
        if not horizontal else alt.Y(f"{x}:N", title=x_title, sort=sort)
    val_scale = alt.Scale(type="log") if log_y else alt.Undefined
    val = alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format), scale=val_scale) \
        if not horizontal else alt.X(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format),
                                     scale=val_scale)
    enc = {"x": val, "y": cat} if horizontal else {"x": cat, "y": val}
    enc["tooltip"] = _tooltip([(f"{x}:N", x_title, ""), (f"{y}:Q", y_title, y_format)]
                              + ([(f"{color}:N", "", "")] if color else []))
    if color:
        enc["color"] = _entity_color(df, color)
    return alt.Chart(df).mark_bar().encode(**enc)


def band(df: pd.DataFrame, *, x: str, low: str, high: str, mid: str, x_title: str,
         y_title: str, color: str | None = None, x_type: str = "Q", y_format: str = ",.2f",
         log_y: bool = False, x_format: str | None = None) -> alt.LayerChart:
    """A central line with a shaded interval (e.g. a trend with its 90 % band)."""
    y_scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    x_enc = alt.X(f"{x}:{x_type}", title=x_title,
                  axis=alt.Axis(format=x_format) if x_format else alt.Undefined)
    base = alt.Chart(df).encode(x=x_enc)
    color_enc = {"color": _entity_color(df, color)} if color else {}
    area = base.mark_area(opacity=0.2).encode(
        y=alt.Y(f"{low}:Q", title=y_title, scale=y_scale, axis=alt.Axis(format=y_format)),
        y2=f"{high}:Q", **color_enc)
    line = base.mark_line().encode(
        y=alt.Y(f"{mid}:Q", scale=y_scale),
        tooltip=_tooltip([(f"{x}:{x_type}", x_title, x_format or ""),
                          (f"{mid}:Q", y_title, y_format), (f"{low}:Q", "5th percentile",
                                                            y_format),
                          (f"{high}:Q", "95th percentile", y_format)]
                         + ([(f"{color}:N", "", "")] if color else [])),
        **color_enc)
    return alt.layer(area, line)


def scatter(df: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str,
            color: str | None = None, tooltip: Sequence[tuple[str, str, str]] = (),
            x_type: str = "Q", log_y: bool = False, log_x: bool = False,
            y_format: str = ",.2f", x_format: str | None = None) -> alt.Chart:
    """Points (e.g. one per model), with an explicit tooltip list of (field, title, format)."""
    enc = {
        "x": alt.X(f"{x}:{x_type}", title=x_title,
                   scale=alt.Scale(type="log") if log_x else alt.Scale(zero=False),
                   axis=alt.Axis(format=x_format) if x_format else alt.Undefined),
        "y": alt.Y(f"{y}:Q", title=y_title,
                   scale=alt.Scale(type="log") if log_y else alt.Scale(zero=False),
                   axis=alt.Axis(format=y_format)),
        "tooltip": _tooltip(list(tooltip) or [(f"{x}:{x_type}", x_title, x_format or ""),
                                              (f"{y}:Q", y_title, y_format)]),
    }
    if color:
        enc["color"] = _entity_color(df, color)
    return alt.Chart(df).mark_point(filled=True, opacity=0.8).encode(**enc)


def histogram(df: pd.DataFrame, *, left: str, right: str, share: str, x_title: str,
              color: str | None = None, log_x: bool = False, x_format: str = ",.2f",
              rules: pd.DataFrame | None = None, rule_x: str = "x",
              rule_label: str = "label") -> alt.LayerChart | alt.Chart:
    """Pre-binned distribution (bin edges and share of samples), with optional marker rules.

    The bins come from the Monte Carlo engine, so the chart never holds raw samples.
    """
    enc = {
        "x": alt.X(f"{left}:Q", title=x_title, bin="binned",
                   scale=alt.Scale(type="log") if log_x else alt.Undefined,
                   axis=alt.Axis(format=x_format)),
        "x2": f"{right}:Q",
        "y": alt.Y(f"{share}:Q", title="Share of samples", axis=alt.Axis(format=".0%"),
                   stack=None),
        "tooltip": _tooltip([(f"{left}:Q", "From", x_format), (f"{right}:Q", "To", x_format),
                             (f"{share}:Q", "Share of samples", ".1%")]
                            + ([(f"{color}:N", "", "")] if color else [])),
    }
    if color:
        enc["color"] = _entity_color(df, color)
    chart = alt.Chart(df).mark_bar(opacity=0.6, binSpacing=0).encode(**enc)
    if rules is None or rules.empty:
        return chart
    rule = alt.Chart(rules).mark_rule(strokeDash=[4, 3], color=INK).encode(
        x=f"{rule_x}:Q", tooltip=_tooltip([(f"{rule_label}:N", "", ""),
                                           (f"{rule_x}:Q", x_title, x_format)]))
    text = alt.Chart(rules).mark_text(align="left", dx=4, dy=-6, fontSize=11).encode(
        x=f"{rule_x}:Q", y=alt.value(12), text=f"{rule_label}:N")
    return alt.layer(chart, rule, text)


def tornado(df: pd.DataFrame, *, label: str, low: str, high: str, base: float,
            x_title: str, x_format: str = ",.2f") -> alt.LayerChart:
    """One-at-a-time sensitivity: a bar from the low-input to the high-input result per row,
    sorted by swing, with the central result as a rule."""
    order = (df.assign(_swing=(df[high] - df[low]).abs())
             .sort_values("_swing", ascending=False)[label].tolist())
    bars_ = alt.Chart(df).mark_bar().encode(
        y=alt.Y(f"{label}:N", sort=order, title=None),
        x=alt.X(f"{low}:Q", title=x_title, axis=alt.Axis(format=x_format)),
        x2=f"{high}:Q",
        color=alt.value(PALETTE[0]),
        tooltip=_tooltip([(f"{label}:N", "Parameter", ""),
                          (f"{low}:Q", "Result at parameter's low", x_format),
                          (f"{high}:Q", "Result at parameter's high", x_format)]))
    rule = alt.Chart(pd.DataFrame({"x": [base]})).mark_rule(color=INK).encode(x="x:Q")
    return alt.layer(bars_, rule).properties(height=max(160, 22 * len(order)))
