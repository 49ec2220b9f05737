"""The `mixrouter://models` resource: every model mixrouter serves, with what mixrouter-mcp knows about it."""

from __future__ import annotations

import json

from ..state import AppState
from ..upstream import UpstreamError
from ..upstream.routing import can_think, context_window, default_wire, family_of, is_responses_only


async def models_catalogue(state: AppState) -> str:
    """JSON: id, owner, family, default wire, thinking, responses-only, context window, endpoint types."""
    try:
        served = await state.client.list_models()
    except UpstreamError as error:
        return json.dumps({"error": error.message, "status": error.status, "models": []})
    entries = [
        {
            "id": m.id,
            "owner": m.owned_by,
            "family": family_of(m.id).value,
            "wire": default_wire(m.id).value,
            "thinking": can_think(m.id),
            "thinking_wire": default_wire(m.id, for_thinking=True).value,
            "responses_only": is_responses_only(m.id),
            "video": "openai-video" in m.endpoints,
            "context_window": context_window(m.id),
            "endpoints": list(m.endpoints),
        }
        for m in served
    ]
    return json.dumps({"models": entries, "count": len(entries)}, ensure_ascii=False)
