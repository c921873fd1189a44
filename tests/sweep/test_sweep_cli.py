"""`unlearn sweep` refuses what it cannot run with one named line (exit 2) and writes no run row."""

from __future__ import annotations

import yaml

from core.cli.main import main
from core.runs import RunStore
from tests.sweep.test_cluster import free_port


def test_unreachable_address_and_bad_file_are_named_without_touching_the_store(tiny_base, tmp_path, capsys):
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"base": tiny_base, "axes": {"seed": [0, 1]}}))
    port = free_port()  # nothing listens there any more
    assert main(["sweep", str(path), "--address", f"127.0.0.1:{port}"]) == 2
    assert f"no Ray cluster answers at 127.0.0.1:{port}" in capsys.readouterr().err
    path.write_text(yaml.safe_dump({"base": tiny_base, "axes": {"seed": [0, -1]}}))
    assert main(["sweep", str(path)]) == 2
    assert "trial 1" in capsys.readouterr().err
    assert RunStore().list() == []
