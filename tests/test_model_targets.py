"""One definition, every target: the sources generated from ``kernels.MODEL`` and their
agreement with the Python reference.

Targets: the Python reference (generated, compiled at import), NumPy in place and naive, CUDA
(compiled with NVRTC here, run in the ``gpu`` tests) and JavaScript, run in headless Chromium
from ``file://``. Inputs are drawn from the book's registry (``data/assumptions.csv``) plus
edge cases that take every branch: dense models, latent attention, no free HBM (an infinite
replica), a payback never reached or beyond the horizon, nothing to pay back, no ramp, no delay.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from aiboom import kernels
from aiboom.kernels import (
    INPUTS,
    MODEL,
    OUTPUTS,
    evaluate_numpy,
    evaluate_numpy_naive,
    generated_sources,
    reference_per_sample,
)
from aiboom.registry import load_registry
from aiboom.sampling import draw_samples

#: Edge cases, each set on its own slice of samples: (name, changes).
EDGES = [
    ("dense", {"frontier_total_to_active_params": 1.0}),
    ("latent attention", {"frontier_kv_latent_dim": 512.0}),
    ("no free HBM", {"context_tokens": 2e6}),  # B ctx kv > M eta: replica G = inf
    ("payback never", {"genai_monthly_benefit_usd": 0.0}),
    ("beyond the horizon", {"genai_project_capex_usd": 1e9}),
    ("nothing to pay back", {"genai_project_capex_usd": 0.0, "data_cleanup_oneoff_usd": 0.0}),
    ("no ramp", {"genai_ramp_months": 0.0}),
    ("no delay", {"data_cleanup_delay_months": 0.0}),
    ("8-bit weights", {"weight_bytes_per_param": 1.0}),
    ("16-bit weights, one replica", {"weight_bytes_per_param": 2.0,
                                     "frontier_active_params": 1e9,
                                     "frontier_total_to_active_params": 1.0}),
]
PER_EDGE = 20
#: An accelerator other than the default, with less HBM (larger replicas).
SMALL_GPU = kernels.create_accelerator(hbm_bytes=40e9, hbm_bytes_per_s=2e12)


def model_samples(n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` draws from the registry, the first ``len(EDGES) * PER_EDGE`` set to edge cases."""
    x = draw_samples(load_registry(), INPUTS, n, seed)
    for j, (_, changes) in enumerate(EDGES):
        for key, value in changes.items():
            x[key][j * PER_EDGE:(j + 1) * PER_EDGE] = value
    return x


def reference_columns(x: dict[str, np.ndarray], accelerator) -> dict[str, np.ndarray]:
    n = len(x[INPUTS[0]])
    rows = [reference_per_sample({k: x[k][i] for k in INPUTS}, accelerator) for i in range(n)]
    return {k: np.array([r[k] for r in rows]) for k in OUTPUTS}


def assert_matches(got: dict[str, np.ndarray], want: dict[str, np.ndarray], rtol: float,
                   what: str) -> None:
    """Same inf and NaN, finite values within ``rtol``."""
    for k in OUTPUTS:
        g, w = np.asarray(got[k], dtype=float), want[k]
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w), err_msg=f"{what}: {k} NaN")
        np.testing.assert_array_equal(np.isposinf(g), np.isposinf(w), err_msg=f"{what}: {k} inf")
        finite = np.isfinite(w)
        np.testing.assert_allclose(g[finite], w[finite], rtol=rtol, atol=0,
                                   err_msg=f"{what}: {k}")


@pytest.fixture(scope="module")
def samples() -> dict[str, np.ndarray]:
    return model_samples(3000, seed=23)


@pytest.fixture(scope="module")
def reference(samples):
    return {acc: reference_columns(samples, acc) for acc in (kernels.H100_SXM, SMALL_GPU)}


def test_edge_cases_take_every_branch(samples, reference):
    ref = reference[kernels.H100_SXM]
    payback = ref["payback_months"]
    edge = {name: slice(j * PER_EDGE, (j + 1) * PER_EDGE) for j, (name, _) in enumerate(EDGES)}
    assert np.all(payback[edge["nothing to pay back"]] == 0.0)
    assert np.all(np.isinf(payback[edge["payback never"]]))
    assert np.all(np.isinf(payback[edge["beyond the horizon"]]))
    assert np.isfinite(payback).mean() > 0.5
    # no free HBM: one GPU cannot hold its own sequences' cache, so the replica is infinite
    kv = samples["frontier_layers"] * samples["kv_bytes_per_value"] * 2.0 \
        * samples["frontier_kv_heads"] * samples["frontier_head_dim"]
    hbm_free = samples["hbm_usable_share"] * kernels.H100_SXM.hbm_bytes \
        - samples["decode_batch_size"] * samples["context_tokens"] * kv
    assert np.all(hbm_free[edge["no free HBM"]] <= 0)
    assert kernels.replica_gpus(1e11, float(hbm_free[edge["no free HBM"]][0])) == math.inf
    assert np.all(np.isfinite(ref["gpu_seconds_per_query"]))


