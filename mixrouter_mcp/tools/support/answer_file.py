"""`output_file`: the whole answer saved as Markdown inside the allowed directories, so that the caller's context
gets its path, a `resource_link` and the first lines only. The path is checked before any model is called (a bad
path never costs a call); the file is written atomically, never through a symlink, and never over a file already
there (a calling model may name any file in the allowed directories: the user's own source included), which then
keeps its content while the answer goes to the first free `name-N`."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path, PurePath

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ResourceLink

from ...config import Settings
from .saving import CREATE_NEW, OPEN_DIR, inside, numbered_names

PREVIEW_LINES = 20
PREVIEW_CHARS = 2_000


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def output_path(entry: str, settings: Settings) -> Path:
    """Where `entry` (relative to the first allowed directory) will be written, or a `ToolError` saying why not."""
    if "\x00" in entry:
        raise ToolError("output_file may not contain a NUL character")
    allowed = settings.allowed_dirs()
    target = (allowed[0] / Path(entry.strip()).expanduser()).absolute()
    if target.name in ("", ".", "..") or entry.strip().endswith(("/", os.sep)):
        raise ToolError(f"output_file '{entry}' names a folder; give a file name such as review.md")
    inside(_nearest_existing(target.parent), allowed)
    if target.is_symlink():
        raise ToolError(f"output_file '{entry}' is a symlink; it is never written through. Choose another name.")
    if target.exists() and not target.is_file():
        raise ToolError(f"output_file '{entry}' exists and is not a regular file")
    return target


def _write(target: Path, markdown: str, allowed: list[Path]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    directory = inside(target.parent, allowed)  # checked again once it exists: nothing may have moved it outside
    dir_fd = os.open(directory, OPEN_DIR)
    temporary = f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(temporary, CREATE_NEW, 0o644, dir_fd=dir_fd)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(markdown)
        return directory / _link_as_new(temporary, target.name, dir_fd)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=dir_fd)  # once linked, the answer lives on under its own name
        os.close(dir_fd)


def _link_as_new(temporary: str, name: str, dir_fd: int) -> str:
    """Give the written file `name`, or the first free `name-N`: a hard link is made whole at once and fails
    where the name is taken (a file, or a link, even a dangling one), so nothing there is ever replaced."""
    wanted = PurePath(name)
    for candidate in numbered_names(wanted.stem, wanted.suffix):
        try:
            os.link(temporary, candidate, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
        except FileExistsError:
            continue
        return candidate
    raise ToolError(f"no free file name for output_file '{name}'")


async def write_answer(target: Path, markdown: str, settings: Settings) -> Path:
    """Write `markdown` to `target` (off the event loop); the path written."""
    return await anyio.to_thread.run_sync(_write, target, markdown, settings.allowed_dirs())


def preview(text: str, path: Path) -> str:
    """The first lines of `text`, then where the rest is."""
    lines = text.splitlines()
    shown = "\n".join(lines[:PREVIEW_LINES])[:PREVIEW_CHARS]
    if len(shown) >= len(text.rstrip()):
        return f"{text}\n\n[saved to {path}]"
    return f"{shown}\n\n[… first lines only: {len(text):,} characters in all, the whole answer is in {path}]"


def link(path: Path, size: int, what: str) -> ResourceLink:
    return ResourceLink(
        type="resource_link", uri=path.as_uri(), name=path.name, mime_type="text/markdown", size=size, description=what
    )


async def saved(
    entry: Path | None, markdown: str, settings: Settings, what: str
) -> tuple[Path | None, ResourceLink | None, str | None]:
    """Write the answer when output_file was given: (path, link, a note when it went to another name than asked),
    or (None, None, a note) when the write failed after the call (the answer is then returned whole, not lost)."""
    if entry is None:
        return None, None, None
    try:
        path = await write_answer(entry, markdown, settings)
    except (OSError, ToolError) as error:
        reason = error.args[0] if isinstance(error, ToolError) else f"{type(error).__name__}: {error.strerror}"
        return None, None, f"output_file was not written ({reason}): the whole answer is here instead"
    renamed = None
    if path.name != entry.name:
        renamed = f"output_file {entry.name} already exists and was left as it was: the answer is in {path.name}"
    return path, link(path, len(markdown.encode()), what), renamed
