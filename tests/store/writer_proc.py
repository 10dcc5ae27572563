"""A separate process that writes to a library, for the kill and concurrency tests.

Usage: ``python writer_proc.py DB_PATH TAG [--start-at EPOCH] [--seconds N]``

It prints ``ready`` once the store is open, then one line per acknowledged
write, only after the call that committed it has returned:

- ``V <number> <hash>`` for a saved version
- ``R <run id> <version number>`` for a recorded run (every fifth write)

Without ``--seconds`` it writes until it is killed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

# Run as a script, so make the repository importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from playground.core.document import Message, PromptDocument
from playground.core.errors import ConflictError, NotFoundError
from playground.store import RunRecord, Store

PROMPT = "shared prompt"
WORDS = ("alpha", "beta", "gamma", "delta", "kettle", "walrus", "teapot", "harbour")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("tag")
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--seconds", type=float, default=None)
    args = parser.parse_args()
    time.sleep(max(0.0, args.start_at - time.time()))
    rng = random.Random(args.tag)
    with Store.open(args.db) as store:
        try:
            prompt = store.get_prompt(PROMPT)
        except NotFoundError:
            try:
                prompt = store.create_prompt(PROMPT)
            except ConflictError:  # the other writer got there first
                prompt = store.get_prompt(PROMPT)
        print("ready", flush=True)
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        i = 0
        while deadline is None or time.monotonic() < deadline:
            i += 1
            filler = " ".join(rng.choice(WORDS) for _ in range(150))
            doc = PromptDocument(
                name=PROMPT,
                system=f"{args.tag} write {i} {time.time_ns()} {filler}",
                messages=(Message("user", f"Tell me about {{{{ topic }}}} ({i})"),),
            )
            saved = store.save_version(prompt.id, doc, f"{args.tag} {i}").version
            print(f"V {saved.number} {saved.hash}", flush=True)
            if i % 5 == 0:
                run_id = store.record_run(_run(prompt.id, saved.id, saved.hash, filler))
                print(f"R {run_id} {saved.number}", flush=True)


def _run(prompt_id: int, version_id: int, content_hash: str, output: str) -> RunRecord:
    return RunRecord(
        prompt_id=prompt_id,
        version_id=version_id,
        content_hash=content_hash,
        provider="fake",
        model="echo",
        target_json="{}",
        request_json="{}",
        variables={"topic": "tea"},
        output=output,
        finish_reason="stop",
        tokens_in=1,
        tokens_out=2,
        tokens_estimated=True,
        ttft_ms=1.0,
        total_ms=2.0,
        cost=None,
        status="ok",
        error=None,
    )


if __name__ == "__main__":
    main()
