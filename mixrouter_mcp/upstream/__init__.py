"""Everything between us and mixrouter; knows nothing of MCP."""

from .client import MixRouterClient
from .errors import UpstreamError
from .types import (
    Api,
    Completion,
    Delta,
    Effort,
    Image,
    Message,
    ModelInfo,
    Query,
    ThinkingRequest,
    Usage,
    VideoRequest,
    VideoStatus,
    VideoTask,
    is_task_id,
)

__all__ = [
    "Api",
    "Completion",
    "Delta",
    "Effort",
    "Image",
    "Message",
    "MixRouterClient",
    "ModelInfo",
    "Query",
    "ThinkingRequest",
    "UpstreamError",
    "Usage",
    "VideoRequest",
    "VideoStatus",
    "VideoTask",
    "is_task_id",
]
