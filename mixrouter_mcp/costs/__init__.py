"""What calls cost: prices, the cost of a call and its estimate, and today's spend."""

from .ledger import DaySpend, LedgerUnavailable, MemoryLedger, SpendLedger, open_ledger, utc_day
from .ledger_background import SettlingInBackground
from .meter import UNKNOWN, Cost, CostSource, Estimate, cost_of, dollars, estimate, total_of
from .price_book import PriceBook
from .prices import ModelPrice, PriceList

__all__ = [
    "UNKNOWN",
    "Cost",
    "CostSource",
    "DaySpend",
    "Estimate",
    "LedgerUnavailable",
    "MemoryLedger",
    "ModelPrice",
    "PriceBook",
    "PriceList",
    "SettlingInBackground",
    "SpendLedger",
    "cost_of",
    "dollars",
    "estimate",
    "open_ledger",
    "total_of",
    "utc_day",
]
