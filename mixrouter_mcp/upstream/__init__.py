"""Everything between us and mixrouter; knows nothing of MCP."""

from ..vocabulary import Api, Effort, VideoStatus
from .client import MixRouterClient
from .errors import UpstreamError
from .types import (
    Completion,
    Delta,
    Image,
    KeyQuota,
    Message,
    ModelInfo,
    Query,
    ThinkingRequest,
    Usage,
    VideoRequest,
    VideoSubmission,
    VideoTask,
    is_task_id,
)

__all__ = [
    "Api",
    "Completion",
    "Delta",
    "Effort",
    "Image",
    "KeyQuota",
    "Message",
    "MixRouterClient",
    "ModelInfo",
    "Query",
    "ThinkingRequest",
    "UpstreamError",
    "Usage",
    "VideoRequest",
    "VideoStatus",
    "VideoSubmission",
    "VideoTask",
    "is_task_id",
]
