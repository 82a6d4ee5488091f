r"""Which assumptions move the results: one-at-a-time tornado and Sobol indices.

Every function returns a tidy :class:`pandas.DataFrame`, one row per input. The registry-level
functions evaluate the per-sample model of :mod:`aiboom.kernels` on the chosen backend;
:func:`sobol_indices` and :func:`tornado` also take any vectorised function, so they can be
checked on test functions with known answers.

Notes
-----
Tornado: each input in turn is set to its registry ``low`` and ``high`` (for a lognormal row,
its 5th and 95th percentiles) with every other input at ``central``; the swing is
:math:`|y_{high} - y_{low}|`.

Sobol indices [1]_: with :math:`A` and :math:`B` two independent :math:`N`-sample input
matrices and :math:`A_B^{(i)}` equal to :math:`A` except for column :math:`i`, taken from
:math:`B`,

.. math::
   V_i \approx \frac{1}{N}\sum_j f(B)_j \left(f(A_B^{(i)})_j - f(A)_j\right), \qquad
   V_{T,i} \approx \frac{1}{2N}\sum_j \left(f(A)_j - f(A_B^{(i)})_j\right)^2 ,

(Saltelli et al.'s first-order estimator and Jansen's total-effect estimator, Table 2 of [1]_),
and :math:`S_i = V_i / V(Y)`, :math:`S_{T,i} = V_{T,i} / V(Y)` with :math:`V(Y)` estimated from
:math:`f(A)` and :math:`f(B)` together. Cost: :math:`N (k + 2)` model runs for :math:`k` inputs;
the sampling error shrinks as :math:`N^{-1/2}` (about 0.01 at :math:`N = 2^{14}` on the
Ishigami function). Infinite paybacks have no variance, so :func:`sobol` counts them as
:data:`~aiboom.kernels.PAYBACK_HORIZON_MONTHS`.

References
----------
.. [1] A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto and S. Tarantola,
   "Variance based sensitivity analysis of model output. Design and estimator for the total
   sensitivity index," Comput. Phys. Commun., vol. 181, no. 2, pp. 259-270, 2010,
   doi:10.1016/j.cpc.2009.09.018.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from aiboom.backend import Backend, get_backend
from aiboom.kernels import INPUTS, OUTPUTS, PAYBACK_HORIZON_MONTHS, create_accelerator, evaluate
from aiboom.registry import Assumption
from aiboom.sampling import draw_samples

#: A vectorised model: input id -> 1-D array in, one 1-D output array out.
Model = Callable[[Mapping[str, np.ndarray]], np.ndarray]


def kernel_model(output: str, backend: Backend | str | None = None,
                 constants: Mapping[str, float] | None = None,
                 cap_payback: bool = False) -> Model:
    """One output of the per-sample model as a :data:`Model`.

    Parameters
    ----------
    output : str
        One of :data:`aiboom.kernels.OUTPUTS`.
    backend : Backend or str, optional
        As for :func:`aiboom.backend.get_backend`.
    constants : mapping of str to float, optional
        Accelerator constants to change.
    cap_payback : bool, default False
        Report a payback beyond the horizon as the horizon [months] instead of ``inf``.
    """
    if output not in OUTPUTS:
        raise ValueError(f"unknown model output {output!r}; allowed: {', '.join(OUTPUTS)}")
    be = backend if isinstance(backend, Backend) else get_backend(backend)
    accelerator = create_accelerator(**(constants or {}))

    def model(chunk: Mapping[str, np.ndarray]) -> np.ndarray:
        y = evaluate(chunk, be, accelerator=accelerator)[output]
        return np.minimum(y, PAYBACK_HORIZON_MONTHS) if cap_payback else y

    return model


def _uncertain(registry: Mapping[str, Assumption], candidates: Sequence[str]) -> list[str]:
    return [k for k in candidates if registry[k].uncertain]


def tornado(registry: Mapping[str, Assumption], output: str, ids: Sequence[str] | None = None,
            *, model: Model | None = None, backend: Backend | str | None = None,
            constants: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One-at-a-time swings of ``output``, largest first.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Supplies ``low``, ``central`` and ``high`` of every input.
    output : str
        Model output to study (a label only when ``model`` is given).
    ids : sequence of str, optional
        Inputs to swing; default every uncertain input the model reads.
    model : callable, optional
        Vectorised model over all registry ids; default the per-sample model's ``output``.
    backend, constants
        For the default model (:func:`kernel_model`).

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``description``, ``unit``, ``low``, ``central``, ``high`` [input unit],
        ``output_low``, ``output_high``, ``output_central``, ``swing`` [output unit], sorted by
        ``swing`` descending (two infinite ends give a swing of 0).
    """
    if model is None:
        model, candidates = kernel_model(output, backend, constants), INPUTS
    else:
        candidates = tuple(registry)
    ids = _uncertain(registry, candidates) if ids is None else list(ids)
    # point 0: all central; points 2i+1 and 2i+2: input i at low and at high
    points = {k: np.full(1 + 2 * len(ids), registry[k].central) for k in candidates}
    for i, k in enumerate(ids):
        points[k][1 + 2 * i] = registry[k].low
        points[k][2 + 2 * i] = registry[k].high
    y = np.asarray(model(points), dtype=np.float64)
    y_low, y_high = y[1::2], y[2::2]
    with np.errstate(invalid="ignore"):
        swing = np.where(y_low == y_high, 0.0, np.abs(y_high - y_low))
    frame = pd.DataFrame({
        "id": ids,
        "description": [registry[k].description for k in ids],
        "unit": [registry[k].unit for k in ids],
        "low": [registry[k].low for k in ids],
        "central": [registry[k].central for k in ids],
        "high": [registry[k].high for k in ids],
        "output_low": y_low, "output_high": y_high, "output_central": y[0], "swing": swing,
    })
    frame.attrs["output"] = output
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def sobol_indices(model: Model, a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray],
                  ids: Sequence[str] | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices of any vectorised model (module Notes).

    Parameters
    ----------
    model : callable
        Maps a dict of equal-length 1-D input arrays to a 1-D output array.
    a, b : mapping of str to numpy.ndarray
        Two independent samples of all model inputs, ``N`` draws each.
    ids : sequence of str, optional
        Inputs to attribute variance to; default every key of ``a``.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``first_order``, ``total_order`` [fraction of output variance], in
        the order of ``ids``.

    Notes
    -----
    The model runs once, on :math:`A`, :math:`B` and every :math:`A_B^{(i)}` stacked
    (:math:`(k + 2) N` samples), so a backend model evaluates them in one batch.
    """
    ids = list(a) if ids is None else list(ids)
    n = len(next(iter(a.values())))
    # one model run on A, B and every A_B^(i) stacked: (2 + k) N samples
    stacked = {name: np.concatenate([a[name], b[name]]
                                    + [b[name] if name == k else a[name] for k in ids])
               for name in a}
    f = np.asarray(model(stacked), dtype=np.float64).reshape(2 + len(ids), n)
    f_a, f_b, f_ab = f[0], f[1], f[2:]
    variance = np.var(f[:2].ravel())
    first = np.mean(f_b * (f_ab - f_a), axis=1) / variance
    total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=1) / variance
    return pd.DataFrame({"id": ids, "first_order": first, "total_order": total})


def sobol(registry: Mapping[str, Assumption], output: str, n_base: int, seed: int,
          ids: Sequence[str] | None = None, *, backend: Backend | str | None = None,
          constants: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Sobol indices of one model output under the registry's distributions.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Must hold every id in :data:`aiboom.kernels.INPUTS`.
    output : str
        One of :data:`aiboom.kernels.OUTPUTS` (payback capped at the horizon).
    n_base : int
        Base sample size :math:`N`; the model runs :math:`N(k + 2)` times [samples].
    seed : int
        Root seed; :math:`A` and :math:`B` are the first and second halves of
        ``2 * n_base`` draws.
    ids : sequence of str, optional
        Inputs; default every uncertain model input.
    backend, constants
        As for :func:`kernel_model`.

    Returns
    -------
    pandas.DataFrame
        As :func:`sobol_indices`, sorted by ``total_order`` descending.
    """
    model = kernel_model(output, backend, constants, cap_payback=True)
    drawn = draw_samples(registry, INPUTS, 2 * n_base, seed)
    a = {k: v[:n_base] for k, v in drawn.items()}
    b = {k: v[n_base:] for k, v in drawn.items()}
    frame = sobol_indices(model, a, b, _uncertain(registry, INPUTS) if ids is None else ids)
    frame.attrs["output"] = output
    return frame.sort_values("total_order", ascending=False, kind="stable").reset_index(drop=True)
