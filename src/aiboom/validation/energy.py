r"""Validation checks of the energy family: energy per query against fleet measurements.

Elsworth et al. [1]_ measured the median Gemini Apps text prompt (May 2025) at two
boundaries: 0.10 Wh for the active AI accelerators alone and 0.24 Wh for the whole fleet
(active accelerators, host CPU and memory, idle reserve machines, data-centre overhead). The
kernel reports the same two boundaries (:data:`aiboom.kernels.FORMULA`):

.. math::
   e_{acc} = \frac{g W a}{3600}, \qquad
   e_{fleet} = \frac{g W (1 + \phi (1 - \rho)/\rho)\,\mathrm{pue}}{3600}

Their ratio, :math:`(1 + \phi (1-\rho)/\rho)\,\mathrm{pue} / a`, does not depend on the GPU
time :math:`g` of the query, so it checks the accounting of host, idle and overhead power on
its own; every input of that check stays at the registry's central value.

The two absolute figures check :math:`g` as well (:func:`google_median_prompt_wh`). Google's
model, chips and prompt lengths are not disclosed; the case's own defining inputs are what the
paper does say: a text prompt without reasoning (:math:`q_r = 0`) and Google's fleet-wide PUE
of 1.09 (:data:`GOOGLE_2025_PUE`; the paper's 8 % data-centre overhead share of the 0.24 Wh
is the same figure, 1 - 1/1.09). The query is otherwise the registry's typical chat query
(its input and output tokens, context, model and serving inputs) on the reference chip.

References
----------
.. [1] C. Elsworth et al., "Measuring the environmental impact of delivering AI at Google
   scale," arXiv:2508.15734, 2025.
"""

from __future__ import annotations

from aiboom.registry import Registry
from aiboom.validation import ModelFn


def central_query_wh(registry: Registry) -> dict[str, float]:
    """Energy of the registry's central query on the reference chip at both boundaries
    [Wh/query]: keys ``accelerator`` and ``fleet``."""
    from aiboom.montecarlo import REFERENCE_ACCELERATOR
    from aiboom.validation.inference import case_outputs

    out = case_outputs(registry, REFERENCE_ACCELERATOR, {})
    return {"accelerator": out["wh_per_query_accelerator"], "fleet": out["wh_per_query_fleet"]}


#: Google's fleet-wide data-centre PUE used by Elsworth et al. [1]_ [ratio].
GOOGLE_2025_PUE = 1.09
#: The case's defining inputs: a text prompt that does not reason, at Google's PUE.
GOOGLE_2025_PROMPT: dict[str, float] = {"reasoning_query_share": 0.0, "pue": GOOGLE_2025_PUE}


def google_median_prompt_wh(registry: Registry, boundary: str) -> float:
    r"""Energy of a typical text prompt without reasoning at Google's PUE [Wh/query].

    :math:`e_{acc}` (``boundary="accelerator"``) or :math:`e_{fleet}` (``"fleet"``) of the
    kernel on the reference chip, at :data:`GOOGLE_2025_PROMPT` and otherwise the registry's
    central values.
    """
    from aiboom.montecarlo import REFERENCE_ACCELERATOR
    from aiboom.validation.inference import case_outputs

    key = {"accelerator": "wh_per_query_accelerator", "fleet": "wh_per_query_fleet"}
    if boundary not in key:
        raise ValueError(f"boundary must be 'accelerator' or 'fleet'; got {boundary!r}")
    return case_outputs(registry, REFERENCE_ACCELERATOR, GOOGLE_2025_PROMPT)[key[boundary]]


def fleet_over_accelerator_energy(registry: Registry) -> float:
    r"""Whole-fleet over accelerator-only energy of a query [ratio].

    :math:`e_{fleet} / e_{acc}` at the registry's central values (server power per GPU,
    accelerator share of it, idle power fraction, fleet utilisation, PUE).
    """
    wh = central_query_wh(registry)
    return wh["fleet"] / wh["accelerator"]


#: Check id (a row of ``data/validation.csv``) to the function computing the model's value.
MODELS: dict[str, ModelFn] = {
    "google_2025_fleet_over_accelerator_energy": fleet_over_accelerator_energy,
    "google_2025_median_prompt_wh_accelerator":
        lambda reg: google_median_prompt_wh(reg, "accelerator"),
    "google_2025_median_prompt_wh_fleet": lambda reg: google_median_prompt_wh(reg, "fleet"),
}
