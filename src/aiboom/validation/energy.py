"""Validation checks of the energy family: model functions by check id.

See :mod:`aiboom.validation`.
"""

from __future__ import annotations

from aiboom.validation import ModelFn

#: Check id (a row of ``data/validation.csv``) to the function computing the model's value.
MODELS: dict[str, ModelFn] = {}
