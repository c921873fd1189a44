"""The audit report: one self-contained HTML file per finished run (``unlearn report RUN_ID``).

It is the record an auditor keeps: what was run (scenario, data and split sizes, seed, code version,
checkpoint hashes and where each model came from), what came out (the verdict in plain words, the
original / gold / unlearned metric tables with their 95% bootstrap intervals, the per-epoch
curves from the stored progress events) and what it looks like (the saliency audit's grids and
mask shares, the audit sections the run's method registered — the same the Audit page shows, see
``core.methods.audit_sections`` — and every other PNG the run folder holds). Every number is read
through the run's :class:`core.artifacts.RunArtifacts`; nothing is recomputed. No network: CSS
inline, images as data URIs, charts as inline SVG (see ``core.report.charts`` and ``figures``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from core.artifacts import RunArtifacts
from core.metrics.mia import attack_notes
from core.metric_words import METRIC_NOTES, metric_label
from core.report.charts import roc_svg, split_series, stage_chart_svg, stage_series
from core.report.html import esc, fmt, kv_table, page, png_figure, section, table
from core.provenance import code_version
from core.report.risk import epsilon_section, risk_section
from core.report.sections import method_sections

KNOWN_KEYS = ("scenario", "sizes", "results", "checkpoints", "artifacts", "code", "audit", "sources", "notes", "verdict",
              "forget_units", "risk_table", "epsilon", "attack_costs")


class ReportError(ValueError):
    """The run cannot be reported (not finished, or it failed); the message says what to do."""


def write_report(store, run_id: str, path: str | Path | None = None) -> Path:
    """Write the report of a succeeded run; default ``<runs>/<id>/report.html``. Returns the path."""
    run = store.get(run_id)  # UnknownRun for an unknown id
    if run.status != "succeeded" or not run.results:
        hint = "wait for it to finish" if run.active else f"`unlearn show {run_id}` shows why"
        raise ReportError(f"run {run_id} is {run.status}; a report needs a succeeded run ({hint})")
    art = RunArtifacts.from_store(store, run_id, events=True)
    out = Path(path) if path else art.path("report")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(run, art), encoding="utf-8")
    return out


def render_report(run, art: RunArtifacts) -> str:
    """The report's HTML for a stored run and its artifacts (results, events, folder): the verdict and a
    glossary first, then the record; a section with nothing to show is left out rather than printed empty."""
    res, run_dir, events = run.results, art.folder, art.events
    shown: set[Path] = set()
    parts = [f"<h1>Audit report: {esc(run.name)}</h1>",
             section("Verdict", _verdict(res), "verdict"),
             section("How to read this report", _glossary(res["results"]), "glossary"),
             section("Run", _run_facts(run), "run"),
             section("Scenario", _scenario(res["scenario"]), "scenario"),
             section("Data and splits", _sizes(res), "data"),
             section("Metrics", _metrics(res["results"]), "metrics"),
             section("Membership attack ROC", _roc(res["results"]), "roc"),
             section("Per-sample risk (top risks)", risk_section(res, run_dir), "risk"),
             section("ε-score (NeurIPS 2023 unlearning challenge)", epsilon_section(res), "epsilon"),
             section("Training curves", _curves(events), "curves"),
             section("Saliency audit", _saliency(art, shown), "saliency"),
             *method_sections(art, shown),
             section("Other figures", _figures(art, shown), "figures"),
             section("Code and checkpoints", _provenance(res), "provenance")]
    extra = {k: v for k, v in res.items() if k not in KNOWN_KEYS}
    if res.get("artifacts"):
        extra["artifacts"] = res["artifacts"]
    if extra:
        parts.append(section("Other stored results", f"<pre>{esc(json.dumps(extra, indent=2))}</pre>", "other"))
    return page(f"Audit report {run.id}", "".join(p for p in parts if p))


MODEL_WORDS = (("original", "trained on every training image, including the ones to forget"),
               ("gold", "retrained from scratch without the forget set: the target an unlearned model should match"),
               ("unlearned", "the original model after the unlearning method (the row named after the method)"))


def _glossary(results: list[dict]) -> str:
    """The three models and every metric this report shows, each in one plain sentence."""
    names = list(dict.fromkeys(k for r in results for k in r["metrics"]))
    models = "".join(f"<dt>{esc(m)}</dt><dd>{esc(t)}</dd>" for m, t in MODEL_WORDS)
    metrics = "".join(f"<dt>{esc(metric_label(n))} <code>{esc(n)}</code></dt><dd>{esc(METRIC_NOTES[n])}</dd>"
                      for n in names if n in METRIC_NOTES)
    ci = ("<p>A number followed by [low, high] carries its 95% bootstrap interval: the forget set redrawn by its "
          "units (people, or images). Where the unlearned model's interval meets gold's and not the original's, "
          "the data cannot tell it from a model that never saw the forget set.</p>")
    return f"<h3>The models</h3><dl>{models}</dl><h3>The metrics</h3><dl>{metrics}</dl>{ci}"


def _when(ts: float | None) -> str:
    return "–" if ts is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def _run_facts(run) -> str:
    return kv_table([("run id", run.id), ("status", run.status), ("device", run.device or "–"),
                     ("created", _when(run.created)), ("started", _when(run.started)),
                     ("finished", _when(run.finished)), ("duration (s)", run.duration)])


def _scenario(sc: dict) -> str:
    method = f"{sc['method']['name']} {json.dumps(sc['method'].get('params') or {})}"
    forget = ", ".join(f"{k}={v}" for k, v in sc["forget"].items() if v not in ("", [], 0, 0.0) or k == "kind")
    rows = [("dataset", sc["dataset"]["name"]), ("dataset options", json.dumps(sc["dataset"].get("options") or {})),
            ("task", sc["task"] if isinstance(sc["task"], str) else ", ".join(sc["task"])), ("model", sc["model"]),
            ("forget", forget), ("method", method), ("training (original, gold)", json.dumps(sc["train"])),
            ("split", json.dumps(sc.get("split") or {})), ("seed", sc["seed"]), ("device asked", sc["device"])]
    full = f"<details><summary>full scenario (JSON)</summary><pre>{esc(json.dumps(sc, indent=2))}</pre></details>"
    return kv_table(rows) + full


def _sizes(res: dict) -> str:
    sizes = res.get("sizes") or {}
    return table(("split", "images"), sizes.items()) if sizes else ""


def _provenance(res: dict) -> str:
    code = res.get("code")
    note = "recorded by the run"
    if not code:
        code, note = code_version(), "not recorded by the run; read when this report was written"
    rows = [("core version", code.get("version") or "–"), ("git commit", code.get("commit") or "unavailable"),
            ("uncommitted changes", code.get("dirty") or "–"), ("source", note)]
    ckpt = res.get("checkpoints") or {}
    hashes = table(("model", "checkpoint sha256"), [(k, v or "not saved") for k, v in ckpt.items()])
    return kv_table(rows) + hashes + _sources(res.get("sources") or {})


SOURCE_WORDS = {"trained": "trained in this run", "cache": "trained earlier with the same settings (cache)",
                "checkpoint": "the user's checkpoint"}


def _sources(sources: dict) -> str:
    """Where the original and gold models (and the starting weights) came from: file, sha256, skipped keys."""
    if not sources:
        return ""
    rows = [(name, SOURCE_WORDS.get(s.get("source", ""), s.get("source", "starting weights (train.init)")),
             s.get("path", "–"), s.get("sha256") or "–", ", ".join(s.get("skipped", [])) or "–")
            for name, s in sources.items()]
    return "<h3>Where the models came from</h3>" + table(("model", "from", "file", "sha256", "keys skipped"), rows)


def _verdict(res: dict) -> str:
    """The run's verdict in plain words and why (core/verdict.py), with the notes on its times."""
    v = res.get("verdict")
    if not v:
        return '<p class="muted">this run was stored before verdicts existed</p>'
    notes = "".join(f'<p class="muted">{esc(n)}</p>' for n in res.get("notes") or [])
    units = res.get("forget_units") or {}
    count = f" over {units['count']} forgotten {units.get('unit', 'unit')}(s)" if units else ""
    return (f"<p><b>{esc(v['label'])}</b></p><p>{esc(v['reason'])}</p>"
            f'<p class="muted">From the 95% bootstrap intervals{esc(count)} (metric [low, high] below).</p>' + notes)


