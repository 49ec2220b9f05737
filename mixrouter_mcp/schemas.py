"""Tool outputs, as the calling model sees them; each becomes a tool's `outputSchema`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from .upstream import Completion, ModelInfo


class TokenUsage(BaseModel):
    """Token counts reported by mixrouter for one call."""

    input_tokens: int = Field(description="Prompt tokens, history and system prompt included.")
    output_tokens: int = Field(description="Generated tokens, reasoning included.")
    reasoning_tokens: int = Field(description="Of the output, tokens spent thinking (0 when not reported).")
    cached_tokens: int = Field(description="Of the input, tokens served from the prompt cache.")
    total_tokens: int = Field(description="Input plus output tokens.")

    @classmethod
    def of(cls, completion: Completion) -> TokenUsage:
        u = completion.usage
        return cls(
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            reasoning_tokens=u.reasoning_tokens,
            cached_tokens=u.cached_tokens,
            total_tokens=u.total_tokens,
        )


def _absent(value: object) -> bool:
    """Fields only some calls use are left out of the result, not sent as null (cheaper to publish)."""
    return value is None


# A file's path -> the tokens it was sent as, or why it was left out (one map: cheaper to publish than two lists).
FileManifest = dict[str, int | str]

# Published as a plain string (an enum costs every client tokens on four fields): gateway, computed or unknown.
CostSourceName = str


class Answer(BaseModel):
    """One model's answer to one prompt."""

    text: str = Field(description="The answer, with any reasoning removed.")
    model: str = Field(description="The model that actually answered (a fallback may differ from the request).")
    requested_model: str = Field(description="The model id the call asked for.")
    finish_reason: str | None = Field(description="Why generation stopped: stop, length, content_filter, ...")
    usage: TokenUsage
    latency_ms: int = Field(description="Wall time of the upstream call, retries included.")
    truncated: bool = Field(default=False, description="True when the answer was cut at the server's output cap.")
    result_id: str | None = Field(default=None, description="When truncated: pass to read_result for the rest.")
    conversation_id: str | None = Field(default=None, description="Pass back to continue this conversation.")
    wire: str = Field(default="", description="Wire format used: chat, responses, messages or gemini.")
    cost_usd: float | None = Field(default=None, description="What the call cost; null when unknown, never a guess.")
    cost_source: CostSourceName = "unknown"
    attempts: list[str] = Field(
        default_factory=list, description="With fallbacks: each model tried, 'model: outcome (latency)', in order."
    )
    notes: list[str] = Field(default_factory=list, description="Parameters changed or dropped for this model, and why.")
    files: FileManifest | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_absent, description="With files: path -> tokens sent, or why it was left out."
    )
    output_file: str | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_absent, description="Where the whole answer was saved."
    )
    job_id: str | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_absent, description="The call goes on: pass to get_job."
    )


class ThinkingSwitch(BaseModel):
    """The exact thinking switch sent upstream."""

    wire: str = Field(description="Wire format that carried it.")
    switch: str = Field(description="The request field, e.g. thinking.budget_tokens or reasoning.effort.")
    value: str | int = Field(description="The value sent.")


class ThinkingAnswer(BaseModel):
    """A model's answer after extended thinking, with its reasoning kept apart."""

    answer: str = Field(description="The final answer, without the reasoning.")
    reasoning: str | None = Field(description="The model's reasoning or its summary; null when not requested.")
    reasoning_tokens: int = Field(description="Tokens spent thinking (estimated when the provider reports 0).")
    thinking_supported: bool = Field(description="False when the model has no thinking mode: it answered without.")
    applied: ThinkingSwitch | None = Field(description="The thinking switch sent; null when none applies.")
    model: str = Field(description="The model that actually answered.")
    requested_model: str
    finish_reason: str | None
    usage: TokenUsage
    latency_ms: int
    truncated: bool = Field(default=False, description="True when answer or reasoning was cut at the output cap.")
    result_id: str | None = Field(default=None, description="When the answer was cut: pass to read_result.")
    reasoning_result_id: str | None = Field(default=None, description="When the reasoning was cut: read_result.")
    conversation_id: str | None = Field(default=None, description="Pass back to continue this conversation.")
    cost_usd: float | None = None
    cost_source: CostSourceName = "unknown"
    attempts: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="What was adjusted for this model, and why.")
    files: FileManifest | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_absent, description="With files: path -> tokens sent, or why it was left out."
    )
    output_file: str | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_absent, description="Where the whole answer was saved."
    )
    job_id: str | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_absent, description="The call goes on: pass to get_job."
    )


class ModelEntry(BaseModel):
    """A model mixrouter serves."""

    id: str = Field(description="The model id to pass as `model`.")
    owner: str = Field(description="Owner the gateway names: vendor, channel or custom.")
    endpoints: list[str] = Field(default_factory=list, description="mixrouter endpoint types that serve it.")

    @classmethod
    def of(cls, info: ModelInfo) -> ModelEntry:
        return cls(id=info.id, owner=info.owned_by, endpoints=list(info.endpoints))


