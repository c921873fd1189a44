"""The Streamlit dashboard: thin pages over ``core`` (run store, launcher, configs)."""
