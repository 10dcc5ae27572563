"""Full-text search over version content and run outputs (SQLite FTS5).

Two FTS5 tables, keyed by rowid: ``version_search`` (rowid = version id) holds
a plain-text rendering of each version (:func:`index_version`, called in the
version's own transaction), and ``run_search`` (rowid = run id) indexes
``runs.output`` in place, kept in step by triggers. See ``migrations.py``.

User text is never passed to FTS5 as a query expression: :func:`match_query`
turns it into quoted words ANDed together, so ``AND``, ``*``, ``"`` or
``foo:bar`` are searched for as words and cannot cause a syntax error. The
last word is matched as a prefix, for search-as-you-type.

Ranking is bm25. Versions are collapsed to the newest matching version per
prompt (ranked by that version's score); runs are listed one by one. To keep
search-as-you-type fast however common a word is, only the newest
:data:`RANK_WINDOW` matching versions and runs are ranked: a word that
matches more rows than that finds recent work first.
"""

from __future__ import annotations

import sqlite3

from playground.core.document import PromptDocument
from playground.store.models import SearchHit

__all__ = ["RANK_WINDOW", "document_text", "index_version", "match_query", "search"]

#: How many of the newest matching versions (and runs) are ranked.
RANK_WINDOW = 2000
# Shortest last word matched as a prefix: a one-letter prefix matches
# thousands of terms, which is slow and useless while typing.
_MIN_PREFIX = 2
# Tokens in a snippet, around the match.
_SNIPPET_TOKENS = 12


def document_text(doc: PromptDocument) -> str:
    """The words of a document, one field per line, for the search index.

    Variable *samples* are left out: they are test data, not the prompt.
    """
    parts: list[str] = [doc.name, doc.description, " ".join(doc.tags), doc.system]
    parts.extend(m.content for m in doc.messages)
    for example in doc.examples:
        parts.extend((example.input, example.output, example.note))
    for variable in doc.variables:
        parts.extend((variable.name, variable.description))
    return "\n".join(p for p in parts if p)


def index_version(conn: sqlite3.Connection, version_id: int, doc: PromptDocument) -> None:
    conn.execute(
        "INSERT INTO version_search (rowid, body) VALUES (?, ?)", [version_id, document_text(doc)]
    )


def match_query(text: str) -> str | None:
    """A safe FTS5 query for free text, or ``None`` when there is nothing to search.

    Each white-space separated word becomes a quoted string (``"`` doubled
    inside), which FTS5 tokenizes like the indexed text, so punctuation inside
    a word splits it into a phrase: ``foo:bar`` finds "foo bar". Words with no
    letter or digit are dropped; they would tokenize to nothing.
    """
    words = [w for w in text.replace("\x00", " ").split() if any(ch.isalnum() for ch in w)]
    if not words:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    if sum(ch.isalnum() for ch in words[-1]) >= _MIN_PREFIX:
        quoted[-1] += "*"
    return " ".join(quoted)


# ORDER BY rowid DESC LIMIT is done inside FTS5 (it walks the doclists
# backwards), so bm25 is computed for at most RANK_WINDOW rows per table.
# With max(), SQLite takes the other columns of a group from its max row: the
# newest matching version of each prompt, with that version's score.
_RANK_SQL = """
WITH
version_matches AS MATERIALIZED (
    SELECT rowid AS id, rank AS score FROM version_search WHERE version_search MATCH :query
    ORDER BY rowid DESC LIMIT :window
),
run_matches AS MATERIALIZED (
    SELECT rowid AS id, rank AS score FROM run_search WHERE run_search MATCH :query
    ORDER BY rowid DESC LIMIT :window
),
hits AS (
    SELECT 'version' AS kind, max(v.id) AS ref, v.prompt_id, m.score, v.number, v.created
    FROM version_matches m JOIN versions v ON v.id = m.id
    GROUP BY v.prompt_id
    UNION ALL
    SELECT 'run', r.id, r.prompt_id, m.score, rv.number, r.created
    FROM run_matches m JOIN runs r ON r.id = m.id LEFT JOIN versions rv ON rv.id = r.version_id
)
SELECT h.kind, h.ref, h.prompt_id, p.name, h.number, h.created
FROM hits h JOIN prompts p ON p.id = h.prompt_id
WHERE :archived OR p.archived = 0
ORDER BY h.score, h.created DESC, h.ref DESC
LIMIT :limit
"""

# snippet() re-reads and re-tokenizes the text, so it is worked out only for
# the hits that are shown: one query per table, because every MATCH of a
# prefix re-merges the doclists of all the words it covers. The rowid range
# lets FTS5 visit only the matches between the oldest and newest hit.
_SNIPPET_SQL = """
SELECT rowid, snippet({table}, 0, '[', ']', '…', {tokens}) FROM {table}
WHERE {table} MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN ({ids})
"""
_TABLES = {"version": "version_search", "run": "run_search"}


def _snippets(conn: sqlite3.Connection, query: str, kind: str, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    sql = _SNIPPET_SQL.format(
        table=_TABLES[kind], tokens=_SNIPPET_TOKENS, ids=", ".join("?" * len(ids))
    )
    rows = conn.execute(sql, [query, min(ids), max(ids), *ids])
    # Fields are indexed one per line; a snippet reads better as one.
    return {rowid: " ".join(snippet.split()) for rowid, snippet in rows}


def search(
    conn: sqlite3.Connection, text: str, *, limit: int, include_archived: bool
) -> list[SearchHit]:
    query = match_query(text)
    if query is None or limit <= 0:
        return []
    params = {
        "query": query,
        "window": RANK_WINDOW,
        "archived": int(include_archived),
        "limit": limit,
    }
    rows = conn.execute(_RANK_SQL, params).fetchall()
    snippets = {
        kind: _snippets(conn, query, kind, [row[1] for row in rows if row[0] == kind])
        for kind in _TABLES
    }
    return [
        SearchHit(
            kind=kind,
            prompt_id=prompt_id,
            prompt_name=prompt_name,
            version_number=number,
            run_id=ref if kind == "run" else None,
            snippet=snippets[kind][ref],
            created=created,
        )
        for kind, ref, prompt_id, prompt_name, number, created in rows
    ]
