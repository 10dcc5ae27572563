"""Prompts and their drafts: names, create/rename/duplicate/archive, autosave.

Functions here take an open ``sqlite3.Connection``. Those that write expect to
be called inside ``db.write_transaction``; :class:`playground.store.Store`
arranges that, so each public operation is one transaction.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import unicodedata
from dataclasses import dataclass
from types import EllipsisType

from playground.core.document import PromptDocument, content_hash, from_json, to_json
from playground.core.errors import ConflictError, NotFoundError, PlaygroundError
from playground.store.db import utc_now
from playground.store.models import Draft, PromptInfo

__all__ = [
    "MAX_NAME_LENGTH",
    "PromptRef",
    "clean_name",
    "create_prompt",
    "duplicate_prompt",
    "find_version",
    "get_draft",
    "get_prompt",
    "list_prompts",
    "prompt_info",
    "put_draft",
    "rename_prompt",
    "require_prompt",
    "restore_version",
    "save_draft",
    "set_archived",
    "touch_prompt",
]

MAX_NAME_LENGTH = 200
# Control characters, line and paragraph separators, lone surrogates. Format
# characters (Cf) stay allowed: emoji sequences are joined with them.
_NOT_IN_NAMES = frozenset({"Cc", "Zl", "Zp", "Cs"})


@dataclass(frozen=True)
class PromptRef:
    """A prompt's id and name, enough to write a clear message about it."""

    id: int
    name: str


# ---------------------------------------------------------------- names


def clean_name(name: str) -> str:
    """``name`` without surrounding white space, or :class:`PlaygroundError` if unusable."""
    cleaned = unicodedata.normalize("NFC", name.strip())
    if not cleaned:
        raise PlaygroundError("A prompt needs a name; it cannot be empty.")
    if any(unicodedata.category(ch) in _NOT_IN_NAMES for ch in cleaned):
        raise PlaygroundError("A prompt name cannot contain line breaks or control characters.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise PlaygroundError(f"A prompt name can be at most {MAX_NAME_LENGTH} characters long.")
    return cleaned


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name.casefold())


def _check_name_free(conn: sqlite3.Connection, name: str, except_id: int | None = None) -> None:
    row = conn.execute(
        "SELECT id, name FROM prompts WHERE name_key = ?", [_name_key(name)]
    ).fetchone()
    if row is not None and row[0] != except_id:
        raise ConflictError(f"There is already a prompt named '{row[1]}'; choose another name.")


# ---------------------------------------------------------------- lookups


def require_prompt(conn: sqlite3.Connection, prompt_id: int) -> PromptRef:
    row = conn.execute("SELECT id, name FROM prompts WHERE id = ?", [prompt_id]).fetchone()
    if row is None:
        raise NotFoundError(f"No prompt with id {prompt_id}.")
    return PromptRef(row[0], row[1])


def touch_prompt(conn: sqlite3.Connection, prompt_id: int, now: str) -> None:
    conn.execute("UPDATE prompts SET updated = ? WHERE id = ?", [now, prompt_id])


def find_version(conn: sqlite3.Connection, prompt: PromptRef, number: int) -> tuple[int, str, str]:
    """(id, hash, content) of version ``number`` of ``prompt``, or :class:`NotFoundError`."""
    row = conn.execute(
        "SELECT id, hash, content FROM versions WHERE prompt_id = ? AND number = ?",
        [prompt.id, number],
    ).fetchone()
    if row is None:
        latest = conn.execute(
            "SELECT max(number) FROM versions WHERE prompt_id = ?", [prompt.id]
        ).fetchone()[0]
        if latest is None:
            raise NotFoundError(
                f"Prompt '{prompt.name}' has no version {number}; it has no saved versions yet."
            )
        raise NotFoundError(f"Prompt '{prompt.name}' has no version {number} (latest is {latest}).")
    return row[0], row[1], row[2]


_INFO_SQL = """
SELECT p.id, p.name, p.created, p.updated, p.archived,
       (SELECT max(v.number) FROM versions v WHERE v.prompt_id = p.id),
       (SELECT count(*) FROM versions v WHERE v.prompt_id = p.id)
FROM prompts p
"""


