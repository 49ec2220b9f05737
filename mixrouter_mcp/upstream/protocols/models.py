"""`GET /v1/models`: the OpenAI list shape, with new-api's `supported_endpoint_types`. Pure."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidResponse, error_from_payload
from ..types import HttpRequest, ModelInfo

PATH = "/v1/models"


def build() -> HttpRequest:
    """The model-list request."""
    return HttpRequest("GET", PATH)


def parse(body: Any) -> list[ModelInfo]:
    """Model entries, sorted by id; entries without an id are skipped."""
    error = error_from_payload(body, status=200)
    if error is not None:
        raise error
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise InvalidResponse("mixrouter's model list has no `data` array", status=200)
    models = []
    for entry in data:
        if not isinstance(entry, dict) or not entry.get("id"):
            continue
        endpoints = entry.get("supported_endpoint_types")
        models.append(
            ModelInfo(
                id=str(entry["id"]),
                owned_by=str(entry.get("owned_by") or ""),
                endpoints=tuple(str(e) for e in endpoints) if isinstance(endpoints, list) else (),
            )
        )
    return sorted(models, key=lambda m: m.id)
