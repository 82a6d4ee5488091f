"""A tiny assumption registry for the Monte Carlo tests (independent of data/assumptions.csv).

Central values are realistic for a frontier model served on H100s in 2025 (see the registry
for sources); the ranges are wide enough to exercise every branch of the payback formula.
"""

from __future__ import annotations

from aiboom.registry import Assumption, Registry


def row(id: str, unit: str, low: float, central: float, high: float,
        distribution: str) -> Assumption:
    return Assumption(id=id, phase="math", description=id.replace("_", " "), unit=unit,
                      low=low, central=central, high=high, distribution=distribution,
                      source_key="test", source="test registry", url="https://example.org",
                      as_of="2025-06")


ROWS = (
    row("h100_usd_per_gpu_hour", "USD/GPU-hour", 1.5, 2.0, 3.5, "pert"),
    row("frontier_active_params", "parameters", 1e11, 4e11, 1.6e12, "lognormal"),
    row("frontier_total_to_active_params", "ratio", 1, 4, 18, "pert"),
    row("frontier_routed_experts", "count", 256, 256, 256, "fixed"),
    row("frontier_experts_per_token", "count", 8, 8, 8, "fixed"),
    row("weight_bytes_per_param", "bytes", 1, 1, 2, "triangular"),
    row("frontier_layers", "count", 120, 120, 120, "fixed"),
    row("frontier_kv_heads", "count", 8, 8, 8, "fixed"),
    row("frontier_query_heads", "count", 128, 128, 128, "fixed"),
    row("frontier_head_dim", "count", 128, 128, 128, "fixed"),
    row("frontier_kv_latent_dim", "count", 0, 0, 0, "fixed"),
    row("kv_bytes_per_value", "bytes", 1, 2, 2, "uniform"),
    row("context_tokens", "tokens", 2_000, 8_000, 32_000, "loguniform"),
    row("decode_batch_size", "count", 16, 64, 256, "pert"),
    row("hbm_usable_share", "fraction", 0.8, 0.9, 0.95, "pert"),
    row("inference_mfu", "fraction", 0.2, 0.4, 0.6, "pert"),
    row("decode_mfu", "fraction", 0.1, 0.3, 0.5, "pert"),
    row("inference_mbu", "fraction", 0.4, 0.6, 0.8, "pert"),
    row("serving_utilization", "fraction", 0.3, 0.5, 0.8, "triangular"),
    row("input_tokens_per_query", "tokens/query", 500, 2_000, 8_000, "lognormal"),
    row("cached_input_share", "fraction", 0.0, 0.3, 0.7, "uniform"),
    row("output_tokens_per_query", "tokens/query", 200, 500, 1_250, "lognormal"),
    row("reasoning_token_multiplier", "ratio", 0, 2, 10, "pert"),
    row("reasoning_query_share", "fraction", 0.1, 0.3, 0.6, "pert"),
    row("server_watts_per_gpu", "W", 1_100, 1_400, 1_700, "uniform"),
    row("accelerator_power_share", "fraction", 0.35, 0.5, 0.65, "pert"),
    row("idle_power_fraction", "fraction", 0.1, 0.3, 0.5, "pert"),
    row("pue", "ratio", 1.1, 1.2, 1.5, "triangular"),
    row("genai_project_capex_usd", "USD", 3e5, 1e6, 3.3e6, "lognormal"),
    row("genai_monthly_benefit_usd", "USD/month", 5e4, 2e5, 8e5, "lognormal"),
    row("value_capture_share", "fraction", 0.2, 0.5, 0.8, "uniform"),
    row("genai_ramp_months", "months", 3, 12, 24, "triangular"),
    row("genai_monthly_opex_usd", "USD/month", 1e4, 2e4, 5e4, "loguniform"),
    row("genai_queries_per_month", "count", 1e4, 1e5, 1e6, "loguniform"),
    row("data_cleanup_oneoff_usd", "USD", 0, 3e5, 1e6, "pert"),
    row("data_cleanup_monthly_usd", "USD/month", 0, 1e4, 3e4, "uniform"),
    row("data_cleanup_delay_months", "months", 0, 6, 12, "triangular"),
)
REGISTRY = Registry({a.id: a for a in ROWS}, source="tests/_mc_helpers.py")
