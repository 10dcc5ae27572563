"""What changed: field-by-field diffs between document versions, word diffs between outputs.

:func:`diff_documents` compares two :class:`PromptDocument` values and lists
each changed field with a human label ("system", "message 2 (user)",
"target 1 (openai:gpt-4o) temperature"). Messages and examples are aligned
by their longest common subsequence, so inserting one message reports one
addition rather than a change to every message after it. Variables are
matched by name and targets by position.

Every value is compared in the text form it is shown in, and those forms
follow the canonical JSON (``0.0`` and ``-0.0`` differ, ``None`` is not
``""``), so two documents give an empty diff exactly when their content
hashes are equal.

:func:`word_diff` compares two texts (typically two model outputs) token by
token, for highlighting in a pane; :func:`format_changes` renders a change
list for a terminal.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from playground.core.document import Example, Message, PromptDocument, Target, Variable

__all__ = [
    "FieldChange",
    "WordOp",
    "diff_documents",
    "diff_stats",
    "format_changes",
    "word_diff",
]

ChangeKind = Literal["added", "removed", "changed"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two documents.

    ``before`` is ``""`` when the field was added and ``after`` is ``""``
    when it was removed; ``kind`` says which, since an empty text can also be
    a real value (a message with no content, a sample value of ``""``).
    """

    field: str
    kind: ChangeKind
    before: str
    after: str

    def unified(self, context: int = 3) -> list[str]:
        """Unified diff lines (no line endings) from ``a/<field>`` to ``b/<field>``.

        A last line without a trailing newline is followed by the usual
        ``\\ No newline at end of file`` marker, so a change that only adds or
        removes a final newline is still visible.
        """
        lines = difflib.unified_diff(
            _split_lines(self.before),
            _split_lines(self.after),
            fromfile=f"a/{self.field}",
            tofile=f"b/{self.field}",
            n=context,
            lineterm="",
        )
        out: list[str] = []
        for index, line in enumerate(lines):
            if index < 2 or line.startswith("@@"):
                out.append(line)  # file and hunk headers carry no line ending
            elif line.endswith("\n"):
                out.append(line[:-1])
            else:
                out += [line, "\\ No newline at end of file"]
        return out


_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def _split_lines(value: str) -> list[str]:
    # Only "\n" ends a line: str.splitlines would also split on U+2028, form
    # feeds and the like, which a prompt may contain as ordinary characters.
    return _LINE.findall(value)


# ---------------------------------------------------------------- documents


def diff_documents(old: PromptDocument, new: PromptDocument) -> list[FieldChange]:
    """The fields that differ from ``old`` to ``new``, in document order.

    Numbers in labels are 1-based positions in ``new`` for added and changed
    items, and in ``old`` for removed ones. An added or removed example is
    reported as its input and output, plus its note and enabled flag when
    they are not the defaults; an added or removed variable or target gets
    an entry of its own followed by its settings that are not the defaults.
    """
    changes: list[FieldChange] = []
    changes += _compare("name", old.name, new.name)
    changes += _compare("description", old.description, new.description)
    changes += _compare("tags", _json_list(old.tags), _json_list(new.tags))
    changes += _compare("system", old.system, new.system)
    changes += _aligned(old.messages, new.messages, _message_fields, _message_changes)
    changes += _aligned(old.examples, new.examples, _example_fields, _example_changes)
    changes += _variable_changes(old.variables, new.variables)
    changes += _target_changes(old.targets, new.targets)
    return changes


def _compare(label: str, before: str | None, after: str | None) -> list[FieldChange]:
    """A change for one field, where ``None`` means the field is not set."""
    if before == after:
        return []
    if before is None:
        return [FieldChange(label, "added", "", after or "")]
    if after is None:
        return [FieldChange(label, "removed", before, "")]
    return [FieldChange(label, "changed", before, after)]


_Opcode = tuple[str, int, int, int, int]
_LCS_LIMIT = 40_000  # cells; messages and examples are far fewer than 200 × 200


def _opcodes(old: Sequence[_T], new: Sequence[_T]) -> list[_Opcode]:
    """difflib-style opcodes from a true longest common subsequence.

    SequenceMatcher matches the longest *contiguous* block first, which with
    repeated items (three identical turns, say) can report an insertion as
    an addition plus a removal. Prompts have few items, so an exact LCS is cheap.
    """
    n, m = len(old), len(new)
    if n * m > _LCS_LIMIT:
        return list(difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes())
    # lengths[i][j]: LCS length of old[i:] and new[j:]
    lengths = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            lengths[i][j] = (
                lengths[i + 1][j + 1] + 1
                if old[i] == new[j]
                else max(lengths[i + 1][j], lengths[i][j + 1])
            )
    matches: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if old[i] == new[j]:
            matches.append((i, j))
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    opcodes: list[_Opcode] = []
    i = j = 0
    for mi, mj in [*matches, (n, m)]:
        if i < mi or j < mj:
            tag = "replace" if i < mi and j < mj else ("delete" if i < mi else "insert")
            opcodes.append((tag, i, mi, j, mj))
        if (mi, mj) != (n, m):
            if opcodes and opcodes[-1][0] == "equal":
                t, a1, _, b1, _ = opcodes[-1]
                opcodes[-1] = (t, a1, mi + 1, b1, mj + 1)
            else:
                opcodes.append(("equal", mi, mi + 1, mj, mj + 1))
        i, j = mi + 1, mj + 1
    return opcodes


