"""The MCP tools: thin layers that validate, map to a Query, and report progress."""

from .ask import ask_model
from .compare import compare_models
from .conversations import conversation_resource, delete_conversation, get_conversation, list_conversations
from .models import list_models
from .results import read_result
from .thinking import extended_thinking
from .video import download_video, generate_video, get_video_task

__all__ = [
    "ask_model",
    "compare_models",
    "conversation_resource",
    "delete_conversation",
    "download_video",
    "extended_thinking",
    "generate_video",
    "get_conversation",
    "get_video_task",
    "list_conversations",
    "list_models",
    "read_result",
]
