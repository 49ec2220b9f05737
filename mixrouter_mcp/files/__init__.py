"""Files handed to a model: selected (paths, globs, .gitignore, allowed directories), read within limits, and
packed whole into the room its context window leaves."""

from .blocks import blocks_in, render_block, with_files
from .packing import FileText, Limits, Packed, pack, top_up
from .selection import Candidate, Selection, SelectionError, Selector

__all__ = [
    "Candidate",
    "FileText",
    "Limits",
    "Packed",
    "Selection",
    "SelectionError",
    "Selector",
    "blocks_in",
    "pack",
    "render_block",
    "top_up",
    "with_files",
]