def _metrics(results: list[dict]) -> str:
    """Metrics as rows (in words, with the engine's name) and the models as columns, so the table fits the
    page however many metrics the run stored."""
    names = list(dict.fromkeys(k for r in results for k in r["metrics"]))
    rows = ([f"{metric_label(n)} ({n})" if metric_label(n) != n else n, *(_cell(r, n) for r in results)] for n in names)
    return table(("metric", *(r["model"] for r in results)), rows) + _attack_notes(results)


def _cell(row: dict, name: str):
    """A metric's number, with its 95% bootstrap interval ``[lo, hi]`` after it when the run stored one."""
    value, ci = row["metrics"].get(name), (row.get("metric_ci") or {}).get(name)
    if not ci or value is None or any(v is None or v != v for v in ci):
        return value
    return f"{fmt(value)} [{ci[0]:.3f}, {ci[1]:.3f}]"


def _attack_notes(results: list[dict]) -> str:
    """Why the membership attack has no number (shown instead of one) and how its non-members were chosen."""
    notes = attack_notes(results)
    lines = [f"Membership attack not shown: {n}" for n in notes["unavailable"]]
    lines += [f"Membership attack non-members: {n}." for n in notes["nonmembers"]]
    return "".join(f'<p class="muted">{esc(n)}</p>' for n in lines)


