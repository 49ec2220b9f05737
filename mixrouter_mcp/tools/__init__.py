"""The MCP tools: thin layers that validate, map to a Query, and report progress."""

from .ask_model import ask_model
from .compare_models import compare_models
from .conversations import conversation_resource, conversations, delete_conversation
from .extended_thinking import extended_thinking
from .list_models import list_models
from .read_result import read_result
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
