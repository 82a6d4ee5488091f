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
its own; Google's model, prompt length and chips are not disclosed, so the case has no
defining inputs of its own and every input stays at the registry's central value.

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
}
