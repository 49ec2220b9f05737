"""Images passed by the caller, checked before any upstream call: http(s) URLs, data URLs, or local files inside
the allowed directories (symlinks resolved first, so none can lead outside), real images only, size capped."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from ...config import Settings
from ...upstream import Image

MAX_IMAGES = 8
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
)


def sniff_image_type(data: bytes) -> str | None:
    """The media type the bytes really are (PNG, JPEG, GIF, WebP), whatever the name or header says."""
    for signature, offset, media_type in _SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            if media_type == "image/webp" and not data.startswith(b"RIFF"):
                continue
            return media_type
    return None


def _inline(data: bytes, origin: str, settings: Settings) -> Image:
    if len(data) > settings.max_image_bytes:
        raise ToolError(f"image {origin} is {len(data):,} bytes; the limit is {settings.max_image_bytes:,} bytes")
    media_type = sniff_image_type(data)
    if media_type is None:
        raise ToolError(f"{origin} is not an image (PNG, JPEG, GIF or WebP expected)")
    return Image(media_type=media_type, data_base64=base64.b64encode(data).decode())


def _from_data_url(ref: str, settings: Settings) -> Image:
    head, _, payload = ref.partition(",")
    if not head.startswith("data:image/") or not head.endswith(";base64"):
        raise ToolError("a data URL image must look like data:image/png;base64,<data>")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ToolError("the data URL image is not valid base64") from exc
    return _inline(data, "in the data URL", settings)


async def _from_path(ref: str, settings: Settings) -> Image:
    if "\x00" in ref:
        raise ToolError("an image path may not contain a NUL character")
    try:
        resolved = Path(await (await anyio.Path(ref).expanduser()).resolve(strict=True))
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise ToolError(f"no image file at '{ref}'") from exc
    except (OSError, RuntimeError) as exc:
        raise ToolError(f"cannot read the image path '{ref}': {type(exc).__name__}") from exc
    allowed = settings.allowed_dirs()
    if not any(resolved.is_relative_to(directory) for directory in allowed):
        dirs = ", ".join(str(d) for d in allowed)
        raise ToolError(
            f"'{ref}' is outside the allowed directories ({dirs}); set MIXROUTER_MCP_ALLOWED_DIRS to allow more"
        )
    file = anyio.Path(resolved)
    if not await file.is_file():
        raise ToolError(f"'{ref}' is not a regular file")
    size = (await file.stat()).st_size
    if size > settings.max_image_bytes:
        raise ToolError(f"image '{ref}' is {size:,} bytes; the limit is {settings.max_image_bytes:,} bytes")
    return _inline(await file.read_bytes(), f"'{ref}'", settings)


async def load_images(refs: list[str] | None, settings: Settings) -> tuple[Image, ...]:
    """Each reference as an `Image`, or a `ToolError` naming the first that cannot be used."""
    if not refs:
        return ()
    if len(refs) > MAX_IMAGES:
        raise ToolError(f"at most {MAX_IMAGES} images per call; got {len(refs)}")
    images = []
    for ref in refs:
        ref = ref.strip()
        if ref.startswith(("https://", "http://")):
            images.append(Image(media_type="image/jpeg", url=ref))
        elif ref.startswith("data:"):
            images.append(_from_data_url(ref, settings))
        elif "://" in ref:
            raise ToolError(f"unsupported image reference '{ref[:80]}': use an http(s) URL, a data URL or a local path")
        else:
            images.append(await _from_path(ref, settings))
    return tuple(images)
