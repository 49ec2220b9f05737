"""The vendors' official SDKs, pointed at the emulator, parse its plain and streamed answers: proof that the
emulator speaks each wire format as the vendor does, so tests against it mean something."""

from __future__ import annotations

import anthropic
import openai
from google import genai
from google.genai import types as genai_types

from mixrouter_mcp.emulator import BackgroundEmulator

from .conftest import TEST_KEY

PROMPT = "1+2+3+4+...+100=?"


def openai_client(emulator: BackgroundEmulator) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{emulator.url}/v1", api_key=TEST_KEY, max_retries=0)


def test_openai_chat_plain_and_stream(emulator: BackgroundEmulator) -> None:
    with openai_client(emulator) as client:
        _chat(client)


def _chat(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": PROMPT}]
    plain = client.chat.completions.create(model="deepseek-reasoner", messages=messages)  # type: ignore[arg-type]
    assert plain.choices[0].message.content == "[deepseek-reasoner] You asked: 1+2+3+4+...+100=?"
    assert plain.usage is not None and plain.usage.completion_tokens > 0
    chunks = list(client.chat.completions.create(model="deepseek-reasoner", messages=messages, stream=True))  # type: ignore[arg-type]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == plain.usage.total_tokens


def test_openai_responses_plain_and_stream(emulator: BackgroundEmulator) -> None:
    with openai_client(emulator) as client:
        _responses(client)


def _responses(client: openai.OpenAI) -> None:
    args = {"model": "gpt-5.2-pro", "input": PROMPT, "reasoning": {"effort": "high", "summary": "detailed"}}
    plain = client.responses.create(**args)  # type: ignore[call-overload]
    assert plain.output_text == "[gpt-5.2-pro] You asked: 1+2+3+4+...+100=?"
    reasoning = [item for item in plain.output if item.type == "reasoning"]
    assert reasoning and reasoning[0].summary[0].text.startswith("Thinking about the question")
    assert plain.usage is not None and plain.usage.output_tokens_details.reasoning_tokens > 0
    with client.responses.stream(**args) as stream:  # the SDK's strict accumulator checks the event sequence
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert final.output_text == plain.output_text
    assert "response.reasoning_summary_text.delta" in kinds and kinds[-1] == "response.completed"


def test_anthropic_messages_plain_and_stream_with_thinking(emulator: BackgroundEmulator) -> None:
    with anthropic.Anthropic(base_url=emulator.url, api_key=TEST_KEY, max_retries=0) as client:
        _messages(client)


def _messages(client: anthropic.Anthropic) -> None:
    args = {
        "model": "claude-sonnet-4-5-20250929",
        "max_tokens": 4000,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "messages": [{"role": "user", "content": PROMPT}],
    }
    plain = client.messages.create(**args)  # type: ignore[call-overload]
    kinds = [block.type for block in plain.content]
    assert kinds == ["thinking", "text"] and plain.stop_reason == "end_turn"
    with client.messages.stream(**args) as stream:  # the SDK rebuilds the message from every event
        events = [event.type for event in stream]
        final = stream.get_final_message()
    assert [block.type for block in final.content] == ["thinking", "text"]
    assert final.content[1].text == plain.content[1].text  # type: ignore[union-attr]
    assert final.content[0].signature == plain.content[0].signature  # type: ignore[union-attr]
    assert final.usage.output_tokens == plain.usage.output_tokens
    assert events[0] == "message_start" and events[-1] == "message_stop"


def test_google_genai_plain_and_stream_with_thoughts(emulator: BackgroundEmulator) -> None:
    client = genai.Client(
        api_key=TEST_KEY, http_options=genai_types.HttpOptions(base_url=emulator.url, api_version="v1beta")
    )
    config = genai_types.GenerateContentConfig(
        thinking_config=genai_types.ThinkingConfig(thinking_budget=1024, include_thoughts=True),
        system_instruction="Be brief.",
    )
    plain = client.models.generate_content(model="gemini-2.5-pro", contents=PROMPT, config=config)
    assert plain.text == "[gemini-2.5-pro] You asked: 1+2+3+4+...+100=?"
    parts = plain.candidates[0].content.parts  # type: ignore[index,union-attr]
    assert parts is not None and parts[0].thought is True
    assert plain.usage_metadata is not None and (plain.usage_metadata.thoughts_token_count or 0) > 0
    chunks = list(client.models.generate_content_stream(model="gemini-2.5-pro", contents=PROMPT, config=config))
    text = "".join(
        part.text or "" for c in chunks for part in (c.candidates[0].content.parts or []) if not part.thought
    )  # type: ignore[index,union-attr]
    assert text == plain.text
    assert chunks[-1].candidates[0].finish_reason == genai_types.FinishReason.STOP  # type: ignore[index]
