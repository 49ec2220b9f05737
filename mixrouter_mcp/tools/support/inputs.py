"""Argument types shared by the tools, validated before any upstream call."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt

from ...upstream import Api
from ...upstream import Effort as EffortLevel


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain text, not only whitespace")
    return value


def _not_bool(value: object) -> object:
    """JSON `true` is not 1: numbers must be numbers (pydantic's lax mode would take a boolean as 1)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value


NoBool = BeforeValidator(_not_bool)


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Prompt = Annotated[
    str,
    Field(min_length=1),
    AfterValidator(_not_blank),
]
MODEL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/@+~=-]*$"
CONVERSATION_PATTERN = r"^conv_[A-Za-z0-9_-]{8,64}$"
TASK_PATTERN = r"^[A-Za-z0-9._:-]+$"
# What each pattern means, in words, for a model whose argument broke it: the published schemas carry no patterns.
PATTERN_MEANINGS = {
    MODEL_PATTERN: "a model id is letters, digits and . _ : / @ + ~ = - with no spaces; list_models gives them",
    CONVERSATION_PATTERN: "a conversation_id is one an earlier answer returned (conv_...); omit it to start a new one",
    TASK_PATTERN: "a task_id is one an earlier video call returned (letters, digits and . _ : -)",
}
ModelName = Annotated[str, Field(min_length=1, max_length=200, pattern=MODEL_PATTERN)]
ModelId = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=200,
        pattern=MODEL_PATTERN,
        description="From list_models.",
    ),
]
System = Annotated[
    str | None,
    Field(max_length=200_000),
]
Temperature = Annotated[float | None, Field(ge=0, le=2), NoBool, AfterValidator(_finite)]
TopP = Annotated[float | None, Field(gt=0, le=1), NoBool, AfterValidator(_finite)]


def _output_tokens(value: int | None) -> int | None:
    # Worded as pydantic words its own bounds, so the message reads the same as before the bound moved here.
    if value is not None and value < 1:
        raise ValueError("Input should be greater than or equal to 1")
    if value is not None and value > MAX_OUTPUT_TOKENS:
        raise ValueError(f"Input should be less than or equal to {MAX_OUTPUT_TOKENS}")
    return value


MAX_OUTPUT_TOKENS = 200_000
# Checked, not published: the real ceiling is each model's own, which no single bound in a schema can tell.
MaxTokens = Annotated[StrictInt | None, AfterValidator(_output_tokens)]
Images = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=20_000_000)]] | None,
    Field(
        max_length=8,
        description="URLs or allowed local files.",
    ),
]
ApiChoice = Annotated[
    Api,
    Field(description="Wire format; auto: each vendor's own."),
]
Effort = Annotated[EffortLevel, Field()]  # the name and its levels say it all
ConversationId = Annotated[
    str | None,
    Field(pattern=CONVERSATION_PATTERN),  # the tool descriptions say what it continues
]


def _positive(value: float | None) -> float | None:
    if value is not None and value <= 0:
        raise ValueError("must be more than 0 (US dollars)")
    return value


# Bare names: `max_cost_usd` and `fallback_models` say what they are, and every client pays for each word.
MaxCost = Annotated[float | None, NoBool, AfterValidator(_finite), AfterValidator(_positive)]
FallbackModels = Annotated[list[ModelName] | None, Field()]
MAX_FILE_ENTRIES = 100


def _few_entries(value: list[str] | None) -> list[str] | None:
    if value is not None and len(value) > MAX_FILE_ENTRIES:
        raise ValueError(f"at most {MAX_FILE_ENTRIES} paths or globs; use a directory or a broader glob")
    return value


# The entry count is checked, not published (a model never sends 100 globs); every word here costs each client.
Files = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=4096)]] | None,
    AfterValidator(_few_entries),
    Field(description="Paths or globs ('!' excludes), sent whole if they fit."),
]
DryRun = Annotated[bool, Field(description="Estimate only: no model call.")]
Background = Annotated[bool, Field(description="Return a job_id at once; read it with get_job.")]
JobId = Annotated[str, Field(min_length=1, max_length=64)]
WaitS = Annotated[float, Field(ge=0, le=50, description="Seconds to wait for it to end.")]
OutputFile = Annotated[str | None, Field(min_length=1, max_length=4096, description="Save the answer here (Markdown).")]