def _aligned(
    old: Sequence[_T],
    new: Sequence[_T],
    fields: Callable[[int, _T], list[tuple[str, str | None]]],
    pair: Callable[[int, _T, _T], list[FieldChange]],
) -> list[FieldChange]:
    """Changes between two item sequences, aligned as difflib would align lines.

    ``fields(number, item)`` lists (label, text) of an item that was added or
    removed, with ``None`` texts left out; ``pair(number, before, after)``
    compares two items that sit at the same place.
    """
    changes: list[FieldChange] = []
    for tag, i1, i2, j1, j2 in _opcodes(old, new):
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            changes += pair(j1 + k + 1, old[i1 + k], new[j1 + k])
        for i in range(i1 + paired, i2):
            changes += [
                FieldChange(label, "removed", text, "")
                for label, text in fields(i + 1, old[i])
                if text is not None
            ]
        for j in range(j1 + paired, j2):
            changes += [
                FieldChange(label, "added", "", text)
                for label, text in fields(j + 1, new[j])
                if text is not None
            ]
    return changes


def _message_fields(number: int, message: Message) -> list[tuple[str, str | None]]:
    return [(f"message {number} ({message.role})", message.content)]


def _message_changes(number: int, old: Message, new: Message) -> list[FieldChange]:
    return [
        *_compare(f"message {number} role", old.role, new.role),
        *_compare(f"message {number} ({new.role})", old.content, new.content),
    ]


def _example_values(example: Example) -> list[tuple[str, str]]:
    return [
        ("input", example.input),
        ("output", example.output),
        ("enabled", _json(example.enabled)),
        ("note", example.note),
    ]


def _example_fields(number: int, example: Example) -> list[tuple[str, str | None]]:
    defaults = dict(_example_values(Example("", "")))
    return [
        (f"example {number} {name}", value)
        for name, value in _example_values(example)
        if name in ("input", "output") or value != defaults[name]
    ]


def _example_changes(number: int, old: Example, new: Example) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for (name, before), (_, after) in zip(_example_values(old), _example_values(new), strict=True):
        changes += _compare(f"example {number} {name}", before, after)
    return changes


def _variable_changes(old: Sequence[Variable], new: Sequence[Variable]) -> list[FieldChange]:
    before = {v.name: v for v in old}
    after = {v.name: v for v in new}
    changes: list[FieldChange] = []
    kept_old = [v.name for v in old if v.name in after]
    kept_new = [v.name for v in new if v.name in before]
    if kept_old != kept_new:
        changes += _compare("variable order", ", ".join(kept_old), ", ".join(kept_new))
    for variable in new:
        label = f"variable {variable.name}"
        previous = before.get(variable.name)
        if previous is None:
            changes.append(FieldChange(label, "added", "", variable.name))
            changes += _compare(f"{label} sample", None, variable.sample)
            changes += _compare(f"{label} description", None, variable.description or None)
        else:
            changes += _compare(f"{label} sample", previous.sample, variable.sample)
            changes += _compare(f"{label} description", previous.description, variable.description)
    for variable in old:
        if variable.name not in after:
            label = f"variable {variable.name}"
            changes.append(FieldChange(label, "removed", variable.name, ""))
            changes += _compare(f"{label} sample", variable.sample, None)
            changes += _compare(f"{label} description", variable.description or None, None)
    return changes


def _target_values(target: Target) -> list[tuple[str, str | None]]:
    p = target.parameters
    return [
        ("provider", target.provider),
        ("model", target.model),
        ("temperature", _json_or_none(p.temperature)),
        ("max tokens", _json_or_none(p.max_tokens)),
        ("top p", _json_or_none(p.top_p)),
        ("stop", _json_list(p.stop) if p.stop else None),
        ("seed", _json_or_none(p.seed)),
        ("json schema", _schema(target.json_schema_text)),
    ]


