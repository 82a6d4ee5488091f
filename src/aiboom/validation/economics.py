"""Validation checks of the economics family: bills and revenue (see :mod:`aiboom.validation`).

Cahn's rule [1]_ turns NVIDIA's data-centre revenue run-rate :math:`R_{gpu}` [USD bn/yr] into
the revenue the build-out must earn, :math:`R = k R_{gpu} / (1 - m)`
(:func:`aiboom.economics.revenue_required_usd_bn`). Each of his published figures was a
forecast; the model applies the rule, with the registry's :math:`k` and :math:`m`, to the
revenue NVIDIA later reported for the quarter he named, so the check asks whether his
arithmetic holds on the data.

References
----------
.. [1] D. Cahn, "AI's $200B question" (Sept 2023) and "AI's $600B question" (June 2024),
   Sequoia Capital.
"""

from __future__ import annotations

from aiboom.registry import Registry
from aiboom.validation import ModelFn


def _cahn_required_usd_bn(registry: Registry, fiscal_quarter: str) -> float:
    """Cahn's required revenue from NVIDIA's reported data-centre revenue of one quarter
    [USD bn/yr]."""
    from aiboom import data
    from aiboom.analysis.capex import nvidia_quarters
    from aiboom.economics import revenue_required_usd_bn

    quarters = nvidia_quarters(data.nvidia_datacenter_revenue()).set_index("fiscal_quarter")
    run_rate = float(quarters.loc[fiscal_quarter, "run_rate_usd_bn"])
    return float(revenue_required_usd_bn(run_rate, registry["sequoia_dc_cost_multiplier"].central,
                                         registry["sequoia_end_user_margin"].central))


def chatgpt_inference_bill_usd_bn(registry: Registry) -> float:
    r"""Yearly compute bill of ChatGPT's chat queries [USD bn/yr].

    :math:`B = U\,q\,365\,c / 10^9`, with :math:`U` weekly active users
    (``weekly_active_users``) [users], :math:`q` queries per user per day
    (``queries_per_user_per_day``) [queries/user/day] and :math:`c` the per-query cost of the
    kernel (:func:`aiboom.kernels.reference_per_sample`) on the reference chip at the
    registry's central values [USD/query].
    """
    from aiboom import data
    from aiboom.kernels import INPUTS, reference_per_sample
    from aiboom.montecarlo import REFERENCE_ACCELERATOR, accelerator_constants

    chip = data.accelerators().set_index("id").loc[REFERENCE_ACCELERATOR]
    usd_per_query = reference_per_sample({k: registry[k].central for k in INPUTS},
                                         accelerator_constants(chip))["usd_per_query"]
    queries_per_year = (registry["weekly_active_users"].central
                        * registry["queries_per_user_per_day"].central * 365.0)
    return queries_per_year * usd_per_query / 1e9


#: Check id (a row of ``data/validation.csv``) to the function computing the model's value.
MODELS: dict[str, ModelFn] = {
    "sequoia_2023_required_revenue": lambda reg: _cahn_required_usd_bn(reg, "FY24Q4"),
    "sequoia_2024_required_revenue": lambda reg: _cahn_required_usd_bn(reg, "FY25Q4"),
    "openai_2025_inference_bill": chatgpt_inference_bill_usd_bn,
}


#: Asset lives Epoch AI states for its 1 GW cost model: IT equipment and facility [yr].
EPOCH_2026_LIVES_YEARS: tuple[float, float] = (5.0, 14.0)


def gigawatt_capex_usd_bn(registry: Registry, generation: str = "Blackwell (GB200)") -> float:
    r"""All-in capex of one gigawatt of IT load, built bottom-up [USD bn/GW].

    :math:`K = K_a + K_s + K_n + K_f` (:func:`aiboom.economics.gigawatt_capex_usd_bn`) at
    the registry's central values and the generation's central accelerator price in
    ``data/accelerators.csv``.
    """
    from aiboom import data
    from aiboom.analysis.capex import gigawatt_cost, gigawatt_inputs

    central = {k: a.central for k, a in registry.items()}
    capex, _ = gigawatt_cost(gigawatt_inputs(central, data.accelerators(), generation))
    return float(capex.total_usd_bn)


def gigawatt_tco_usd_bn(registry: Registry, it_life_years: float, facility_life_years: float,
                        generation: str = "Blackwell (GB200)") -> float:
    r"""Yearly cost of owning and running one gigawatt of IT load [USD bn/yr].

    :math:`C` of :func:`aiboom.economics.gigawatt_yearly_cost_usd_bn` at the registry's
    central values, with the asset lives :math:`T_{it}`, :math:`T_f` [yr] that define the
    published case.
    """
    from aiboom import data
    from aiboom.analysis.capex import gigawatt_cost, gigawatt_inputs

    central = {k: a.central for k, a in registry.items()}
    inputs = gigawatt_inputs(central, data.accelerators(), generation)
    inputs.update(it_life_years=it_life_years, facility_life_years=facility_life_years)
    _, yearly = gigawatt_cost(inputs)
    return float(yearly.total)


MODELS.update({
    "nvidia_2025_capex_per_gw": gigawatt_capex_usd_bn,
    "epoch_2026_capex_per_gw": gigawatt_capex_usd_bn,
    "epoch_2026_tco_per_gw": lambda reg: gigawatt_tco_usd_bn(reg, *EPOCH_2026_LIVES_YEARS),
})
