"""Tests for aiboom.analysis.capex: hand cases, the curated tables and Cahn's published figures."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

from aiboom import data
from aiboom.analysis import capex as cx
from aiboom.registry import Assumption, Registry, load_registry


def _row(id_: str, low: float, central: float, high: float, dist: str = "fixed",
         unit: str = "ratio", as_of: str = "2024-06") -> Assumption:
    return Assumption(id=id_, phase="capex", description=id_, unit=unit, low=low,
                      central=central, high=high, distribution=dist, source_key="test",
                      source="test", url="https://example.org", as_of=as_of)


def _cahn_registry(share=(0.5, 0.5, 0.5, "fixed"), margin=(0.5, 0.5, 0.5, "fixed"),
                   life=(4.0, 4.0, 4.0, "fixed")) -> Registry:
    rows = [
        _row("sequoia_dc_cost_multiplier", 2, 2, 2),
        _row("sequoia_end_user_margin", 0.5, 0.5, 0.5, unit="fraction"),
        _row("sequoia_2023_nvda_dc_run_rate_usd_bn", 50, 50, 50, unit="USD bn/yr",
             as_of="2023-09"),
        _row("sequoia_2024_nvda_dc_run_rate_usd_bn", 150, 150, 150, unit="USD bn/yr"),
        _row("sequoia_2023_ai_revenue_usd_bn", 75, 75, 75, unit="USD bn/yr", as_of="2023-09"),
        _row("sequoia_2024_ai_revenue_usd_bn", 100, 100, 100, unit="USD bn/yr"),
        _row("gpu_share_of_dc_capex", *share[:3], share[3], unit="fraction"),
        _row("ai_app_gross_margin", *margin[:3], margin[3], unit="fraction"),
        _row("gpu_economic_life_years", *life[:3], life[3], unit="years"),
    ]
    return Registry({r.id: r for r in rows})


# ------------------------------------------------------------------------------ capex totals


def _toy_capex() -> pd.DataFrame:
    return pd.DataFrame({
        "company": ["A", "B", "A", "B"],
        "year": [2024, 2024, 2025, 2025],
        "capex_usd_bn": [10.0, 30.0, 25.0, 55.0],
        "capex_usd_bn_low": [10.0, 30.0, 20.0, 50.0],
        "capex_usd_bn_high": [10.0, 30.0, 30.0, 60.0],
        "kind": ["actual", "actual", "guidance", "guidance"],
    })


def test_capex_totals_hand_case():
    tot = cx.capex_totals(_toy_capex()).set_index("year")
    # 10 + 30 = 40 actual; guidance 25 + 55 = 80, range 20 + 50 = 70 to 30 + 60 = 90
    assert tot.loc[2024, "total_usd_bn"] == 40.0
    assert tot.loc[2024, "total_usd_bn_low"] == tot.loc[2024, "total_usd_bn_high"] == 40.0
    assert (tot.loc[2025, "total_usd_bn_low"], tot.loc[2025, "total_usd_bn"],
            tot.loc[2025, "total_usd_bn_high"]) == (70.0, 80.0, 90.0)
    assert tot.loc[2025, "kind"] == "guidance"
    assert cx.growth_multiple(tot.reset_index(), 2024, 2025) == pytest.approx(2.0)


def test_capex_totals_refuses_incomparable_years():
    short = _toy_capex().iloc[:3]  # year 2025 lacks company B
    with pytest.raises(ValueError, match="lacks B"):
        cx.capex_totals(short)
    mixed = _toy_capex().assign(kind=["actual", "guidance", "guidance", "guidance"])
    with pytest.raises(ValueError, match="mixes"):
        cx.capex_totals(mixed)


def test_capex_by_company_orders_by_latest_actual_spend():
    df = cx.capex_by_company(_toy_capex())
    # in 2024 (latest actual) B outspent A, so B comes first within every year
    assert df["company"].tolist() == ["B", "A", "B", "A"]


def test_capex_totals_match_the_table():
    table = data.capex()
    tot = cx.capex_totals(table).set_index("year")
    for year, grp in table.groupby("year"):
        assert tot.loc[year, "total_usd_bn"] == pytest.approx(grp["capex_usd_bn"].sum())
    # economics.md 2.1: big-four cash capex 147.2 (2023), 228.3 (2024), 376.1 (2025)
    assert tot.loc[2023, "total_usd_bn"] == pytest.approx(147.2, abs=0.1)
    assert tot.loc[2024, "total_usd_bn"] == pytest.approx(228.3, abs=0.1)
    assert tot.loc[2025, "total_usd_bn"] == pytest.approx(376.1, abs=0.1)
    guide = tot[tot["kind"] == "guidance"]
    assert len(guide) == 1
    assert (guide["total_usd_bn_low"] <= guide["total_usd_bn"]).all()
    assert (guide["total_usd_bn"] <= guide["total_usd_bn_high"]).all()
    assert guide["total_usd_bn"].iloc[0] > tot.loc[2025, "total_usd_bn"]


# ------------------------------------------------------------------------------ NVIDIA


def _toy_nvidia() -> pd.DataFrame:
    return pd.DataFrame({
        "fiscal_quarter": ["FY24Q1", "FY24Q2", "FY24Q3", "FY24Q4", "FY25Q1"],
        "period_end": pd.to_datetime(["2023-04-30", "2023-07-30", "2023-10-29", "2024-01-28",
                                      "2024-04-28"]),
        "datacenter_revenue_usd_bn": [1.0, 2.0, 3.0, 4.0, 5.0],
        "total_revenue_usd_bn": [2.0, 4.0, 4.0, 5.0, 5.0],
    })


def test_nvidia_quarters_hand_case():
    q = cx.nvidia_quarters(_toy_nvidia().iloc[::-1])  # order of rows must not matter
    assert q["fiscal_quarter"].tolist()[0] == "FY24Q1"
    assert q["fiscal_year"].tolist() == [2024, 2024, 2024, 2024, 2025]
    assert q["run_rate_usd_bn"].tolist() == [4.0, 8.0, 12.0, 16.0, 20.0]
    assert q["datacenter_share"].tolist() == [0.5, 0.5, 0.75, 0.8, 1.0]
    assert q["other_revenue_usd_bn"].tolist() == [1.0, 2.0, 1.0, 1.0, 0.0]
    fy = cx.nvidia_fiscal_years(_toy_nvidia()).set_index("fiscal_year")
    assert fy.loc[2024, "datacenter_revenue_usd_bn"] == 10.0  # 1 + 2 + 3 + 4
    assert fy.loc[2024, "datacenter_share"] == pytest.approx(10.0 / 15.0)
    assert bool(fy.loc[2024, "complete"]) and not bool(fy.loc[2025, "complete"])


def test_nvidia_quarters_rejects_bad_labels():
    bad = _toy_nvidia().assign(fiscal_quarter=["FY24Q1", "2024Q2", "FY24Q3", "FY24Q4",
                                               "FY25Q1"])
    with pytest.raises(ValueError, match="2024Q2"):
        cx.nvidia_quarters(bad)


def test_nvidia_fiscal_years_match_releases():
    fy = cx.nvidia_fiscal_years(data.nvidia_datacenter_revenue()).set_index("fiscal_year")
    # economics.md 2.2: DC revenue FY2023 15.0, FY2024 47.5, FY2025 115.2, FY2026 193.7
    for year, expected in ((2023, 15.0), (2024, 47.5), (2025, 115.2), (2026, 193.7)):
        assert fy.loc[year, "datacenter_revenue_usd_bn"] == pytest.approx(expected, abs=0.15)
        assert bool(fy.loc[year, "complete"])
    assert fy["datacenter_revenue_usd_bn"].loc[2023:2026].is_monotonic_increasing


# ------------------------------------------------------------------------------ Cahn


def test_cahn_vintages_reproduce_sequoia_at_central_values():
    reg = _cahn_registry()
    draws = cx.cahn_factor_samples(reg, 2_000, seed=1)
    # fixed share 0.5 and margin 0.5: factor exactly 1 / (0.5 x 0.5) = 4
    assert np.all(draws["factor"] == 4.0)
    v = cx.cahn_vintages(reg, draws["factor"]).set_index("year")
    assert v.loc[2023, "required_usd_bn"] == 200.0  # 50 x 2 x 2
    assert v.loc[2024, "required_usd_bn"] == 600.0  # 150 x 2 x 2
    assert v.loc[2023, "gap_usd_bn"] == 125.0  # 200 - 75
    assert v.loc[2024, "gap_usd_bn"] == 500.0  # 600 - 100
    assert v.loc[2023, "required_usd_bn_p5"] == v.loc[2023, "required_usd_bn_p95"] == 200.0
    assert v.loc[2023, "date"] == pd.Timestamp("2023-09-01")


def test_cahn_with_the_book_registry_brackets_the_central_value():
    reg = load_registry()
    draws = cx.cahn_factor_samples(reg, 50_000, seed=7)
    v = cx.cahn_vintages(reg, draws["factor"]).set_index("year")
    assert v.loc[2023, "required_usd_bn"] == pytest.approx(200.0)
    assert v.loc[2024, "required_usd_bn"] == pytest.approx(600.0)
    for year in (2023, 2024):
        row = v.loc[year]
        assert row["required_usd_bn_p5"] < row["required_usd_bn"] < row["required_usd_bn_p95"]
        assert row["gap_usd_bn_p5"] < row["gap_usd_bn"] < row["gap_usd_bn_p95"]
        # the interval is a shift of the requirement's
        assert row["required_usd_bn_p5"] - row["gap_usd_bn_p5"] == pytest.approx(
            row["ai_revenue_usd_bn"])


def test_cahn_factor_matches_its_formula_draw_by_draw():
    reg = _cahn_registry(share=(0.4, 0.5, 0.6, "pert"), margin=(0.3, 0.5, 0.6, "pert"),
                         life=(2.0, 4.0, 6.0, "pert"))
    d = cx.cahn_factor_samples(reg, 10_000, seed=3)
    share = 1.0 / d["dc_cost_multiplier"]
    np.testing.assert_allclose(d["factor"], 1.0 / (share * (1.0 - d["end_user_margin"])))
    assert share.min() >= 0.4 and share.max() <= 0.6
    assert d["life_years"].min() >= 2.0 and d["life_years"].max() <= 6.0
    again = cx.cahn_factor_samples(reg, 10_000, seed=3)
    np.testing.assert_array_equal(d["factor"], again["factor"])
    other = cx.cahn_factor_samples(reg, 10_000, seed=4)
    assert not np.array_equal(d["factor"], other["factor"])


def test_cahn_requirement_scales_with_run_rate():
    factor = np.linspace(3.0, 5.0, 1001)
    out = cx.cahn_requirement([10.0, 20.0, 40.0], 2.0, 0.5, factor, ai_revenue_usd_bn=5.0)
    assert out["required_usd_bn"].tolist() == [40.0, 80.0, 160.0]
    assert out["gap_usd_bn"].tolist() == [35.0, 75.0, 155.0]
    # 5th and 95th percentiles of an even grid on [3, 5]: 3.1 and 4.9
    np.testing.assert_allclose(out["required_usd_bn_p5"], [31.0, 62.0, 124.0])
    np.testing.assert_allclose(out["required_usd_bn_p95"], [49.0, 98.0, 196.0])
    assert out["required_usd_bn"].is_monotonic_increasing


def test_cahn_requirement_by_quarter_uses_four_times_the_quarter():
    q = cx.nvidia_quarters(_toy_nvidia())
    by_q = cx.cahn_requirement_by_quarter(q, _cahn_registry(), np.full(10, 4.0))
    assert by_q["required_usd_bn"].tolist() == [16.0, 32.0, 48.0, 64.0, 80.0]  # 4 x 4 x r_q
    assert list(by_q["fiscal_quarter"]) == list(q["fiscal_quarter"])


# ------------------------------------------------------------------------------ AI revenue


def _toy_ai_revenue() -> pd.DataFrame:
    return pd.DataFrame({
        "company": ["X", "X", "Y", "Y", "X"],
        "metric": ["annualized_run_rate", "annualized_run_rate", "ai_business_run_rate",
                   "ai_business_run_rate", "revenue"],
        "date": pd.to_datetime(["2025-01-01", "2025-06-01", "2025-03-01", "2025-09-01",
                                "2025-12-31"]),
        "value_usd_bn": [1.0, 2.0, 10.0, 20.0, 99.0],
    })


def test_disclosed_ai_run_rate_takes_latest_per_company():
    latest = cx.disclosed_ai_run_rate(_toy_ai_revenue()).set_index("company")
    assert latest["value_usd_bn"].to_dict() == {"Y": 20.0, "X": 2.0}  # revenue row ignored
    early = cx.disclosed_ai_run_rate(_toy_ai_revenue(), as_of="2025-04-01")
    assert early.set_index("company")["value_usd_bn"].to_dict() == {"Y": 10.0, "X": 1.0}


def test_disclosed_series_carries_values_forward():
    s = cx.disclosed_ai_run_rate_series(_toy_ai_revenue())
    # starts when both have disclosed (March): 1 + 10, then 2 + 10 (June), then 2 + 20
    assert s["date"].tolist() == list(pd.to_datetime(["2025-03-01", "2025-06-01",
                                                      "2025-09-01"]))
    assert s["value_usd_bn"].tolist() == [11.0, 12.0, 22.0]


def test_disclosed_run_rates_in_the_table():
    table = data.ai_revenue()
    latest = cx.disclosed_ai_run_rate(table)
    assert latest["company"].is_unique
    series = cx.disclosed_ai_run_rate_series(table)
    assert series["value_usd_bn"].iloc[-1] == pytest.approx(latest["value_usd_bn"].sum())
    assert series["value_usd_bn"].is_monotonic_increasing


# ------------------------------------------------------------------------------ adoption


def test_adoption_shares_keep_later_release():
    df = pd.DataFrame({
        "technology": ["PC", "PC", "AI"], "metric": ["share"] * 3,
        "years_since_launch": [3.0, 3.0, 3.0], "value": [0.2, 0.197, 0.5],
        "unit": ["fraction"] * 3, "source_key": ["old", "new", "new"]})
    out = cx.adoption_shares(df)
    assert out["technology"].tolist() == ["AI", "PC"]
    assert out.set_index("technology").loc["PC", "share"] == 0.197


def test_adoption_table_generative_ai_leads_at_every_age():
    shares = cx.adoption_shares(data.adoption())
    for _age, grp in shares.groupby("years_since_launch"):
        top = grp.sort_values("share").iloc[-1]
        assert top["technology"] == "Generative AI"


def test_months_to_users():
    months = cx.months_to_users(data.adoption(), cx.USERS_MILESTONE).set_index("technology")
    assert months.loc["ChatGPT", "months"] == pytest.approx(0.17 * 12)
    assert months.loc["Instagram", "months"] == pytest.approx(30.0)
    assert months["months"].is_monotonic_increasing


# ------------------------------------------------------------------------------ first wave


def test_first_wave_matches_the_tables():
    cap, nv, rev = data.capex(), data.nvidia_datacenter_revenue(), data.ai_revenue()
    year = cx.latest_comparable_year(cap, nv, rev)
    wave = cx.first_wave(cap, nv, rev, year)
    totals = cx.capex_totals(cap).set_index("year")
    fy = cx.nvidia_fiscal_years(nv).set_index("fiscal_year")
    labs = rev[(rev["metric"] == "revenue") & (rev["date"].dt.year == year)]
    np.testing.assert_allclose(wave["value_usd_bn"], [
        totals.loc[year, "total_usd_bn"], fy.loc[year + 1, "datacenter_revenue_usd_bn"],
        labs["value_usd_bn"].sum()])
    # spenders > chip maker > AI sellers
    assert wave["value_usd_bn"].is_monotonic_decreasing


def test_first_wave_refuses_guidance_years():
    cap, nv, rev = data.capex(), data.nvidia_datacenter_revenue(), data.ai_revenue()
    guidance_year = int(cx.capex_totals(cap).query("kind == 'guidance'")["year"].iloc[0])
    with pytest.raises(ValueError, match="guidance"):
        cx.first_wave(cap, nv, rev, guidance_year)


# ------------------------------------------------------------------------------ charts


def test_charts_compile_to_vega_lite():
    cap, nv = data.capex(), data.nvidia_datacenter_revenue()
    reg = _cahn_registry()
    q = cx.nvidia_quarters(nv)
    factor = cx.cahn_factor_samples(reg, 1_000, seed=0)["factor"]
    built = [
        cx.chart_capex(cx.capex_by_company(cap), cx.capex_totals(cap)),
        cx.chart_nvidia_quarters(q),
        cx.chart_cahn(cx.cahn_requirement_by_quarter(q, reg, factor),
                      cx.cahn_vintages(reg, factor),
                      cx.disclosed_ai_run_rate_series(data.ai_revenue())),
        cx.chart_adoption_shares(cx.adoption_shares(data.adoption())),
    ]
    for chart in built:
        assert isinstance(chart, alt.TopLevelMixin)
        spec = chart.to_dict()
        assert "$schema" in spec
