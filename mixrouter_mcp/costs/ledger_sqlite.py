"""The spend ledger in the conversations' SQLite file: one row a day, reservations in `BEGIN IMMEDIATE`
transactions so two processes never both pass a cap that only one fits under."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from ..sqlite_file import SqliteFile
from .ledger import KEEP_DAYS, DaySpend, LedgerUnavailable

_SCHEMA = "CREATE TABLE IF NOT EXISTS spend (day TEXT PRIMARY KEY, usd REAL NOT NULL, calls INTEGER NOT NULL, "
_SCHEMA += "unknown INTEGER NOT NULL)"


class SqliteLedger:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = SqliteFile(path, _SCHEMA)

    async def _run(self, work: Any, *args: Any) -> Any:
        try:
            return await self._file.run(work, *args)
        except sqlite3.Error as error:
            raise LedgerUnavailable(
                f"the spend ledger in {self.path} failed ({type(error).__name__}: {error})"
            ) from error

    async def reserve(self, day: str, usd: float, cap: float | None) -> tuple[bool, float]:
        result: tuple[bool, float] = await self._run(_reserve, day, usd, cap)
        return result

    async def settle(self, day: str, usd: float, *, calls: int, unknown: int) -> None:
        await self._run(_settle, day, usd, calls, unknown)

    async def spent(self, day: str) -> DaySpend:
        row = await self._run(
            lambda db: db.execute("SELECT usd, calls, unknown FROM spend WHERE day = ?", (day,)).fetchone()
        )
        return DaySpend(*row) if row else DaySpend(0.0, 0, 0)

    async def aclose(self) -> None:
        await self._file.aclose()


def _transaction(db: sqlite3.Connection, work: Any) -> Any:
    db.execute("BEGIN IMMEDIATE")
    try:
        result = work()
        db.execute("COMMIT")
        return result
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _reserve(db: sqlite3.Connection, day: str, usd: float, cap: float | None) -> tuple[bool, float]:
    def work() -> tuple[bool, float]:
        row = db.execute("SELECT usd FROM spend WHERE day = ?", (day,)).fetchone()
        spent = float(row[0]) if row else 0.0
        if cap is not None and spent + usd > cap:
            return False, spent
        _add(db, day, usd, 0, 0)
        return True, spent + usd

    result: tuple[bool, float] = _transaction(db, work)
    return result


def _settle(db: sqlite3.Connection, day: str, usd: float, calls: int, unknown: int) -> None:
    _transaction(db, lambda: _add(db, day, usd, calls, unknown))


def _add(db: sqlite3.Connection, day: str, usd: float, calls: int, unknown: int) -> None:
    db.execute(
        "INSERT INTO spend (day, usd, calls, unknown) VALUES (?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET "
        "usd = usd + excluded.usd, calls = calls + excluded.calls, unknown = unknown + excluded.unknown",
        (day, usd, calls, unknown),
    )
    # A give-back larger than what is booked (a reservation made before the day turned) leaves 0, not less.
    db.execute("UPDATE spend SET usd = 0 WHERE day = ? AND usd < 0", (day,))
    oldest = time.strftime("%Y-%m-%d", time.gmtime(time.time() - KEEP_DAYS * 86400))
    db.execute("DELETE FROM spend WHERE day < ?", (oldest,))
