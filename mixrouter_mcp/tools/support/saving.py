"""Writing a downloaded file inside the allowed directories, safely: never through a symlink, never over an
existing file, and never leaving a partial file behind when the download fails or is cancelled."""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import anyio
from mcp.server.mcpserver.exceptions import ToolError

# os.open flags: a new file only, never through a link; a directory, never through a link.
CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
OPEN_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
Fill = Callable[[Callable[[bytes], Awaitable[object]]], Awaitable[None]]


def inside(target: Path, allowed: list[Path]) -> Path:
    """`target` resolved (symlinks followed), or a `ToolError` when that lands outside every allowed directory."""
    resolved = target.expanduser().resolve()
    if not any(resolved.is_relative_to(root) for root in allowed):
        roots = ", ".join(str(r) for r in allowed)
        raise ToolError(f"'{target}' is outside the allowed directories ({roots}); set MIXROUTER_MCP_ALLOWED_DIRS")
    return resolved


def numbered_names(stem: str, suffix: str, tries: int = 10_000) -> Iterator[str]:
    """`stem+suffix`, then `stem-1+suffix`, `stem-2+suffix`, ...: the names tried for a file that must not replace
    one already there."""
    yield f"{stem}{suffix}"
    for number in range(1, tries):
        yield f"{stem}-{number}{suffix}"


def _create(directory: Path, stem: str, suffix: str, allowed: list[Path]) -> tuple[Path, BinaryIO]:
    """A new file `stem[-N]suffix` in `directory`, created exclusively without following links. The directory is
    checked again after it exists, and the file is created relative to a descriptor of that very directory."""
    directory.mkdir(parents=True, exist_ok=True)
    directory = inside(directory, allowed)
    dir_fd = os.open(directory, OPEN_DIR)
    try:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", stem)[:80].lstrip(".") or "download"
        for name in numbered_names(safe, suffix):
            try:
                fd = os.open(name, CREATE_NEW, 0o644, dir_fd=dir_fd)
            except FileExistsError:
                continue  # a file, or a link (even a dangling one), already has this name: never write through it
            return directory / name, os.fdopen(fd, "wb")
    finally:
        os.close(dir_fd)
    raise ToolError(f"no free file name for '{safe}{suffix}' in {directory}")


async def save(directory: Path, stem: str, suffix: str, allowed: list[Path], fill: Fill) -> Path:
    """Create the file, let `fill` write into it, and keep it only if `fill` returns: on any error or cancellation
    the partial file is removed."""
    path, raw = await anyio.to_thread.run_sync(_create, directory, stem, suffix, allowed)
    file = anyio.wrap_file(raw)
    try:
        await fill(file.write)
        await file.aclose()
    except BaseException:
        with anyio.CancelScope(shield=True):
            await file.aclose()
            await anyio.Path(path).unlink(missing_ok=True)
        raise
    return path
