"""Controllers against a real store (and the loopback server for runs)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.core.document import Message, Parameters, PromptDocument, Target
from playground.core.errors import ConflictError, MissingVariablesError, PlaygroundError
from playground.core.events import TextDelta
from playground.core.provider_config import ProviderConfig
from playground.core.runner import Completed, Started
from playground.keystore import KeyStore
from playground.store import Store
from playground.ui.controllers.drafts import AUTOSAVE_MS, DraftController
from playground.ui.controllers.library import LibraryController
from playground.ui.controllers.runs import RunController, result_from_run
from playground.ui.controllers.session import SessionMarker
from tests.fakes.llm_server import FakeLLMServer
from tests.ui.conftest import wait_until


def serve_locally(store: Store, server: FakeLLMServer) -> None:
    """A keyless OpenAI-compatible provider called "fake", pointing at the loopback server."""
    store.save_provider_config(
        ProviderConfig(
            "fake", "openai-compatible", base_url=server.openai_base_url, key_required=False
        )
    )


def record_texts_and_results(runs: RunController) -> tuple[list[str], list[object]]:
    """Every text delta and every finished result the controller hands the panes."""
    texts: list[str] = []
    results: list[object] = []

    def on_update(_pane: str, event: object) -> None:
        if isinstance(event, TextDelta):
            texts.append(event.text)
        if isinstance(event, Completed):
            results.append(event.result)

    runs.update.connect(on_update)
    return texts, results


def doc(system: str = "Be brief.", user: str = "Hi {{ who }}") -> PromptDocument:
    return PromptDocument("greet", system=system, messages=(Message("user", user),))


# ---------------------------------------------------------------- library


def test_library_lists_searches_and_names(store: Store) -> None:
    lib = LibraryController(store)
    a = lib.create("alpha", PromptDocument("alpha", system="Talk like a pirate."))
    store.save_version(a, PromptDocument("alpha", system="Talk like a pirate."))
    b = lib.create("beta")
    assert [r.name for r in lib.prompts()] == ["alpha", "beta"]
    assert lib.unused_name("alpha") == "alpha 2"
    assert lib.unused_name() == "Untitled prompt"
    hits = lib.search("pirate")
    assert [(h.prompt_id, h.where) for h in hits] == [(a, "v1")]
    assert [h.prompt_id for h in lib.search("bet")] == [b]  # by name: drafts are not indexed
    lib.set_archived(b, True)
    assert [r.name for r in lib.prompts()] == ["alpha"]
    assert [r.archived for r in lib.prompts(include_archived=True)] == [False, True]
    assert lib.rename(a, "gamma") == "gamma"
    copy = lib.working_copy(a)
    # The name is part of the content: the rename is an edit the next version records.
    assert (copy.name, copy.document.name, copy.base_version, copy.dirty) == (
        "gamma",
        "gamma",
        1,
        True,
    )


# ---------------------------------------------------------------- drafts


def test_autosave_is_debounced_but_never_later_than_the_interval(qtbot, store: Store) -> None:
    prompt = store.create_prompt("greet", doc())
    drafts = DraftController(store)
    drafts.open(prompt.id, "greet", doc(), None)
    started = time.monotonic()
    # Keep typing for longer than the interval: the draft must still be written.
    for i in range(30):
        drafts.edit(doc(user=f"Hi {i}"))
        qtbot.wait(AUTOSAVE_MS // 15)
        draft = store.get_draft(prompt.id)
        assert draft is not None
        if draft.document != doc():
            break
    elapsed_ms = (time.monotonic() - started) * 1000
    assert store.get_draft(prompt.id).document != doc()  # type: ignore[union-attr]
    assert elapsed_ms < AUTOSAVE_MS + 500
    assert AUTOSAVE_MS <= 2000
    drafts.edit(doc(user="final"))
    assert drafts.has_pending
    assert drafts.flush()
    assert store.get_draft(prompt.id).document == doc(user="final")  # type: ignore[union-attr]
    assert not drafts.has_pending
    assert not drafts.autosave_active


def test_unsaved_state_follows_versions_and_restore_keeps_unsaved_work(qtbot, store: Store) -> None:
    prompt = store.create_prompt("greet", doc())
    drafts = DraftController(store)
    states: list[tuple[str, bool]] = []
    drafts.state_changed.connect(lambda name, unsaved: states.append((name, unsaved)))
    drafts.open(prompt.id, "greet", doc(), None)
    assert states[-1] == ("greet", True)  # nothing saved as a version yet
    v1 = drafts.save_version(doc(), "first")
    assert (v1.version.number, v1.created, states[-1]) == (1, True, ("greet", False))
    drafts.edit(doc(system="Be very brief."))
    assert states[-1] == ("greet", True)
    drafts.edit(doc())  # typed back to the saved text
    assert states[-1] == ("greet", False)
    drafts.edit(doc(system="Changed."))
    drafts.save_version(doc(system="Changed."), "second")
    drafts.edit(doc(system="Unsaved work."))
    with pytest.raises(ConflictError):
        drafts.restore(1)
    # The refused restore kept the work in the store.
    assert store.get_draft(prompt.id).document == doc(system="Unsaved work.")  # type: ignore[union-attr]
    restored = drafts.restore(1, discard_unsaved=True)
    assert restored == doc()
    assert drafts.base_version == 1
    assert states[-1] == ("greet", False)
    assert [v.message for v in drafts.versions()] == ["second", "first"]


def test_a_failed_autosave_keeps_the_edit_and_says_why(qtbot, store: Store, tmp_path: Path) -> None:
    prompt = store.create_prompt("greet", doc())
    drafts = DraftController(store)
    drafts.open(prompt.id, "greet", doc(), None)
    failures: list[str] = []
    drafts.save_failed.connect(failures.append)
    drafts.edit(doc(user="precious"))
    store._conn.execute("PRAGMA query_only = ON")  # writes now fail as on a read-only disk
    assert not drafts.flush()
    assert failures
    assert "Could not autosave" in failures[0]
    assert drafts.has_pending  # still in memory, written with the next flush
    store._conn.execute("PRAGMA query_only = OFF")
    assert drafts.flush()
    assert store.get_draft(prompt.id).document == doc(user="precious")  # type: ignore[union-attr]


# ---------------------------------------------------------------- session marker


def test_session_marker_tells_a_crash_from_a_clean_exit(tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    first = SessionMarker(folder)
    assert first.begin() is False
    first.end()
    second = SessionMarker(folder)
    assert second.begin() is False  # clean exit: no crash
    second.end()
    # A marker left by a process that is gone is a crash.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    (folder / dead.stdout.strip()).write_text("{}")
    third = SessionMarker(folder)
    assert third.begin() is True
    third.end()
    # A live instance's marker is not a crash (our parent process is alive).
    (folder / str(os.getppid())).write_text("{}")
    assert SessionMarker(folder).begin() is False
    assert (folder / str(os.getppid())).exists()


# ---------------------------------------------------------------- runs


def test_runs_stream_into_panes_and_are_logged(
    qtbot, aio, store: Store, server: FakeLLMServer
) -> None:
    server.script("m-ok", text="Hello there, Ada.", chunk_delay=0.005)
    server.script("m-bad", fault="server_error")
    serve_locally(store, server)
    prompt = store.create_prompt("greet", doc())
    store.save_version(prompt.id, doc())
    runs = RunController(store, KeyStore())
    updates: list[tuple[str, object]] = []
    runs.update.connect(lambda pane, event: updates.append((pane, event)))
    busy: list[bool] = []
    runs.busy_changed.connect(busy.append)

    async def scenario() -> None:
        runs.start(
            prompt.id,
            doc(),
            {"who": "Ada"},
            [
                ("7", Target("fake", "m-ok", Parameters(temperature=0.0))),
                ("9", Target("fake", "m-bad")),
            ],
        )
        assert runs.running_panes() == {"7", "9"}
        await runs.wait_idle()

    aio(scenario())
    assert busy == [True, False]
    by_pane = {p: [e for q, e in updates if q == p] for p in ("7", "9")}
    assert isinstance(by_pane["7"][0], Started)
    assert "".join(e.text for e in by_pane["7"] if isinstance(e, TextDelta)) == "Hello there, Ada."
    done = {p: es[-1].result for p, es in by_pane.items() if isinstance(es[-1], Completed)}
    assert done["7"].status == "ok"
    assert done["9"].status == "error"
    assert "server" in (done["9"].error or "").lower()
    logged = store.list_runs(prompt.id)
    assert sorted(r.record.model for r in logged) == ["m-bad", "m-ok"]
    assert all(r.version_number == 1 for r in logged)  # the saved content ran
    ok = next(r for r in logged if r.record.model == "m-ok")
    shown = result_from_run(ok)
    assert (shown.output, shown.status, shown.target.parameters.temperature) == (
        "Hello there, Ada.",
        "ok",
        0.0,
    )
    assert shown.output_tokens == done["7"].output_tokens


def test_a_template_that_cannot_render_starts_nothing(qtbot, store: Store) -> None:
    prompt = store.create_prompt("greet", doc())
    runs = RunController(store, KeyStore())
    with pytest.raises(MissingVariablesError):
        runs.start(prompt.id, doc(), {}, [("1", Target("ollama", "llama3"))])
    assert not runs.busy
    assert store.list_runs(prompt.id) == []


def test_restarting_a_pane_drops_the_old_runs_late_events(
    qtbot, aio, store: Store, server: FakeLLMServer
) -> None:
    server.script("slow", text="old " * 40, chunk_delay=0.02)
    server.script("fast", text="new answer")
    serve_locally(store, server)
    prompt = store.create_prompt("greet", doc())
    runs = RunController(store, KeyStore())
    texts, completed = record_texts_and_results(runs)

    async def scenario() -> None:
        runs.start(prompt.id, doc(), {"who": "x"}, [("1", Target("fake", "slow"))])
        await wait_until(lambda: texts, what="the slow run to stream")
        texts.clear()
        runs.start(prompt.id, doc(), {"who": "x"}, [("1", Target("fake", "fast"))])
        await runs.wait_idle()

    aio(scenario())
    assert "".join(texts) == "new answer"
    assert [r.output for r in completed] == ["new answer"]  # type: ignore[attr-defined]
    statuses = sorted(r.record.status for r in store.list_runs(prompt.id))
    assert statuses == ["cancelled", "ok"]  # the stopped run is still logged


def test_an_unknown_provider_fails_only_its_pane(
    qtbot, aio, store: Store, server: FakeLLMServer
) -> None:
    server.script("m", text="fine")
    serve_locally(store, server)
    prompt = store.create_prompt("greet", doc())
    runs = RunController(store, KeyStore())
    done: dict[str, object] = {}
    runs.update.connect(
        lambda pane, event: (
            done.__setitem__(pane, event.result) if isinstance(event, Completed) else None
        )
    )

    async def scenario() -> None:
        runs.start(
            prompt.id,
            doc(),
            {"who": "x"},
            [("1", Target("gone", "m")), ("2", Target("fake", "m"))],
        )
        await runs.wait_idle()

    aio(scenario())
    assert done["1"].status == "error"  # type: ignore[attr-defined]
    assert "gone" in done["1"].error  # type: ignore[attr-defined]
    assert done["2"].output == "fine"  # type: ignore[attr-defined]
    assert not runs.busy


def test_stop_pressed_at_once_stops_the_run(
    qtbot, aio, store: Store, server: FakeLLMServer
) -> None:
    server.script("slow", text="word " * 200, chunk_delay=0.01)
    serve_locally(store, server)
    prompt = store.create_prompt("greet", doc())
    runs = RunController(store, KeyStore())
    done: list[object] = []
    runs.update.connect(
        lambda pane, event: done.append(event.result) if isinstance(event, Completed) else None
    )

    async def scenario() -> None:
        runs.start(prompt.id, doc(), {"who": "x"}, [("1", Target("fake", "slow"))])
        runs.stop()  # before the task has even started
        await runs.wait_idle()

    aio(scenario())
    assert [r.status for r in done] == ["cancelled"]  # type: ignore[attr-defined]
    assert not runs.busy


def test_an_unwritable_draft_is_never_replaced(qtbot, store: Store) -> None:
    a = store.create_prompt("a", doc())
    b = store.create_prompt("b", doc(system="other"))
    store.save_version(a.id, doc())
    drafts = DraftController(store)
    drafts.open(a.id, "a", doc(), 1)
    drafts.edit(doc(user="precious"))
    store._conn.execute("PRAGMA query_only = ON")
    with pytest.raises(PlaygroundError, match="stays open"):
        drafts.open(b.id, "b", doc(system="other"), None)
    with pytest.raises(PlaygroundError, match="stays open"):
        drafts.restore(1, discard_unsaved=True)
    assert drafts.prompt_id == a.id
    assert drafts.has_pending
    store._conn.execute("PRAGMA query_only = OFF")
    assert drafts.flush()
    assert store.get_draft(a.id).document == doc(user="precious")  # type: ignore[union-attr]


def test_a_prompt_saved_without_declared_variables_is_not_unsaved_when_opened(
    qtbot, store: Store
) -> None:
    raw = doc()  # uses {{ who }} but declares no variables, as the CLI may save it
    prompt = store.create_prompt("greet", raw)
    store.save_version(prompt.id, raw)
    drafts = DraftController(store)
    states: list[bool] = []
    drafts.state_changed.connect(lambda _name, unsaved: states.append(unsaved))
    drafts.open(prompt.id, "greet", raw, 1)
    from dataclasses import replace

    from playground.core.templates import sync_variables

    as_editor_keeps_it = replace(raw, variables=sync_variables(raw))
    assert as_editor_keeps_it != raw
    drafts.edit(as_editor_keeps_it)
    assert states == [False]
    assert not drafts.unsaved()
    drafts.edit(replace(as_editor_keeps_it, system="changed"))
    assert states == [False, True]


def test_a_burst_of_deltas_reaches_the_pane_joined(
    qtbot, aio, store: Store, server: FakeLLMServer
) -> None:
    text = "".join(f"w{i} " for i in range(400))
    server.script("burst", text=text)  # one chunk per token, no delay: a burst
    serve_locally(store, server)
    prompt = store.create_prompt("greet", doc())
    runs = RunController(store, KeyStore())
    deltas: list[str] = []
    runs.update.connect(
        lambda _pane, event: deltas.append(event.text) if isinstance(event, TextDelta) else None
    )

    async def scenario() -> None:
        runs.start(prompt.id, doc(), {"who": "x"}, [("1", Target("fake", "burst"))])
        await runs.wait_idle()

    aio(scenario())
    assert "".join(deltas) == text
    assert len(deltas) < 200  # joined: far fewer signals than the 400+ chunks sent


def test_a_run_process_that_dies_fails_its_panes_and_the_next_run_works(
    qtbot, aio, store: Store, server: FakeLLMServer
) -> None:
    import signal

    server.script("slow", text="word " * 400, chunk_delay=0.01)
    server.script("m", text="fine again")
    serve_locally(store, server)
    prompt = store.create_prompt("greet", doc())
    runs = RunController(store, KeyStore())
    texts, done = record_texts_and_results(runs)

    async def scenario() -> None:
        runs.start(prompt.id, doc(), {"who": "x"}, [("1", Target("fake", "slow"))])
        await wait_until(lambda: texts, what="the slow run to stream")
        assert runs._host._proc is not None
        os.kill(runs._host._proc.pid, signal.SIGKILL)
        await runs.wait_idle()
        assert not runs.busy
        runs.start(prompt.id, doc(), {"who": "x"}, [("1", Target("fake", "m"))])
        await runs.wait_idle()

    try:
        aio(scenario())
    finally:
        runs.close()
    first, second = done
    assert first.status == "error"  # type: ignore[attr-defined]
    assert "stopped unexpectedly" in first.error  # type: ignore[attr-defined]
    assert second.output == "fine again"  # type: ignore[attr-defined]
