"""What the server's lifespan hands every tool call."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import Settings
from .results import ResultStore
from .store import ConversationStore
from .upstream import MixRouterClient


@dataclass
class AppState:
    settings: Settings
    client: MixRouterClient
    results: ResultStore
    store: ConversationStore
    video_urls: dict[str, None] = field(default_factory=dict)  # URLs mixrouter returned: download_video's allowlist
