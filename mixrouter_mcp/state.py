"""What the server's lifespan hands every tool call."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings
from .result_store import ResultStore
from .store import ConversationStore
from .upstream import MixRouterClient


@dataclass
class AppState:
    settings: Settings
    client: MixRouterClient
    results: ResultStore
    store: ConversationStore
