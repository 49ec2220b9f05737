"""Reading the selected files into a token budget: each file is sent whole or not at all, in the caller's order,
and every file left out says why. Files a conversation already holds unchanged (same hash) are not sent again.

Runs in a worker thread (it reads files).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..tokens import estimate_tokens
from .blocks import render_block
from .rules import unsendable_content
from .selection import Candidate

# No text costs less than one token per 8 bytes of UTF-8 (4 characters a token, 2 bytes a character at most
# below the wide scripts): a file bigger than 8x the room left cannot fit and is not even read.
_BYTES_PER_TOKEN_AT_MOST = 8


@dataclass(frozen=True)
class FileText:
    """A file read and ready to send: its path as shown, text, short hash, and tokens as a prompt block."""

    shown: str
    text: str
    digest: str
    tokens: int

    @property
    def block(self) -> str:
        return render_block(self.shown, self.digest, self.text)


@dataclass
class Packed:
    """What fits: the files to send now, those the conversation already holds unchanged, and those left out."""

    sent: list[FileText] = field(default_factory=list)
    unchanged: list[FileText] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def tokens(self) -> int:
        return sum(f.tokens for f in self.sent)


@dataclass(frozen=True)
class Limits:
    """How much may be read: per file and in all, in bytes."""

    file_bytes: int
    total_bytes: int


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _read(candidate: Candidate, limit: int) -> bytes:
    with candidate.real.open("rb") as handle:
        return handle.read(limit + 1)


def pack(
    candidates: Sequence[Candidate],
    budget: int,
    limits: Limits,
    already_sent: Mapping[str, str],
    secrets: Sequence[str],
) -> Packed:
    """Fit `candidates` into `budget` tokens. `already_sent` maps a path to the hash the conversation holds."""
    packed = Packed()
    read_in_all = 0
    for candidate in candidates:
        shown, room = candidate.shown, budget - packed.tokens
        if candidate.size > limits.file_bytes:
            packed.skipped[shown] = (
                f"too large: {candidate.size:,} bytes (limit {limits.file_bytes:,}, MIXROUTER_MAX_FILE_BYTES)"
            )
            continue
        if candidate.size > room * _BYTES_PER_TOKEN_AT_MOST and shown not in already_sent:
            packed.skipped[shown] = f"does not fit: ~{candidate.size // 4:,} tokens, {max(room, 0):,} left"
            continue
        if read_in_all + candidate.size > limits.total_bytes:
            packed.skipped[shown] = (
                f"read limit reached: {limits.total_bytes:,} bytes in all (MIXROUTER_MAX_FILES_BYTES)"
            )
            continue
        try:
            data = _read(candidate, limits.file_bytes)
        except OSError as exc:
            packed.skipped[shown] = f"cannot be read ({type(exc).__name__})"
            continue
        read_in_all += len(data)
        if len(data) > limits.file_bytes:  # it grew since it was listed
            packed.skipped[shown] = f"too large: over {limits.file_bytes:,} bytes (MIXROUTER_MAX_FILE_BYTES)"
            continue
        why = unsendable_content(data, secrets)
        if why:
            packed.skipped[shown] = why
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            packed.skipped[shown] = "binary or not UTF-8 text"
            continue
        digest = digest_of(data)
        file = FileText(shown, text, digest, estimate_tokens(render_block(shown, digest, text)))
        if already_sent.get(shown) == digest:
            packed.unchanged.append(file)
        elif file.tokens > room:
            packed.skipped[shown] = f"does not fit: ~{file.tokens:,} tokens, {max(room, 0):,} left"
        else:
            if shown in already_sent:
                packed.changed.append(shown)
            packed.sent.append(file)
    return packed


def top_up(packed: Packed, resend: Sequence[FileText], budget: int) -> int:
    """Send again the unchanged files whose earlier copy is no longer in the history sent, while they fit; how
    many were."""
    count = 0
    for file in resend:
        packed.unchanged.remove(file)
        room = budget - packed.tokens
        if file.tokens > room:
            packed.skipped[file.shown] = (
                f"sent earlier in this conversation, but that part of the history no longer fits and the file "
                f"(~{file.tokens:,} tokens) does not either ({max(room, 0):,} left)"
            )
        else:
            packed.sent.append(file)
            count += 1
    return count
