"""A dashboard safe to open to a room: localhost by default, a token and data folders off it,
user text inert wherever Streamlit renders markdown, and no traceback on a page."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.config import DEFAULT_SCENARIO
from dashboard.access import AUTH_KEY, TOKEN_ENV, admit, shared_env
from dashboard.components.safe_text import md
from dashboard.launch import build_command, server_env
from tests.dashboard.seed import seed_run

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
HOSTILE = "![t](http://evil.example/p.png) [click](http://evil.example) <b>x</b> :red[big]"


def test_streamlit_config_binds_localhost_and_hides_error_details():
    """`streamlit run dashboard/app.py` reads the project file from the repository root and the
    script-level one from any working directory: both bind localhost and show no tracebacks."""
    texts = [(ROOT / ".streamlit" / "config.toml").read_text(), (ROOT / "dashboard" / ".streamlit" / "config.toml").read_text()]
    assert texts[0] == texts[1]
    config = tomllib.loads(texts[0])
    assert config["server"]["address"] == "localhost" and config["client"]["showErrorDetails"] == "none"


def test_off_localhost_the_server_gets_a_token_and_data_roots(tmp_path):
    env = server_env(["--address", "0.0.0.0"], {"UNLEARN_HOME": str(tmp_path)})
    assert len(env[TOKEN_ENV]) >= 20 and env["UNLEARN_DATA_ROOTS"] == str(tmp_path / "data")
    mine = server_env(["--address", "0.0.0.0", "--data-root", str(tmp_path / "a"), "--data-root", str(tmp_path / "b")],
                      {TOKEN_ENV: "set-by-me"})
    assert mine[TOKEN_ENV] == "set-by-me" and mine["UNLEARN_DATA_ROOTS"].split(":") == [str(tmp_path / "a"), str(tmp_path / "b")]
    local = server_env([], {})
    assert TOKEN_ENV not in local and "UNLEARN_DATA_ROOTS" not in local
    assert "--server.address=localhost" in build_command([])
    assert shared_env("127.0.0.1", [], {}) == {}


def test_admission_checks_the_token_once_and_keeps_it_out_of_the_url():
    env = {TOKEN_ENV: "s3cret"}
    session, query = {}, {}
    assert "needs its access token" in admit(session, query, "0.0.0.0", env)
    assert "needs its access token" in admit(session, {"token": "guess"}, "0.0.0.0", env)
    query = {"token": "s3cret", "run": "x"}
    assert admit(session, query, "0.0.0.0", env) is None and session[AUTH_KEY] and query == {"run": "x"}
    assert admit(session, {}, "0.0.0.0", env) is None  # remembered in the session
    assert admit({}, {}, "localhost", {}) is None
    assert "without an access token" in admit({}, {}, "0.0.0.0", {})  # `streamlit run --server.address 0.0.0.0`
    assert "every network interface" in admit({}, {}, None, {})  # no address set: Streamlit binds them all


def test_the_app_renders_no_page_before_the_token(monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, "s3cret")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "needs its access token" in at.error[0].value
    assert [t.value for t in at.title] == ["Unlearning Studio"] and not at.button  # no page, no launch
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["token"] = "s3cret"
    at.run()
    assert not at.exception and not at.error and at.button  # the Home page, with its launch button
    assert "token" not in at.query_params


def test_run_names_and_errors_are_shown_as_text_not_markdown(store):
    config = copy.deepcopy(DEFAULT_SCENARIO)
    config["name"] = HOSTILE
    run_id = seed_run(store, "failed", epochs=1, config=config,
                      error="DataError: bad [link](http://evil.example)\n\n  File \"/srv/secret/core/x.py\", line 3")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["run"] = run_id
    at.switch_page("views/run.py")
    at.run()
    assert not at.exception
    shown = "\n".join(str(e.value) for e in at.subheader)
    assert md(f"{config['method']['name']} · {HOSTILE}") in shown and "![t](http" not in shown
    errors = "\n".join(str(e.value) for e in at.error)
    assert "DataError: bad \\[link\\](http\\://evil.example)" in errors
    page = "\n".join(str(getattr(e, "value", "")) for kind in ("error", "code", "caption", "markdown", "text")
                     for e in at.get(kind))
    assert "/srv/secret" not in page and 'File "' not in page  # the traceback stays in the store
    assert "unlearn show" in page


def test_md_escapes_links_images_html_and_directives():
    assert md(HOSTILE) == ("\\!\\[t\\](http\\://evil.example/p.png) \\[click\\](http\\://evil.example) "
                           "\\<b\\>x\\</b\\> :red\\[big\\]")
    assert md("finetune · Forget three people (synthetic faces, age-group task)") == \
        "finetune · Forget three people (synthetic faces, age-group task)"
