"""Saved versions of a prompt, and the labels that point at them.

Versions are immutable (triggers in the schema refuse UPDATE and DELETE) and
numbered 1..n per prompt. Saving content identical to the latest version
creates nothing. A label such as ``production`` names one version of a prompt
and can be moved to another version of the same prompt.

Writers expect to run inside ``db.write_transaction``.
"""

from __future__ import annotations

import sqlite3

from playground.core.document import PromptDocument, content_hash, from_json, to_json
from playground.core.errors import NotFoundError, PlaygroundError
from playground.store.db import utc_now
from playground.store.models import SaveResult, Version, VersionInfo
from playground.store.prompts import find_version, put_draft, require_prompt, touch_prompt
from playground.store.search import index_version

__all__ = [
    "MAX_LABEL_LENGTH",
    "check_label",
    "get_version",
    "labels",
    "list_versions",
    "remove_label",
    "save_version",
    "set_label",
    "version_by_id",
    "version_info",
]

MAX_LABEL_LENGTH = 64

_INFO_SQL = """
SELECT v.id, v.prompt_id, v.number, parent.number, v.hash, v.message, v.created
FROM versions v LEFT JOIN versions parent ON parent.id = v.parent_id
"""


def _labels_by_version(conn: sqlite3.Connection, prompt_id: int) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for version_id, name in conn.execute(
        "SELECT version_id, name FROM labels WHERE prompt_id = ? ORDER BY name", [prompt_id]
    ):
        found.setdefault(version_id, []).append(name)
    return {version_id: tuple(names) for version_id, names in found.items()}


def _info(
    row: tuple[int, int, int, int | None, str, str, str], labels: dict[int, tuple[str, ...]]
) -> VersionInfo:
    return VersionInfo(
        id=row[0],
        prompt_id=row[1],
        number=row[2],
        parent_number=row[3],
        hash=row[4],
        message=row[5],
        created=row[6],
        labels=labels.get(row[0], ()),
    )


def version_info(conn: sqlite3.Connection, version_id: int) -> VersionInfo:
    row = conn.execute(_INFO_SQL + " WHERE v.id = ?", [version_id]).fetchone()
    if row is None:
        raise NotFoundError(f"No version with id {version_id}.")
    return _info(row, _labels_by_version(conn, row[1]))


def list_versions(conn: sqlite3.Connection, prompt_id: int) -> list[VersionInfo]:
    """Every version of the prompt, newest first."""
    require_prompt(conn, prompt_id)
    labels = _labels_by_version(conn, prompt_id)
    rows = conn.execute(_INFO_SQL + " WHERE v.prompt_id = ? ORDER BY v.number DESC", [prompt_id])
    return [_info(row, labels) for row in rows]


def _version(conn: sqlite3.Connection, version_id: int) -> Version:
    info = version_info(conn, version_id)
    content = conn.execute("SELECT content FROM versions WHERE id = ?", [version_id]).fetchone()
    return Version(info=info, document=from_json(content[0]))


def get_version(
    conn: sqlite3.Connection, prompt_id: int, number: int | None, label: str | None
) -> Version:
    """Version ``number``, or the one ``label`` points at, or else the latest."""
    if number is not None and label is not None:
        raise ValueError("get_version takes a number or a label, not both")
    prompt = require_prompt(conn, prompt_id)
    if label is not None:
        row = conn.execute(
            "SELECT version_id FROM labels WHERE prompt_id = ? AND name = ?", [prompt_id, label]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"Prompt '{prompt.name}' has no label '{label}'.")
        return _version(conn, row[0])
    if number is not None:
        return _version(conn, find_version(conn, prompt, number)[0])
    row = conn.execute(
        "SELECT id FROM versions WHERE prompt_id = ? ORDER BY number DESC LIMIT 1", [prompt_id]
    ).fetchone()
    if row is None:
        raise NotFoundError(f"Prompt '{prompt.name}' has no saved versions yet.")
    return _version(conn, row[0])


def version_by_id(conn: sqlite3.Connection, version_id: int) -> Version:
    return _version(conn, version_id)


