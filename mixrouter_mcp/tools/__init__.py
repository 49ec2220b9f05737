"""The MCP tools: thin layers that validate, map to a Query, and report progress."""

from .ask_model import ask_model
from .compare_models import compare_models
from .conversations import conversation_resource, conversations, delete_conversation
from .extended_thinking import extended_thinking
from .jobs import cancel_job, get_job
from .list_models import list_models
from .read_result import read_result
from .video import video

__all__ = [
    "ask_model",
    "cancel_job",
    "compare_models",
    "conversation_resource",
    "conversations",
    "delete_conversation",
    "extended_thinking",
    "get_job",
    "list_models",
    "read_result",
    "video",
]
