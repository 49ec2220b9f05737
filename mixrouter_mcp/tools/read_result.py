"""`read_result`: the rest of an answer that was cut at the output cap, page by page."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import Field, StrictInt

from ..schemas import ResultPage
from ..state import AppState
from .support.output import tool_result


async def read_result(
    result_id: Annotated[str, Field(min_length=1, max_length=64)],
    ctx: Context[AppState],
    offset: Annotated[StrictInt, Field(ge=0, description="From the marker or next_offset.")] = 0,
) -> Annotated[CallToolResult, ResultPage]:
    """The rest of an answer cut at the output cap, a page per call."""
    state = ctx.request_context.lifespan_context
    size = state.settings.max_output_tokens  # a page never exceeds the cap, whatever the script
    page = state.results.page(result_id, offset, size)
    if page is None:
        raise ToolError(
            f"no kept result '{result_id}': results are kept {state.settings.result_ttl_s:g} s, "
            f"the last {state.settings.result_store_entries}; ask the model again"
        )
    if offset >= page.total_chars and page.total_chars:
        raise ToolError(f"offset {offset} is past the end: the result has {page.total_chars} characters")
    result = ResultPage(
        result_id=result_id, offset=offset, text=page.text, next_offset=page.next_offset, total_chars=page.total_chars
    )
    more = (
        f'\n\n[{page.total_chars - page.next_offset:,} more characters: read_result(result_id="{result_id}", '
        f"offset={page.next_offset})]"
        if page.next_offset is not None
        else "\n\n[end of result]"
    )
    return tool_result(page.text + more, result)
