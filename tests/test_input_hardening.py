"""Inputs that cannot hurt: hostile YAML, odd files, zero divisors, clashing names, prices.

Issue 9, parts 2 and 5. A scenario file is refused before it can cost time, memory or a secret;
a value the model divides by is refused at zero; two scenarios may not share a name; a data row
keeps its central value inside its low..high range; and an override of a GPU-hour price must be
the price of the chip the scenario serves on, so that it changes what it says it changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import AIBOOM, ROOT, run_cli

from aiboom import data
from aiboom.errors import InputError
from aiboom.montecarlo import PRICE_ID, scenario_inputs
from aiboom.registry import load_registry
from aiboom.scenarios import MAX_SCENARIO_BYTES, list_scenarios, load_scenario, load_scenarios
from aiboom.sweep import parse_axis, run_sweep

SCENARIOS = ROOT / "data" / "scenarios"
HEAD = "name: s\ntitle: S\n"


def _write(folder: Path, body: str, name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_text(body)
    return path


def _problem(error: InputError, fragment: str):
    matching = [p for p in error.problems if fragment in p.message]
    assert matching, f"no problem mentions {fragment!r}: {error}"
    return matching[0]


# ------------------------------------------------------------------ YAML anchors and aliases

def _billion_laughs() -> str:
    """816 bytes; walking its key paths visits 9**10 mappings (minutes and gigabytes)."""
    lines = ["name: s", "title: S", "a: &a {" + ", ".join(f"k{i}: lol" for i in range(9)) + "}"]
    for prev, name in zip("abcdefghi", "bcdefghij", strict=True):
        lines.append(f"{name}: &{name} {{" + ", ".join(f"k{i}: *{prev}" for i in range(9)) + "}")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_its_first_anchor_in_well_under_a_second(tmp_path):
    text = _billion_laughs()
    assert len(text.encode()) < 1000
    path = _write(tmp_path, text)
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_scenario(path)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0  # measured loosely: milliseconds now, a MemoryError after 25 s before
    assert len(info.value.problems) == 1
    p = _problem(info.value, "anchors and aliases")
    assert p.file.endswith("s.yaml") and p.line == 3


def test_a_merge_key_alias_is_refused_with_its_line(tmp_path):
    path = _write(tmp_path, HEAD + "overrides:\n  pue: 1.2\nmonte_carlo: &mc\n  seed: 3\n"
                            "other:\n  <<: *mc\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert _problem(info.value, "anchors and aliases").line == 5


def test_deeply_nested_yaml_is_refused_without_recursing(tmp_path):
    path = _write(tmp_path, HEAD + "description: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    p = _problem(info.value, "nested")
    assert p.line == 3


# ------------------------------------------------------------------ what a scenario file is

def test_a_scenario_over_the_size_cap_is_refused_and_the_cap_is_named(tmp_path):
    padding = "# " + "x" * 100 + "\n"
    body = HEAD + padding * (MAX_SCENARIO_BYTES // len(padding) + 1)
    path = _write(tmp_path, body)
    assert path.stat().st_size > MAX_SCENARIO_BYTES
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert _problem(info.value, "64 KiB").line is None


def test_a_scenario_just_under_the_cap_loads(tmp_path):
    padding = "# " + "x" * 100 + "\n"
    body = HEAD + padding * ((MAX_SCENARIO_BYTES - len(HEAD)) // len(padding))
    assert load_scenario(_write(tmp_path, body)).name == "s"


def test_dev_zero_is_refused_without_reading_it():
    # In a child process with a memory limit: reading /dev/zero would never end.
    code = ("import resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
            "from aiboom.cli import main\n"
            "sys.exit(main(['sweep', '--scenario', '/dev/zero', '--param', 'pue=1.1']))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "/dev/zero" in proc.stderr and "not a regular file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def load() -> None:
        try:
            load_scenario(fifo)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # blocked in open(): give it a writer so the thread can finish
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=10)
        pytest.fail("load_scenario blocked on a FIFO")
    assert isinstance(outcome[0], InputError), outcome
    assert "not a regular file (a FIFO)" in str(outcome[0])


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "s.yaml"
    folder.mkdir()
    with pytest.raises(InputError, match="not a regular file"):
        load_scenario(folder)


SECRET = "root:$6$NeverPrintThisHash$abcdefghijkl:19000:0:99999:7:::"


def test_a_symlink_out_of_the_scenario_folder_is_refused_without_echoing_the_target(tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text(f"{SECRET}\ndaemon:*:19000:0:99999:7:::\nname: s\ntitle: S\n")
    folder = tmp_path / "scenarios"
    folder.mkdir()
    link = folder / "mine.yaml"
    link.symlink_to(secret)
    with pytest.raises(InputError) as info:
        load_scenario(link)
    text = str(info.value)
    assert "symbolic link" in text and "outside" in text
    assert "NeverPrintThisHash" not in text and "daemon" not in text and "99999" not in text
    assert all(p.file.endswith("mine.yaml") for p in info.value.problems)


def test_a_symlink_within_the_scenario_folder_loads(tmp_path):
    folder = tmp_path / "scenarios"
    (folder / "shared").mkdir(parents=True)
    (folder / "shared" / "real.yaml").write_text(HEAD)
    link = folder / "mine.yaml"
    link.symlink_to(Path("shared") / "real.yaml")
    assert load_scenario(link).name == "s"


# ------------------------------------------------------------------ values the model divides by

ZERO_DIVISOR_CASES = [
    # override body, key, fragment of the allowed range
    ("serving_utilization: 0", "serving_utilization", "(0, 1]"),
    ("serving_utilization: {central: 0, low: 0, high: 0, distribution: fixed}",
     "serving_utilization", "(0, 1]"),
    ("h100_usd_per_gpu_hour: {central: 0, low: 0, high: 0, distribution: fixed}",
     "h100_usd_per_gpu_hour", "(0, 1e+30]"),
    ("h100_usd_per_gpu_hour: 0.0", "h100_usd_per_gpu_hour", "(0, 1e+30]"),
    ("inference_mfu: {central: 0.0}", "inference_mfu", "(0, 1]"),
    ("decode_mfu: {central: 0.2, low: 0, high: 0.4, distribution: uniform}", "decode_mfu",
     "(0, 1]"),
    ("training_mfu: 0", "training_mfu", "(0, 1]"),
    ("inference_mbu: 0", "inference_mbu", "(0, 1]"),
    ("hardware_lifetime_years: {central: 0, low: 0, high: 0, distribution: fixed}",
     "hardware_lifetime_years", "(0, 1e+30]"),
    ("gpu_economic_life_years: 0", "gpu_economic_life_years", "(0, 1e+30]"),
    ("pue: {central: 0.9, low: 0.9, high: 0.9, distribution: fixed}", "pue", "[1, 1e+30]"),
    ("pue: 0", "pue", "[1, 1e+30]"),
    ("decode_batch_size: 0", "decode_batch_size", "(0, 1e+30]"),
    ("api_price_decline_per_year: 0", "api_price_decline_per_year", "(0, 1e+30]"),
]


@pytest.mark.parametrize(("body", "key", "fragment"), ZERO_DIVISOR_CASES,
                         ids=[c[0][:40] for c in ZERO_DIVISOR_CASES])
def test_a_zero_divisor_is_refused_with_file_line_and_key(tmp_path, body, key, fragment):
    path = _write(tmp_path, HEAD + "description: zero\noverrides:\n  " + body + "\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    p = _problem(info.value, fragment)
    assert p.file.endswith("s.yaml") and p.line == 5 and p.key == f"overrides.{key}"


def test_a_central_override_near_a_closed_bound_keeps_a_valid_spread(tmp_path):
    # PUE 1.0 is allowed; the registry's relative spread would put the low end below 1.
    s = load_scenario(_write(tmp_path, HEAD + "overrides:\n  pue: 1.0\n"
                                              "  serving_utilization: 1.0\n"))
    pue, util = s.registry["pue"], s.registry["serving_utilization"]
    assert (pue.low, pue.central) == (1.0, 1.0) and pue.high > 1.0
    assert util.central == util.high == 1.0 and 0 < util.low < 1.0


def test_the_registry_refuses_a_zero_divisor_row(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns("scenarios"))
    path = folder / "assumptions.csv"
    lines = path.read_text().splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if line.startswith("serving_utilization,"))
    lines[i] = lines[i].replace(",fraction,0.3,0.5,0.7,pert,", ",fraction,0,0.5,0.7,pert,")
    path.write_text("".join(lines))
    with pytest.raises(InputError) as info:
        load_registry(path)
    p = _problem(info.value, "(0, 1]")
    assert p.line == i + 1 and "id=serving_utilization" in (p.key or "")


def test_the_shipped_registry_and_scenarios_respect_every_domain():
    load_registry()
    assert len(load_scenarios(list_scenarios())) >= 4


@pytest.fixture(scope="module")
def baseline_inputs():
    return scenario_inputs(load_scenario())


@pytest.mark.parametrize("spec", ["serving_utilization=0:1:5", "inference_mfu=0,0.5",
                                  "h100_usd_per_gpu_hour=0:4:5", "pue=0.5,1.2",
                                  "decode_batch_size=0,8", "inference_mbu=0:0.5:3"])
def test_a_sweep_through_a_zero_divisor_is_refused(baseline_inputs, spec):
    with pytest.raises(InputError) as info:
        parse_axis(spec, baseline_inputs[0])
    assert "outside the allowed range" in str(info.value)
    assert info.value.problems[0].key == spec.split("=")[0]


def test_cli_sweep_through_zero_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "sweep.parquet"
    proc = run_cli("sweep", "--param", "serving_utilization=0:1:3", "--quiet",
                   "--out", str(out))
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "serving_utilization" in proc.stderr and "(0, 1]" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


# ------------------------------------------------------------------ scenario names are unique

def test_two_scenarios_with_one_name_are_an_error_naming_both_files(tmp_path):
    a = _write(tmp_path, "# first\nname: mine\ntitle: A\n", "a.yaml")
    b = _write(tmp_path, "# second\n\ntitle: B\nname: mine\n", "b.yaml")
    with pytest.raises(InputError) as info:
        load_scenarios([a, b])
    p = _problem(info.value, "a.yaml")
    assert p.file.endswith("b.yaml") and p.line == 4 and p.key == "name"
    assert "line 2" in p.message and "'mine'" in p.message


def test_load_scenarios_reports_every_broken_file(tmp_path):
    a = _write(tmp_path, "name: a\ntitle: A\noverrides:\n  pue: 0\n", "a.yaml")
    b = _write(tmp_path, "name: b\ntitle: B\nmonte_carlo: {seed: -1}\n", "b.yaml")
    with pytest.raises(InputError) as info:
        load_scenarios([a, b])
    assert {Path(p.file).name for p in info.value.problems} == {"a.yaml", "b.yaml"}


def test_load_scenarios_keeps_the_order(tmp_path):
    paths = [_write(tmp_path, f"name: {n}\ntitle: {n}\n", f"{n}.yaml") for n in "cab"]
    assert [s.name for s in load_scenarios(paths)] == ["c", "a", "b"]


def test_cli_compare_refuses_two_scenarios_with_one_name_before_building(tmp_path):
    a = _write(tmp_path, "name: twin\ntitle: A\n", "a.yaml")
    b = _write(tmp_path, "name: twin\ntitle: B\n", "b.yaml")
    proc = run_cli("compare", str(a), str(b), "--out", str(tmp_path / "cmp"), timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "b.yaml:1: [name]" in proc.stderr and "a.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "cmp").exists()


# ------------------------------------------------------------------ low <= central <= high in data

def _set_cell(path: Path, row: int, column: str, value: str) -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[row][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns("scenarios"))
    return folder


def test_a_central_value_above_its_high_is_named(data_copy):
    # accelerators.csv row 4 (line 5): rental central above rental high.
    _set_cell(data_copy / "accelerators.csv", 4, "rental_usd_per_hour_central", "99")
    with pytest.raises(InputError) as info:
        data.load_table("accelerators", data_copy)
    p = _problem(info.value, "outside its range")
    assert p.file.endswith("accelerators.csv") and p.line == 5
    assert p.key == "rental_usd_per_hour_central"
    assert "rental_usd_per_hour_low..rental_usd_per_hour_high" in p.message


def test_a_central_value_below_its_low_is_named_for_the_unsuffixed_column(data_copy):
    # capex.csv: capex_usd_bn is the central value of capex_usd_bn_low..capex_usd_bn_high.
    _set_cell(data_copy / "capex.csv", 2, "capex_usd_bn", "0.5")
    with pytest.raises(InputError) as info:
        data.load_table("capex", data_copy)
    p = _problem(info.value, "outside its range")
    assert p.line == 3 and p.key == "capex_usd_bn"


def test_a_low_above_its_high_is_named(data_copy):
    _set_cell(data_copy / "accelerators.csv", 1, "purchase_usd_low", "90000")
    with pytest.raises(InputError) as info:
        data.load_table("accelerators", data_copy)
    p = _problem(info.value, "above")
    assert p.line == 2 and p.key == "purchase_usd_low,purchase_usd_high"


def test_the_shipped_tables_have_their_central_values_in_range():
    data.check_all()


# ------------------------------------------------------------------ GPU-hour price overrides

def test_overriding_another_chips_price_is_an_error_naming_the_price_used(tmp_path):
    path = _write(tmp_path, HEAD + "accelerator: b200\noverrides:\n"
                                   "  pue: 1.2\n  h100_usd_per_gpu_hour: 1.0\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    p = _problem(info.value, "b200_usd_per_gpu_hour")
    assert p.line == 6 and p.key == "overrides.h100_usd_per_gpu_hour"
    assert "accelerator: b200" in p.message


def test_overriding_a_price_the_default_chip_does_not_use_is_an_error(tmp_path):
    path = _write(tmp_path, HEAD + "overrides:\n  b200_usd_per_gpu_hour: 2.0\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    p = _problem(info.value, "h100_usd_per_gpu_hour")
    assert p.line == 4 and p.key == "overrides.b200_usd_per_gpu_hour"
    assert "accelerator: h100" in p.message


def test_the_served_chips_own_price_drives_the_model(tmp_path):
    s = load_scenario(_write(tmp_path, HEAD + "accelerator: b200\noverrides:\n"
                                              "  b200_usd_per_gpu_hour: 1.5\n"))
    rows, _ = scenario_inputs(s)
    assert rows[PRICE_ID].central == 1.5
    base = load_registry()["b200_usd_per_gpu_hour"]
    assert rows[PRICE_ID].low == pytest.approx(base.low * 1.5 / base.central)


def _rental_ratio(chip: str) -> float:
    table = data.accelerators().set_index("id")
    return float(table.loc[chip, "rental_usd_per_hour_central"]
                 / table.loc["h100", "rental_usd_per_hour_central"])


def test_a_chip_without_its_own_price_is_priced_from_the_h100_override(tmp_path):
    s = load_scenario(_write(tmp_path, HEAD + "accelerator: mi300x\noverrides:\n"
                                              "  h100_usd_per_gpu_hour: 1.0\n"))
    rows, _ = scenario_inputs(s)
    assert rows[PRICE_ID].central == pytest.approx(1.0 * _rental_ratio("mi300x"))


def test_another_chips_price_on_a_scaled_chip_explains_the_scaling(tmp_path):
    path = _write(tmp_path, HEAD + "accelerator: mi300x\noverrides:\n"
                                   "  b200_usd_per_gpu_hour: 2.0\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    p = _problem(info.value, "no GPU-hour price of its own")
    assert p.line == 5 and "h100_usd_per_gpu_hour" in p.message
    assert f"{_rental_ratio('mi300x'):.2f}" in p.message


@pytest.fixture(scope="module")
def bull_inputs():
    return scenario_inputs(load_scenario(SCENARIOS / "bull.yaml"))


def test_a_sweep_of_another_chips_price_is_refused(bull_inputs):
    with pytest.raises(InputError) as info:
        parse_axis("h100_usd_per_gpu_hour=1:4:4", bull_inputs[0])
    assert "b200_usd_per_gpu_hour" in str(info.value)
    assert info.value.problems[0].key == "h100_usd_per_gpu_hour"


def test_a_sweep_of_the_served_chips_price_drives_the_price_input(bull_inputs):
    registry, acc = bull_inputs
    axis = parse_axis("b200_usd_per_gpu_hour=1:4:4", registry)
    assert axis.id == PRICE_ID and axis.values == (1.0, 2.0, 3.0, 4.0)
    frame = run_sweep(registry, [axis], progress=False, accelerator=acc, backend="numpy")
    assert list(frame[PRICE_ID]) == [1.0, 2.0, 3.0, 4.0]
    cost = frame["usd_per_query"].to_numpy()
    assert cost[3] == pytest.approx(4 * cost[0], rel=1e-12)


def test_a_sweep_of_the_served_chips_price_is_range_checked(bull_inputs):
    with pytest.raises(InputError, match="outside the allowed range"):
        parse_axis("b200_usd_per_gpu_hour=0:4:4", bull_inputs[0])


def test_a_sweep_of_a_scaled_chips_price_is_refused_with_the_reason(tmp_path):
    registry, _ = scenario_inputs(load_scenario(_write(tmp_path, HEAD + "accelerator: mi300x\n")))
    with pytest.raises(InputError) as info:
        parse_axis("h100_usd_per_gpu_hour=1:4:4", registry)
    assert "no GPU-hour price of its own" in str(info.value)


def test_cli_sweep_of_another_chips_price_exits_2(tmp_path):
    proc = subprocess.run([AIBOOM, "sweep", "--scenario", str(SCENARIOS / "bull.yaml"),
                           "--param", "h100_usd_per_gpu_hour=1:2:2", "--quiet",
                           "--out", str(tmp_path / "x.parquet")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "b200_usd_per_gpu_hour" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ parameters tied together

@pytest.mark.parametrize("routed", [0.0, 1.0])
def test_more_experts_per_token_than_a_layer_has_is_refused_by_key(tmp_path, routed):
    """Found by the fuzz test: experts per token 8 against 0 or 1 routed experts divided by
    zero or overflowed the kernel; now the file is refused naming both keys and the line."""
    path = _write(tmp_path, HEAD + "overrides:\n  frontier_experts_per_token: 8.0\n"
                  f"  frontier_routed_experts: {routed}\n")
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    problem = exc.value.problems[0]
    assert problem.file.endswith("s.yaml") and problem.line in (4, 5)
    assert "frontier_routed_experts" in problem.key
    assert ("at least one" in problem.message) if routed == 0 else \
        ("cannot be routed to more experts" in problem.message)


def test_experts_per_token_up_to_the_layer_size_loads(tmp_path):
    path = _write(tmp_path, HEAD + "overrides:\n  frontier_experts_per_token: 4.0\n"
                  "  frontier_routed_experts: 4.0\n")
    assert load_scenario(path).registry["frontier_routed_experts"].central == 4.0
