"""Other processes: a writer killed at random moments, and two writers at once.

The writer is ``writer_proc.py``; it prints each write only after the commit
has returned, so every printed write must survive a SIGKILL.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from playground.core.document import content_hash, from_json
from playground.store import SCHEMA_VERSION, Store

WRITER = Path(__file__).with_name("writer_proc.py")
KILL_ROUNDS = 20


@dataclass
class Acks:
    versions: dict[int, str] = field(default_factory=dict)  # number -> hash
    runs: dict[int, int] = field(default_factory=dict)  # run id -> version number
    ready: bool = False

    def read(self, output: str) -> None:
        # A line cut short by the kill was never acknowledged.
        for line in output.splitlines(keepends=True):
            if not line.endswith("\n"):
                break
            kind, *rest = line.split()
            if kind == "ready":
                self.ready = True
            elif kind == "V":
                number, digest = int(rest[0]), rest[1]
                assert self.versions.setdefault(number, digest) == digest
            elif kind == "R":
                self.runs[int(rest[0])] = int(rest[1])


def writer(db: Path, tag: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(db), tag, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def check_library(db: Path, acks: Acks) -> int:
    """Assert the file is sound and holds every acknowledged write; return the version count."""
    with Store.open(db) as store:
        assert store.integrity_check() == "ok"
        assert store.schema_version == SCHEMA_VERSION
        if not acks.versions:
            return 0
        prompt = store.get_prompt("shared prompt")
        versions = {v.number: v.hash for v in store.list_versions(prompt.id)}
        for number, digest in acks.versions.items():
            assert versions.get(number) == digest, f"acknowledged version {number} lost"
        assert sorted(versions) == list(range(1, len(versions) + 1))
        for number in acks.versions:
            version = store.get_version(prompt.id, number)
            assert content_hash(version.document) == version.info.hash
        for run_id, number in acks.runs.items():
            assert store.get_run(run_id).version_number == number
        row = store._conn.execute("SELECT content, hash FROM versions ORDER BY id DESC").fetchone()
        assert content_hash(from_json(row[0])) == row[1]
        return len(versions)


def test_killing_a_writer_never_loses_an_acknowledged_save(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    rng = random.Random()
    acks = Acks()
    killed_while_writing = 0
    for round_number in range(KILL_ROUNDS):
        with writer(db, f"round-{round_number}") as proc:
            assert proc.stdout is not None
            if round_number < 3:
                # Anywhere from start-up through creating the schema to the first saves.
                time.sleep(rng.uniform(0.0, 0.8))
            else:
                assert proc.stdout.readline() == "ready\n"
                acks.ready = True
                time.sleep(rng.uniform(0.0, 0.15))
            proc.send_signal(signal.SIGKILL)
            output, errors = proc.communicate(timeout=30)
            assert proc.returncode == -signal.SIGKILL, errors
        before = len(acks.versions)
        acks.read(output)
        killed_while_writing += len(acks.versions) > before
        count = check_library(db, acks)
        assert count >= len(acks.versions)
    assert killed_while_writing >= KILL_ROUNDS // 2, "the writer was rarely killed mid-save"


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    # Both open the fresh file at the same moment, so they race to migrate it.
    start_at = f"{time.time() + 1.0:.3f}"
    procs = [writer(db, tag, "--start-at", start_at, "--seconds", "2") for tag in ("one", "two")]
    acks: list[Acks] = []
    for proc in procs:
        with proc:
            output, errors = proc.communicate(timeout=60)
            assert (proc.returncode, errors) == (0, "")
        acks.append(Acks())
        acks[-1].read(output)
    both = Acks()
    for ack in acks:
        assert ack.ready
        assert len(ack.versions) >= 10
        numbers = list(ack.versions)
        assert numbers == sorted(numbers)
        assert not set(numbers) & set(both.versions), "two writers got the same number"
        both.versions.update(ack.versions)
        both.runs.update(ack.runs)
    assert check_library(db, both) == len(both.versions)


def test_processes_opening_a_new_library_at_once_all_succeed(tmp_path: Path) -> None:
    # Switching a fresh file to WAL needs an exclusive lock that SQLite will
    # not wait for; each opener must still get in, and the schema be made once.
    for round_number in range(3):
        db = tmp_path / f"library-{round_number}.db"
        start_at = f"{time.time() + 0.7:.3f}"
        procs = [writer(db, f"w{i}", "--start-at", start_at, "--seconds", "0") for i in range(4)]
        for proc in procs:
            with proc:
                output, errors = proc.communicate(timeout=60)
                assert (proc.returncode, errors) == (0, "")
                assert output == "ready\n"
        with Store.open(db) as store:
            assert store.schema_version == SCHEMA_VERSION
            assert [p.name for p in store.list_prompts()] == ["shared prompt"]
