"""Benchmark the library store at scale and print one JSON object of figures.

Builds a throw-away library in a temporary folder (never the user's data dir)
with 1,000 prompts x 100 versions and one run per version (100,000 of each),
then times, through the public :class:`playground.store.Store` API:

- ``open_and_list_prompts_ms``: ``Store.open`` + ``list_prompts`` on a new Store
- ``fts_search_ms``: ``Store.search`` for a moderately selective word
  (``fts_search_common_ms`` reports a very common word, for scale)
- ``save_version_ms``: ``Store.save_version`` of new, distinct content

Only the build writes rows directly (one transaction, ``executemany``, the
store's own schema), because 200,000 single saves would take far longer than
the benchmark is worth.

Run: ``python benchmarks/store.py [--prompts N] [--versions N] [--trials N]``
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.core.document import (
    Example,
    Message,
    PromptDocument,
    Variable,
    content_hash,
    to_json,
)
from playground.store import Store
from playground.store.search import document_text

TARGETS_MS = {"open_and_list_prompts_ms": 200.0, "fts_search_ms": 50.0, "save_version_ms": 10.0}

# Frequent words of prompt-engineering prose; a Zipf tail of made-up words
# follows them so rare words are really rare.
COMMON_WORDS = """
    the a to of and in you is for that with be as on your it are this or an by not from at
    answer user assistant model text response question output input example format json
    summary summarise explain classify extract translate review write rewrite concise
    clear helpful polite tone style step steps reason context task instructions rules
    always never must should only if when each list bullet points short long detailed
    customer support ticket email report code python function error bug test document
    article paragraph sentence word words language english french german spanish data
    table field value name date time number price product order account policy refund
