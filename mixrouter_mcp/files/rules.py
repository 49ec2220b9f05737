"""What is never sent, whatever the caller asks: secrets files (by name), files that hold a private key or one
of the server's own secrets, and binaries."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from pathlib import PurePath

# Lower-case names, matched on the file name; `.pub` keys and `.env` templates hold nothing secret.
_SECRET_NAMES = (
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.kdbx",
    "*.ppk",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".pgpass",
    ".htpasswd",
    ".git-credentials",
    "credentials",
    "credentials.json",
    "*.tfstate",
    "*.tfvars",
)
_HARMLESS_NAMES = (".env.example", ".env.sample", ".env.template", ".env.dist", "*.pub")
_SECRET_DIRS = frozenset({".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker"})
_PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
BINARY_SNIFF_BYTES = 8192


def secret_name(path: PurePath) -> str | None:
    """Why a file is a secrets file by its name or folder, or None."""
    name = path.name.lower()
    if any(part.lower() in _SECRET_DIRS for part in path.parts[:-1]):
        return "in a credentials folder: never sent"
    if any(fnmatch.fnmatchcase(name, p) for p in _HARMLESS_NAMES):
        return None
    if any(fnmatch.fnmatchcase(name, p) for p in _SECRET_NAMES):
        return "secrets file: never sent"
    return None


def unsendable_content(data: bytes, secrets: Sequence[str]) -> str | None:
    """Why these bytes must not be sent (a binary, a private key, a configured secret), or None."""
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        return "binary"
    if _PRIVATE_KEY.search(data):
        return "holds a private key: never sent"
    if any(secret and secret.encode() in data for secret in secrets):
        return "holds a secret of this server's settings: never sent"
    return None
