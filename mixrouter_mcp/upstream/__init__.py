"""Everything between us and mixrouter; knows nothing of MCP."""

from .client import MixRouterClient
from .errors import UpstreamError
from .types import Completion, Delta, Message, ModelInfo, Query, Usage

__all__ = ["Completion", "Delta", "Message", "MixRouterClient", "ModelInfo", "Query", "UpstreamError", "Usage"]