def _labels_of(conn: sqlite3.Connection, prompt_id: int | None) -> dict[int, dict[str, int]]:
    sql = (
        "SELECT l.prompt_id, l.name, v.number FROM labels l JOIN versions v ON v.id = l.version_id"
    )
    params: list[int] = []
    if prompt_id is not None:
        sql += " WHERE l.prompt_id = ?"
        params.append(prompt_id)
    found: dict[int, dict[str, int]] = {}
    for pid, name, number in conn.execute(sql + " ORDER BY l.name", params):
        found.setdefault(pid, {})[name] = number
    return found


def _info(
    row: tuple[int, str, str, str, int, int | None, int], labels: dict[str, int]
) -> PromptInfo:
    return PromptInfo(
        id=row[0],
        name=row[1],
        created=row[2],
        updated=row[3],
        archived=bool(row[4]),
        latest_version=row[5],
        version_count=row[6],
        labels=labels,
    )


def prompt_info(conn: sqlite3.Connection, prompt_id: int) -> PromptInfo:
    row = conn.execute(_INFO_SQL + " WHERE p.id = ?", [prompt_id]).fetchone()
    if row is None:
        raise NotFoundError(f"No prompt with id {prompt_id}.")
    return _info(row, _labels_of(conn, prompt_id).get(prompt_id, {}))


