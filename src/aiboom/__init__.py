"""aiboom: an executable, sourced model of the economics of the AI boom."""

__version__ = "0.1.0"
