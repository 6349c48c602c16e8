"""Advisory stores: SQLite on disk (the real one) and in memory (for tests and embedding).

The SQLite file lives at ``home_dir()/advisories.db``. Every import runs in one transaction, so a
crash or an error mid-import leaves the previous database intact and usable. Records are kept as
their original JSON (zlib-compressed) and indexed by ``(ecosystem, canonical name)``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from packaging.utils import NormalizedName

from snakewarden.advisories.interfaces import ImportStats, SourceStatus, StoreStatus
from snakewarden.advisories.model import PYPI, Advisory
from snakewarden.advisories.parse import parse_advisory
from snakewarden.errors import OsvError

DB_FILENAME = "advisories.db"
SCHEMA_VERSION = "1"
_BATCH = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisories (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    malicious INTEGER NOT NULL,
    source TEXT NOT NULL,
    raw BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
    advisory_id TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS affected_by_package ON affected (name, ecosystem);
CREATE INDEX IF NOT EXISTS affected_by_advisory ON affected (advisory_id);
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    location TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    records INTEGER NOT NULL
);
"""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class SqliteAdvisoryStore:
    """The on-disk advisory database. Safe to share between threads (one lock)."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            row = self._conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self._conn.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,)
                )
            elif row[0] != SCHEMA_VERSION:
                raise OsvError(
                    f"{path} has advisory database schema {row[0]}, expected {SCHEMA_VERSION}",
                    hint="remove the file and import the advisories again",
                )
        except sqlite3.Error as exc:
            raise OsvError(
                f"cannot open the advisory database {path}: {exc}",
                hint="check the file's permissions, or remove it and import again",
            ) from exc

    @classmethod
    def at_home(cls, home: Path) -> SqliteAdvisoryStore:
        return cls(home / DB_FILENAME)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- reading ---------------------------------------------------------------------------

    def advisories_for(
        self, names: Sequence[NormalizedName], ecosystem: str = PYPI
    ) -> Mapping[NormalizedName, Sequence[Advisory]]:
        wanted = sorted(set(names))
        out: dict[NormalizedName, list[Advisory]] = {n: [] for n in wanted}
        cache: dict[str, Advisory] = {}
        try:
            with self._lock:
                rows: list[tuple[str, str, bytes]] = []
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows.extend(
                        self._conn.execute(
                            # Only "?" placeholders are formatted in; values are bound.
                            "SELECT DISTINCT f.name, a.id, a.raw FROM affected f "  # noqa: S608
                            "JOIN advisories a ON a.id = f.advisory_id "
                            f"WHERE f.ecosystem = ? AND f.name IN ({marks}) ORDER BY a.id",
                            (ecosystem, *chunk),
                        ).fetchall()
                    )
        except sqlite3.Error as exc:
            raise OsvError(f"cannot read the advisory database {self.path}: {exc}") from exc
        for name, aid, raw in rows:
            adv = cache.get(aid)
            if adv is None:
                adv = cache[aid] = _decode(raw)
            out[NormalizedName(name)].append(adv)
        return out

    def get(self, advisory_id: str) -> Advisory | None:
        try:
            with self._lock:
                row = self._conn.execute(
                    "SELECT raw FROM advisories WHERE id = ?", (advisory_id,)
                ).fetchone()
        except sqlite3.Error as exc:
            raise OsvError(f"cannot read the advisory database {self.path}: {exc}") from exc
        return None if row is None else _decode(row[0])

    def status(self) -> StoreStatus:
        try:
            with self._lock:
                c = self._conn
                records, withdrawn, malicious, newest = c.execute(
                    "SELECT COUNT(*), COALESCE(SUM(withdrawn), 0), COALESCE(SUM(malicious), 0), "
                    "COALESCE(MAX(modified), '') FROM advisories"
                ).fetchone()
                (packages,) = c.execute(
                    "SELECT COUNT(*) FROM (SELECT DISTINCT ecosystem, name FROM affected)"
                ).fetchone()
                srcs = c.execute(
                    "SELECT name, location, imported_at, records FROM sources ORDER BY name"
                ).fetchall()
        except sqlite3.Error as exc:
            raise OsvError(f"cannot read the advisory database {self.path}: {exc}") from exc
        sources = tuple(SourceStatus(*row) for row in srcs)
        return StoreStatus(
            records=records,
            withdrawn=withdrawn,
            malicious=malicious,
            packages=packages,
            newest_modified=newest,
            last_import=max((s.imported_at for s in sources), default=""),
            sources=sources,
            path=str(self.path),
        )

    # -- writing ---------------------------------------------------------------------------

    def import_advisories(
        self,
        advisories: Iterable[Advisory],
        *,
        source: str,
        location: str,
        replace_source: bool | Callable[[], bool] = False,
    ) -> ImportStats:
        seen = written = unchanged = removed = 0
        snapshot_ids: set[str] = set()
        with self._lock:
            c = self._conn
            try:
                c.execute("BEGIN IMMEDIATE")
                existing = dict(c.execute("SELECT id, modified FROM advisories").fetchall())
                batch: list[Advisory] = []

                def flush() -> None:
                    if not batch:
                        return
                    ids = [(a.id,) for a in batch]
                    c.executemany("DELETE FROM affected WHERE advisory_id = ?", ids)
                    c.executemany(
                        "INSERT OR REPLACE INTO advisories VALUES (?, ?, ?, ?, ?, ?)",
                        [
                            (
                                a.id,
                                a.modified,
                                int(a.is_withdrawn),
                                int(a.is_malicious),
                                source,
                                zlib.compress(a.raw.encode("utf-8"), 6),
                            )
                            for a in batch
                        ],
                    )
                    c.executemany(
                        "INSERT INTO affected VALUES (?, ?, ?)",
                        {
                            (a.id, aff.ecosystem, aff.canonical_name)
                            for a in batch
                            for aff in a.affected
                            if aff.canonical_name
                        },
                    )
                    batch.clear()

                for adv in advisories:
                    seen += 1
                    snapshot_ids.add(adv.id)
                    old = existing.get(adv.id)
                    if old is not None and old >= adv.modified:
                        unchanged += 1
                        continue
                    existing[adv.id] = adv.modified
                    written += 1
                    batch.append(adv)
                    if len(batch) >= _BATCH:
                        flush()
                flush()
                if replace_source() if callable(replace_source) else replace_source:
                    gone = [
                        (rid,)
                        for (rid,) in c.execute(
                            "SELECT id FROM advisories WHERE source = ?", (source,)
                        ).fetchall()
                        if rid not in snapshot_ids
                    ]
                    c.executemany("DELETE FROM affected WHERE advisory_id = ?", gone)
                    c.executemany("DELETE FROM advisories WHERE id = ?", gone)
                    removed = len(gone)
                (count,) = c.execute(
                    "SELECT COUNT(*) FROM advisories WHERE source = ?", (source,)
                ).fetchone()
                c.execute(
                    "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)",
                    (source, location, _iso(self._clock()), count),
                )
                c.execute("COMMIT")
            except BaseException as exc:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise OsvError(
                        f"cannot write the advisory database {self.path}: {exc}",
                        hint="the previous contents are intact",
                    ) from exc
                raise
        return ImportStats(source, seen, written, unchanged, removed)


def _decode(raw: bytes) -> Advisory:
    try:
        text = zlib.decompress(raw).decode("utf-8")
        return parse_advisory(json.loads(text), raw=text)
    except (zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise OsvError(
            f"a record in the advisory database is corrupt: {exc}",
            hint="re-import the advisories (snakewarden db update or db import)",
        ) from exc


class InMemoryAdvisoryStore:
    """The same contract without a disk: for tests and for embedding small data sets."""

    def __init__(self, advisories: Iterable[Advisory] = (), *, now: str = "") -> None:
        self._records: dict[str, tuple[Advisory, str]] = {}
        self._sources: dict[str, SourceStatus] = {}
        self._now = now
        if advisories:
            self.import_advisories(advisories, source="memory", location="memory")

    def advisories_for(
        self, names: Sequence[NormalizedName], ecosystem: str = PYPI
    ) -> Mapping[NormalizedName, Sequence[Advisory]]:
        out: dict[NormalizedName, list[Advisory]] = {n: [] for n in names}
        for adv, _src in sorted(self._records.values(), key=lambda r: r[0].id):
            for name in {a.canonical_name for a in adv.affected if a.ecosystem == ecosystem}:
                if name in out:
                    out[name].append(adv)
        return out

    def get(self, advisory_id: str) -> Advisory | None:
        rec = self._records.get(advisory_id)
        return None if rec is None else rec[0]

    def status(self) -> StoreStatus:
        advs = [a for a, _ in self._records.values()]
        return StoreStatus(
            records=len(advs),
            withdrawn=sum(a.is_withdrawn for a in advs),
            malicious=sum(a.is_malicious for a in advs),
            packages=len({(f.ecosystem, f.canonical_name) for a in advs for f in a.affected}),
            newest_modified=max((a.modified for a in advs), default=""),
            last_import=max((s.imported_at for s in self._sources.values()), default=""),
            sources=tuple(self._sources[k] for k in sorted(self._sources)),
            path=":memory:",
        )

    def import_advisories(
        self,
        advisories: Iterable[Advisory],
        *,
        source: str,
        location: str,
        replace_source: bool | Callable[[], bool] = False,
    ) -> ImportStats:
        staged = dict(self._records)  # all or nothing, like the SQLite transaction
        seen = written = unchanged = 0
        ids: set[str] = set()
        for adv in advisories:
            seen += 1
            ids.add(adv.id)
            old = staged.get(adv.id)
            if old is not None and old[0].modified > adv.modified:
                unchanged += 1
                continue
            staged[adv.id] = (adv, source)
            written += 1
        removed = 0
        if replace_source() if callable(replace_source) else replace_source:
            for rid in [k for k, (_a, s) in staged.items() if s == source and k not in ids]:
                del staged[rid]
                removed += 1
        self._records = staged
        count = sum(1 for _a, s in staged.values() if s == source)
        self._sources[source] = SourceStatus(source, location, self._now, count)
        return ImportStats(source, seen, written, unchanged, removed)