def get_prompt(conn: sqlite3.Connection, name_or_id: str | int) -> PromptInfo:
    if isinstance(name_or_id, int):
        return prompt_info(conn, name_or_id)
    row = conn.execute(
        "SELECT id FROM prompts WHERE name_key = ?", [_name_key(name_or_id.strip())]
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No prompt named '{name_or_id}'.")
    return prompt_info(conn, row[0])


def list_prompts(conn: sqlite3.Connection, *, include_archived: bool) -> list[PromptInfo]:
    where = "" if include_archived else " WHERE p.archived = 0"
    labels = _labels_of(conn, None)
    return [
        _info(row, labels.get(row[0], {}))
        for row in conn.execute(_INFO_SQL + where + " ORDER BY p.name_key")
    ]


# ---------------------------------------------------------------- prompts


def _insert_prompt(conn: sqlite3.Connection, name: str, document: PromptDocument) -> int:
    _check_name_free(conn, name)
    now = utc_now()
    cursor = conn.execute(
        "INSERT INTO prompts (name, name_key, created, updated, archived) VALUES (?, ?, ?, ?, 0)",
        [name, _name_key(name), now, now],
    )
    prompt_id = cursor.lastrowid
    assert prompt_id is not None
    put_draft(conn, prompt_id, document, None, now)
    return prompt_id


def create_prompt(
    conn: sqlite3.Connection, name: str, document: PromptDocument | None
) -> PromptInfo:
    name = clean_name(name)
    prompt_id = _insert_prompt(conn, name, document or PromptDocument(name=name))
    return prompt_info(conn, prompt_id)


def rename_prompt(conn: sqlite3.Connection, prompt_id: int, new_name: str) -> PromptInfo:
    new_name = clean_name(new_name)
    require_prompt(conn, prompt_id)
    _check_name_free(conn, new_name, except_id=prompt_id)
    now = utc_now()
    conn.execute(
        "UPDATE prompts SET name = ?, name_key = ?, updated = ? WHERE id = ?",
        [new_name, _name_key(new_name), now, prompt_id],
    )
    row = conn.execute(
        "SELECT content, base_version_id FROM drafts WHERE prompt_id = ?", [prompt_id]
    ).fetchone()
    if row is not None:
        renamed = dataclasses.replace(from_json(row[0]), name=new_name)
        put_draft(conn, prompt_id, renamed, row[1], now)
    return prompt_info(conn, prompt_id)


def duplicate_prompt(conn: sqlite3.Connection, prompt_id: int, new_name: str) -> PromptInfo:
    new_name = clean_name(new_name)
    require_prompt(conn, prompt_id)
    row = conn.execute("SELECT content FROM drafts WHERE prompt_id = ?", [prompt_id]).fetchone()
    if row is None:
        row = conn.execute(
            "SELECT content FROM versions WHERE prompt_id = ? ORDER BY number DESC LIMIT 1",
            [prompt_id],
        ).fetchone()
    source = from_json(row[0]) if row is not None else PromptDocument(name=new_name)
    copy_id = _insert_prompt(conn, new_name, dataclasses.replace(source, name=new_name))
    return prompt_info(conn, copy_id)


def set_archived(conn: sqlite3.Connection, prompt_id: int, archived: bool) -> None:
    require_prompt(conn, prompt_id)
    conn.execute(
        "UPDATE prompts SET archived = ?, updated = ? WHERE id = ?",
        [int(archived), utc_now(), prompt_id],
    )


# ---------------------------------------------------------------- drafts


def put_draft(
    conn: sqlite3.Connection,
    prompt_id: int,
    document: PromptDocument,
    base_version_id: int | None,
    now: str,
) -> None:
    """Write the draft row (insert or replace) and mark the prompt updated."""
    conn.execute(
        """
        INSERT INTO drafts (prompt_id, content, hash, base_version_id, updated)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (prompt_id) DO UPDATE SET
            content = excluded.content, hash = excluded.hash,
            base_version_id = excluded.base_version_id, updated = excluded.updated
        """,
        [prompt_id, to_json(document), content_hash(document), base_version_id, now],
    )
    touch_prompt(conn, prompt_id, now)


def get_draft(conn: sqlite3.Connection, prompt_id: int) -> Draft | None:
    require_prompt(conn, prompt_id)
    row = conn.execute(
        """
        SELECT d.content, d.hash, v.number, v.hash, d.updated
        FROM drafts d LEFT JOIN versions v ON v.id = d.base_version_id
        WHERE d.prompt_id = ?
        """,
        [prompt_id],
    ).fetchone()
    if row is None:
        return None
    content, draft_hash, base_number, base_hash, updated = row
    return Draft(
        prompt_id=prompt_id,
        document=from_json(content),
        hash=draft_hash,
        base_version=base_number,
        updated=updated,
        dirty=base_hash != draft_hash,
    )


def save_draft(
    conn: sqlite3.Connection,
    prompt_id: int,
    document: PromptDocument,
    base_version: int | EllipsisType | None,
) -> Draft:
    prompt = require_prompt(conn, prompt_id)
    current = conn.execute(
        "SELECT hash, base_version_id FROM drafts WHERE prompt_id = ?", [prompt_id]
    ).fetchone()
    if isinstance(base_version, EllipsisType):
        base_id = current[1] if current is not None else None
    elif base_version is None:
        base_id = None
    else:
        base_id = find_version(conn, prompt, base_version)[0]
    # Autosave fires often; an unchanged draft is not rewritten.
    if current is None or (current[0], current[1]) != (content_hash(document), base_id):
        put_draft(conn, prompt_id, document, base_id, utc_now())
    draft = get_draft(conn, prompt_id)
    assert draft is not None
    return draft


def restore_version(
    conn: sqlite3.Connection, prompt_id: int, number: int, *, discard_unsaved: bool = False
) -> Draft:
    """Make version ``number`` the draft; no version is created or changed.

    A draft with unsaved edits is never replaced silently: that raises
    :class:`ConflictError` unless ``discard_unsaved`` says the user chose to.
    """
    prompt = require_prompt(conn, prompt_id)
    version_id, _, content = find_version(conn, prompt, number)
    current = get_draft(conn, prompt_id)
    if (
        current is not None
        and current.dirty
        and current.hash != content_hash(from_json(content))
        and not discard_unsaved
    ):
        raise ConflictError(
            f"The draft of '{prompt.name}' has unsaved changes. Save them as a version "
            f"first, or discard them to restore v{number}."
        )
    put_draft(conn, prompt_id, from_json(content), version_id, utc_now())
    draft = get_draft(conn, prompt_id)
    assert draft is not None
    return draft