def _target_changes(old: Sequence[Target], new: Sequence[Target]) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for index in range(max(len(old), len(new))):
        number = index + 1
        if index >= len(new):
            target = old[index]
            label = f"target {number} ({target.label})"
            changes.append(FieldChange(f"target {number}", "removed", target.label, ""))
            changes += [
                FieldChange(f"{label} {name}", "removed", value, "")
                for name, value in _target_values(target)[2:]
                if value is not None
            ]
        elif index >= len(old):
            target = new[index]
            label = f"target {number} ({target.label})"
            changes.append(FieldChange(f"target {number}", "added", "", target.label))
            changes += [
                FieldChange(f"{label} {name}", "added", "", value)
                for name, value in _target_values(target)[2:]
                if value is not None
            ]
        else:
            label = f"target {number} ({new[index].label})"
            for (name, before), (_, after) in zip(
                _target_values(old[index]), _target_values(new[index]), strict=True
            ):
                changes += _compare(f"{label} {name}", before, after)
    return changes


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _json_or_none(value: float | None) -> str | None:
    return None if value is None else _json(value)


def _json_list(items: Sequence[str]) -> str:
    # JSON, not "a, b": a tag or stop sequence may itself contain ", " or "\n".
    return _json(list(items))


def _schema(text: str | None) -> str | None:
    """Indented JSON, so a schema change diffs line by line."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return text  # not canonical text; show it as it is
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- words


@dataclass(frozen=True)
class WordOp:
    """A run of text that is the same in both texts, or only in one of them."""

    op: Literal["equal", "insert", "delete"]
    text: str


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _tokens(value: str) -> list[str]:
    return _TOKEN.findall(value)


def _match_keys(tokens: Sequence[str]) -> list[str]:
    """What the matcher compares: each white space run together with its neighbours.

    A bare " " occurs thousands of times in a long output, and SequenceMatcher
    slows to a crawl (seconds) on elements that common. With its neighbours
    attached, white space is about as rare as a word pair. Keys stay one-to-one
    with tokens (words never contain white space), so equal keys mean equal text.
    """
    keys: list[str] = []
    for i, token in enumerate(tokens):
        if token.isspace():
            before = tokens[i - 1] if i else ""
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            keys.append(before + token + after)
        else:
            keys.append(token)
    return keys


def word_diff(old: str, new: str) -> list[WordOp]:
    """Word-level diff of ``old`` into ``new``.

    Tokens are runs of word characters, runs of white space and single other
    characters. Between two equal runs, deleted text comes before inserted
    text, and runs of one kind are merged, so the "equal" and "delete" texts
    concatenate to ``old`` and the "equal" and "insert" texts to ``new``.
    """
    a, b = _tokens(old), _tokens(new)
    ops: list[WordOp] = []

    def add(op: Literal["equal", "insert", "delete"], tokens: Sequence[str]) -> None:
        if not tokens:
            return
        if ops and ops[-1].op == op:
            ops[-1] = WordOp(op, ops[-1].text + "".join(tokens))
        else:
            ops.append(WordOp(op, "".join(tokens)))

    matcher = difflib.SequenceMatcher(None, _match_keys(a), _match_keys(b), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
            continue
        # Keys of white space differ when a neighbour changed; the white space
        # itself is often the same, so hand equal edges back to "equal".
        while i1 < i2 and j1 < j2 and a[i1] == b[j1]:
            add("equal", [a[i1]])
            i1, j1 = i1 + 1, j1 + 1
        tail = 0
        while i1 < i2 - tail and j1 < j2 - tail and a[i2 - tail - 1] == b[j2 - tail - 1]:
            tail += 1
        add("delete", a[i1 : i2 - tail])
        add("insert", b[j1 : j2 - tail])
        add("equal", a[i2 - tail : i2])
    return ops


def diff_stats(ops: Sequence[WordOp]) -> tuple[int, int]:
    """(words inserted, words deleted), counting words as ``wc -w`` does."""
    inserted = sum(len(op.text.split()) for op in ops if op.op == "insert")
    deleted = sum(len(op.text.split()) for op in ops if op.op == "delete")
    return inserted, deleted


# ---------------------------------------------------------------- text output

_MARKS: dict[ChangeKind, str] = {"added": "+", "removed": "-", "changed": "~"}


def format_changes(changes: Sequence[FieldChange]) -> str:
    """Changes as terminal text: a header per field, then what changed.

    Multi-line values get a unified diff body; one-liners read
    ``before → after`` (or just the value for an addition or removal).
    Returns ``""`` when there are no changes.
    """
    return "\n".join(_format_lines(changes))


def _format_lines(changes: Sequence[FieldChange]) -> Iterator[str]:
    for change in changes:
        yield f"{_MARKS[change.kind]} {change.field}"
        if "\n" in change.before or "\n" in change.after:
            yield from (f"  {line}" for line in change.unified()[2:])
        elif change.kind == "added":
            yield f"  {_show(change.after)}"
        elif change.kind == "removed":
            yield f"  {_show(change.before)}"
        else:
            before, after = change.before, change.after
            if before.split() == after.split():
                before, after = repr(before), repr(after)  # only white space differs
            yield f"  {_show(before)} → {_show(after)}"


def _show(value: str) -> str:
    return value if value else "(empty)"
