"""playground.exchange without Qt: importing files into the library, folder statuses, writing.

Files are native JSON (the one importer every checkout has); a .prompty file
is used as well when that format's module is present.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from playground import exchange
from playground.core.document import Message, PromptDocument, Variable
from playground.export import native, registry
from playground.export.base import ExportOptions, FormatError, HistoryEntry, ImportResult
from playground.store import Store


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as s:
        yield s


def doc(name: str = "Greeter", text: str = "Hello {{ name }}") -> PromptDocument:
    return PromptDocument(
        name,
        system="Be brief.",
        messages=(Message("user", text),),
        variables=(Variable("name", "Ada"),),
    )


def write_native(path: Path, document: PromptDocument, **options: object) -> Path:
    result = native.export(document, ExportOptions(**options))  # type: ignore[arg-type]
    path.write_text(result.main.text, encoding="utf-8")
    return path


def imported(path: Path) -> ImportResult:
    [result] = registry.import_path(path)
    return result


HAS_PROMPTFOO = (Path(registry.__file__).parent / "promptfoo.py").is_file()


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# ---------------------------------------------------------------- import_into_store


def test_import_creates_a_prompt_with_one_version(store: Store, tmp_path: Path) -> None:
    outcome = exchange.import_into_store(store, imported(write_native(tmp_path / "g.json", doc())))
    assert (outcome.created, outcome.saved, outcome.version, outcome.history) == (
        True,
        True,
        1,
        0,
    )
    info = store.get_prompt("Greeter")
    assert info.id == outcome.prompt_id
    assert store.get_version(info.id).document == doc()
    assert store.list_versions(info.id)[0].message == "Imported from g.json"
    draft = store.get_draft(info.id)
    assert draft is not None
    assert draft.base_version == 1
    assert not draft.dirty


def test_import_of_a_changed_file_saves_the_next_version(store: Store, tmp_path: Path) -> None:
    prompt_id = store.create_prompt("Greeter", doc()).id
    store.save_version(prompt_id, doc(), "first")
    store.save_version(prompt_id, doc(text="Hi {{ name }}"), "second")
    outcome = exchange.import_into_store(
        store, imported(write_native(tmp_path / "g.json", doc(text="Hey {{ name }}")))
    )
    assert (outcome.created, outcome.saved, outcome.version) == (False, True, 3)
    assert outcome.prompt_id == prompt_id
    assert store.get_version(prompt_id).document.messages[0].content == "Hey {{ name }}"
    draft = store.get_draft(prompt_id)
    assert draft is not None
    assert draft.base_version == 3


def test_import_of_an_identical_file_is_unchanged(store: Store, tmp_path: Path) -> None:
    prompt_id = store.create_prompt("Greeter", doc()).id
    store.save_version(prompt_id, doc(), "first")
    outcome = exchange.import_into_store(store, imported(write_native(tmp_path / "g.json", doc())))
    assert (outcome.created, outcome.saved, outcome.version) == (False, False, 1)
    assert len(store.list_versions(prompt_id)) == 1


def test_import_keeps_a_dirty_draft(store: Store, tmp_path: Path) -> None:
    prompt_id = store.create_prompt("Greeter", doc()).id
    store.save_version(prompt_id, doc(), "first")
    edits = doc(text="My unsaved edits {{ name }}")
    store.save_draft(prompt_id, edits)
    outcome = exchange.import_into_store(
        store, imported(write_native(tmp_path / "g.json", doc(text="From the file")))
    )
    assert outcome.saved
    assert outcome.version == 2
    draft = store.get_draft(prompt_id)
    assert draft is not None
    assert draft.document == edits
    assert draft.base_version == 1
    assert draft.dirty


def test_a_draft_that_only_declares_its_variables_follows_the_import(
    store: Store, tmp_path: Path
) -> None:
    # What the app's editor writes for a file that did not declare its variables.
    bare = replace(doc(), variables=())
    prompt_id = store.create_prompt("Greeter", bare).id
    store.save_version(prompt_id, bare, "first")
    store.save_draft(prompt_id, replace(bare, variables=(Variable("name"),)))
    assert not exchange.draft_holds_work(store, prompt_id)
    exchange.import_into_store(
        store, imported(write_native(tmp_path / "g.json", doc(text="New {{ name }}")))
    )
    draft = store.get_draft(prompt_id)
    assert draft is not None
    assert draft.base_version == 2
    assert draft.document.messages[0].content == "New {{ name }}"


def test_draft_holds_work(store: Store) -> None:
    prompt_id = store.create_prompt("Greeter").id
    assert not exchange.draft_holds_work(store, prompt_id)  # a blank new prompt
    store.save_draft(prompt_id, doc())
    assert exchange.draft_holds_work(store, prompt_id)  # never saved as a version
    store.save_version(prompt_id, doc(), "first")
    assert not exchange.draft_holds_work(store, prompt_id)
    store.save_draft(prompt_id, replace(doc(), variables=(Variable("name", "Bo"),)))
    assert exchange.draft_holds_work(store, prompt_id)  # a changed sample is an edit
    store.save_draft(prompt_id, doc(text="Hi {{ name"))  # a template that does not parse
    assert exchange.draft_holds_work(store, prompt_id)


def test_import_with_history_saves_it_oldest_first(store: Store, tmp_path: Path) -> None:
    history = (
        HistoryEntry(1, doc(text="one"), "first", "2025-01-02T03:04:05Z", ("staging",)),
        HistoryEntry(2, doc(text="two"), "second", "", ()),
    )
    path = write_native(tmp_path / "g.json", doc(text="three"), history=history)
    outcome = exchange.import_into_store(store, imported(path))
    assert outcome.created
    assert outcome.history == 2
    assert outcome.version == 3
    versions = list(reversed(store.list_versions(outcome.prompt_id)))
    texts = [
        store.get_version(outcome.prompt_id, v.number).document.messages[0].content
        for v in versions
    ]
    assert texts == ["one", "two", "three"]
    assert versions[0].message == "v1 of the imported file, saved 2025-01-02 03:04: first"
    assert store.labels(outcome.prompt_id) == {"staging": 1}


def test_import_name_override_and_blank_name(store: Store, tmp_path: Path) -> None:
    result = imported(write_native(tmp_path / "g.json", doc()))
    renamed = exchange.import_into_store(store, result, name="Other", message="from CI")
    assert store.get_prompt(renamed.prompt_id).name == "Other"
    assert store.list_versions(renamed.prompt_id)[0].message == "from CI"
    blank = exchange.import_into_store(store, replace(result, document=replace(doc(), name=" ")))
    assert blank.name == "Imported prompt"


# ---------------------------------------------------------------- scan_folder


def test_scan_folder_statuses(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    (folder / "nested").mkdir(parents=True)
    write_native(folder / "new.json", doc("Brand new"))
    write_native(folder / "same.json", doc("Same one"))
    write_native(folder / "nested" / "differs.json", doc("Changed", text="file text"))
    (folder / "broken.json").write_text('{\n  "name": "Broken",\n  "messages": [1]\n}\n')
    (folder / "notes.txt").write_text("not a prompt")
    (folder / ".git").mkdir()
    write_native(folder / ".git" / "hidden.json", doc("Hidden"))
    same = store.create_prompt("Same one", doc("Same one")).id
    store.save_version(same, doc("Same one"), "v1")
    changed = store.create_prompt("Changed", doc("Changed")).id
    store.save_version(changed, doc("Changed", text="library text"), "v1")
    store.save_version(changed, doc("Changed", text="library text 2"), "v2")

    entries = {e.path.name: e for e in exchange.scan_folder(store, folder)}
    assert sorted(entries) == ["broken.json", "differs.json", "new.json", "same.json"]
    assert entries["new.json"].status == "new"
    assert entries["new.json"].prompt_id is None
    assert entries["same.json"].status == "same"
    assert (entries["same.json"].prompt_id, entries["same.json"].version) == (same, 1)
    differs = entries["differs.json"]
    assert (differs.status, differs.prompt_id, differs.version) == ("differs", changed, 2)
    assert differs.document is not None
    assert differs.document.messages[0].content == "file text"
    broken = entries["broken.json"]
    assert broken.status == "error"
    assert broken.document is None
    assert f"{folder / 'broken.json'}:3:" in broken.message
    assert broken.name == "broken.json"


def test_scan_folder_rejects_a_file_and_a_missing_folder(store: Store, tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="is not a folder"):
        exchange.scan_folder(store, tmp_path / "missing")
    with pytest.raises(FormatError, match="is not a folder"):
        exchange.scan_folder(store, write_native(tmp_path / "a.json", doc()))


def test_scan_folder_reports_unreadable_files(store: Store, tmp_path: Path) -> None:
    (tmp_path / "binary.json").write_bytes(b'{"name": "x"\x00}')
    (tmp_path / "latin.json").write_bytes('{"name": "caf\xe9"}'.encode("latin-1"))
    entries = {e.path.name: e for e in exchange.scan_folder(store, tmp_path)}
    assert entries["binary.json"].status == "error"
    assert "binary" in entries["binary.json"].message
    assert entries["latin.json"].status == "error"
    assert entries["latin.json"].message.endswith("latin.json:1: is not UTF-8 text")


def test_scan_folder_refuses_a_huge_file_unread(store: Store, tmp_path: Path) -> None:
    from playground.export.base import MAX_IMPORT_BYTES

    (tmp_path / "huge.json").write_text(" " * (MAX_IMPORT_BYTES + 1))
    [entry] = exchange.scan_folder(store, tmp_path)
    assert entry.status == "error"
    assert "limited to" in entry.message


def test_scan_folder_skips_yaml_that_is_not_a_prompt(store: Store, tmp_path: Path) -> None:
    (tmp_path / "ci.yml").write_text("on: push\njobs: {}\n")
    assert exchange.scan_folder(store, tmp_path) == []


@pytest.mark.skipif(not HAS_PROMPTFOO, reason="the promptfoo format is not in this checkout yet")
def test_scan_folder_shows_a_broken_promptfoo_config(store: Store, tmp_path: Path) -> None:
    (tmp_path / "promptfooconfig.yaml").write_text("prompts: [\n  - : :\n")
    (tmp_path / "workflow.yml").write_text("prompts: [\n  - : :\n")  # not a config: skipped
    [entry] = exchange.scan_folder(store, tmp_path)
    assert entry.path.name == "promptfooconfig.yaml"
    assert entry.status == "error"
    assert "promptfooconfig.yaml:" in entry.message


def test_scan_folder_stops_at_the_limit(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exchange, "MAX_FOLDER_FILES", 3)
    for i in range(5):
        write_native(tmp_path / f"p{i}.json", doc(f"P{i}"))
    assert [e.name for e in exchange.scan_folder(store, tmp_path)] == ["P0", "P1", "P2"]


def test_scan_after_import_is_same(store: Store, tmp_path: Path) -> None:
    path = write_native(tmp_path / "g.json", doc())
    [entry] = exchange.scan_folder(store, tmp_path)
    assert entry.status == "new"
    exchange.import_into_store(store, imported(path))
    [entry] = exchange.scan_folder(store, tmp_path)
    assert entry.status == "same"


def test_matches_file_compares_what_the_format_holds(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    assert exchange.matches_file(doc(), doc(), "json", path)
    assert not exchange.matches_file(doc(), doc(text="other"), "json", path)
    # A format that cannot be read back never matches.
    assert not exchange.matches_file(doc(), doc(), "no-such-format", path)


@pytest.mark.skipif(
    not (Path(registry.__file__).parent / "prompty.py").is_file(),
    reason="the .prompty format is not in this checkout yet",
)
def test_prompty_file_in_a_folder(store: Store, tmp_path: Path) -> None:
    result = registry.export_document(doc(), "prompty", ExportOptions(stem="greeter"))
    path = exchange.write_export(result, tmp_path / "greeter.prompty")[0]
    [entry] = exchange.scan_folder(store, tmp_path)
    assert (entry.status, entry.format_id, entry.name) == ("new", "prompty", "Greeter")
    exchange.import_into_store(store, imported(path))
    [entry] = exchange.scan_folder(store, tmp_path)
    assert entry.status == "same"


# ---------------------------------------------------------------- writing


def test_write_back_makes_the_file_same(store: Store, tmp_path: Path) -> None:
    path = write_native(tmp_path / "g.json", doc(text="old"))
    prompt_id = store.create_prompt("Greeter", doc()).id
    store.save_version(prompt_id, doc(text="new"), "v1")
    [entry] = exchange.scan_folder(store, tmp_path)
    assert entry.status == "differs"
    library_doc = store.get_version(prompt_id).document
    fmt = registry.get_format(entry.format_id)
    written = exchange.write_export(
        fmt.export(library_doc, exchange.export_options(store, stem=path.stem)), path
    )
    assert written == [path]
    assert json.loads(path.read_text())["messages"][0]["content"] == "new"
    [entry] = exchange.scan_folder(store, tmp_path)
    assert entry.status == "same"
    assert [p.name for p in tmp_path.iterdir()] == ["g.json"]  # no temp file left behind


def test_write_export_writes_every_file_beside_the_main_one(tmp_path: Path) -> None:
    from playground.export.base import ExportFile, ExportResult

    result = ExportResult(
        (ExportFile("config.yaml", "a: 1\n", "yaml"), ExportFile("chat.json", "[]\n", "json"))
    )
    written = exchange.write_export(result, tmp_path / "promptfooconfig.yaml")
    assert written == [tmp_path / "promptfooconfig.yaml", tmp_path / "chat.json"]
    assert (tmp_path / "promptfooconfig.yaml").read_text() == "a: 1\n"
    assert (tmp_path / "chat.json").read_text() == "[]\n"


@pytest.mark.skipif(running_as_root(), reason="root can write into a read-only folder")
def test_write_into_a_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    target = write_native(folder / "g.json", doc(text="kept"))
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(exchange.WriteError, match="the folder is not writable"):
            exchange.write_export(native.export(doc(), ExportOptions()), target)
    finally:
        folder.chmod(stat.S_IRWXU)
    assert "kept" in target.read_text()
    assert [p.name for p in folder.iterdir()] == ["g.json"]


def test_write_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(exchange.WriteError, match="the folder does not exist"):
        exchange.write_export(native.export(doc(), ExportOptions()), tmp_path / "no" / "g.json")


def test_write_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("a file, not a folder")
    with pytest.raises(exchange.WriteError, match=r"plain/g.json: cannot be written \(") as caught:
        exchange.write_export(native.export(doc(), ExportOptions()), tmp_path / "plain" / "g.json")
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EACCES, "the folder is not writable"),
        (errno.EROFS, "the folder is not writable"),
    ],
)
def test_write_errors_name_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    # Root ignores permissions, and a full disk cannot be made on demand: the
    # failure is injected where the file's bytes are written.
    target = write_native(tmp_path / "g.json", doc(text="kept"))
    monkeypatch.setattr(exchange.os, "fdopen", _failing_fdopen(code))
    with pytest.raises(exchange.WriteError, match=words):
        exchange.write_export(native.export(doc(), ExportOptions()), target)
    monkeypatch.undo()
    assert "kept" in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["g.json"]  # the temp file is removed


def _failing_fdopen(code: int) -> object:
    def fdopen(fd: int, *args: object, **kwargs: object) -> object:
        os.close(fd)
        raise OSError(code, os.strerror(code))

    return fdopen


def test_history_entries_and_export_options(store: Store) -> None:
    prompt_id = store.create_prompt("Greeter", doc()).id
    store.save_version(prompt_id, doc(text="one"), "first")
    store.save_version(prompt_id, doc(text="two"), "second")
    store.set_label(prompt_id, "production", 1)
    entries = exchange.history_entries(store, prompt_id)
    assert [(e.number, e.message, e.labels) for e in entries] == [
        (1, "first", ("production",)),
        (2, "second", ()),
    ]
    options = exchange.export_options(store, stem="x")
    assert options.stem == "x"
    assert "openai" in options.providers


def test_history_is_counted_by_versions_saved_and_skipped_with_a_warning_for_a_known_name(
    tmp_path: Path,
) -> None:
    from playground.export.base import HistoryEntry, ImportResult

    doc = PromptDocument(name="h", system="same")
    result = ImportResult(
        document=doc,
        source="h.json",
        history=(HistoryEntry(1, doc, "a"), HistoryEntry(2, doc, "b", labels=("prod",))),
    )
    with Store.open() as store:
        first = exchange.import_into_store(store, result)
        assert (first.created, first.history) == (True, 1)  # two identical entries: one version
        assert store.labels(first.prompt_id) == {"prod": 1}
        again = exchange.import_into_store(store, result)
    assert again.history == 0
    assert any("history (2 versions) was not imported" in w for w in again.warnings)
