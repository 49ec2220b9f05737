"""What the server's lifespan hands every tool call."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings
from .costs import PriceBook, SpendLedger
from .jobs import JobRunner
from .result_store import ResultStore
from .store import ConversationStore
from .upstream import MixRouterClient


@dataclass
class AppState:
    settings: Settings
    client: MixRouterClient
    results: ResultStore
    store: ConversationStore
    prices: PriceBook
    ledger: SpendLedger
    jobs: JobRunner
    ledger_where: str = ""  # where today's spend is kept, for the usage resource
