"""``playground export`` and ``playground import`` end to end, in-process."""

from __future__ import annotations

import json
from pathlib import Path

from playground.core import document
from playground.core.document import Message, PromptDocument, Target, Variable
from playground.export import registry
from playground.export.base import ExportOptions
from playground.store import Store

DOC = PromptDocument(
    name="greet",
    system="You are {{ tone }}.",
    messages=(Message("user", "Hi {{ name }}"),),
    variables=(Variable("tone", "kind"), Variable("name", "Ann")),
    targets=(Target("openai", "gpt-4o-mini"), Target("anthropic", "claude-test")),
)


def _write(path: Path, doc: PromptDocument = DOC) -> Path:
    path.write_text(document.to_json(doc, indent=2), encoding="utf-8")
    return path


def test_import_creates_then_reports_unchanged_then_saves_a_new_version(
    cli, tmp_path: Path
) -> None:
    path = _write(tmp_path / "greet.json")
    code, out, err = cli("import", str(path))
    assert (code, err) == (0, "")
    assert "imported 'greet' as a new prompt (v1)" in out
    code, out, _ = cli("import", str(path))
    assert code == 0
    assert "'greet' unchanged (same as v1)" in out
    _write(path, PromptDocument(**{**DOC.__dict__, "system": "You are {{ tone }}. Be brief."}))
    code, out, _ = cli("import", str(path), "--json")
    assert code == 0
    [row] = json.loads(out)
    assert (row["prompt"], row["version"], row["newVersion"], row["created"]) == (
        "greet",
        2,
        True,
        False,
    )
    with Store.open() as store:
        prompt = store.get_prompt("greet")
        assert store.get_version(prompt.id).document.system == "You are {{ tone }}. Be brief."


def test_a_bad_file_is_reported_with_its_line_and_the_others_still_import(
    cli, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{\n  "name": "x",\n  "messages": [\n    {"role": "robot", "content": ""}\n  ]\n}'
    )
    good = _write(tmp_path / "greet.json")
    code, out, err = cli("import", str(bad), str(good))
    assert code == 1
    assert f"{bad}:4: messages[0].role: must be 'user' or 'assistant'" in err
    assert "Traceback" not in err
    assert "imported 'greet'" in out
    with Store.open() as store:
        assert [p.name for p in store.list_prompts()] == ["greet"]


def test_import_with_history_saves_every_version_in_order(cli, tmp_path: Path) -> None:
    _write(tmp_path / "greet.json")
    assert cli("import", str(tmp_path / "greet.json"))[0] == 0
    second = PromptDocument(**{**DOC.__dict__, "system": "Second."})
    _write(tmp_path / "greet.json", second)
    assert cli("import", str(tmp_path / "greet.json"))[0] == 0
    code, _, err = cli("export", "greet", "-f", "json", "--history", "-o", str(tmp_path / "h.json"))
    assert code == 0, err
    code, out, err = cli("import", str(tmp_path / "h.json"), "--name", "copy")
    assert code == 0, err
    assert "with 2 earlier version(s)" in out
    with Store.open() as store:
        prompt = store.get_prompt("copy")
        systems = [
            store.get_version(prompt.id, v.number).document.system
            for v in reversed(store.list_versions(prompt.id))
        ]
    # The two historical versions; the current content equals the latest, so no third.
    assert systems == ["You are {{ tone }}.", "Second."]


def test_export_prints_exactly_what_the_registry_makes(cli, tmp_path: Path) -> None:
    assert cli("import", str(_write(tmp_path / "greet.json")))[0] == 0
    code, out, err = cli("export", "greet", "--format", "json")
    assert (code, err) == (0, "")
    with Store.open() as store:
        version = store.get_version(store.get_prompt("greet").id)
    expected = registry.export_document(version.document, "json", ExportOptions())
    assert out == expected.main.text
    assert document.from_json(out) == DOC


def test_export_writes_into_a_folder_or_a_named_file(cli, tmp_path: Path) -> None:
    assert cli("import", str(_write(tmp_path / "greet.json")))[0] == 0
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _, err = cli("export", "greet", "-f", "json", "-o", str(out_dir))
    assert code == 0, err
    assert document.from_json((out_dir / "greet.json").read_text()) == DOC
    code, _, err = cli("export", "greet", "-f", "json", "-o", str(tmp_path / "named.json"))
    assert code == 0, err
    assert f"Wrote {tmp_path / 'named.json'}" in err
    assert document.from_json((tmp_path / "named.json").read_text()) == DOC


def test_export_reads_a_prompt_file_directly(cli, tmp_path: Path) -> None:
    code, out, err = cli("export", str(_write(tmp_path / "greet.json")), "-f", "json")
    assert code == 0, err
    assert document.from_json(out) == DOC
    with Store.open() as store:
        assert store.list_prompts() == []  # converting a file does not import it


def test_export_usage_errors_are_one_clear_line(cli, tmp_path: Path) -> None:
    assert cli("import", str(_write(tmp_path / "greet.json")))[0] == 0
    code, _, err = cli("export", "greet", "-f", "json", "--target", "3")
    assert code == 2
    assert "--target 3: the prompt has 2 target(s)" in err
    code, _, err = cli("export", "greet", "-f", "prompty", "--history")
    assert code == 2
    assert "--history works with --format json only" in err
    code, _, err = cli("export", "greet", "-f", "yaml")
    assert code == 2
    assert "invalid choice" in err
    code, _, err = cli("export", "nobody", "-f", "json")
    assert code == 2
    assert "nobody" in err
    assert "Traceback" not in err


def test_write_errors_say_what_to_do(cli, tmp_path: Path) -> None:
    assert cli("import", str(_write(tmp_path / "greet.json")))[0] == 0
    code, _, err = cli("export", "greet", "-f", "json", "-o", str(tmp_path / "no" / "x.json"))
    assert code == 2
    assert "the folder does not exist" in err


def test_import_refuses_name_with_several_files(cli, tmp_path: Path) -> None:
    a, b = _write(tmp_path / "a.json"), _write(tmp_path / "b.json")
    code, _, err = cli("import", str(a), str(b), "--name", "x")
    assert code == 2
    assert "--name works with one file only" in err


def test_run_takes_a_native_file(cli, tmp_path: Path) -> None:
    # Usage checks happen before anything is sent, so no server is needed here.
    code, _, err = cli("run", str(_write(tmp_path / "greet.json")), "--version", "2")
    assert code == 2
    assert "apply to library prompts, not files" in err
