"""How a file sits in a prompt: `<file path="src/a.py" sha256="…">` … `</file>`, and how to find which files (and
which versions) earlier turns of a conversation already carry."""

from __future__ import annotations

import html
import re

_HEADER = re.compile(r'^<file path="([^"\n]*)" sha256="([0-9a-f]{16})">$', re.MULTILINE)
_CLOSE = "\n</file>"


def render_block(shown: str, digest: str, text: str) -> str:
    body = text if text.endswith("\n") or not text else text + "\n"
    return f'<file path="{html.escape(shown, quote=True)}" sha256="{digest}">\n{body}</file>'


def with_files(blocks: list[str], prompt: str) -> str:
    """The user message: the files first, then the question (long documents read best before the question)."""
    return "\n\n".join([*blocks, prompt]) if blocks else prompt


def blocks_in(text: str) -> dict[str, str]:
    """Path → hash of every whole file block in `text` (a block cut short when the turn was stored cut is not)."""
    found: dict[str, str] = {}
    headers = list(_HEADER.finditer(text))
    for index, match in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        if _CLOSE in text[match.end() : end]:
            found[html.unescape(match.group(1))] = match.group(2)
    return found