def save_version(
    conn: sqlite3.Connection, prompt_id: int, document: PromptDocument, message: str
) -> SaveResult:
    """Save ``document`` as the next version; the draft follows unless it has other edits.

    The parent is the version the draft was based on (or the latest). When
    the content is identical to the latest version, that version is returned
    with ``created=False`` and nothing new is stored.
    """
    require_prompt(conn, prompt_id)
    digest = content_hash(document)
    now = utc_now()
    latest = conn.execute(
        "SELECT id, number, hash FROM versions WHERE prompt_id = ? ORDER BY number DESC LIMIT 1",
        [prompt_id],
    ).fetchone()
    if latest is not None and latest[2] == digest:
        version_id, created = latest[0], False
    else:
        draft = conn.execute(
            "SELECT base_version_id FROM drafts WHERE prompt_id = ?", [prompt_id]
        ).fetchone()
        parent_id = draft[0] if draft is not None and draft[0] is not None else None
        if parent_id is None and latest is not None:
            parent_id = latest[0]
        cursor = conn.execute(
            """
            INSERT INTO versions (prompt_id, number, parent_id, content, hash, message, created)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                prompt_id,
                1 if latest is None else latest[1] + 1,
                parent_id,
                to_json(document),
                digest,
                message,
                now,
            ],
        )
        assert cursor.lastrowid is not None
        version_id, created = cursor.lastrowid, True
        index_version(conn, version_id, document)
    # The draft follows the saved content unless it holds other unsaved work
    # (a file saved from the CLI while the app has edits open, say): that
    # draft is kept exactly as it is.
    draft_row = conn.execute(
        """
        SELECT d.hash, v.hash, d.content FROM drafts d
        LEFT JOIN versions v ON v.id = d.base_version_id WHERE d.prompt_id = ?
        """,
        [prompt_id],
    ).fetchone()
    if (
        draft_row is None
        or draft_row[0] in (digest, draft_row[1])
        or _is_blank(from_json(draft_row[2]))
    ):
        put_draft(conn, prompt_id, document, version_id, now)
    return SaveResult(version=version_info(conn, version_id), created=created)


def _is_blank(draft: PromptDocument) -> bool:
    """A draft with nothing in it but a name (a new prompt) holds no work to keep."""
    return draft == PromptDocument(name=draft.name)


# ---------------------------------------------------------------- labels


def check_label(label: str) -> str:
    """``label`` if it is a usable label name, else :class:`PlaygroundError`."""
    if label == "draft" or label.isdecimal():
        raise PlaygroundError(
            f"'{label}' cannot be a label: it would be read as "
            + ("the draft" if label == "draft" else "a version number")
            + "; pick a name such as 'production'."
        )
    if (
        not label
        or len(label) > MAX_LABEL_LENGTH
        or any(ch.isspace() or not ch.isprintable() for ch in label)
    ):
        raise PlaygroundError(
            f"'{label}' cannot be a label: use 1 to {MAX_LABEL_LENGTH} characters with no "
            "spaces, such as 'production'."
        )
    return label


def set_label(conn: sqlite3.Connection, prompt_id: int, label: str, number: int) -> None:
    """Point ``label`` at version ``number``, creating the label or moving it."""
    check_label(label)
    prompt = require_prompt(conn, prompt_id)
    version_id = find_version(conn, prompt, number)[0]
    now = utc_now()
    conn.execute(
        """
        INSERT INTO labels (prompt_id, name, version_id, updated) VALUES (?, ?, ?, ?)
        ON CONFLICT (prompt_id, name) DO UPDATE SET
            version_id = excluded.version_id, updated = excluded.updated
        """,
        [prompt_id, label, version_id, now],
    )
    touch_prompt(conn, prompt_id, now)


def remove_label(conn: sqlite3.Connection, prompt_id: int, label: str) -> None:
    prompt = require_prompt(conn, prompt_id)
    cursor = conn.execute("DELETE FROM labels WHERE prompt_id = ? AND name = ?", [prompt_id, label])
    if cursor.rowcount == 0:
        raise NotFoundError(f"Prompt '{prompt.name}' has no label '{label}'.")
    touch_prompt(conn, prompt_id, utc_now())


def labels(conn: sqlite3.Connection, prompt_id: int) -> dict[str, int]:
    """Label name -> version number, for one prompt."""
    require_prompt(conn, prompt_id)
    return dict(
        conn.execute(
            "SELECT l.name, v.number FROM labels l JOIN versions v ON v.id = l.version_id "
            "WHERE l.prompt_id = ? ORDER BY l.name",
            [prompt_id],
        ).fetchall()
    )
