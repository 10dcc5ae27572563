"""Structured output: checking a model's text against the target's JSON schema."""

from __future__ import annotations

import json
from typing import Any

from playground.core.events import SchemaChecked

__all__ = ["check_output", "schema_problem"]


def schema_problem(schema: dict[str, Any]) -> str | None:
    """Why ``schema`` is not a usable JSON Schema, or ``None`` when it is."""
    # Imported on first use: jsonschema costs ~0.1 s, and the app's start-up need not pay it.
    import jsonschema
    from jsonschema.exceptions import SchemaError

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path)
        return f"the JSON schema is invalid{f' at {where}' if where else ''}: {exc.message}"
    return None


def check_output(text: str, schema: dict[str, Any]) -> SchemaChecked:
    """Parse ``text`` as JSON and validate it; the first violation is reported in plain words."""
    problem = schema_problem(schema)
    if problem is not None:
        return SchemaChecked(valid=False, error=problem)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return SchemaChecked(
            valid=False, error=f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        )
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is None:
        return SchemaChecked(valid=True)
    where = "/".join(str(p) for p in error.absolute_path) or "the top level"
    return SchemaChecked(valid=False, error=f"at {where}: {error.message}")
