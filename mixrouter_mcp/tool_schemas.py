"""The tool schemas `tools/list` publishes: what a calling model needs, nothing it pays for in vain.

Every client pays these tokens in context on every turn. Pydantic's schemas repeat a `title` per field, spell
each optional field `anyOf: [X, null]` with `default: null`, and carry the regex patterns and length limits the
server enforces. Published inputs keep types, enums, numeric bounds, array sizes and descriptions (what a model
needs to call well) and drop the rest: an omitted argument is the null, and a bad id is refused with a clear
message by the validation, which still uses the full pydantic models. Published outputs keep property names and
types only: a nullable field is `type: [X, "null"]` (a warning, not an error, in the Inspector's portability
lint: output schemas are never mapped onto Gemini's single-type function declarations), no `required` list (every
field is always present), a `$defs` entry used once is written in place, and an object of three or more
fields of one scalar type (token counts) is published as a map of that type.
"""

from __future__ import annotations

from typing import Any

_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SCHEMA_VALUES = ("items", "additionalProperties", "not")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_NULL = {"type": "null"}
# Constraints the server enforces that tell a calling model nothing it can act on before the call.
_INPUT_ONLY_NOISE = ("title", "pattern", "minLength", "maxLength")
_OUTPUT_NOISE = ("title", "description", "default", "required")


def lean_input(schema: Any) -> Any:
    """An input schema as published."""
    return _walk(schema, for_input=True)


def lean_output(schema: Any) -> Any:
    """An output schema as published."""
    return _walk(_inline_single_use_defs(schema), for_input=False)


def _walk(schema: Any, *, for_input: bool) -> Any:
    if not isinstance(schema, dict):
        return schema
    noise = _INPUT_ONLY_NOISE if for_input else _OUTPUT_NOISE
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in noise or (key == "default" and value in (None, False)):  # omitting it is the null, or false
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _walk(sub, for_input=for_input) for name, sub in value.items()}
        elif key in _SCHEMA_VALUES:
            out[key] = _walk(value, for_input=for_input)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_walk(sub, for_input=for_input) for sub in value]
        else:
            out[key] = value
    return _drop_null_branch(out) if for_input else _uniform_as_map(_nullable_as_type_list(_types_as_list(out)))


def _uniform_as_map(schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or len(properties) < 3:
        return schema
    kinds = {str(sub.get("type")) if isinstance(sub, dict) and len(sub) == 1 else "" for sub in properties.values()}
    kind = kinds.pop() if len(kinds) == 1 else ""
    if kind not in ("integer", "number", "string", "boolean"):
        return schema
    rest = {k: v for k, v in schema.items() if k != "properties"}
    return {**rest, "additionalProperties": {"type": kind}}


def _types_as_list(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf` of bare types (`{"type": "integer"}`, `{"type": "string"}`) → `type: ["integer", "string"]`."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or len(branches) < 2:
        return schema
    if not all(isinstance(b, dict) and set(b) == {"type"} and isinstance(b["type"], str) for b in branches):
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {"type": [b["type"] for b in branches], **rest}


def _only_other_branch(schema: dict[str, Any]) -> dict[str, Any] | None:
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or _NULL not in branches:
        return None
    rest = [b for b in branches if b != _NULL]
    return rest[0] if len(rest) == 1 and isinstance(rest[0], dict) else None


def _drop_null_branch(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, {"type": "null"}]` → X (keeping this level's description): omitting it is the null."""
    other = _only_other_branch(schema)
    if other is None:
        return schema
    return {**other, **{k: v for k, v in schema.items() if k != "anyOf"}}


def _nullable_as_type_list(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [{"type": T, ...}, {"type": "null"}]` → `{"type": [T, "null"], ...}`; a `$ref` keeps its anyOf."""
    other = _only_other_branch(schema)
    if other is None or not isinstance(other.get("type"), str):
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**other, "type": [other["type"], "null"], **rest}


def _inline_single_use_defs(schema: Any) -> Any:
    """Write each `$defs` entry referenced once where it is used; keep the rest (and any nested refs) as they are."""
    if not isinstance(schema, dict) or not isinstance(schema.get("$defs"), dict):
        return schema
    defs: dict[str, Any] = schema["$defs"]
    uses: dict[str, int] = {}

    def count(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                uses[ref[8:]] = uses.get(ref[8:], 0) + 1
            for value in node.values():
                count(value)
        elif isinstance(node, list):
            for value in node:
                count(value)

    count(schema)
    once = {name for name, n in uses.items() if n == 1 and name in defs}

    def place(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref[8:] in once and len(node) == 1:
                return place(defs[ref[8:]])
            return {k: place(v) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [place(value) for value in node]
        return node

    out = place(schema)
    kept = {name: place(sub) for name, sub in defs.items() if name not in once}
    return {**out, "$defs": kept} if kept else out
