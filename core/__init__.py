"""Unlearning Studio engine: datasets, models, unlearning methods, metrics, runs.

The engine never imports streamlit; the dashboard is a thin layer over it.
"""

__version__ = "0.1.0"
