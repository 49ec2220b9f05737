from mixrouter_mcp.upstream.sse import SseDecoder, SseEvent, parse_sse


def test_comments_are_ignored_and_blank_lines_dispatch() -> None:
    events = list(parse_sse(": PING\n\ndata: a\n\n: keep-alive\ndata: b\n\n"))
    assert events == [SseEvent("a"), SseEvent("b")]


def test_crlf_framing_and_event_names() -> None:
    events = list(parse_sse('event: message_start\r\ndata: {}\r\n\r\nevent: ping\r\ndata: {"type":"ping"}\r\n\r\n'))
    assert [e.event for e in events] == ["message_start", "ping"]
    assert events[1].data == '{"type":"ping"}'


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert list(parse_sse("data: one\ndata: two\n\n")) == [SseEvent("one\ntwo")]


def test_value_without_space_and_unknown_fields() -> None:
    assert list(parse_sse("id: 7\nretry: 100\ndata:tight\n\n")) == [SseEvent("tight")]


def test_last_event_without_blank_line_is_flushed() -> None:
    decoder = SseDecoder()
    assert decoder.feed("data: [DONE]") is None
    assert decoder.flush() == SseEvent("[DONE]")
    assert decoder.flush() is None


def test_empty_events_are_not_dispatched() -> None:
    assert list(parse_sse("\n\n\nevent: x\n\n")) == []