class ModelList(BaseModel):
    """The models mixrouter serves to this key."""

    models: list[ModelEntry]
    count: int = Field(description="How many models matched.")
    total: int = Field(description="How many models mixrouter serves in all.")


class ModelAnswer(BaseModel):
    """One panel member's result in a comparison."""

    model: str = Field(description="The model id as requested.")
    ok: bool
    text: str = Field(default="", description="Its answer ('' when it failed).")
    reasoning: str | None = Field(default=None, description="Its reasoning, when effort was given and it thinks.")
    error: str | None = Field(default=None, description="What went wrong and what to do, when it failed.")
    served_model: str | None = Field(default=None, description="The model that actually answered.")
    finish_reason: str | None = None
    usage: TokenUsage | None = None
    latency_ms: int
    truncated: bool = False
    result_id: str | None = Field(default=None, description="When truncated: pass to read_result for the rest.")
    cost_usd: float | None = None
    cost_source: CostSourceName = "unknown"
    notes: list[str] = Field(default_factory=list)


class Verdict(BaseModel):
    """The judge's view of the anonymised answers, with the labels mapped back to the models."""

    judge_model: str
    ok: bool
    ranking: list[str] = Field(default_factory=list, description="Model ids, best first.")
    labels: dict[str, str] = Field(default_factory=dict, description="Anonymous label shown to the judge -> model id.")
    agreements: list[str] = Field(default_factory=list)
    disagreements: list[str] = Field(default_factory=list)
    best_answer: str = Field(default="", description="The judge's synthesis of the best answer.")
    error: str | None = Field(default=None, description="Why there is no verdict, when there is none.")


class Comparison(BaseModel):
    """The same prompt answered by several models at once, in the requested order."""

    results: list[ModelAnswer]
    succeeded: int
    failed: int
    wall_ms: int = Field(description="Wall time of the whole panel (models run concurrently).")
    judge: Verdict | None = None
    conversation_id: str | None = Field(default=None, description="Pass back to continue this conversation.")
    cost_usd: float | None = Field(default=None, description="The panel and the judge together.")
    cost_source: CostSourceName = "unknown"
    notes: list[str] = Field(default_factory=list)
    files: FileManifest | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_absent, description="With files: path -> tokens sent, or why it was left out."
    )
    output_file: str | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_absent, description="Where the whole answer was saved."
    )
    job_id: str | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_absent, description="The panel goes on: pass to get_job."
    )


class ResultPage(BaseModel):
    """A page of an answer that was cut at the output cap."""

    result_id: str
    offset: int
    text: str
    next_offset: int | None = Field(description="Pass as offset to read on; null at the end.")
    total_chars: int


class TurnView(BaseModel):
    role: str
    content: str
    model: str | None = Field(default=None, description="The model that answered (assistant turns).")
    tool: str
    at: str = Field(description="When, ISO 8601 UTC.")


class ConversationView(BaseModel):
    """A conversation, one page of turns at a time."""

    id: str
    title: str
    system: str | None
    models: list[str]
    turns: list[TurnView]
    created_at: str
    updated_at: str
    total_turns: int = 0
    next_turn: int | None = Field(default=None, description="More turns follow: pass as from_turn to read them.")


class ConversationItem(BaseModel):
    id: str
    title: str
    models: list[str]
    turns: int
    updated_at: str


class Conversations(BaseModel):
    """Listed: `conversations` and `count`. Read: one conversation's fields with a page of its turns."""

    # Absent rather than null in the shape that does not use them (published without the null branch).
    conversations: list[ConversationItem] | SkipJsonSchema[None] = None
    count: int | SkipJsonSchema[None] = None
    id: str | SkipJsonSchema[None] = None
    title: str | SkipJsonSchema[None] = None
    system: str | None = None
    models: list[str] | SkipJsonSchema[None] = None
    turns: list[TurnView] | SkipJsonSchema[None] = None
    created_at: str | SkipJsonSchema[None] = None
    updated_at: str | SkipJsonSchema[None] = None
    total_turns: int | SkipJsonSchema[None] = None
    next_turn: int | None = None


class Deleted(BaseModel):
    conversation_id: str
    deleted: bool = Field(description="False when there was no such conversation.")


class JobView(BaseModel):
    """A job: a call that outlived its request."""

    job_id: str
    state: str = Field(description="running, done, failed, cancelled or interrupted (its server stopped).")
    tool: str
    model: str
    text: str = Field(description="The answer so far; once done, the tool's whole result as text.")
    reasoning: str | SkipJsonSchema[None] = Field(default=None, exclude_if=_absent)
    result: dict[str, Any] | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_absent, description="Once done: the tool's structured result (usage, cost, ...)."
    )
    elapsed_s: float
    notes: list[str] = Field(default_factory=list)
