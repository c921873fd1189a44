"""Pure figure builders (plotly figures and the data behind them): no Streamlit, so tests call them
directly. The widgets that draw them live in ``dashboard/components/``."""
