"""The "Explore the model" page: its payload (aiboom.explore) and, in headless Chromium on the
built site over http and from file://, its sliders, outputs, charts, scenario picker and URL
state, checked against the Python model at rtol 1e-9."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from aiboom import explore, kernels, paths
from aiboom.kernels import INPUTS, Accelerator
from aiboom.montecarlo import scenario_inputs
from aiboom.scenarios import SHIPPED_SCENARIOS, load_scenario

RTOL = 1e-9
PAGE = "book/explore.html"
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def scenarios():
    return [load_scenario(paths.SCENARIOS / f"{name}.yaml") for name in SHIPPED_SCENARIOS]


@pytest.fixture(scope="module")
def payload(scenarios):
    return explore.explore_payload(scenarios)


# -- the payload ----------------------------------------------------------------------------------

def test_payload_is_plain_json(payload):
    assert json.loads(json.dumps(payload, allow_nan=False)) == payload
    script = explore.payload_script(payload)
    assert script.splitlines()[1].startswith("window.aiboomExploreData = {")
    assert explore.DERIVED_JS.strip() in script
    for word in ("import ", "export ", "require(", "fetch(", "XMLHttpRequest", "http"):
        assert word not in script, word


def test_every_slider_has_a_unit_and_a_range_holding_every_scenario(payload):
    for s in payload["sliders"]:
        assert s["unit"] and s["label"] and s["label"] != s["id"], s
        assert s["scale"] in ("log", "linear") and s["steps"] > 0
        assert math.isfinite(s["low"]) and s["low"] < s["high"], s
        if s["scale"] == "log":
            assert s["low"] > 0
        if s["unit"] == "fraction":
            assert 0.0 <= s["low"] and s["high"] <= 1.0
        for name in payload["scenario_order"]:
            value = payload["scenarios"][name]["inputs"][s["id"]]
            assert s["low"] < value <= s["high"], (s["id"], name, value)


def test_every_lever_of_the_issue_is_a_slider(payload):
    ids = [s["id"] for s in payload["sliders"]]
    assert len(ids) == len(set(ids))
    assert set(explore.ISSUE_LEVERS) <= set(ids)
    assert set(explore.CHATBOT_LEVERS) <= set(ids)


def test_sliders_follow_the_sensitivity_ranking(payload, scenarios):
    rows, accelerator = scenario_inputs(scenarios[0])
    ranking = explore.lever_ranking(rows, accelerator)
    assert payload["ranking"] == ranking
    ids = [s["id"] for s in payload["sliders"]]
    kernel_ids = [k for k in ids if k in INPUTS]
    assert ids[:len(kernel_ids)] == kernel_ids  # the chatbot levers come last
    order = ranking["payback"] + [k for k in ranking["cost"] if k not in ranking["payback"]]
    assert kernel_ids == sorted(kernel_ids, key=order.index)
    assert ranking["payback"][:explore.TOP_PAYBACK] == kernel_ids[:explore.TOP_PAYBACK]
    assert set(ranking["cost"][:explore.TOP_COST]) <= set(kernel_ids)


def test_scenarios_carry_their_inputs_and_accelerator(payload, scenarios):
    assert payload["scenario_order"] == list(SHIPPED_SCENARIOS)
    for scenario in scenarios:
        rows, accelerator = scenario_inputs(scenario)
        got = payload["scenarios"][scenario.name]
        assert got["title"] == scenario.title
        assert set(got["inputs"]) == {*INPUTS, *explore.EXTRA_INPUTS}
        assert all(got["inputs"][k] == rows[k].central for k in got["inputs"])
        assert Accelerator(**got["accelerator"]) == accelerator


def test_derived_outputs_are_the_books_functions(payload):
    from aiboom.analysis import money

    inputs = payload["scenarios"]["baseline"]["inputs"]
    registry = dict(scenario_inputs(load_scenario(paths.SCENARIOS / "baseline.yaml"))[0])
    y = explore.derived_outputs(inputs)
    assert y["usd_per_query"] == money.central_usd_per_query(registry)
    assert y["payback_months"] == money.central_payback_months(registry)
    assert y["break_even_paying_share"] == money.central_break_even_conversion(registry)
    # margin is zero at the break-even share
    at = explore.derived_outputs({**inputs, "paid_conversion_rate":
                                  y["break_even_paying_share"]})
    assert abs(at["margin_at_price"]) < 1e-12


def test_site_scripts_are_written(tmp_path):
    written = explore.write_site_scripts(tmp_path)
    assert [p.name for p in written] == ["aiboom-model.js", "aiboom-explore-data.js"]
    assert written[0].read_text() == kernels.javascript_source()


# -- the page, in a browser -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=_ARGS)
        yield b
        b.close()


class Page:
    """One open explore page, recording console errors and requests to other hosts."""

    def __init__(self, browser, url: str):
        self.origin = url.split("/book/")[0]
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        self.wait_for_charts({"payback": 0, "users": 0})

    def foreign(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.origin)]

    def revisions(self) -> dict[str, int]:
        return self.page.evaluate("""() => Object.fromEntries(Array.from(
            document.querySelectorAll('[data-chart]'),
            (f) => [f.dataset.chart, +f.dataset.revision]))""")

    def wait_for_charts(self, before: dict[str, int]) -> None:
        self.page.wait_for_function(
            """(before) => Array.from(document.querySelectorAll('[data-chart]')).every(
                (f) => +f.dataset.revision > before[f.dataset.chart]
                       && f.querySelector('svg'))""", arg=before, timeout=15000)

    def values(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.page.evaluate("""() => Object.fromEntries(
            Array.from(document.querySelectorAll('[data-param]'),
                       (e) => [e.dataset.param, e.dataset.value]))""").items()}

    def outputs(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.page.evaluate("""() => Object.fromEntries(
            Array.from(document.querySelectorAll('[data-output]'),
                       (e) => [e.dataset.output, e.dataset.value]))""").items()}

    def scenario(self) -> str:
        return self.page.eval_on_selector("[data-control=scenario]", "e => e.value")

    def move(self, lever: str, position: int) -> None:
        self.page.eval_on_selector(f"input[data-slider={lever}]", """(e, pos) => {
            e.value = String(pos); e.dispatchEvent(new Event('input', {bubbles: true})); }""",
                                   position)

    def chart_data(self) -> dict:
        return self.page.evaluate("""() => ({lever: aiboomExplore.state.lever,
            payback: aiboomExplore.chartData.payback, users: aiboomExplore.chartData.users})""")


def _inputs(payload, page: Page) -> tuple[dict[str, float], Accelerator]:
    scenario = payload["scenarios"][page.scenario()]
    return {**scenario["inputs"], **page.values()}, Accelerator(**scenario["accelerator"])


def _check_outputs(payload, page: Page) -> None:
    inputs, accelerator = _inputs(payload, page)
    want = explore.derived_outputs(inputs, accelerator)
    got = page.outputs()
    assert set(got) == set(want)
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=RTOL, atol=0, err_msg=k)


def _check_charts(payload, page: Page) -> None:
    inputs, accelerator = _inputs(payload, page)
    data = page.chart_data()
    xs = [p["x"] for p in data["payback"]]
    assert len(xs) == payload["curve_points"]
    np.testing.assert_allclose([p["y"] for p in data["payback"]],
                               explore.payback_curve(inputs, data["lever"], xs, accelerator),
                               rtol=RTOL, atol=0)
    c = explore.derived_outputs(inputs, accelerator)["usd_per_query"]
    want = explore.users_curve(inputs, c, payload["users_grid"])
    assert [r["product"] for r in data["users"]] == [r["product"] for r in want]
    for key in ("users", "total_usd", "per_user_usd", "margin"):
        np.testing.assert_allclose([r[key] for r in data["users"]], [r[key] for r in want],
                                   rtol=RTOL, atol=0, err_msg=key)


@pytest.fixture(scope="module", params=["http", "file"])
def page(request, browser, site, site_url, payload):
    url = (f"{site_url}/{PAGE}" if request.param == "http"
           else (site / PAGE).resolve().as_uri())
    p = Page(browser, url)
    yield p
    assert p.errors == [] and p.foreign() == [], (p.errors, p.foreign())
    p.page.close()


@pytest.mark.book
def test_site_holds_the_page_and_its_scripts(site: Path):
    html = (site / PAGE).read_text(encoding="utf-8")
    for name in ("aiboom-model.js", "aiboom-explore-data.js", "aiboom-explore.js"):
        assert f'src="../_static/{name}"' in html
        assert (site / "_static" / name).is_file()
    assert (site / "_static" / "aiboom-model.js").read_text() == kernels.javascript_source()


@pytest.mark.book
def test_page_opens_offline_with_the_scenarios_values(page, payload):
    assert page.errors == [] and page.foreign() == []
    assert page.scenario() == "baseline"
    base = payload["scenarios"]["baseline"]["inputs"]
    assert page.values() == {s["id"]: base[s["id"]] for s in payload["sliders"]}
    _check_outputs(payload, page)
    _check_charts(payload, page)


@pytest.mark.book
def test_each_slider_moves_the_outputs_as_the_python_model(page, payload):
    for s in payload["sliders"]:
        for position in (s["steps"] // 5, s["steps"] - s["steps"] // 7):
            before = page.values()[s["id"]]
            page.move(s["id"], position)
            moved = page.values()[s["id"]]
            assert moved != before or position == 0, s["id"]
            assert s["low"] <= moved <= s["high"]
            _check_outputs(payload, page)
    assert page.errors == [] and page.foreign() == []


@pytest.mark.book
def test_charts_redraw_when_a_slider_moves(page, payload):
    for lever, position in (("h100_usd_per_gpu_hour", 900), ("decode_batch_size", 100)):
        old, revisions = page.chart_data(), page.revisions()
        page.move(lever, position)
        page.wait_for_charts(revisions)
        new = page.chart_data()
        assert new["payback"] != old["payback"] and new["users"] != old["users"], lever
        _check_charts(payload, page)
    page.page.select_option("[data-control=lever]", "serving_utilization")
    _check_charts(payload, page)


@pytest.mark.book
def test_scenario_picker_loads_each_scenario(page, payload):
    for name in payload["scenario_order"]:
        page.page.select_option("[data-control=scenario]", name)
        inputs = payload["scenarios"][name]["inputs"]
        values = page.values()
        assert values == {s["id"]: inputs[s["id"]] for s in payload["sliders"]}, name
        assert values["frontier_active_params"] == inputs["frontier_active_params"]
        _check_outputs(payload, page)
        state = page.page.url.split("#")[1].split("&")
        assert state[0] == f"scenario={name}", page.page.url
        assert not any(part.split("=")[0] in values for part in state[1:]), page.page.url


@pytest.mark.book
def test_url_carries_the_state(page, payload):
    page.page.select_option("[data-control=scenario]", "bear")
    page.move("decode_batch_size", 800)
    page.page.select_option("[data-control=lever]", "h100_usd_per_gpu_hour")
    batch = page.values()["decode_batch_size"]
    url = page.page.url
    assert "scenario=bear" in url and f"decode_batch_size={batch:g}" in url
    fresh = Page(page.page.context.browser, url)
    try:
        assert fresh.scenario() == "bear"
        values = fresh.values()
        assert values["decode_batch_size"] == batch
        bear = payload["scenarios"]["bear"]["inputs"]
        assert values["serving_utilization"] == bear["serving_utilization"]
        assert fresh.chart_data()["lever"] == "h100_usd_per_gpu_hour"
        _check_outputs(payload, fresh)
        _check_charts(payload, fresh)
        assert fresh.errors == [] and fresh.foreign() == []
    finally:
        fresh.page.close()
    # a hand-written what-if, with a value off the slider's grid
    shared = url.split("#")[0] + "#scenario=bull&h100_usd_per_gpu_hour=2.345"
    fresh = Page(page.page.context.browser, shared)
    try:
        assert fresh.scenario() == "bull" and fresh.values()["h100_usd_per_gpu_hour"] == 2.345
        _check_outputs(payload, fresh)
    finally:
        fresh.page.close()
