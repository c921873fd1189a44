"""The ``unlearn`` command, run in-process: list, run --json, runs, show, errors."""

from __future__ import annotations

import json

import yaml
from PIL import Image

from core.cli.main import main


def test_list_names_every_registry(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for title in ("datasets:", "models:", "methods:", "metrics:", "forget kinds:", "benchmarks:"):
        assert title in out
    assert "finetune" in out and "smallcnn" in out and "mia" in out


def test_list_json_carries_each_registry_with_its_metadata(capsys):
    assert main(["list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"datasets", "models", "methods", "metrics", "forget kinds", "benchmarks", "run keys"} <= set(doc)
    synth = next(d for d in doc["datasets"] if d["name"] == "synthfaces")
    assert synth["options"] and all({"name", "type", "default", "help"} <= set(o) for o in synth["options"])
    finetune = next(m for m in doc["methods"] if m["name"] == "finetune")
    assert any(p["help"] for p in finetune["params"]) and any(p["search"] for p in finetune["params"])
    mia = next(m for m in doc["metrics"] if m["name"] == "mia")
    acc = next(k for k in mia["keys"] if k["name"] == "mia_acc")
    assert acc["label"] == "Membership attack" and acc["better"] == "target" and acc["chance"] == 0.5
    assert acc["range"] == [0.0, 1.0] and acc["live"] is True and acc["meaning"]
    assert "seconds" in {k["name"] for k in doc["run keys"]}


def test_run_writes_json_and_is_listed(tmp_path, tiny_scenario, capsys):
    cfg = tmp_path / "s.yaml"
    cfg.write_text(yaml.safe_dump(tiny_scenario))
    out_json = tmp_path / "out.json"
    assert main(["run", str(cfg), "--json", str(out_json)]) == 0
    doc = json.loads(out_json.read_text())
    assert doc["scenario"]["task"] == "Eyeglasses"
    assert doc["sizes"]["skipped"] == 0 and doc["warnings"] == []  # synthetic faces: nothing unreadable
    assert [r["model"] for r in doc["results"]] == ["original", "gold", "finetune"]
    assert {"test_acc", "mia_acc", "forgetting_score", "nomus", "seconds", "speedup"} <= set(doc["results"][2]["metrics"])
    from core.metric_words import key_of

    assert all(key_of(k) for r in doc["results"] for k in r["metrics"])  # the pipeline's own keys are declared too
    printed = capsys.readouterr().out
    assert "nomus" in printed and "original" in printed
    assert main(["runs"]) == 0 and doc["run_id"] in capsys.readouterr().out
    assert main(["show", doc["run_id"]]) == 0 and "succeeded" in capsys.readouterr().out


def test_bad_config_is_a_clear_error(tmp_path, capsys):
    cfg = tmp_path / "s.yaml"
    cfg.write_text("method: {name: magic}\n")
    assert main(["run", str(cfg)]) == 2
    assert "method.name: unknown method 'magic'" in capsys.readouterr().err


def test_show_unknown_run(capsys):
    assert main(["show", "nope"]) == 2
    assert "no run 'nope'" in capsys.readouterr().err


def test_datasets_show_writes_a_png_grid(tmp_path, capsys):
    out = tmp_path / "faces.png"
    argv = ["datasets", "show", "synthfaces", "--out", str(out), "-n", "4",
            "--option", "n_identities=2", "--option", "images_per_identity=3", "--option", "size=32"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "6 images" in printed and "Eyeglasses" in printed
    with Image.open(out) as img:
        assert img.format == "PNG" and img.width >= 2 * 112 and img.height >= 2 * 112  # 2x2 cells, upscaled


def test_datasets_show_bad_option_is_a_clear_error(tmp_path, capsys):
    assert main(["datasets", "show", "synthfaces", "--out", str(tmp_path / "x.png"), "--option", "size=33"]) == 2
    assert "size" in capsys.readouterr().err and not (tmp_path / "x.png").exists()
