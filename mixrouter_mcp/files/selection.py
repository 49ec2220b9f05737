"""Which files the caller's `files` entries name: paths, directories and globs (`src/**/*.py`), minus `!`
exclusions and what `.gitignore` files ignore, only inside the allowed directories (symlinks resolved first).

Runs in a worker thread (it walks directories): nothing here may touch the event loop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from .rules import secret_name

Spec = pathspec.PathSpec[pathspec.Pattern]
_GLOB_CHARS = frozenset("*?[")
_NEVER_WALKED = frozenset({".git", ".hg", ".svn"})


class SelectionError(ValueError):
    """An entry that cannot be used: outside the allowed directories, naming nothing, or selecting too much."""


@dataclass(frozen=True)
class Candidate:
    """A file selected by the caller, not yet read: the path as shown (relative to the base directory when it is
    inside it), where it really is, and its size."""

    shown: str
    real: Path
    size: int


@dataclass
class Selection:
    """The files selected, in the caller's order, and those left out with the reason."""

    files: list[Candidate] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Ignores:
    """The `.gitignore` rules in force in one directory: each file's spec with the directory it sits in."""

    layers: tuple[tuple[Path, pathspec.GitIgnoreSpec], ...] = ()

    def entered(self, directory: Path) -> _Ignores:
        ignore_file = directory / ".gitignore"
        try:
            lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return self
        return _Ignores((*self.layers, (directory, pathspec.GitIgnoreSpec.from_lines(lines))))

    def ignores(self, path: Path, is_dir: bool) -> bool:
        # The deepest .gitignore with an opinion decides, as in git.
        for directory, spec in reversed(self.layers):
            relative = path.relative_to(directory).as_posix() + ("/" if is_dir else "")
            verdict = spec.check_file(relative).include
            if verdict is not None:
                return bool(verdict)
        return False


def _split(entry: str) -> tuple[str, str | None]:
    """An entry as (literal directory or file part, glob part or None): `src/**/*.py` → (`src`, `**/*.py`)."""
    parts = entry.replace(os.sep, "/").split("/")
    for index, part in enumerate(parts):
        if _GLOB_CHARS & set(part):
            literal = "/".join(parts[:index])
            return (literal or ("/" if entry.startswith("/") else ".")), "/".join(parts[index:])
    return entry, None


def _anchored(glob: str) -> Spec:
    """A glob as a gitignore pattern anchored at its directory: `*` stays in one folder, `**` crosses folders."""
    return pathspec.PathSpec.from_lines("gitignore", ["/" + glob.lstrip("/")])


