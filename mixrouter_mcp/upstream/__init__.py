"""Everything between us and mixrouter; knows nothing of MCP."""

from .client import MixRouterClient
from .errors import UpstreamError
from .types import Completion, Delta, Image, Message, ModelInfo, Query, ThinkingRequest, Usage

__all__ = [
    "Completion",
    "Delta",
    "Image",
    "Message",
    "MixRouterClient",
    "ModelInfo",
    "Query",
    "ThinkingRequest",
    "UpstreamError",
    "Usage",
]
