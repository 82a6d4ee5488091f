"""One colour per entity across the book, and no chart left to Vega's default colours.

The unit tests build small charts; the book-wide test walks every chart spec that the executed
baseline notebooks hold (``book/generated/baseline/*.ipynb``, written by ``aiboom build``).
"""

from __future__ import annotations

import json
import re

import altair as alt
import nbformat
import pandas as pd
import pytest
from conftest import ROOT

from aiboom import charts

GENERATED = ROOT / "book" / "generated" / "baseline"
SPEC = re.compile(r'<script type="application/json" class="aiboom-chart-spec">(.*?)</script>',
                  re.S)
#: Vega and Vega-Lite's own default colours: no mark may fall back to them.
VEGA_DEFAULTS = {"#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2"}


def _is_grey(colour: str) -> bool:
    c = colour.lower().lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    return len(c) == 6 and c[0:2] == c[2:4] == c[4:6]


def _allowed(colour: str) -> bool:
    """A palette colour or a neutral grey (reference rules, annotations, bands)."""
    return colour.upper() in {p.upper() for p in charts.PALETTE} or _is_grey(colour) \
        or colour.lower() in {"white", "black"}


def book_specs() -> list[tuple[str, dict]]:
    out = []
    for nb_path in sorted(GENERATED.glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/html", "")
                text = "".join(text) if isinstance(text, list) else text
                for m in SPEC.finditer(text):
                    out.append((nb_path.stem, json.loads(m.group(1).replace("<\\/", "</"))))
    return out


def _mark_colour(view: dict, spec: dict) -> str | None:
    mark = view.get("mark")
    if isinstance(mark, dict):
        for key in ("color", "fill", "stroke"):
            if isinstance(mark.get(key), str):
                return mark[key]
    mark_type = mark.get("type") if isinstance(mark, dict) else mark
    config = spec.get("config", {})
    for key in (mark_type, "mark"):
        colour = (config.get(key) or {}).get("color") if key else None
        if colour:
            return colour
    return None


def check_spec(name: str, spec: dict, seen: dict[str, tuple[str, str]]) -> list[str]:
    """Problems of one spec; ``seen`` maps each entity to its colour and first chart."""
    problems = []
    for view in charts._units(spec):
        if "mark" not in view:
            continue
        enc = view.get("encoding") or {}
        coloured = False
        for channel in ("color", "fill", "stroke"):
            defn = enc.get(channel)
            if not isinstance(defn, dict):
                continue
            coloured = True
            if "value" in defn:
                if isinstance(defn["value"], str) and not _allowed(defn["value"]):
                    problems.append(f"{name}: {channel} value {defn['value']} is off-palette")
                continue
            scale = defn.get("scale") or {}
            domain, range_ = scale.get("domain"), scale.get("range")
            if defn.get("type", "nominal") == "nominal":
                if not (isinstance(domain, list) and isinstance(range_, list)):
                    problems.append(f"{name}: {channel} {defn.get('field')} has no fixed "
                                    "domain and range")
                    continue
                for value, colour in zip(domain, range_, strict=False):
                    key = str(value)
                    if key not in charts.VALUE_COLORS:
                        problems.append(f"{name}: {key!r} is not in charts.ENTITY_COLORS")
                    first = seen.setdefault(key, (colour.upper(), name))
                    if first[0] != colour.upper():
                        problems.append(f"{name}: {key!r} is {colour}, but {first[0]} in "
                                        f"{first[1]}")
        if not coloured:
            colour = _mark_colour(view, spec)
            if colour is None or colour.lower() in VEGA_DEFAULTS or not _allowed(colour):
                problems.append(f"{name}: a {view.get('mark')} mark takes colour {colour}")
    return problems


def test_color_gives_each_entity_its_table_colour():
    enc = charts.color("company", ["Meta", "Microsoft"]).to_dict()
    assert enc["scale"] == {"domain": ["Meta", "Microsoft"],
                            "range": [charts.ENTITY_COLORS["company"]["Meta"],
                                      charts.ENTITY_COLORS["company"]["Microsoft"]]}
    assert charts.color("company", kind="company").to_dict()["scale"]["domain"][0] == "Microsoft"
    assert charts.color_of("not an entity") == charts.color_of("not an entity")


def test_entity_table_is_colour_blind_safe_and_consistent():
    for table in charts.ENTITY_COLORS.values():
        for colour in table.values():
            assert _allowed(colour), colour
    assert charts.VALUE_COLORS["Google"] == charts.VALUE_COLORS["Alphabet"]


def test_renderer_fixes_colours_whatever_the_chart_asked_for():
    df = pd.DataFrame({"x": [1, 2, 3], "y": [1, 2, 3],
                       "model": ["Small (8B)", "Largest dense (405B)", "Small (8B)"]})
    chart = alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q", color="model:N")
    spec = charts.apply_palette(chart.to_dict())
    assert spec["encoding"]["color"]["scale"] == {
        "domain": ["Largest dense (405B)", "Small (8B)"],
        "range": [charts.VALUE_COLORS["Largest dense (405B)"], charts.VALUE_COLORS["Small (8B)"]]}
    assert check_spec("unit", spec, {}) == []
    bars = alt.Chart(df).mark_bar().encode(x="x:Q", y="y:Q").to_dict()
    assert bars["config"]["mark"]["color"] == charts.PALETTE[0]
    assert check_spec("bars", bars, {}) == []
    assert check_spec("default", {"mark": "bar", "config": {}}, {}) != []


def test_data_table_and_columns_come_from_the_spec():
    df = pd.DataFrame({"year": [2024, 2025], "capex_busd": [100.5, 200.25],
                       "company": ["Meta", "Meta"]})
    chart = charts.stacked_bars(df, x="year", y="capex_busd", color="company", x_title="Year",
                                y_title="Capex, US$ billion")
    spec = chart.to_dict()
    assert charts.chart_columns(spec)["capex_busd"] == "Capex, US$ billion"
    table = charts.data_table_html(spec, "Capex")
    assert "<details" in table and "<th scope=\"col\">Capex, US$ billion</th>" in table
    assert table.count("<tr>") == 3


@pytest.mark.skipif(not list(GENERATED.glob("*.ipynb")), reason="no executed baseline book")
def test_every_chart_of_the_book_gives_each_entity_one_colour():
    specs = book_specs()
    assert len(specs) >= 20
    seen: dict[str, tuple[str, str]] = {}
    problems = [p for name, spec in specs for p in check_spec(name, spec, seen)]
    assert problems == []
