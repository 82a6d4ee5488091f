"""A suite of broken inputs: each must stop with a message naming the file, line and key.

Scenario fixtures live in tests/fixtures/bad_scenarios/; data-file breakages are made here by
corrupting a copy of data/. Every case checks the problem's file, line (where a line exists)
and key, and the CLI cases check the exit status and that no traceback is printed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run_cli

from aiboom import data
from aiboom.errors import InputError
from aiboom.registry import load_registry
from aiboom.scenarios import load_scenario

BAD = FIXTURES / "bad_scenarios"

# fixture file, line, key fragment, message fragment
SCENARIO_CASES = [
    ("unknown_key.yaml", 3, "overides", "did you mean 'overrides'"),
    ("unknown_parameter.yaml", 4, "overrides.h100_usd_per_gpu_hr",
     "did you mean 'h100_usd_per_gpu_hour'"),
    ("wrong_type.yaml", 4, "monte_carlo.n_samples", "integer"),
    ("negative_price.yaml", 4, "overrides.h100_usd_per_gpu_hour", "outside the allowed range"),
    ("low_above_high.yaml", 4, "overrides.pue", "low <= central <= high"),
    ("nan.yaml", 4, "overrides.pue", "finite"),
    ("huge.yaml", 4, "overrides.h100_usd_per_gpu_hour", "outside the allowed range"),
    ("empty.yaml", 1, None, "empty"),
    ("not_yaml.yaml", 2, None, "not valid YAML"),
    ("python_tag.yaml", 3, None, "tag not allowed"),
    ("latin1.yaml", None, None, "UTF-8"),
    ("bad_backend.yaml", 4, "monte_carlo.backend", "'auto', 'numpy' or 'cupy'"),
    ("fraction_above_one.yaml", 4, "overrides.serving_utilization", "[0, 1]"),
    ("duplicate_key.yaml", 5, "overrides.pue", "duplicated key"),
    ("bad_distribution.yaml", 4, "overrides.pue.distribution", "lognormal"),
    ("too_few_samples.yaml", 4, "monte_carlo.n_samples", "greater than or equal to 1000"),
    ("bool_as_number.yaml", 4, "overrides.pue", "number"),
    ("missing_title.yaml", None, "title", "Field required"),
    ("bad_name.yaml", 1, "name", "pattern"),
    ("top_level_list.yaml", 1, None, "mapping"),
    ("unknown_accelerator.yaml", 3, "accelerator", "unknown accelerator 'h900'"),
    ("wrong_unit.yaml", 4, "overrides.h100_usd_per_gpu_hour.unit", "registry unit 'USD/GPU-hour'"),
    ("partial_distribution.yaml", 4, "overrides.pue", "missing high, distribution"),
]


@pytest.mark.parametrize(("name", "line", "key", "fragment"), SCENARIO_CASES,
                         ids=[c[0] for c in SCENARIO_CASES])
def test_bad_scenario_is_named_precisely(name, line, key, fragment):
    with pytest.raises(InputError) as info:
        load_scenario(BAD / name)
    problems = info.value.problems
    assert all(p.file.endswith(name) for p in problems)
    matching = [p for p in problems if fragment in p.message]
    assert matching, f"no problem mentions {fragment!r}: {info.value}"
    p = matching[0]
    if line is not None:
        assert p.line == line, str(info.value)
    if key is not None:
        assert p.key is not None and key in p.key, str(info.value)


def test_yaml_tag_never_executes(tmp_path: Path):
    marker = tmp_path / "owned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f'name: evil\ntitle: Evil\ndescription: !!python/object/apply:os.system '
                    f'["touch {marker}"]\n')
    with pytest.raises(InputError):
        load_scenario(evil)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["unknown_key.yaml", "python_tag.yaml", "latin1.yaml"])
def test_cli_reports_without_traceback(name):
    proc = run_cli("build", "--scenario", str(BAD / name), "--out", "/nonexistent/never")
    assert proc.returncode == 2
    assert name in proc.stderr and "Traceback" not in proc.stderr
    assert not Path("/nonexistent/never").exists()


# ---------------------------------------------------------------------------- data files

@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns("scenarios"))
    return folder


def _rewrite(path: Path, transform) -> None:
    path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")


def _replace_line(text: str, index: int, new: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[index] = new + "\n"
    return "".join(lines)


def _cell(text: str, row: int, column: str, value: str) -> str:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    rows[row][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


DATA_CASES = [
    # table, transform, line, key fragment, message fragment
    ("capex", lambda t: t.replace("capex_usd_bn,", "", 1), 1, "header",
     "missing ['capex_usd_bn']"),
    ("capex", lambda t: _cell(t, 2, "capex_usd_bn", "lots"), 3, "capex_usd_bn",
     "not a valid float"),
    ("accelerators", lambda t: _cell(t, 2, "id", t.splitlines()[1].split(",")[0]), 3, "id",
     "duplicated key"),
    ("accelerators", lambda t: _cell(t, 1, "id", "h900"), 2, "id", "'h900' is not allowed"),
    ("capex", lambda t: t[: len(t) // 2].rsplit(",", 3)[0] + "\n", None, None, "expected"),
    ("accelerators", lambda t: _cell(t, 1, "hbm_gb", "-80"), 2, "hbm_gb", "outside the allowed"),
    ("nvidia_datacenter_revenue", lambda t: _cell(t, 1, "period_end", "31/05/2022"), 2,
     "period_end", "not a valid date"),
    ("models", lambda t: _cell(t, 1, "frontier", "maybe"), 2, "frontier", "not a valid bool"),
    ("capex", lambda t: _cell(t, 1, "capex_usd_bn", ""), 2, "capex_usd_bn", "empty cell"),
]


@pytest.mark.parametrize(("table", "transform", "line", "key", "fragment"), DATA_CASES,
                         ids=[f"{c[0]}-{c[4][:20]}" for c in DATA_CASES])
def test_broken_data_file_is_named_precisely(data_copy, table, transform, line, key, fragment):
    _rewrite(data_copy / f"{table}.csv", transform)
    with pytest.raises(InputError) as info:
        data.load_table(table, data_copy)
    matching = [p for p in info.value.problems if fragment in p.message]
    assert matching, str(info.value)
    p = matching[0]
    assert p.file.endswith(f"{table}.csv")
    if line is not None:
        assert p.line == line, str(info.value)
    if key is not None:
        assert p.key is not None and key in p.key, str(info.value)


def test_data_file_not_utf8(data_copy):
    (data_copy / "capex.csv").write_bytes((data_copy / "capex.csv").read_bytes() + b"\xff\xfe")
    with pytest.raises(InputError, match="UTF-8"):
        data.load_table("capex", data_copy)


def test_changed_data_without_metadata_is_refused(data_copy):
    # A plausible edit that passes every cell check still changes the checksum.
    _rewrite(data_copy / "capex.csv", lambda t: _cell(t, 1, "note", "edited by hand"))
    with pytest.raises(InputError, match="changed but its metadata did not"):
        data.load_table("capex", data_copy)


def test_missing_sidecar(data_copy):
    (data_copy / "capex.meta.yml").unlink()
    with pytest.raises(InputError, match="sidecar missing"):
        data.load_table("capex", data_copy)


REGISTRY_CASES = [
    # column, bad value, key fragment, message fragment
    ("central", "not-a-number", "column=central", "not a number"),
    ("unit", "furlongs", "column=unit", "unknown unit"),
    ("high", "-1", "column=low/central/high", "low <= central <= high"),
    ("distribution", "normal", "column=distribution", "unknown distribution"),
    ("as_of", "last year", "column=as_of", "YYYY-MM"),
]


@pytest.mark.parametrize(("column", "value", "key", "fragment"), REGISTRY_CASES,
                         ids=[c[0] for c in REGISTRY_CASES])
def test_broken_registry_row_is_named(data_copy, column, value, key, fragment):
    path = data_copy / "assumptions.csv"
    _rewrite(path, lambda t: _cell(t, 3, column, value))
    with pytest.raises(InputError) as info:
        load_registry(path)
    p = next(p for p in info.value.problems if fragment in p.message)
    assert p.file.endswith("assumptions.csv") and p.line == 4, str(info.value)
    assert key in (p.key or ""), str(info.value)


def test_duplicated_registry_id(data_copy):
    path = data_copy / "assumptions.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines + [lines[1]]))
    with pytest.raises(InputError, match="duplicated id") as info:
        load_registry(path)
    assert info.value.problems[0].line == len(lines) + 1


def test_broken_data_stops_build_and_keeps_site(minibook: Path):
    assert run_cli("build", root=minibook).returncode == 0
    page = minibook / "_build" / "html" / "book" / "intro.html"
    before = page.read_bytes()
    reg = minibook / "data" / "assumptions.csv"
    reg.write_text(reg.read_text().replace("1.3,2.0,4.25", "1.3,2.0,oops"))
    proc = run_cli("build", root=minibook)
    assert proc.returncode == 2
    assert "assumptions.csv:2" in proc.stderr and "column=high" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert page.read_bytes() == before