"""
SYLLABLES = "ka ri to mu se la vo ne pi da ru ko mi sa te lo fu ba ze ni ho gu ra po"


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words = COMMON_WORDS.split()
    syllables = SYLLABLES.split()
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class TextMaker:
    """Random prose with a Zipf word distribution."""

    def __init__(self, rng: random.Random, size: int = 30_000) -> None:
        self.rng = rng
        self.words = vocabulary(rng, size)
        weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(self.words))]
        total = 0.0
        self.cum: list[float] = []
        for weight in weights:
            total += weight
            self.cum.append(total)

    def words_(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def text(self, n: int) -> str:
        words = self.words_(n)
        for i in range(0, n, self.rng.randint(8, 16)):
            words[i] = words[i].capitalize()
        return " ".join(words) + "."

    def edit(self, text: str, fraction: float = 0.05) -> str:
        """``text`` with a few words replaced, as a person revising a prompt would."""
        words = text.split(" ")
        for _ in range(max(1, int(len(words) * fraction))):
            words[self.rng.randrange(len(words))] = self.words_(1)[0]
        return " ".join(words)


def make_document(maker: TextMaker, name: str, system: str) -> PromptDocument:
    return PromptDocument(
        name=name,
        description=maker.text(12),
        tags=tuple(maker.words_(3)),
        system=system,
        messages=(
            Message("user", maker.text(40) + " {{ input }}"),
            Message("assistant", maker.text(25)),
        ),
        examples=(Example(input=maker.text(15), output=maker.text(20)),),
        variables=(Variable(name="input", sample="sample", description=maker.text(6)),),
    )


# ---------------------------------------------------------------- build


def build(path: Path, prompts: int, versions: int, seed: int) -> dict[str, float]:
    started = time.perf_counter()
    with Store.open(path):
        pass  # creates the schema through the real migrations
    rng = random.Random(seed)
    maker = TextMaker(rng)
    stamp = "2026-01-01T00:00:00.000Z"
    conn = sqlite3.connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        version_id = 0
        run_id = 0
        for p in range(1, prompts + 1):
            name = f"{maker.words_(1)[0]} {maker.words_(1)[0]} {p:04d}"
            conn.execute(
                "INSERT INTO prompts (id, name, name_key, created, updated) VALUES (?, ?, ?, ?, ?)",
                [p, name, name.casefold(), stamp, stamp],
            )
            system = maker.text(rng.randint(120, 220))
            version_rows = []
            index_rows = []
            run_rows = []
            parent: int | None = None
            doc = make_document(maker, name, system)
            for number in range(1, versions + 1):
                version_id += 1
                run_id += 1
                if number > 1:
                    system = maker.edit(system)
                    doc = dataclasses.replace(doc, system=system)
                content = to_json(doc)
                digest = content_hash(doc)
                version_rows.append(
                    (version_id, p, number, parent, content, digest, f"edit {number}", stamp)
                )
                index_rows.append((version_id, document_text(doc)))
                output = maker.text(rng.randint(60, 140))
                run_rows.append((run_id, p, version_id, digest, output, stamp))
                parent = version_id
            conn.executemany(
                "INSERT INTO versions (id, prompt_id, number, parent_id, content, hash, message, "
                "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                version_rows,
            )
            conn.executemany(
                "INSERT INTO runs (id, prompt_id, version_id, content_hash, provider, model, "
                "target_json, request_json, variables_json, output, finish_reason, tokens_in, "
                "tokens_out, tokens_estimated, ttft_ms, total_ms, cost, status, error, created) "
                "VALUES (?, ?, ?, ?, 'openai', 'gpt-4o-mini', '{}', '{}', '{}', ?, 'stop', "
                "100, 200, 0, 250.0, 1500.0, 0.001, 'ok', NULL, ?)",
                run_rows,
            )
            # Runs are indexed by the schema's own triggers.
            conn.executemany("INSERT INTO version_search (rowid, body) VALUES (?, ?)", index_rows)
            conn.execute(
                "INSERT INTO drafts (prompt_id, content, hash, base_version_id, updated) "
                "VALUES (?, ?, ?, ?, ?)",
                [p, version_rows[-1][4], version_rows[-1][5], version_id, stamp],
            )
            conn.execute(
                "INSERT INTO labels (prompt_id, name, version_id, updated) VALUES (?, ?, ?, ?)",
                [p, "production", version_id - rng.randrange(versions), stamp],
            )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return {"build_s": round(time.perf_counter() - started, 1)}


def pick_words(path: Path) -> tuple[str, str]:
    """A word in about 1% of the indexed versions and runs, and one in about 40%."""
    conn = sqlite3.connect(path)
    try:
        docs: dict[str, int] = {}
        total = 0
        for table in ("version_search", "run_search"):
            total += conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            conn.execute(
                f"CREATE VIRTUAL TABLE temp.vocab_{table} USING fts5vocab(main, {table}, row)"
            )
            for term, count in conn.execute(f"SELECT term, doc FROM temp.vocab_{table}"):
                docs[term] = docs.get(term, 0) + count
    finally:
        conn.close()
    # Store.search matches the last word as a prefix, so take words that are
    # not the prefix of another term, or the figure would be for many words.
    terms = sorted(docs.items())
    alone = [
        (term, count)
        for i, (term, count) in enumerate(terms)
        if len(term) >= 6 and (i + 1 == len(terms) or not terms[i + 1][0].startswith(term))
    ]
    selective = min(alone, key=lambda tc: abs(tc[1] - total * 0.01))[0]
    common = min(alone, key=lambda tc: abs(tc[1] - total * 0.4))[0]
    return selective, common


# ---------------------------------------------------------------- measure


def timed(fn: Callable[[], object], trials: int) -> dict[str, float]:
    samples = []
    for _ in range(trials):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median": round(statistics.median(samples), 2),
        "p95": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2),
        "min": round(samples[0], 2),
        "trials": trials,
    }


def measure(path: Path, trials: int, seed: int) -> dict[str, object]:
    selective, common = pick_words(path)
    results: dict[str, object] = {}

    def open_and_list() -> None:
        with Store.open(path) as store:
            store.list_prompts()

    results["open_and_list_prompts_ms"] = timed(open_and_list, trials)
    with Store.open(path) as store:
        prompt_count = len(store.list_prompts())
        for key, word in (("fts_search_ms", selective), ("fts_search_common_ms", common)):
            hits = store.search(word)
            figures = timed(functools.partial(store.search, word), trials)
            matches = sum(
                store._conn.execute(
                    f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", [f'"{word}"*']
                ).fetchone()[0]
                for table in ("version_search", "run_search")
            )
            results[key] = {**figures, "word": word, "matching_rows": matches, "hits": len(hits)}
        rng = random.Random(seed + 1)
        maker = TextMaker(rng, size=5_000)
        prompt_ids = [p.id for p in store.list_prompts()]
        docs = iter(make_document(maker, "bench", maker.text(200)) for _ in range(trials * 2 + 10))

        def save() -> None:
            result = store.save_version(rng.choice(prompt_ids), next(docs), "bench")
            assert result.created

        results["save_version_ms"] = timed(save, trials * 2)
        versions = store._conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        runs = store._conn.execute("SELECT count(*) FROM runs").fetchone()[0]
    for key, target in TARGETS_MS.items():
        entry = results[key]
        assert isinstance(entry, dict)
        entry["target"] = target
        entry["pass"] = entry["median"] <= target
    results["counts"] = {"prompts": prompt_count, "versions": versions, "runs": runs}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=100, help="versions per prompt")
    parser.add_argument("--trials", type=int, default=25)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--keep", type=Path, help="build here (or reuse what is there) and keep it, to profile"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="playground-bench-") as folder:
        path = args.keep or Path(folder) / "library.db"
        figures: dict[str, object] = {}
        if not path.exists():
            figures.update(build(path, args.prompts, args.versions, args.seed))
        figures["db_mb"] = round(path.stat().st_size / 1e6, 1)
        figures.update(measure(path, args.trials, args.seed))
        figures["targets_ms"] = TARGETS_MS
        figures["all_pass"] = all(
            isinstance(v, dict) and v.get("pass") for k, v in figures.items() if k in TARGETS_MS
        )
        figures["sqlite"] = sqlite3.sqlite_version
        figures["python"] = sys.version.split()[0]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