class Selector:
    """Expands entries against a base directory and the allowed directories, within a file count."""

    def __init__(self, base: Path, allowed: list[Path], max_files: int) -> None:
        self.base = base
        self.allowed = allowed
        self.max_files = max_files
        self.selection = Selection()
        self._seen: set[Path] = set()
        self._walked = 0

    def shown(self, path: Path) -> str:
        return path.relative_to(self.base).as_posix() if path.is_relative_to(self.base) else path.as_posix()

    def _inside(self, path: Path) -> bool:
        return any(path.is_relative_to(root) for root in self.allowed)

    def select(self, entries: list[str]) -> Selection:
        includes = [e.strip() for e in entries if e.strip() and not e.strip().startswith("!")]
        excludes = [e.strip()[1:].strip() for e in entries if e.strip().startswith("!")]
        if not includes:
            raise SelectionError(
                "files: give at least one path, directory or glob to include ('!' entries only exclude)"
            )
        excluded = pathspec.PathSpec.from_lines("gitignore", ["/" + e.lstrip("/") for e in excludes if e])
        for entry in includes:
            self._entry(entry, excluded)
        return self.selection

    def _entry(self, entry: str, excluded: Spec) -> None:
        if "\x00" in entry:
            raise SelectionError("a file path may not contain a NUL character")
        literal, glob = _split(entry)
        start = (self.base / Path(literal).expanduser()).absolute()
        try:
            real = start.resolve(strict=True)
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise SelectionError(f"no file or directory at '{literal}' (relative paths start at {self.base})") from exc
        except (OSError, RuntimeError) as exc:
            raise SelectionError(f"cannot read '{literal}': {type(exc).__name__}") from exc
        if not self._inside(real):
            roots = ", ".join(str(r) for r in self.allowed)
            raise SelectionError(
                f"'{entry}' is outside the allowed directories ({roots}); set MIXROUTER_MCP_ALLOWED_DIRS to allow more"
            )
        if real.is_file():
            if glob is None:
                self._add(start, real, explicit=True)
            return
        if not real.is_dir():
            raise SelectionError(f"'{literal}' is neither a regular file nor a directory")
        before = len(self.selection.files)
        self._walk(real, _anchored(glob) if glob else None, excluded)
        if glob and len(self.selection.files) == before:
            self.selection.notes.append(f"files: '{entry}' matched no file")

    def _ignores_above(self, directory: Path) -> _Ignores:
        """The .gitignore files of the folders above `directory`, up to the repository root or the allowed root."""
        chain = []
        for parent in directory.parents:
            if not self._inside(parent):
                break
            chain.append(parent)
            if (parent / ".git").exists():
                break
        ignores = _Ignores()
        for parent in reversed(chain):
            ignores = ignores.entered(parent)
        return ignores

    def _walk(self, top: Path, glob: Spec | None, excluded: Spec) -> None:
        ignores_in = {top: self._ignores_above(top).entered(top)}
        for directory, dirs, names in os.walk(top):
            here = Path(directory)
            ignores = ignores_in.pop(here)
            dirs.sort()
            kept_dirs = []
            for name in dirs:
                path = here / name
                if name in _NEVER_WALKED or excluded.match_file(self.shown(path) + "/"):
                    continue
                if path.is_symlink():
                    self.selection.skipped[self.shown(path) + "/"] = "symlinked folder: not followed"
                elif ignores.ignores(path, is_dir=True):
                    self.selection.skipped[self.shown(path) + "/"] = "ignored by .gitignore"
                else:
                    kept_dirs.append(name)
                    ignores_in[path] = ignores.entered(path)
            dirs[:] = kept_dirs
            for name in sorted(names):
                path = here / name
                self._walked += 1
                if self._walked > self.max_files * 20:
                    raise SelectionError(self._too_many())
                if glob is not None and not glob.match_file(path.relative_to(top).as_posix()):
                    continue
                if excluded.match_file(self.shown(path)):
                    continue
                if ignores.ignores(path, is_dir=False):
                    self.selection.skipped[self.shown(path)] = "ignored by .gitignore"
                    continue
                self._add(path, path, explicit=False)

    def _add(self, path: Path, real: Path, *, explicit: bool) -> None:
        shown = self.shown(path)
        if not explicit:
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError):
                self.selection.skipped[shown] = "broken symlink"
                return
            if not self._inside(real):
                self.selection.skipped[shown] = "symlink leads outside the allowed directories"
                return
        if real in self._seen:
            return
        self._seen.add(real)
        why = secret_name(PurePosixPath(shown)) or secret_name(PurePosixPath(real.as_posix()))
        if why:
            self.selection.skipped[shown] = why
            return
        try:
            stat = real.stat()
        except OSError as exc:
            self.selection.skipped[shown] = f"cannot be read ({type(exc).__name__})"
            return
        if not real.is_file():
            self.selection.skipped[shown] = "not a regular file"
            return
        self.selection.files.append(Candidate(shown, real, stat.st_size))
        if len(self.selection.files) > self.max_files:
            raise SelectionError(self._too_many())

    def _too_many(self) -> str:
        return (
            f"files: the entries select more than {self.max_files:,} files (MIXROUTER_MAX_FILES). Narrow the globs "
            "(e.g. src/**/*.py) or exclude with '!pattern' (e.g. '!**/tests/**')."
        )
