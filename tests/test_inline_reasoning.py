"""The inline-tag splitter must give the same split however the text is chunked."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixrouter_mcp.upstream.inline_reasoning import InlineReasoningSplitter

CASES = [
    ("<budget:thinking>\nplan\n</budget:thinking>\n\nanswer", "answer", "plan"),
    ("<think>steps</think>final", "final", "steps"),
    ("<thought>idea</thought>\n\nreply", "reply", "idea"),
    ("plain answer with < and <b>bold</b>", "plain answer with < and <b>bold</b>", ""),
    ("Use the <think> tag like this.", "Use the <think> tag like this.", ""),
    ("Intro. <budget:thinking>late</budget:thinking> outro", "Intro. outro", "late"),
    ("<budget:thinking>never closed", "", "never closed"),
    ("", "", ""),
]


def split_in_chunks(text: str, size: int) -> tuple[str, str]:
    splitter = InlineReasoningSplitter()
    answer, reasoning = [], []
    for start in range(0, len(text), size):
        delta = splitter.feed(text[start : start + size])
        answer.append(delta.text)
        reasoning.append(delta.reasoning)
    last = splitter.flush()
    return "".join([*answer, last.text]).strip(), "".join([*reasoning, last.reasoning]).strip()


@pytest.mark.parametrize(("text", "answer", "reasoning"), CASES)
@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 1000])
def test_split_is_independent_of_chunking(text: str, answer: str, reasoning: str, size: int) -> None:
    got_answer, got_reasoning = split_in_chunks(text, size)
    assert " ".join(got_answer.split()) == " ".join(answer.split())
    assert got_reasoning == reasoning


def test_tag_split_at_every_position() -> None:
    text = "<budget:thinking>abc</budget:thinking>xyz"
    for cut in range(len(text) + 1):
        splitter = InlineReasoningSplitter()
        first, second, last = splitter.feed(text[:cut]), splitter.feed(text[cut:]), splitter.flush()
        assert first.text + second.text + last.text == "xyz", cut
        assert first.reasoning + second.reasoning + last.reasoning == "abc", cut


_PIECES = ["<think>", "</think>", "<budget:thinking>", "</budget:thinking>", "<thought>", "<", ">", "a", " ", "\n"]


@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.integers(min_value=1, max_value=9))
def test_any_chunking_gives_the_split_of_the_whole(pieces: list[str], size: int) -> None:
    text = "".join(pieces)
    assert split_in_chunks(text, size) == split_in_chunks(text, len(text) or 1)
