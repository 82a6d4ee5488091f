"""Sampling: each distribution honours its low/central/high, and draws are reproducible."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _mc_helpers import REGISTRY, row
from hypothesis import given, settings
from hypothesis import strategies as st

from aiboom.sampling import (
    SAMPLE_BLOCK,
    Z95,
    draw_samples,
    iter_sample_chunks,
    lognormal_sigma,
    sample_assumption,
)

N = 200_000


def draws(a, n=N, seed=1):
    return sample_assumption(a, n, np.random.default_rng(seed))


def test_fixed_is_constant():
    x = draws(row("pue", "ratio", 1.2, 1.2, 1.2, "fixed"))
    assert x.dtype == np.float64 and x.shape == (N,)
    assert np.all(x == 1.2)


@pytest.mark.parametrize("dist, mean", [
    ("uniform", (1.0 + 5.0) / 2),
    ("triangular", (1.0 + 2.0 + 5.0) / 3),
    ("pert", (1.0 + 4 * 2.0 + 5.0) / 6),  # beta-PERT mean (a + 4c + b) / 6
])
def test_bounded_laws_stay_in_bounds_with_the_right_mean(dist, mean):
    x = draws(row("x", "ratio", 1.0, 2.0, 5.0, dist))
    assert x.min() >= 1.0 and x.max() <= 5.0
    # standard error of the mean is below 0.003 here; 0.02 is a loose, non-flaky bound
    assert x.mean() == pytest.approx(mean, abs=0.02)


def test_lognormal_matches_stated_percentiles():
    a = row("x", "USD", 2.0, 10.0, 50.0, "lognormal")  # central = sqrt(low * high)
    q05, q50, q95 = np.quantile(draws(a), [0.05, 0.5, 0.95])
    # sampling error of these quantiles at n = 2e5 is about 0.5 %; allow 2 %
    assert q05 == pytest.approx(2.0, rel=0.02)
    assert q50 == pytest.approx(10.0, rel=0.02)
    assert q95 == pytest.approx(50.0, rel=0.02)
    assert lognormal_sigma(a) == pytest.approx(math.log(5.0) / Z95)


def test_lognormal_off_centre_keeps_median_and_interval_width():
    a = row("x", "USD", 2.0, 5.0, 50.0, "lognormal")  # central below the geometric mean
    q05, q50, q95 = np.quantile(draws(a), [0.05, 0.5, 0.95])
    assert q50 == pytest.approx(5.0, rel=0.02)
    assert q95 / q05 == pytest.approx(50.0 / 2.0, rel=0.03)


def test_loguniform_is_uniform_in_log():
    x = draws(row("x", "USD", 1e-3, 1.0, 1e3, "loguniform"))
    assert x.min() >= 1e-3 and x.max() <= 1e3
    quartiles = np.quantile(np.log10(x), [0.25, 0.5, 0.75])
    np.testing.assert_allclose(quartiles, [-1.5, 0.0, 1.5], atol=0.03)


@settings(max_examples=50, deadline=None)
@given(lo=st.floats(-1e6, 1e6), widths=st.tuples(st.floats(1e-3, 1e6), st.floats(0.0, 1.0)),
       dist=st.sampled_from(["uniform", "triangular", "pert"]))
def test_bounded_laws_never_leave_their_range(lo, widths, dist):
    width, mode_share = widths
    hi = lo + width
    mid = min(max(lo + mode_share * width, lo), hi)
    x = sample_assumption(row("x", "ratio", lo, mid, hi, dist), 1000, np.random.default_rng(0))
    assert np.all((x >= lo) & (x <= hi))


def test_unknown_distribution_is_an_error():
    with pytest.raises(ValueError, match="id=x: unknown distribution 'normal'"):
        draws(row("x", "ratio", 0, 1, 2, "normal"))




def concat(chunks):
    chunks = list(chunks)
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}


def test_chunks_do_not_change_the_draws():
    ids = list(REGISTRY)
    n = 2 * SAMPLE_BLOCK + 1234  # three blocks, the last one partial
    whole = draw_samples(REGISTRY, ids, n, seed=42)
    for chunk_size in (1000, SAMPLE_BLOCK, SAMPLE_BLOCK + 17, n):
        pieces = concat(iter_sample_chunks(REGISTRY, ids, n, 42, chunk_size))
        for k in ids:
            np.testing.assert_array_equal(pieces[k], whole[k], err_msg=f"{k}, {chunk_size}")


def test_recycled_chunks_hold_the_same_draws_in_two_alternating_buffers():
    ids = list(REGISTRY)
    n = 2 * SAMPLE_BLOCK + 1234
    whole = draw_samples(REGISTRY, ids, n, seed=42)
    seen, done = [], 0
    for chunk in iter_sample_chunks(REGISTRY, ids, n, 42, 40_000, recycle=True):
        m = len(chunk["pue"])
        for k in ids:  # checked before the next chunk is asked for, as a consumer must
            np.testing.assert_array_equal(chunk[k], whole[k][done:done + m], err_msg=k)
        seen.append(chunk["pue"])
        done += m
    assert done == n and len(seen) == 4
    assert np.shares_memory(seen[0], seen[2]) and np.shares_memory(seen[1], seen[3])
    assert not np.shares_memory(seen[0], seen[1])


def test_draws_depend_only_on_seed_and_id():
    ids = list(REGISTRY)
    all_ids = draw_samples(REGISTRY, ids, 5000, seed=3)
    reversed_subset = draw_samples(REGISTRY, ids[::-2], 5000, seed=3)
    for k, v in reversed_subset.items():
        np.testing.assert_array_equal(v, all_ids[k])
    other_seed = draw_samples(REGISTRY, ids, 5000, seed=4)
    assert not np.array_equal(other_seed["pue"], all_ids["pue"])
    assert all(v.dtype == np.float64 for v in all_ids.values())


def test_bad_arguments():
    with pytest.raises(ValueError, match="chunk_size >= 1"):
        next(iter_sample_chunks(REGISTRY, ["pue"], 10, 0, chunk_size=0))
    assert draw_samples(REGISTRY, ["pue"], 0, 0)["pue"].shape == (0,)


def test_any_slice_equals_the_same_slice_of_the_whole_run():
    from aiboom.sampling import SAMPLE_BLOCK, sample_range

    ids = list(REGISTRY)[:6]
    n = 2 * SAMPLE_BLOCK + 123
    whole = draw_samples(REGISTRY, ids, n, seed=5)
    for start, stop in [(0, 10), (SAMPLE_BLOCK - 5, SAMPLE_BLOCK + 7), (n - 3, n), (40, 40)]:
        part = sample_range(REGISTRY, ids, start, stop, n, seed=5)
        for k in ids:
            np.testing.assert_array_equal(part[k], whole[k][start:stop])


def blockwise_reference(rows, n, seed):
    """The definition: block ``k`` of each row is ``sample_assumption`` on its own generator."""
    from aiboom.sampling import _block_rng

    return {a.id: np.concatenate([
        sample_assumption(a, min(SAMPLE_BLOCK, n - b0), _block_rng(seed, a.id, b0 // SAMPLE_BLOCK))
        for b0 in range(0, n, SAMPLE_BLOCK)]) for a in rows}


ALL_LAWS = [row("f", "ratio", 1.2, 1.2, 1.2, "fixed"),
            row("u", "ratio", 1.0, 2.0, 5.0, "uniform"),
            row("t", "ratio", 1.0, 2.0, 5.0, "triangular"),
            row("p", "ratio", 1.0, 2.0, 5.0, "pert"),
            row("ln", "USD", 2.0, 5.0, 50.0, "lognormal"),
            row("lu", "USD", 1e-3, 1.0, 1e3, "loguniform")]


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threaded_chunks_are_bit_identical_to_the_blockwise_definition(threads):
    registry = {a.id: a for a in ALL_LAWS}
    n = 3 * SAMPLE_BLOCK + 999
    want = blockwise_reference(ALL_LAWS, n, seed=11)
    for chunk_size in (700, SAMPLE_BLOCK - 1, SAMPLE_BLOCK, 2 * SAMPLE_BLOCK + 5, n):
        got = concat(iter_sample_chunks(registry, list(registry), n, 11, chunk_size, threads))
        for k in registry:
            np.testing.assert_array_equal(got[k], want[k], err_msg=f"{k}, {chunk_size}")
