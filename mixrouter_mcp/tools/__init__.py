"""The MCP tools: thin layers that validate, map to a Query, and report progress."""

from .ask import ask_model
from .compare import compare_models
from .conversations import conversation_resource, conversations, delete_conversation
from .models import list_models
from .results import read_result
from .thinking import extended_thinking
from .video import video

__all__ = [
    "ask_model",
    "compare_models",
    "conversation_resource",
    "conversations",
    "delete_conversation",
    "extended_thinking",
    "list_models",
    "read_result",
    "video",
]