@pytest.mark.parametrize("accelerator", [kernels.H100_SXM, SMALL_GPU], ids=["H100", "40GB"])
def test_numpy_targets_match_the_reference(samples, reference, accelerator):
    ref = reference[accelerator]
    in_place = evaluate_numpy(samples, accelerator=accelerator)
    # the same operations in the same order: equal but for the last bit of pow, which NumPy
    # may compute with a vectorised routine
    assert_matches(in_place, ref, 1e-14, "numpy")
    naive = evaluate_numpy_naive(samples, accelerator)
    for k in OUTPUTS:  # np.where instead of blends and masked copies: the same numbers
        np.testing.assert_array_equal(naive[k], in_place[k], err_msg=k)


def test_replica_is_the_least_power_of_two_that_fits():
    for stored, free, want in [(1e9, 8e10, 1.0), (4e11, 1e11, 4.0), (3e11, 1e11, 4.0),
                               (2.0**40, 2.0**30, 1024.0), (2.0**40 + 1e6, 2.0**30, 2048.0),
                               (2e11, 0.0, math.inf), (2e11, -1.0, math.inf)]:
        assert kernels.replica_gpus(stored, free) == want
    assert math.isnan(kernels.replica_gpus(math.nan, 1e11))  # NaN passes through
    g_min = np.array([1.0, 1.5, 2.0, 3.0, 2.0**52 + 2.0, np.inf, np.nan])
    want = np.array([1.0, 2.0, 2.0, 4.0, 2.0**53, np.inf, np.nan])
    np.testing.assert_array_equal(kernels._pow2_at_least_arrays(g_min), want)
    np.testing.assert_array_equal([kernels._pow2_at_least(v) for v in g_min], want)


def test_every_target_is_generated_from_the_step_list():
    sources = generated_sources()
    assert set(sources) == {"python", "numpy", "numpy_naive", "cuda", "javascript"}
    assert sources["javascript"] == kernels.javascript_source()
    assert sources["cuda"] == kernels.CUDA_SOURCE
    spelled = {"python": "{name} = ", "numpy_naive": "    {name} = ",
               "numpy": "# {name} = {text}\n", "cuda": "const double {name} = ",
               "javascript": "const {name} = "}
    for target, pattern in spelled.items():
        for name, text in MODEL:
            assert pattern.format(name=name, text=text) in sources[target], (target, name)
    # no step is written anywhere but in MODEL: a changed step changes every target
    changed = tuple((n, f"2.0 * ({t})" if n == "usd" else t) for n, t in MODEL)
    model = kernels._compile_model(changed)
    assert "usd = 2.0 * (gpu_s * p / (3600.0 * rho))" in kernels._python_source(
        model, "f", model.symbols + model.scalars, model.outputs)
    assert "const double usd = 2.0 * (gpu_s * p / (3600.0 * rho));" in kernels._cuda_source(
        model)
    assert "const usd = 2.0 * (gpu_s * p / (3600.0 * rho));" in kernels._javascript_source(model)
    block, n_work, n_mask = kernels._numpy_block_source(model)
    namespace = {"np": np}
    exec(block, namespace)  # noqa: S102 - generated from the test's own model
    x = model_samples(500, seed=3)
    rows = [np.empty(500) for _ in OUTPUTS]
    with np.errstate(all="ignore"):
        namespace["_block_numpy"]([x[k] for k in INPUTS], rows,
                                  np.empty((n_work, 500)), np.empty((n_mask, 500), dtype=bool),
                                  kernels._scalars(kernels.H100_SXM))
    np.testing.assert_array_equal(rows[0], 2.0 * evaluate_numpy(x)["usd_per_query"])


@pytest.mark.parametrize("model, message", [
    ((("extra", "N ** 2"),), "not in the expression language"),
    ((("extra", "unknown * 2"),), "unknown name"),
    ((("extra", "b_later"), ("b_later", "N")), "unknown name"),
    ((("extra", "where(N, 1.0, 2.0)"),), "where needs a condition"),
    ((("extra", "N + (p > 1.0)"),), "needs a number"),
    ((("extra", "N > 1.0"),), "a step must be a number"),
    ((("extra", "sqrt(N, p)"),), "sqrt takes 1 arguments"),
    ((("N", "p"),), "name already taken"),
    ((("const", "p"),), "name already taken"),  # a word of a generated language
    ((("_r0", "p"),), "name already taken"),
    ((("extra", "1 < N < 2"),), "not in the expression language"),
])
def test_the_expression_language_is_checked(model, message):
    with pytest.raises(kernels.ModelError, match=message):
        kernels._compile_model(model)


