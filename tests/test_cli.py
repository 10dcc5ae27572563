"""The command line: human and --json output, and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from playground import __version__
from playground.core import document
from playground.core.document import Example, Message, PromptDocument, Variable

Run = tuple[int, str, str]


def _write(tmp_path: Path, doc: PromptDocument, name: str = "p.json") -> Path:
    path = tmp_path / name
    path.write_text(document.to_json(doc, indent=2), encoding="utf-8")
    return path


def _doc(system: str = "You are terse.", **kw: Any) -> PromptDocument:
    fields: dict[str, Any] = {
        "name": "summarize",
        "system": system,
        "messages": (Message("user", "Summarize {{ topic }} in {{ n }} words."),),
        "variables": (Variable("n", sample="20", description="word budget"),),
    }
    fields.update(kw)
    return PromptDocument(**fields)


def _json(out: str) -> Any:
    return json.loads(out)


@pytest.fixture
def library(cli, tmp_path: Path) -> None:
    """'summarize' with v1, v2 (changed system) and v3 (added example)."""
    assert cli("prompts", "save", str(_write(tmp_path, _doc())), "-m", "first")[0] == 0
    assert (
        cli("prompts", "save", str(_write(tmp_path, _doc("You are very terse."))), "-m", "terser")[
            0
        ]
        == 0
    )
    v3 = _doc("You are very terse.", examples=(Example("tides", "Moon pulls water."),))
    assert cli("prompts", "save", str(_write(tmp_path, v3)), "-m", "example")[0] == 0


def test_version_flag(cli) -> None:
    code, out, _ = cli("--version")
    assert code == 0
    assert out.strip() == f"playground {__version__}"


def test_save_creates_versions_and_dedupes(cli, tmp_path: Path) -> None:
    path = _write(tmp_path, _doc())
    code, out, _ = cli("prompts", "save", str(path), "--json")
    assert code == 0
    first = _json(out)
    assert first["new"] is True
    assert first["number"] == 1
    code, out, _ = cli("prompts", "save", str(path))
    assert code == 0
    assert "already has this content" in out
    assert "v1" in out


def test_list_human_and_json(cli, library) -> None:
    code, out, _ = cli("prompts", "list")
    assert code == 0
    assert "summarize" in out
    assert "3" in out.splitlines()[1]
    code, out, _ = cli("prompts", "list", "--json")
    rows = _json(out)
    assert [r["name"] for r in rows] == ["summarize"]
    assert rows[0]["versions"] == 3
    assert rows[0]["latestVersion"] == 3


def test_list_empty_library(cli) -> None:
    code, out, _ = cli("prompts", "list")
    assert code == 0
    assert "No prompts yet" in out
    assert _json(cli("prompts", "list", "--json")[1]) == []


def test_show_latest_and_specific_version(cli, library) -> None:
    code, out, _ = cli("prompts", "show", "summarize")
    assert code == 0
    assert "[v3]" in out
    assert "You are very terse." in out
    assert "n = '20'" in out  # the declared sample
    code, out, _ = cli("prompts", "show", "summarize", "--version", "1", "--json")
    data = _json(out)
    assert data["version"]["number"] == 1
    assert data["document"]["system"] == "You are terse."
    assert document.from_dict(data["document"]) == _doc()


def test_history_newest_first(cli, library) -> None:
    code, out, _ = cli("prompts", "history", "summarize", "--json")
    assert code == 0
    rows = _json(out)
    assert [r["number"] for r in rows] == [3, 2, 1]
    assert [r["message"] for r in rows] == ["example", "terser", "first"]
    assert rows[0]["parent"] == 2
    code, out, _ = cli("prompts", "history", "summarize")
    assert out.index("v3") < out.index("v1")
    assert "terser" in out


def test_diff_reports_changed_fields(cli, library) -> None:
    code, out, _ = cli("prompts", "diff", "summarize", "1", "3", "--json")
    assert code == 0
    data = _json(out)
    fields = {c["field"]: c for c in data["changes"]}
    assert fields["system"]["kind"] == "changed"
    assert fields["system"]["before"] == "You are terse."
    assert any(c["kind"] == "added" and c["field"].startswith("example 1") for c in data["changes"])
    code, out, _ = cli("prompts", "diff", "summarize", "1", "2")
    assert "system" in out
    assert "very" in out
    code, out, _ = cli("prompts", "diff", "summarize", "2", "2")
    assert code == 0
    assert "identical" in out


def test_label_create_move_and_use(cli, library) -> None:
    code, out, _ = cli("prompts", "label", "summarize", "1", "production")
    assert code == 0
    assert "v1" in out
    code, out, _ = cli("prompts", "label", "summarize", "2", "production", "--json")
    assert _json(out) == {"prompt": "summarize", "label": "production", "version": 2, "previous": 1}
    code, out, _ = cli("prompts", "show", "summarize", "--label", "production", "--json")
    assert _json(out)["version"]["number"] == 2
    history = _json(cli("prompts", "history", "summarize", "--json")[1])
    assert {r["number"]: r["labels"] for r in history} == {3: [], 2: ["production"], 1: []}
    code, out, _ = cli("prompts", "diff", "summarize", "production", "3", "--json")
    assert code == 0
    assert _json(out)["a"] == "v2 (production)"


def test_render_with_vars_and_samples(cli, library, tmp_path: Path) -> None:
    code, out, _ = cli("prompts", "render", "summarize", "--var", "topic=tides", "--json")
    assert code == 0
    request = _json(out)
    assert request["system"] == "You are very terse."
    assert request["messages"] == [
        {"role": "user", "content": "tides"},
        {"role": "assistant", "content": "Moon pulls water."},
        {"role": "user", "content": "Summarize tides in 20 words."},
    ]
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps({"topic": "eels", "n": "5"}))
    code, out, _ = cli(
        "prompts", "render", "summarize", "--version", "1", "--vars-file", str(vars_file)
    )
    assert code == 0
    assert "Summarize eels in 5 words." in out
    assert "[user]" in out


def test_render_missing_variables_is_an_input_error(cli, library) -> None:
    code, out, err = cli("prompts", "render", "summarize", "--version", "1")
    assert code == 2
    assert out == ""
    assert "topic" in err
    assert "Traceback" not in err


def test_search_finds_versions(cli, library) -> None:
    code, out, _ = cli("search", "pulls", "--json")
    assert code == 0
    hits = _json(out)
    assert hits
    assert hits[0]["prompt"] == "summarize"
    assert hits[0]["kind"] == "version"
    assert hits[0]["version"] == 3
    code, out, _ = cli("search", "zebra")
    assert code == 0
    assert "Nothing matches" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("prompts", "show", "nope"), "nope"),
        (("prompts", "show", "summarize", "--version", "9"), "9"),
        (("prompts", "show", "summarize", "--version", "zero"), "whole number"),
        (("prompts", "history"), "name"),
        (("prompts", "diff", "summarize", "1", "42"), "42"),
        (("prompts", "label", "summarize", "7", "production"), "7"),
        (("prompts", "frobnicate"), "frobnicate"),
        (("prompts", "render", "summarize", "--var", "novalue"), "NAME=VALUE"),
        (("search",), "text"),
        (("--no-such-flag",), "--no-such-flag"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(cli, library, argv, needle) -> None:
    code, out, err = cli(*argv)
    assert code == 2, err
    assert out == ""
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("playground: error: ")


def test_malformed_prompt_file_names_the_field(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"name": "x", "messages": [{"role": "robot", "content": "hi"}]}')
    code, out, err = cli("prompts", "save", str(path))
    assert code == 2
    assert "messages[0].role" in err
    assert str(path) in err
    missing = tmp_path / "missing.json"
    code, _, err = cli("prompts", "save", str(missing))
    assert code == 2
    assert "no such file" in err
    not_json = tmp_path / "not.json"
    not_json.write_text("{nope")
    code, _, err = cli("prompts", "save", str(not_json))
    assert code == 2
    assert "line 1" in err


def test_newer_database_exits_1_and_is_untouched(cli, library, playground_home: Path) -> None:
    import sqlite3

    db = playground_home / "library.db"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("PRAGMA user_version = 9999")
    conn.close()
    before = db.read_bytes()
    code, out, err = cli("prompts", "list")
    assert code == 1
    assert "newer" in err
    assert db.read_bytes() == before


def test_gui_without_display_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, cli) -> None:
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    code, out, err = cli()
    assert code == 2
    assert "no display" in err


def test_bug_is_logged_not_shown(
    cli, library, monkeypatch: pytest.MonkeyPatch, playground_home: Path
) -> None:
    from playground.store import Store

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("kaboom-internal")

    monkeypatch.setattr(Store, "list_prompts", boom)
    code, out, err = cli("prompts", "list")
    assert code == 1
    assert "internal error" in err
    assert "kaboom" not in err
    assert "Traceback" not in err
    log = (playground_home / "logs" / "playground.log").read_text()
    assert "kaboom-internal" in log
    assert "Traceback" in log


def test_python_dash_m_entry_point(tmp_path: Path, playground_home: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "playground", "prompts", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


@pytest.mark.parametrize(
    "argv",
    [
        ("prompts", "diff", "summarize", "1", "²"),
        ("prompts", "diff", "summarize", "1", "99999999999999999999999"),
        ("prompts", "show", "summarize", "--version", "99999999999999999999999"),
        ("prompts", "label", "summarize", "99999999999999999999", "x"),
        ("search", "x", "--limit", "99999999999999999999"),
        ("search", "  "),
        ("prompts", "label", "summarize", "1", "draft"),
        ("prompts", "label", "summarize", "1", "2"),
    ],
)
def test_odd_numbers_and_names_are_input_errors(cli, library, argv) -> None:
    code, _, err = cli(*argv)
    assert code == 2, err
    assert "internal error" not in err
    assert len(err.strip().splitlines()) == 1


def test_unusable_data_folder_is_one_line(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    monkeypatch.setenv("PLAYGROUND_HOME", str(not_a_folder))
    code, _, err = cli("prompts", "list")
    assert code == 1
    assert "data folder" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_closed_pipe_ends_quietly(cli, tmp_path: Path, playground_home: Path) -> None:
    # Far more than a pipe buffer holds, so the writer meets the closed pipe.
    big = _doc("x" * 2_000_000)
    assert cli("prompts", "save", str(_write(tmp_path, big)))[0] == 0
    proc = subprocess.run(
        f"'{sys.executable}' -m playground prompts show summarize | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr
    log = playground_home / "logs" / "playground.log"
    assert not log.exists() or "BrokenPipe" not in log.read_text()


def test_the_cli_imports_no_sdk_until_a_run_needs_one() -> None:
    # `import anthropic` alone costs about a second; commands that never reach a
    # provider must not pay it.
    code = (
        "import sys, playground.cli; "
        "print(sorted(m for m in ('openai', 'anthropic', 'PySide6') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip() == "[]"
