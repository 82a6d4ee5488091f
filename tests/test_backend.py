"""Backend selection: AIBOOM_BACKEND, the argument override, and the errors a fork may meet."""

from __future__ import annotations

import numpy as np
import pytest

from aiboom import backend
from aiboom.backend import ENV_VAR, available_backends, get_backend

HAS_GPU = "cupy" in available_backends()
no_gpu = pytest.mark.skipif(HAS_GPU, reason="checks behaviour on a machine without a GPU")


def test_env_numpy_forces_numpy(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "numpy")
    be = get_backend()
    assert be.name == "numpy"
    assert be.xp is np
    assert isinstance(be.asnumpy([1.0, 2.0]), np.ndarray)
    assert "NumPy" in be.device_description


def test_argument_overrides_env(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "cupy")
    assert get_backend("numpy").name == "numpy"
    assert get_backend(" NumPy ").name == "numpy"  # case and spaces are forgiven


@no_gpu
def test_cupy_without_gpu_names_the_env_var(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "cupy")
    with pytest.raises(RuntimeError, match=f"{ENV_VAR}=numpy") as err:
        get_backend()
    assert "cupy" in str(err.value)


@pytest.mark.parametrize("how", ["env", "argument"])
def test_bogus_name_lists_allowed_values(monkeypatch, how):
    monkeypatch.setenv(ENV_VAR, "bogus" if how == "env" else "numpy")
    with pytest.raises(ValueError, match="'bogus'.*allowed: auto, numpy, cupy"):
        get_backend("bogus" if how == "argument" else None)


@no_gpu
@pytest.mark.parametrize("value", ["auto", "", None])
def test_auto_picks_numpy_here(monkeypatch, value):
    if value is None:
        monkeypatch.delenv(ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(ENV_VAR, value)
    assert get_backend().name == "numpy"
    assert available_backends() == ("numpy",)


def test_backends_are_cached():
    assert get_backend("numpy") is get_backend("numpy")
    assert backend.CHOICES == ("auto", "numpy", "cupy")


@pytest.mark.gpu
def test_auto_picks_cupy_with_a_gpu(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "auto")
    be = get_backend()
    assert be.name == "cupy"
    assert "GPU" in be.device_description
    np.testing.assert_array_equal(be.asnumpy(be.xp.arange(3.0)), [0.0, 1.0, 2.0])


def test_auto_in_a_scenario_defers_to_the_environment(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "numpy")
    assert get_backend("auto").name == "numpy"
    monkeypatch.setenv(ENV_VAR, "bogus")
    with pytest.raises(ValueError, match=ENV_VAR):
        get_backend("auto")
    assert get_backend("numpy").name == "numpy"  # a scenario that names one wins


def test_provenance_names_backend_and_library_versions(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "numpy")
    from aiboom.backend import provenance

    p = provenance()
    assert p["backend"] == "numpy" and f"NumPy {np.__version__}" in p["device"]