def test_every_step_is_used():
    with pytest.raises(kernels.ModelError, match="not used by any output"):
        kernels._compile_model((*MODEL, ("spare", "N")))


@pytest.mark.gpu
def test_cupy_matches_the_reference(samples, reference):
    for accelerator in (kernels.H100_SXM, SMALL_GPU):
        gpu = kernels.evaluate_cupy(samples, accelerator=accelerator)
        assert_matches(gpu, reference[accelerator], 1e-9, "cuda")  # aiboom.backend's rtol


# -- JavaScript in headless Chromium -------------------------------------------------------------

_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]
_EVALUATE = """([rows, accelerator]) => rows.map((row) => {
  const params = Object.fromEntries(aiboomModel.inputs.map((k, i) => [k, row[i]]));
  const y = aiboomModel.evaluate(params, accelerator);
  return aiboomModel.outputs.map((k) => y[k]);
})"""


@pytest.fixture(scope="module")
def page(chromium, tmp_path_factory):
    """A blank page that loads the generated script from ``file://``, offline."""
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("model-js")
    (folder / "aiboom-model.js").write_text(kernels.javascript_source(), encoding="utf-8")
    (folder / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>model</title>'
        '<script src="aiboom-model.js"></script>', encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=_ARGS)
        page = browser.new_page()
        errors, requests = [], []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((folder / "index.html").as_uri())
        assert errors == [] and all(u.startswith("file://") for u in requests), (errors,
                                                                                 requests)
        yield page
        browser.close()


def test_javascript_is_a_plain_script():
    js = kernels.javascript_source()
    for word in ("import ", "export ", "require(", "fetch(", "XMLHttpRequest", "http"):
        assert word not in js, word
    assert "root.aiboomModel = " in js


def test_javascript_describes_the_model(page):
    info = page.evaluate("""() => ({inputs: aiboomModel.inputs, outputs: aiboomModel.outputs,
        units: aiboomModel.units, steps: aiboomModel.steps.map((s) => s[0]),
        accelerator: aiboomModel.defaultAccelerator, horizon: aiboomModel.horizonMonths})""")
    assert info["inputs"] == list(INPUTS) and info["outputs"] == list(OUTPUTS)
    assert info["units"] == kernels.OUTPUT_UNITS
    assert info["steps"] == [name for name, _ in MODEL]
    assert info["accelerator"] == kernels.H100_SXM._asdict()
    assert info["horizon"] == kernels.PAYBACK_HORIZON_MONTHS
    error = page.evaluate("""() => { try { aiboomModel.evaluate({}); return null; }
                                     catch (e) { return e.message; } }""")
    assert "missing input h100_usd_per_gpu_hour" in error


@pytest.mark.parametrize("accelerator", [kernels.H100_SXM, SMALL_GPU], ids=["H100", "40GB"])
def test_javascript_matches_the_reference(page, samples, reference, accelerator):
    rows = np.stack([samples[k] for k in INPUTS], axis=1).tolist()
    changes = None if accelerator == kernels.H100_SXM else accelerator._asdict()
    got = np.array(page.evaluate(_EVALUATE, [rows, changes]), dtype=float)
    assert got.shape == (len(rows), len(OUTPUTS))
    assert_matches(dict(zip(OUTPUTS, got.T, strict=True)), reference[accelerator], 1e-9,
                   "javascript")
    payback = got[:, OUTPUTS.index("payback_months")]
    assert np.isinf(payback).any() and (payback == 0).any()


def test_javascript_replica_steps_match(page):
    # context from 100 to 300,000 tokens on a 40 GB GPU: replicas of 1, 2, 4, ... GPUs and
    # the infinite one, each visible through the weights a GPU reads
    x = model_samples(200, seed=5)
    x["context_tokens"][:] = np.geomspace(100, 3e5, 200)
    x["frontier_total_to_active_params"][:] = 8.0
    want = reference_columns(x, SMALL_GPU)
    rows = np.stack([x[k] for k in INPUTS], axis=1).tolist()
    got = np.array(page.evaluate(_EVALUATE, [rows, SMALL_GPU._asdict()]), dtype=float)
    assert_matches(dict(zip(OUTPUTS, got.T, strict=True)), want, 1e-9, "javascript")
