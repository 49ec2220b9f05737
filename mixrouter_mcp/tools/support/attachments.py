"""The caller's `files` as the tools use them: selected and read off the event loop, packed whole into the room
the model's context leaves (after the answer, the thinking budget, the system prompt and the question), with the
history fitted around them; and the manifest that says what went in and what was left out, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from ...config import Settings
from ...files import Limits, Packed, Selection, SelectionError, Selector, blocks_in, pack, top_up, with_files
from ...schemas import FileManifest
from ...store import Conversation
from ...tokens import estimate_tokens
from ...upstream import Image
from . import threads

MANIFEST_ENTRIES = 200  # paths listed in a result; beyond, a note gives the count


@dataclass
class Attached:
    """The new user message (files, then the prompt), the thread that carries it, and what the files came to."""

    message: str
    thread: threads.Thread
    manifest: FileManifest | None = None
    notes: list[str] = field(default_factory=list)


def _sent_before(conversation: Conversation | None) -> dict[str, str]:
    """Path → hash of each file the conversation's user turns carry (the latest copy wins)."""
    found: dict[str, str] = {}
    for turn in conversation.turns if conversation else ():
        if turn.role == "user":
            found.update(blocks_in(turn.content))
    return found


async def select(entries: list[str], settings: Settings) -> Selection:
    """The files `entries` name, or a `ToolError` saying which entry cannot be used and what to do."""
    allowed = settings.allowed_dirs()
    selector = Selector(allowed[0], allowed, settings.max_files)
    try:
        return await anyio.to_thread.run_sync(selector.select, entries)
    except SelectionError as error:
        raise ToolError(str(error)) from error


async def attach(
    settings: Settings,
    entries: list[str] | None,
    prompt: str,
    conversation: Conversation | None,
    model: str,
    system: str | None,
    room: int,
    images: tuple[Image, ...] = (),
) -> Attached:
    """The message for `model`: the files that fit whole, then `prompt`; history fitted into what is left."""
    if not entries:
        return Attached(prompt, threads.fit(conversation, prompt, images, model, system, room))
    selection = await select(entries, settings)
    system_in_force = system or (conversation.system if conversation else None)
    budget = threads.prompt_room(model, room, system_in_force, prompt) - estimate_tokens(prompt)
    limits = Limits(settings.max_file_bytes, settings.max_files_bytes)
    known = _sent_before(conversation)
    work = partial(pack, selection.files, budget, limits, known, settings.secrets())
    packed = await anyio.to_thread.run_sync(work)
    message = with_files([f.block for f in packed.sent], prompt)
    thread = threads.fit(conversation, message, images, model, system, room)
    carried: dict[str, str] = {}
    for sent in thread.messages[:-1]:
        if sent.role == "user":
            carried.update(blocks_in(sent.content))
    resend = [f for f in packed.unchanged if carried.get(f.shown) != f.digest]
    resent = 0
    if resend:
        resent = top_up(packed, resend, budget - threads.history_tokens(thread))
        message = with_files([f.block for f in packed.sent], prompt)
        thread = threads.fit(conversation, message, images, model, system, room)
    manifest, notes = _manifest(selection, packed, budget, model, resent)
    return Attached(message, thread, manifest, [*selection.notes, *notes])


def _manifest(
    selection: Selection, packed: Packed, budget: int, model: str, resent: int
) -> tuple[FileManifest, list[str]]:
    entries: FileManifest = {f.shown: f.tokens for f in packed.sent}
    entries.update(
        {f.shown: "unchanged since sent earlier in this conversation: not sent again" for f in packed.unchanged}
    )
    entries.update(selection.skipped)
    entries.update(packed.skipped)
    skipped = len(selection.skipped) + len(packed.skipped)
    summary = (
        f"files: {len(packed.sent)} included (~{packed.tokens:,} tokens of ~{max(budget, 0):,} {model}'s context left)"
    )
    if packed.unchanged:
        summary += f", {len(packed.unchanged)} unchanged and already in the conversation"
    if skipped:
        summary += f", {skipped} left out (see files for why)"
    notes = [summary]
    if packed.changed:
        notes.append("changed since sent earlier in this conversation, sent again: " + ", ".join(packed.changed))
    if resent:
        notes.append(f"{resent} unchanged file(s) sent again: the turn that carried them no longer fits the history")
    if len(entries) > MANIFEST_ENTRIES:
        notes.append(f"files lists the first {MANIFEST_ENTRIES} of {len(entries):,} paths")
        entries = dict(list(entries.items())[:MANIFEST_ENTRIES])
    return entries, notes
