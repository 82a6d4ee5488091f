"""Back-test of the training-cost model against Epoch AI's per-run costs
(:func:`aiboom.training.backtest_runs`, :func:`aiboom.training.backtest_summary`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from aiboom import data, training
from aiboom.analysis import training_trends
from aiboom.registry import load_registry

REGISTRY = load_registry()



@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return training.backtest_runs(REGISTRY)


@pytest.fixture(scope="module")
def summary(table: pd.DataFrame) -> pd.DataFrame:
    return training.backtest_summary(table)


# ------------------------------------------------------------------------------------ goals


def test_amortized_median_within_1_25x_of_epoch(summary: pd.DataFrame):
    # Goal: median model / Epoch within x1.25 over every costed run (0.93 at the time of
    # writing).
    assert 1 / 1.25 <= summary.loc["amortized", "median_ratio"] <= 1.25


def test_amortized_nine_in_ten_within_2x(table: pd.DataFrame):
    # Goal: 90% of runs within x2. Measured 0.91 (158 of 174), 0.93 on the 162 runs whose
    # recorded chip-hours could have produced their recorded compute. The 16 misses are runs
    # whose inputs in Epoch's database no longer reproduce its cost: costs older than a
    # revision of the run (ESM1b, ViT-G/14 and DeBERTa: compute 8-17 times that of Epoch's May
    # 2024 export, cost unchanged or lower; AlphaZero: 64 chips became 5,064 TPU v1 and v2),
    # and fine-tunes whose compute includes the base model or whose hours imply an MFU above 1
    # (FLAN 137B, SPHINX, WizardLM-7B, Taiyi, DiT-XL/2, Alpaca).
    summary = training.backtest_summary(table)
    assert summary.loc["amortized", "n_runs"] >= 170
    assert summary.loc["amortized", "share_within_2x"] >= 0.90
    consistent = training.backtest_summary(table, consistent_only=True)
    assert consistent.loc["amortized", "share_within_2x"] >= 0.90


def test_cloud_median_within_1_25x_of_epochs_cloud_series(summary: pd.DataFrame):
    # Goal, against Epoch's own per-run cloud-rental costs (data/models.csv
    # epoch_cloud_cost_usd_2023, 35 runs): median within x1.25 and 90% within x2. Measured
    # 0.99, with every run within x1.25 once the rental price is picked as Epoch does (the
    # developer's own cloud's 3-year price, dated at hardware acquisition).
    cloud = summary.loc["cloud"]
    assert cloud["n_runs"] == 35
    assert 1 / 1.25 <= cloud["median_ratio"] <= 1.25
    assert cloud["share_within_2x"] >= 0.90
    assert cloud["share_within_1_25x"] >= 0.90


def test_cloud_method_reproduces_the_published_cloud_costs():
    # The AI Index's cloud-method costs (estimates by Epoch AI): GPT-4 78.35, Gemini 1.0
    # Ultra 191.4 (AI Index 2024), Llama 3.1 405B ~170 (AI Index 2025) [USD m].
    from aiboom.validation import training as vt
    ratios = [vt.MODELS[check](REGISTRY) / published
              for check, published in (("training_cloud_cost_gpt4", 78.35),
                                       ("training_cloud_cost_gemini_ultra", 191.4),
                                       ("training_cloud_cost_llama31_405b", 170.0))]
    assert 1 / 1.25 <= float(np.median(ratios)) <= 1.25
    assert all(0.5 <= r <= 2.0 for r in ratios)


def test_each_method_is_compared_with_its_own_series(table: pd.DataFrame):
    # ratio_cloud is against Epoch's cloud series, ratio_amortized against its amortised one;
    # renting at 3-year committed prices includes the provider's margin, so the cloud cost is
    # well above Epoch's amortised cost of the same run (cloud_over_epoch_amortized).
    both = table.dropna(subset=["epoch_cloud_usd", "epoch_usd"])
    assert np.allclose(table["ratio_cloud"].dropna(),
                       (table["cloud_usd"] / table["epoch_cloud_usd"]).dropna())
    assert np.allclose(table["ratio_amortized"].dropna(),
                       (table["amortized_usd"] / table["epoch_usd"]).dropna())
    assert (both["epoch_cloud_usd"] > both["epoch_usd"]).all()
    assert float(table["cloud_over_epoch_amortized"].median()) > 1.5


# ------------------------------------------------------------------------------------ data


def test_every_costed_run_has_an_accelerator_row(table: pd.DataFrame):
    models = data.models()
    chips = set(data.accelerators(serving_only=False)["id"])
    epoch = models[["cost_usd_2023", "epoch_amortized_cost_usd_2023",
                    "epoch_cloud_cost_usd_2023"]].notna().any(axis=1)
    costed = models[epoch & models["hardware"].notna()]
    assert len(costed) >= 170
    assert costed["accelerator"].notna().all(), costed[costed["accelerator"].isna()]["hardware"]
    assert set(costed["accelerator"]) <= chips
    for chip in ("k80", "p100", "v100", "tpu_v2", "tpu_v3", "tpu_v4", "a100_40gb", "a100",
                 "h100", "h800"):
        assert chip in chips
    # Every one with chip-hours, chips x time or compute is priced.
    priceable = costed[costed["training_chip_hours"].notna() | costed["training_flop"].notna()
                       | (costed["hardware_quantity"].notna()
                          & costed["training_time_hours"].notna())]
    assert set(priceable["model"]) == set(table["model"])


def test_serving_chapter_sees_only_serving_chips():
    serving = data.accelerators()
    everything = data.accelerators(serving_only=False)
    assert serving["serving"].all() and len(serving) == 7
    assert {"k80", "tpu_v3"} <= set(everything["id"]) - set(serving["id"])


def test_rental_prices_cover_the_rentable_chips_and_are_ordered():
    rent = data.accelerator_rental_prices()
    assert (rent["usd_per_chip_hour_low"] <= rent["usd_per_chip_hour_central"]).all()
    assert (rent["usd_per_chip_hour_central"] <= rent["usd_per_chip_hour_high"]).all()
    assert {"k80", "p100", "v100", "tpu_v2", "tpu_v3", "tpu_v4", "a100_40gb", "a100", "h100",
            "h800"} <= set(rent["accelerator"])


# ------------------------------------------------------------------------------ mechanisms


def _one_run(model: str, **changes) -> pd.DataFrame:
    runs = data.models()
    run = runs[runs["model"] == model].copy()
    for column, value in changes.items():
        run[column] = value
    return run


def test_own_mfu_is_used_where_recorded():
    # GPT-4 with its chip-hours removed: hours come from compute / (peak x MFU), and Epoch
    # records MFU 0.34 for it; without that record the registry's 0.38 applies.
    no_hours = {"training_chip_hours": np.nan, "hardware_quantity": np.nan}
    own = training.backtest_runs(REGISTRY, models=_one_run("GPT-4", **no_hours)).iloc[0]
    generic = training.backtest_runs(
        REGISTRY, models=_one_run("GPT-4", mfu=np.nan, **no_hours)).iloc[0]
    assert own["mfu_source"] == "run" and own["mfu"] == pytest.approx(0.34)
    assert generic["mfu_source"] == "registry"
    assert generic["mfu"] == pytest.approx(REGISTRY["training_mfu"].central)
    # Hours scale as 1 / MFU: 2.1e25 / (312e12 x 0.34 x 3600).
    assert own["accelerator_hours"] == pytest.approx(2.1e25 / (312e12 * 0.34 * 3600), rel=1e-6)
    assert own["accelerator_hours"] / generic["accelerator_hours"] == pytest.approx(
        REGISTRY["training_mfu"].central / 0.34)


def test_every_recorded_mfu_is_carried_into_the_table(table: pd.DataFrame):
    recorded = data.models().set_index("model")["mfu"]
    own = table[table["mfu_source"] == "run"]
    assert len(own) >= 25
    assert np.allclose(own["mfu"], own["model"].map(recorded))
    assert table.loc[table["mfu_source"] == "registry", "model"].map(recorded).isna().all()


def test_server_cost_is_chip_specific(table: pd.DataFrame):
    quotes = data.accelerator_server_prices()
    chips = data.accelerators(serving_only=False).set_index("id")
    by_chip = table.groupby("accelerator")
    # A chip with a published system price is priced from its own quotes, not the generic
    # overhead on the chip price.
    for chip in ("p100", "v100", "a100_40gb", "a100", "h100", "h800"):
        rows = by_chip.get_group(chip)
        assert (rows["server_basis"] == "chip's own system").all()
        own = set(quotes.loc[quotes["accelerator"] == chip, "usd_per_chip"])
        medians = {float(q.median()) for _, q in quotes[quotes["accelerator"] == chip]
                   .groupby("date")["usd_per_chip"]}
        assert set(rows["server_usd_per_chip"]) <= own | medians
    # The implied server-over-chip ratios differ between chips (V100 1.63, P100 2.83 at
    # launch), so no single overhead is applied to all.
    launch = {c: chips.loc[c, "server_usd_per_chip"] / chips.loc[c, "purchase_usd_central"]
              for c in ("v100", "p100", "a100_40gb")}
    assert len({round(v, 2) for v in launch.values()}) == 3
    # Only chips with no published system (TPUs, K80, ...) fall back to the registry's overhead.
    generic = table[table["server_basis"] == "generic overhead"]
    assert set(generic["accelerator"]) <= {"k40", "k80", "titan_x", "tpu_v1", "tpu_v2",
                                           "tpu_v3", "tpu_v4"}
    overhead = REGISTRY["server_cost_overhead"].central
    assert np.allclose(generic["server_usd_per_chip"],
                       generic["accelerator"].map(chips["purchase_usd_central"]) * overhead)


def test_hardware_value_moves_along_the_price_performance_trend():
    # 10,000 USD one year later: 10,000 x 10^-0.14 = 7,244; a year earlier 13,804.
    assert training.hardware_value_usd(10_000.0, 1.0) == pytest.approx(7244.36, rel=1e-5)
    assert training.hardware_value_usd(10_000.0, -1.0) == pytest.approx(13803.84, rel=1e-5)
    assert training.hardware_value_usd(np.array([1.0, 2.0]), 0.0).tolist() == [1.0, 2.0]
    # amortized_hardware_cost_usd depreciates with the same formula.
    assert training.amortized_hardware_cost_usd(
        100.0, 10_000.0, server_cost_overhead=1.0, years_since_purchase=1.0) == pytest.approx(
        training.amortized_hardware_cost_usd(100.0, 7244.36, server_cost_overhead=1.0),
        rel=1e-5)


def test_peak_follows_the_runs_precision():
    chips = data.accelerators(serving_only=False).set_index("id")
    v100, h100, tpu_v1 = chips.loc["v100"], chips.loc["h100"], chips.loc["tpu_v1"]
    assert training.peak_flop_per_s(v100) == pytest.approx(125e12)
    assert training.peak_flop_per_s(v100, "fp32") == pytest.approx(15.67e12)
    assert training.peak_flop_per_s(chips.loc["a100_40gb"], "tf32") == pytest.approx(156e12)
    # FP8 runs pair with the 16-bit peak, against which MFUs are stated.
    assert training.peak_flop_per_s(h100, "fp8") == pytest.approx(989.4e12)
    assert training.peak_flop_per_s(chips.loc["k80"], "fp16") == pytest.approx(8.126e12)
    assert training.peak_flop_per_s(tpu_v1) == pytest.approx(92e12)
    # Precision unknown: as Epoch's code, a GPU without tensor cores at its FP32 rate (P100
    # 9.3, not its FP16 18.7), a TPU at its plain FP16 rate where it has no BF16 entry.
    assert training.peak_flop_per_s(chips.loc["p100"]) == pytest.approx(9.3e12)
    assert training.peak_flop_per_s(chips.loc["p100"], "fp16") == pytest.approx(18.7e12)
    assert training.peak_flop_per_s({"id": "t", "vendor": "Google", "fp16_tflops": 45.0,
                                     "fp32_tflops": 20.0}) == pytest.approx(45e12)
    with pytest.raises(ValueError, match="no peak"):
        training.peak_flop_per_s({"id": "none"})


def test_one_run_by_hand():
    # A made-up chip with its server quoted on the day the run starts (no depreciation),
    # 1,000 chip-hours in 2023, TDP 500 W, server power 1,000 W per chip, no rental quote.
    chip = pd.DataFrame([{
        "id": "x", "vendor": "NVIDIA", "release_date": pd.Timestamp("2020-01-01"),
        "bf16_dense_tflops": 100.0, "tdp_w": 500.0, "purchase_usd_central": 10_000.0,
        "server_w_per_chip": 1000.0}])
    run = pd.DataFrame([{
        "model": "run", "publication_date": pd.Timestamp("2023-07-01"), "accelerator": "x",
        "training_flop": np.nan, "hardware_quantity": 10.0, "training_time_hours": 100.0,
        "training_chip_hours": np.nan, "mfu": np.nan, "numerical_format": np.nan,
        "cost_usd_2023": 1000.0}])
    start = pd.Timestamp("2023-07-01") - pd.Timedelta(days=100 / 24)
    quotes = pd.DataFrame([{"accelerator": "x", "date": start, "usd_per_chip": 20_000.0}])
    rent = pd.DataFrame([{"accelerator": "y", "year": 2023, "usd_per_chip_hour_central": 1.0}])
    ppi = pd.DataFrame({"year": [2023], "ppi_dec2000_100": [100.0]})
    row = training.backtest_runs(REGISTRY, models=run, accelerators=chip, rental_prices=rent,
                                 ppi=ppi, server_prices=quotes).iloc[0]
    c = {k: REGISTRY[k].central for k in ("cluster_interconnect_overhead",
                                          "hardware_lifetime_years", "pue", "usd_per_kwh")}
    # Hardware: 1,000 h x 20,000 / (8766 h/yr x L) x (1 + interconnect overhead).
    hardware = 1000 * 20_000 / (8766 * c["hardware_lifetime_years"]) * (
        1 + c["cluster_interconnect_overhead"])
    # Energy: 1,000 h x 1,000 W x 0.75 load x PUE / 1000 x USD/kWh.
    energy = 1000 * 1000 * 0.75 * c["pue"] / 1000 * c["usd_per_kwh"]
    assert row["accelerator_hours"] == 1000.0 and row["hours_basis"] == "quantity x time"
    assert row["amortized_usd"] == pytest.approx(hardware + energy, rel=1e-9)
    assert row["ratio_amortized"] == pytest.approx((hardware + energy) / 1000.0, rel=1e-9)
    assert math.isnan(row["cloud_usd"])


def test_rental_price_is_picked_as_epochs_cloud_method_does(table: pd.DataFrame):
    rent = data.accelerator_rental_prices().set_index(["accelerator", "year"])
    rows = table.set_index("model")
    # Gemini 1.0 Ultra: Google's own 3-year TPU v4 price of the year of acquisition
    # (publication less training time less 120 days: 2023).
    row = rows.loc["Gemini 1.0 Ultra"]
    assert row["rental_cloud"] == "google" and row["rental_year"] == 2023
    assert row["rental_usd_per_chip_hour"] == rent.loc[("tpu_v4", 2023),
                                                       "usd_per_chip_hour_google_3yr"]
    # 132 million TPU v4 hours at 1.45 USD/h, in 2023 dollars.
    assert row["cloud_usd"] == pytest.approx(132e6 * 1.45, rel=1e-6)
    # OpenAI rents from Azure; Meta, TII and other developers without a cloud from AWS.
    assert rows.loc["GPT-4", "rental_cloud"] == "azure"
    assert rows.loc["GPT-4", "rental_usd_per_chip_hour"] == rent.loc[
        ("a100_40gb", 2022), "usd_per_chip_hour_azure_3yr"]
    assert rows.loc["Falcon-180B", "rental_cloud"] == "aws"
    assert rows.loc["Falcon-180B", "rental_usd_per_chip_hour"] == 1.45
    # No cloud quoted a 3-year H100 price before 2025: the earliest later quote (Google's).
    assert rows.loc["Llama 3.1-405B", "rental_cloud"] == "google"
    assert rows.loc["Llama 3.1-405B", "rental_year"] == 2025


def test_developer_cloud_and_rental_order():
    cloud = training._developer_cloud
    assert cloud("Google DeepMind") == "google" and cloud("OpenAI") == "azure"
    assert cloud("Microsoft,NVIDIA") == "azure" and cloud("Meta AI") == "aws"
    assert cloud("Carnegie Mellon University (CMU),Google") == "google"
    assert cloud(np.nan) == "aws"
    rent = pd.DataFrame({
        "accelerator": ["g", "g", "g", "t"], "year": [2019, 2021, 2023, 2020],
        "usd_per_chip_hour_central": [9.0, 9.0, 9.0, 9.0],
        "usd_per_chip_hour_aws_3yr": [1.0, np.nan, 3.0, 5.0],
        "usd_per_chip_hour_google_3yr": [np.nan, 2.0, np.nan, np.nan],
        "usd_per_chip_hour_azure_3yr": [np.nan, np.nan, np.nan, np.nan]})
    pick = training._epoch_rental_for
    # The developer's cloud first, its latest year up to acquisition, else its earliest after.
    assert pick(rent, "g", 2022, "google") == (2.0, 2021.0, "google")
    assert pick(rent, "g", 2020, "google") == (2.0, 2021.0, "google")
    # A cloud with no 3-year quote hands over to AWS, then Azure, then Google.
    assert pick(rent, "g", 2022, "azure") == (1.0, 2019.0, "aws")
    # TPUs only from Google: the median over clouds is the fallback.
    rent.loc[3, "accelerator"] = "tpu_x"
    assert pick(rent, "tpu_x", 2020, "aws") == (9.0, 2020.0, "median")


def test_epoch_series_are_curated_in_the_databases_dollars():
    models = data.models().set_index("model")
    assert models["epoch_cloud_cost_usd_2023"].notna().sum() == 35
    assert models["epoch_amortized_cost_usd_2023"].notna().sum() == 82
    # GPT-4's cloud cost is the AI Index 2024's 78.35 million 2023 dollars.
    assert models.loc["GPT-4", "epoch_cloud_cost_usd_2023"] / 1e6 == pytest.approx(78.35,
                                                                                    abs=0.01)
    # Where the pipeline left a run unchanged, its amortised cost is the database's.
    assert models.loc["GPT-4", "epoch_amortized_cost_usd_2023"] == pytest.approx(
        models.loc["GPT-4", "cost_usd_2023"], rel=1e-6)
    # T5-3B: the database's cost lags the run's revised compute; the pipeline's is ten times it.
    t5 = models.loc["T5-3B"]
    assert t5["epoch_amortized_cost_usd_2023"] / t5["cost_usd_2023"] == pytest.approx(10.0,
                                                                                      rel=0.01)


def test_summary_counts_runs_within_a_factor():
    t = pd.DataFrame({"ratio_amortized": [0.4, 1.0, 1.9, 2.1, np.nan],
                      "ratio_cloud": [1.0, 1.0, 1.0, 1.0, 1.0],
                      "inputs_consistent": [True, True, True, False, True]})
    s = training.backtest_summary(t)
    assert s.loc["amortized", "n_runs"] == 4
    assert s.loc["amortized", "share_within_2x"] == pytest.approx(0.5)
    assert s.loc["amortized", "median_ratio"] == pytest.approx(1.45)
    assert s.loc["cloud", "share_within_1_25x"] == 1.0
    assert training.backtest_summary(t, consistent_only=True).loc["amortized", "n_runs"] == 3


def test_chart_has_both_methods_on_log_axes(table: pd.DataFrame):
    chart = training_trends.chart_training_backtest(table)
    spec = chart.to_dict()
    assert len(spec["layer"]) == 3
    points = training_trends.backtest_points(table)
    assert set(points["method"]) == set(training_trends.BACKTEST_METHOD_LABELS.values())
    assert (points["model_usd"] > 0).all() and (points["epoch_usd"] > 0).all()
    dots = spec["layer"][2]["encoding"]
    assert dots["x"]["scale"]["type"] == "log" and dots["y"]["scale"]["type"] == "log"
