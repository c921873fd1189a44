"""Figure, table and form builders the pages share.

Pure builders (palette, glossary, charts, tables, run_progress, scenario_text) never import
Streamlit, so they are tested directly; the Streamlit pieces (param_form, launch_block, metric_table, run_panel)
only arrange them on a page.
"""
