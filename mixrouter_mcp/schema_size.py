"""Smaller published tool schemas: every client pays their tokens in context on every turn.

Pydantic's schemas repeat a `title` for every field and spell each optional field `anyOf: [X, null]` with
`default: null`. Inputs lose all three (an omitted argument is the null) and keep their descriptions, which
the calling model needs. Outputs lose titles, descriptions and defaults but keep their `anyOf` null branches
(type arrays would be shorter but less portable: the Inspector's strict lint warns), so results stay valid.
Validation is unaffected: the server validates with the pydantic models, not with these dicts.
"""

from __future__ import annotations

from typing import Any

_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SCHEMA_VALUES = ("items", "additionalProperties", "not")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")


def compact(schema: Any, *, for_input: bool) -> Any:
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" or (not for_input and key in ("description", "default")):
            continue
        if for_input and key == "default" and value is None:
            continue  # an omitted argument is the null
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: compact(sub, for_input=for_input) for name, sub in value.items()}
        elif key in _SCHEMA_VALUES:
            out[key] = compact(value, for_input=for_input)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [compact(sub, for_input=for_input) for sub in value]
        else:
            out[key] = value
    return _drop_null_branch(out) if for_input else out


def _drop_null_branch(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, {"type": "null"}]` → X (keeping this level's default and description)."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list):
        return schema
    rest = [b for b in branches if b != {"type": "null"}]
    if len(rest) != 1 or len(rest) == len(branches) or not isinstance(rest[0], dict):
        return schema
    merged = {**rest[0], **{k: v for k, v in schema.items() if k != "anyOf"}}
    return merged
