"""The book's one chart theme, its offline renderer, and the chart builders behind each figure.

Every chart is Altair. :func:`figure` attaches the caption, source line and alt text; the
``aiboom`` renderer turns it into HTML that draws with the Vega bundle served from the site's
own ``_static/vega-bundle.js`` (no CDN) and carries a static SVG inside ``<noscript>`` for
readers without JavaScript.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import pandas as pd

#: Colour-blind-safe categorical palette (Okabe & Ito, 2008), in a fixed order.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
)
WIDTH_PX = 560
HEIGHT_PX = 280
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


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


def figure(chart: alt.TopLevelMixin, *, caption: str, source: str, alt_text: str
           ) -> alt.TopLevelMixin:
    """Attach caption, source line and alt text to a chart (rendered by :func:`render_html`).

    The alt text also becomes the Vega-Lite ``description`` (the SVG's ARIA label).
    """
    for field, text in (("caption", caption), ("source", source), ("alt_text", alt_text)):
        if not text or not text.strip():
            raise ValueError(f"figure needs a non-empty {field}")
    return chart.properties(
        description=alt_text,
        usermeta={"aiboom": {"caption": caption, "source": source, "alt": alt_text}},
    )


def _static_svg(spec: dict) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec)


def render_html(spec: dict) -> dict[str, str]:
    """Altair renderer: a ``<figure>`` that vega-embed fills, with a static SVG fallback.

    The element id is a hash of the spec, so re-executing a notebook gives identical HTML.
    """
    meta = spec.get("usermeta", {}).get("aiboom", {})
    payload = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
    svg64 = base64.b64encode(_static_svg(spec).encode()).decode()
    alt_text = html.escape(meta.get("alt", spec.get("description", "chart")), quote=True)
    caption = ""
    if meta:
        caption = (f'<figcaption><span class="aiboom-caption">{html.escape(meta["caption"])}'
                   f'</span> <span class="aiboom-source">Source: {html.escape(meta["source"])}'
                   "</span></figcaption>")
    # "</" cannot appear inside the inline script: escape it in the JSON.
    safe_payload = payload.replace("</", "<\\/")
    body = (
        f'<figure class="aiboom-chart" id="fig-{digest}">'
        f'<div class="aiboom-chart-view" id="vis-{digest}" role="img" aria-label="{alt_text}">'
        f'</div><noscript><img class="aiboom-chart-static" alt="{alt_text}" '
        f'src="data:image/svg+xml;base64,{svg64}"></noscript>{caption}'
        f"<script>(function(){{var spec={safe_payload};"
        f'var el=document.getElementById("vis-{digest}");'
        f'if(!window.vegaEmbed){{el.textContent="Chart library failed to load.";return;}}'
        f'window.vegaEmbed(el,spec,{{renderer:"svg",actions:false}})'
        f'.catch(function(e){{console.error(e);el.textContent="Chart failed to render.";}});'
        f"}})();</script></figure>"
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


# --------------------------------------------------------------------------------------------
# Chart builders. Each takes a tidy DataFrame and returns an Altair chart with tooltips and axis
# titles carrying units; notebooks wrap them in figure().
# --------------------------------------------------------------------------------------------

def _tooltip(fields: Sequence[tuple[str, str, str]]) -> list[alt.Tooltip]:
    return [alt.Tooltip(f, title=t, format=fmt) if fmt else alt.Tooltip(f, title=t)
            for f, t, fmt in fields]


def stacked_bars(df: pd.DataFrame, *, x: str, y: str, color: str, x_title: str, y_title: str,
                 y_format: str = ",.0f", x_type: str = "O") -> alt.Chart:
    """Stacked bars of ``y`` by ``x``, split by ``color`` (e.g. capex by year and company)."""
    return alt.Chart(df).mark_bar().encode(
        x=alt.X(f"{x}:{x_type}", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format)),
        color=alt.Color(f"{color}:N", title=None),
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
        enc["color"] = alt.Color(f"{color}:N", title=None)
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
        enc["color"] = alt.Color(f"{color}:N", title=None)
    return alt.Chart(df).mark_bar().encode(**enc)


def band(df: pd.DataFrame, *, x: str, low: str, high: str, mid: str, x_title: str,
         y_title: str, color: str | None = None, x_type: str = "Q", y_format: str = ",.2f",
         log_y: bool = False, x_format: str | None = None) -> alt.LayerChart:
    """A central line with a shaded interval (e.g. a trend with its 90 % band)."""
    y_scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    x_enc = alt.X(f"{x}:{x_type}", title=x_title,
                  axis=alt.Axis(format=x_format) if x_format else alt.Undefined)
    base = alt.Chart(df).encode(x=x_enc)
    color_enc = {"color": alt.Color(f"{color}:N", title=None)} if color else {}
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
        enc["color"] = alt.Color(f"{color}:N", title=None)
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
        enc["color"] = alt.Color(f"{color}:N", title=None)
    chart = alt.Chart(df).mark_bar(opacity=0.6, binSpacing=0).encode(**enc)
    if rules is None or rules.empty:
        return chart
    rule = alt.Chart(rules).mark_rule(strokeDash=[4, 3], color="#333").encode(
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
    rule = alt.Chart(pd.DataFrame({"x": [base]})).mark_rule(color="#333").encode(x="x:Q")
    return alt.layer(bars_, rule).properties(height=max(160, 22 * len(order)))
