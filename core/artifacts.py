"""Where a run's files are: :class:`RunArtifacts`, the one reader of a run folder and its stored results.

A run keeps its results (metrics, the saliency audit's summary, what the method kept in
``results["artifacts"]``) in the run store and its files in ``<runs>/<id>/``. Which file holds what
— the saliency grids, the detachment reconstructions and sweep, the TMU record and gallery, the
filter-group explorer, the saved identifier, the risk table, the report — is known here only, so the
Audit page, the Filter groups page, the HTML report and the methods' audit sections read one object.

Engine level on purpose: no store, no torch, no streamlit are imported, so methods' audit sections
(``core/methods/*/audit.py``) take a :class:`RunArtifacts` without an upward import;
:meth:`RunArtifacts.from_store` accepts any object with the run store's ``get``, ``events`` and
``runs_root``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILES = {
    "report": "report.html",
    "worker_log": "worker.log",
    "unlearned": "unlearned.pt",
    "reconstructions": "reconstructions.png",
    "sweep": "sensitivity_sweep.json",
    "tmu_gallery": "tmu_gallery.png",
    "filter_groups": "filter_groups",
    "explorer": "filter_groups/explorer.json",
    "identifier": "identifier.pt",
    "risk_table": "risk_table.json",
}
"""File (or folder) names inside a run folder, by what they hold: the default where a method did not
name its file in the artifacts."""

NAMED_BY = {"reconstructions": "reconstruction_png", "sweep": "sensitivity_sweep_json",
            "tmu_gallery": "tmu_gallery_png"}
"""The artifacts key under which a method recorded the absolute path of a file it wrote."""


@dataclass(frozen=True)
class RunArtifacts:
    """A run's folder, stored results and (when asked for) its progress events, read by meaning."""

    folder: Path
    results: dict = field(default_factory=dict)
    events: tuple = ()
    run_id: str = ""

    @classmethod
    def from_store(cls, store, run_id: str, events: bool = False) -> "RunArtifacts":
        """The artifacts of run ``run_id`` in ``store`` (``UnknownRun`` for an unknown id); ``events`` also
        reads its progress events (the report's curves)."""
        run = store.get(run_id)
        return cls(Path(store.runs_root) / run_id, run.results or {},
                   tuple(store.events(run_id)) if events else (), run_id)

    @property
    def artifacts(self) -> dict[str, Any]:
        """What the method kept beside its model (``results["artifacts"]``), {} when nothing."""
        return (self.results or {}).get("artifacts") or {}

    @property
    def audit(self) -> dict | None:
        """The saliency audit's summary, or None when the run has none."""
        return (self.results or {}).get("audit") or None

    def path(self, what: str) -> Path:
        """Where the run keeps ``what`` (a key of :data:`FILES`), whether or not it is there."""
        return self.folder / FILES[what]

    def find(self, what: str) -> Path | None:
        """The file holding ``what``: the path the method named in its artifacts (looked up by name in the run
        folder when the stored absolute path moved), else the default name; None when neither exists."""
        named = self.artifacts.get(NAMED_BY.get(what, ""))
        candidates = ([Path(named), self.folder / Path(named).name] if named else []) + [self.path(what)]
        return next((c for c in candidates if c.is_file()), None)

    def saliency_grids(self) -> dict[str, Path]:
        """The saliency audit's grid PNGs by key (``task/gradcam``…), in the order stored, present or not."""
        files = ((self.audit or {}).get("files") or {}).get("grids") or {}
        return {key: self.folder / rel for key, rel in files.items()}

    @property
    def reconstructions(self) -> Path | None:
        """The detachment method's reconstruction grid."""
        return self.find("reconstructions")

    @property
    def tmu_gallery(self) -> Path | None:
        """The TMU method's easy/hard gallery."""
        return self.find("tmu_gallery")

    @property
    def tmu_record(self) -> dict | None:
        """The TMU method's record (features, labels, predictor numbers), or None for other methods."""
        return self.artifacts.get("tmu")

    @property
    def sweep(self) -> dict | None:
        """The detachment λ2 × λ3 sweep as stored: from the artifacts, else the JSON file in the folder."""
        stored = self.artifacts.get("sensitivity_sweep")
        if stored is not None:
            return stored
        path = self.find("sweep")
        try:
            return json.loads(path.read_text()) if path else None
        except json.JSONDecodeError:
            return None

    @property
    def explorer_folder(self) -> Path | None:
        """The folder of the pattern method's filter-group explorer, when the run saved one."""
        return self.path("filter_groups") if self.path("explorer").is_file() else None

    @property
    def identifier_folder(self) -> Path:
        """The folder holding the run's saved identifier (``identifier.pt`` + ``identifier.json``)."""
        return self.folder

    @property
    def risk_table(self) -> Path:
        """The per-sample risk table: the file the results name, else the default name."""
        info = (self.results or {}).get("risk_table") or {}
        return self.folder / info.get("file", FILES["risk_table"])

    def pngs(self, shown: set[Path] = frozenset()) -> list[Path]:
        """Every PNG in the run folder not among ``shown`` (resolved paths), sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.rglob("*.png") if p.resolve() not in shown)
