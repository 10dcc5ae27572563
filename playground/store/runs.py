"""Recorded runs: what was sent to which model, what came back, and what it cost.

A run belongs to a prompt and, when a saved version was run, to that version
(``version_id`` is ``None`` for a run of the draft). Triggers index its output
for search in the same transaction as the row (see ``migrations.py``).

Writers expect to run inside ``db.write_transaction``.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from playground.core.errors import ConflictError, NotFoundError
from playground.store.db import utc_now
from playground.store.models import Run, RunRecord
from playground.store.prompts import find_version, require_prompt

__all__ = ["get_run", "list_runs", "record_run"]

# Column order of the runs table, which is also RunRecord's field order except
# that the record holds ``variables`` as a dict.
_RECORD_COLUMNS = (
    "prompt_id",
    "version_id",
    "content_hash",
    "provider",
    "model",
    "target_json",
    "request_json",
    "variables_json",
    "output",
    "finish_reason",
    "tokens_in",
    "tokens_out",
    "tokens_estimated",
    "ttft_ms",
    "total_ms",
    "cost",
    "status",
    "error",
)

_SELECT_SQL = f"""
SELECT r.id, r.created, v.number, {", ".join("r." + c for c in _RECORD_COLUMNS)}
FROM runs r LEFT JOIN versions v ON v.id = r.version_id
"""


def record_run(conn: sqlite3.Connection, run: RunRecord) -> int:
    """Store ``run`` and return its id."""
    prompt = require_prompt(conn, run.prompt_id)
    if run.version_id is not None:
        row = conn.execute(
            "SELECT p.id, p.name FROM versions v JOIN prompts p ON p.id = v.prompt_id "
            "WHERE v.id = ?",
            [run.version_id],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No version with id {run.version_id}.")
        if row[0] != prompt.id:
            raise ConflictError(
                f"Version id {run.version_id} belongs to prompt '{row[1]}', not to '{prompt.name}'."
            )
    values: dict[str, Any] = {
        column: getattr(run, column) for column in _RECORD_COLUMNS if column != "variables_json"
    }
    values["variables_json"] = json.dumps(run.variables, sort_keys=True, ensure_ascii=False)
    values["tokens_estimated"] = int(run.tokens_estimated)
    values["created"] = utc_now()
    columns = ", ".join(values)
    placeholders = ", ".join(f":{column}" for column in values)
    cursor = conn.execute(f"INSERT INTO runs ({columns}) VALUES ({placeholders})", values)
    run_id = cursor.lastrowid
    assert run_id is not None
    return run_id


def _run(row: tuple[Any, ...]) -> Run:
    run_id, created, version_number, *values = row
    fields = dict(zip(_RECORD_COLUMNS, values, strict=True))
    fields["variables"] = json.loads(fields.pop("variables_json"))
    fields["tokens_estimated"] = bool(fields["tokens_estimated"])
    return Run(
        id=run_id, created=created, record=RunRecord(**fields), version_number=version_number
    )


def get_run(conn: sqlite3.Connection, run_id: int) -> Run:
    row = conn.execute(_SELECT_SQL + " WHERE r.id = ?", [run_id]).fetchone()
    if row is None:
        raise NotFoundError(f"No run with id {run_id}.")
    return _run(row)


def list_runs(
    conn: sqlite3.Connection, prompt_id: int, *, version_number: int | None, limit: int
) -> list[Run]:
    """Runs of a prompt (or of one of its versions, draft runs of its content included),
    newest first."""
    prompt = require_prompt(conn, prompt_id)
    if version_number is None:
        rows = conn.execute(
            _SELECT_SQL + " WHERE r.prompt_id = ? ORDER BY r.id DESC LIMIT ?", [prompt_id, limit]
        )
    else:
        # A version's runs include runs of the same content made before it was
        # saved (logged as draft runs, by content hash).
        version_id, digest, _ = find_version(conn, prompt, version_number)
        rows = conn.execute(
            _SELECT_SQL + " WHERE r.version_id = ? "
            "OR (r.prompt_id = ? AND r.version_id IS NULL AND r.content_hash = ?) "
            "ORDER BY r.id DESC LIMIT ?",
            [version_id, prompt_id, digest, limit],
        )
    return [_run(row) for row in rows]
