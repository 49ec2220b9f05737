"""Checks the emulator applies to images, as a real endpoint would refuse a malformed one."""

from __future__ import annotations

import base64
import binascii


def valid_base64(data: str) -> bool:
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return False
    return bool(data)


def valid_image_url(url: str) -> bool:
    """An http(s) URL, or a `data:image/...;base64,` URL whose payload decodes."""
    if url.startswith(("http://", "https://")):
        return True
    head, _, data = url.partition(",")
    return head.startswith("data:image/") and head.endswith(";base64") and valid_base64(data)
