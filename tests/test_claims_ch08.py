"""Claims of chapter 8 (the answer) are computed: each sentence is chosen by the numbers.

For each shipped scenario the chapter's analysis is run on that scenario's registry (the
chapter uses central values only, so no sampling is needed), and each claim function's sentence
is checked against the condition it states, computed independently here. Unit cases then drive
each claim function down every branch.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from aiboom import data, kernels
from aiboom.analysis import answer, capex, money, outlook
from aiboom.registry import load_registry
from aiboom.scenarios import load_scenario

SCENARIOS = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))


def _lab_pnl(ai_revenue: pd.DataFrame, bill_usd_bn: float) -> pd.DataFrame:
    """The lab's table with the modelled bill at ``bill_usd_bn`` (linear in the query cost)."""
    registry = load_registry()
    return answer.lab_pnl(ai_revenue, registry,
                          bill_usd_bn / answer.inference_bill_usd_bn(registry, 1.0))


@pytest.fixture(scope="module")
def tables() -> dict:
    return {"nvidia": data.nvidia_datacenter_revenue(), "ai_revenue": data.ai_revenue(),
            "capex": data.capex(), "cash_flow": data.cash_flow()}


@pytest.fixture(scope="module", params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def chapter8(request, tables) -> dict:
    scenario = load_scenario(str(request.param))
    here = answer.scenario_answer(scenario, tables["nvidia"], tables["ai_revenue"])
    model_registry, accelerator = money.scenario_model(scenario)
    return {"scenario": scenario, "here": here, "race": here.race,
            "model_registry": model_registry, "accelerator": accelerator,
            "path": Path(request.param)}


# ------------------------------------------------------------- each shipped scenario

def test_answer_follows_the_race(chapter8):
    race = chapter8["race"]
    # independently: cumulative revenue over the life against the requirement
    earned = answer.cumulative_revenue_usd_bn(race.earned_usd_bn, race.growth_per_year,
                                              race.life_years)
    closes = earned >= race.required_usd_bn
    text = answer.answer_sentence(chapter8["scenario"].name, race)
    assert ("expensive boom rather than a bubble" in text) == closes, text
    assert ("what a bubble looks like" in text) == (not closes), text
    race_text = answer.race_sentence(race)
    assert ("before the hardware wears out" in race_text) == closes, race_text
    assert ("after the hardware has worn out" in race_text
            or "never meets" in race_text) == (not closes), race_text
    gap = answer.gap_sentence(race)
    assert ("leaves a gap" in gap) == (race.required_usd_bn > race.earned_usd_bn), gap


def test_generosity_follows_the_purchases_trend(chapter8, tables):
    race = chapter8["race"]
    rr = capex.nvidia_quarters(tables["nvidia"])["run_rate_usd_bn"].to_numpy()
    growth = rr[-1] / rr[-5]
    text = answer.generosity_sentence(race, answer.purchases_growth(tables["nvidia"]))
    assert ("is generous to the boom" in text) == (growth >= 1.0), (text, growth)
    if "generous to the boom:" in text:
        assert ("may not close" in text) == race.closes, text
        assert ("only widen" in text) == (not race.closes), text


def test_payback_and_chatbot_claims_hold(chapter8):
    here, race = chapter8["here"], chapter8["race"]
    reg, acc = chapter8["model_registry"], chapter8["accelerator"]
    out = kernels.reference_per_sample(money.central_inputs(reg), acc)
    # the chapter's central payback is the one chapter 6 states (outlook.payback_at)
    assert here.payback_months == pytest.approx(
        outlook.payback_at(money.central_inputs(reg), acc), rel=1e-12)
    text = answer.payback_sentence(here.payback_months, race.life_years)
    within = out["payback_months"] <= race.life_years * 12
    assert ("within the" in text) == within, text
    assert ("second generation" in text) == (not within
                                             and math.isfinite(out["payback_months"])), text
    share = outlook.required_conversion(reg, out["usd_per_query"])
    # the chapter's break-even share is the one chapters 4 and 6 state
    assert share == pytest.approx(money.central_break_even_conversion(reg, acc), rel=1e-12)
    paying = reg["paid_conversion_rate"].central
    chat = answer.chatbot_sentence(out["usd_per_query"], share, paying)
    assert ("already earns back" in chat) == (share <= paying), chat
    assert ("does not yet" in chat or "cannot" in chat) == (share > paying), chat


def test_growth_bullet_and_watch_list_agree_with_the_race(chapter8):
    race = chapter8["race"]
    needed = answer.growth_needed_per_year(race.required_usd_bn, race.earned_usd_bn,
                                           race.life_years)
    text = answer.growth_bullet(needed, race.growth_per_year)
    if math.isfinite(needed):
        assert ("lies above it" in text) == (race.growth_per_year >= needed), text
        assert ("lies above it" in text) == race.closes, text


def test_scenarios_sentence_names_each_side(tables):
    answers = [answer.scenario_answer(load_scenario(str(p)), tables["nvidia"],
                                      tables["ai_revenue"]) for p in SCENARIOS]
    text = answer.scenarios_sentence(answers)
    n_close = sum(a.race.closes for a in answers)
    if n_close == len(answers):
        assert "in all" in text, text
    elif n_close == 0:
        assert "in none" in text, text
    else:
        assert "disagree" in text, text
        for a in answers:
            assert a.name in text


def test_financing_claims_hold(tables):
    cap = tables["capex"]
    actual = cap[cap["kind"] == "actual"].groupby("year")["capex_usd_bn"].sum()
    scenario = load_scenario(str(ROOT / "data" / "scenarios" / "baseline.yaml"))
    reg = scenario.registry
    acc_life = reg[answer.ACCOUNTING_LIFE_ID].central
    eco_life = reg[answer.RACE_IDS["life_years"]].central
    lives = {"accounting": acc_life, "economic": eco_life}
    dep = answer.depreciation_by_life(actual, lives, reg[answer.RACE_IDS["gpu_share"]].central)
    gap = answer.depreciation_gap(dep, "economic", "accounting").iloc[-1]
    text = answer.depreciation_sentence(gap, eco_life, acc_life, int(actual.index.max()))
    assert ("flatter reported profit" in text) == (eco_life < acc_life and gap >= 0.05), text
    totals = answer.free_cash_flow_totals(answer.free_cash_flow(tables["cash_flow"]))
    guidance = cap[cap["kind"] == "guidance"]
    cf = answer.cash_flow_sentence(totals, guidance["capex_usd_bn"].sum(),
                                   int(guidance["year"].max()))
    ocf = totals["operating_cash_flow_usd_bn"].iloc[-1]
    assert ("no longer paid for out of operating cash" in cf) == (
        guidance["capex_usd_bn"].sum() > ocf), cf
    pnl = _lab_pnl(tables["ai_revenue"], 1.0)
    v = pnl.set_index("item")["value_usd_bn"]
    lab = answer.lab_costs_sentence(pnl)
    assert ("investors paid the difference" in lab) == (v["Operating loss"] > 0), lab


# ------------------------------------------------------------------- every branch, by hand

def _race(earned=100.0, growth=2.0, life=4.0, required=1000.0):
    return answer.race_from(required / 4.0, earned, 0.5, 0.5, growth, life)


def test_growth_words_branches():
    assert answer.growth_words(2.0) == "doubling every year"
    assert answer.growth_words(3.0) == "tripling every year"
    assert answer.growth_words(1.0) == "flat from year to year"
    assert answer.growth_words(0.9) == "shrinking 10% a year"
    assert answer.growth_words(1.2) == "growing 20% a year"
    assert answer.growth_words(3.5) == "growing 3.5-fold a year"


def test_usd_bn_text_and_duration():
    assert answer.usd_bn_text(1424.0) == "US$ 1.42 trillion"
    assert answer.usd_bn_text(356.0) == "US$ 356 billion"
    assert answer.usd_bn_text(13.07) == "US$ 13.1 billion"
    race = _race(earned=100.0, growth=2.0, life=4.0)
    assert "months before" in answer.race_sentence(race._replace(years_to_close=3.6))
    assert "2 years before" in answer.race_sentence(race._replace(years_to_close=2.0))


def test_gap_and_race_sentence_branches():
    short = _race(earned=100.0, required=1000.0)
    assert "leaves a gap of US$ 900 billion" in answer.gap_sentence(short)
    rich = _race(earned=1200.0, required=1000.0)
    assert "already covers the requirement" in answer.gap_sentence(rich)
    closes = _race(earned=100.0, growth=2.0, life=4.0, required=1000.0)
    assert closes.closes and "before the hardware wears out" in answer.race_sentence(closes)
    late = _race(earned=100.0, growth=2.0, life=2.5, required=1000.0)
    assert not late.closes and "after the hardware has worn out" in answer.race_sentence(late)
    never = _race(earned=100.0, growth=0.5, life=2.5, required=1000.0)
    assert math.isinf(never.years_to_close)
    assert "never meets the requirement" in answer.race_sentence(never)


def test_answer_sentence_branches():
    assert "expensive boom" in answer.answer_sentence("x", _race(life=4.0))
    late = answer.answer_sentence("x", _race(life=2.5))
    assert "bubble looks like" in late and "only after" in late
    assert "gets there never" in answer.answer_sentence("x", _race(growth=0.5, life=2.5))


def test_generosity_sentence_branches():
    closes, fails = _race(life=4.0), _race(life=2.5)
    assert "may not close" in answer.generosity_sentence(closes, 2.2)
    assert "2.2 times what it was" in answer.generosity_sentence(closes, 2.2)
    assert "only widen" in answer.generosity_sentence(fails, 1.5)
    assert "holding at the level" in answer.generosity_sentence(closes, 1.01)
    falling = answer.generosity_sentence(closes, 0.8)
    assert "purchases are falling" in falling and "80%" in falling
    assert "generous" not in answer.generosity_sentence(closes, math.nan)


def test_purchases_growth(tables):
    assert answer.purchases_growth(tables["nvidia"]) > 0
    assert math.isnan(answer.purchases_growth(tables["nvidia"].head(3)))


def test_payback_sentence_branches():
    assert "within the 4-year life" in answer.payback_sentence(32.0, 4.0)
    late = answer.payback_sentence(60.0, 4.0)
    assert "after the 4-year life" in late and "5 years" in late
    assert "does not pay back" in answer.payback_sentence(math.inf, 4.0)


def test_chatbot_sentence_branches():
    assert "already earns back" in answer.chatbot_sentence(0.001, 0.005, 0.055)
    assert "0.5%" in answer.chatbot_sentence(0.001, 0.005, 0.055)
    assert "does not yet" in answer.chatbot_sentence(0.01, 0.08, 0.055)
    assert "even if every user paid" in answer.chatbot_sentence(0.1, math.inf, 0.055)


def test_growth_bullet_branches():
    assert "lies above it" in answer.growth_bullet(1.8, 2.0)
    assert "lies below it" in answer.growth_bullet(2.5, 2.0)
    assert "no growth within reach" in answer.growth_bullet(math.nan, 2.0)


def test_scenarios_sentence_branches():
    def a(name, life):
        return answer.ScenarioAnswer(name, name, _race(life=life), 30.0, 0.001, 0.01)
    assert "in all four" in answer.scenarios_sentence([a(n, 4.0) for n in "abcd"])
    assert "in neither of the two" in answer.scenarios_sentence([a("a", 2.5), a("b", 2.5)])
    assert "in none of the three" in answer.scenarios_sentence([a(n, 2.5) for n in "abc"])
    assert "in both" in answer.scenarios_sentence([a("a", 4.0), a("b", 4.0)])
    mixed = answer.scenarios_sentence([a("a", 4.0), a("b", 2.5)])
    assert "under the a scenario" in mixed and "not under the b scenario" in mixed
    assert "only shipped scenario, a" in answer.scenarios_sentence([a("a", 4.0)])


def test_lab_costs_sentence_branches():
    def pnl(loss):
        return pd.DataFrame({"item": ["Revenue", "Cost of revenue", "Operating costs",
                                      "Operating loss", "Modelled inference bill"],
                             "value_usd_bn": [10.0, 5.0, 10.0 + loss, loss, 1.0]})
    assert "investors paid the difference" in answer.lab_costs_sentence(pnl(20.0))
    assert "3 dollars for each dollar" in answer.lab_costs_sentence(pnl(20.0))
    assert "operating profit of US$ 2 billion" in answer.lab_costs_sentence(pnl(-2.0))


def test_rank_words():
    assert [answer.rank_words(i) for i in range(3)] == ["largest", "second largest",
                                                        "third largest"]


def test_lab_sentence_branches():
    def pnl(bill, loss, opex):
        return pd.DataFrame({"item": ["Revenue", "Cost of revenue", "Operating costs",
                                      "Operating loss", "Modelled inference bill"],
                             "value_usd_bn": [10.0, 5.0, opex, loss, bill]})
    assert "exceed the operating loss" in answer.lab_sentence(pnl(1.0, 20.0, 30.0))
    assert "come to 50% of the operating loss" in answer.lab_sentence(pnl(1.0, 20.0, 15.0))
    assert "revenue covered" in answer.lab_sentence(pnl(1.0, -2.0, 8.0))
    assert "prices queries higher" in answer.lab_sentence(pnl(10.0, 20.0, 30.0))


def test_lab_sentence_holds_on_the_data(tables):
    pnl = _lab_pnl(tables["ai_revenue"], 1.0)
    v = pnl.set_index("item")["value_usd_bn"]
    text = answer.lab_sentence(pnl)
    below = v["Operating costs"] - v["Cost of revenue"]
    assert ("exceed the operating loss" in text) == (0 < v["Operating loss"] <= below), text


def test_race_movers_sentence_branches():
    def a(name, life):
        return answer.ScenarioAnswer(name, name, _race(life=life), 30.0, 0.001, 0.01)
    none = answer.race_movers_sentence([a("baseline", 4.0), a("x", 4.0)])
    assert none.startswith("None of the other")
    every = answer.race_movers_sentence([a("baseline", 4.0), a("x", 3.0)])
    assert every.startswith("Every other")
    some = answer.race_movers_sentence([a("baseline", 4.0), a("x", 3.0), a("y", 4.0)])
    assert "only the x scenario changes" in some
    assert answer.race_movers_sentence([a("x", 4.0)]) == "Each scenario runs its own race."


def test_race_movers_name_the_scenarios_that_change_a_race_input(tables):
    scenarios = [load_scenario(str(p)) for p in SCENARIOS]
    answers = [answer.scenario_answer(s, tables["nvidia"], tables["ai_revenue"])
               for s in scenarios]
    text = answer.race_movers_sentence(answers)
    race_ids = set(answer.RACE_IDS.values())
    for s in scenarios:
        moves = s.name != "baseline" and bool(race_ids & set(s.overrides))
        if moves and not text.startswith("Every other"):
            assert s.name in text, (s.name, text)
        if not moves and s.name != "baseline" and text.startswith("Of the other"):
            assert f" {s.name} " not in text.split(";")[0], (s.name, text)
