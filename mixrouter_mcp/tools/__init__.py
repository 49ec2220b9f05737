"""The MCP tools: thin layers that validate, map to a Query, and report progress."""

from .ask import ask_model
from .models import list_models

__all__ = ["ask_model", "list_models"]