def _curves(events) -> str:
    charts, once_rows = [], []
    for stage, series in stage_series(events).items():
        lines, once = split_series(series)
        if lines:
            charts.append(stage_chart_svg(stage, lines, metric_label))
        once_rows += [(stage, metric_label(k), v) for k, v in once.items()]
    body = f'<div class="charts">{"".join(charts)}</div>' if charts else ""
    if once_rows:
        body += "<h3>Values reported once</h3>" + table(("stage", "metric", "value"), once_rows)
    return body


def _roc(results: list[dict]) -> str:
    """The attack's ROC curves the run stored (``extras["mia_roc"]``); '' when it stored none."""
    curves = {r["model"]: c for r in results
              if isinstance(c := (r.get("extras") or {}).get("mia_roc") or r.get("mia_roc"), dict)
              and c.get("fpr") and c.get("tpr")}
    if not curves:
        return ""
    note = ("<p>The loss attack on the forget set against never-seen images. On the diagonal the attacker cannot "
            "tell forgotten images from never-seen ones; the unlearned curve should lie on the gold one.</p>")
    return note + f'<div class="charts">{roc_svg(curves)}</div>'


def _saliency(art: RunArtifacts, shown: set[Path]) -> str:
    audit = art.audit
    if not audit:
        return ""
    if "error" in audit:
        return f'<p>The saliency audit failed; the run\'s other results are unaffected.</p><pre class="error">{esc(audit["error"])}</pre>'
    body = [_audit_facts(audit), _region_table(audit)]
    body += [f'<p class="muted">{esc(n)}</p>' for n in audit.get("notes", [])]
    for key, path in art.saliency_grids().items():
        rel = path.relative_to(art.folder)
        if path.exists():
            shown.add(path.resolve())
            body.append(png_figure(path, f"{key} ({rel})"))
        else:
            body.append(f'<p class="muted">{esc(rel)} is missing from the run folder</p>')
    return "".join(body)


def _audit_facts(audit: dict) -> str:
    images = audit.get("images", [])
    rows = [("models", ", ".join(audit.get("models", []))), ("difference", f"{audit.get('before')} - {audit.get('after')}"),
            ("images (table rows)", ", ".join(f"{i['split']} #{i['row']}" for i in images)),
            ("explanations", ", ".join(audit.get("kinds", [])))]
    for name, t in audit.get("targets", {}).items():
        rows.append((f"target: {name}", f"{t.get('column')}{'=' + str(t.get('value_name')) if 'value' in t else ''}: "
                                        f"{t.get('explains')} (GradCAM layer {t.get('layer')})"))
    attr = audit.get("targets", {}).get("attribute", {})
    if "probe_test_acc" in attr:
        accs = ", ".join(f"{m} {fmt(v)}" for m, v in attr["probe_test_acc"].items())
        rows.append(("attribute head test accuracy", f"{accs} (majority-class rate {fmt(attr.get('probe_chance'))})"))
    rows.append(("audit seconds", audit.get("seconds")))
    return kv_table(rows)


def _region_table(audit: dict) -> str:
    region = audit.get("region")
    if not region:
        return ""
    models = audit.get("models", [])
    rows = [(t, kind, *(by_model.get(m) for m in models))
            for t, kinds in region["share"].items() for kind, by_model in kinds.items()]
    intro = (f"<p>Share of saliency mass inside the ground-truth mask of <b>{esc(region['mask'])}</b>, mean over the "
             f"{region['n_images']} audited images that show it. A uniform map would get the mask's area, "
             f"{fmt(region['mask_area'])}.</p>")
    return intro + table(("target", "explanation", *models), rows)


def _figures(art: RunArtifacts, shown: set[Path]) -> str:
    """Every PNG in the run folder not shown above (e.g. a method's example images), captioned by file name."""
    return "".join(png_figure(p, str(p.relative_to(art.folder))) for p in art.pngs(shown))
