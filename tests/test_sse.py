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


def test_only_cr_lf_and_crlf_end_lines() -> None:
    """U+2028, NEL and form feeds are text inside an event, not line ends (str.splitlines would split there)."""
    body = 'data: {"t": "a\u2028b\x85c\x0cd"}\r\n\r\ndata: two\r\rdata: three\n\n'
    assert [e.data for e in parse_sse(body)] == ['{"t": "a\u2028b\x85c\x0cd"}', "two", "three"]


def test_crlf_split_across_chunks() -> None:
    from mixrouter_mcp.upstream.sse import LineSplitter

    text = "one\r\ntwo\rthree\n\nfour\u2028five\r\n"
    for size in range(1, 6):
        splitter = LineSplitter()
        lines = [line for i in range(0, len(text), size) for line in splitter.feed(text[i : i + size])]
        assert lines + splitter.flush() == ["one", "two", "three", "", "four\u2028five"], size
