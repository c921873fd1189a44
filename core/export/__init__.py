"""Hand finished runs to other tools; today MLflow (:mod:`core.export.mlflow_export`). MLflow is imported only when exporting."""
