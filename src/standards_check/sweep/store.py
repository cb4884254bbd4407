"""The results store: one SQLite file holding every sweep and every repository result.

- WAL mode, one transaction per result: Ctrl-C or a crash loses nothing already written.
- A sweep is resumable: rerunning with the same source, policy and shard finds the unfinished
  sweep and skips repositories already done in it.
- `merge` folds shard stores into one; the shards of one run become one sweep.
Trends over time are plain queries over the `sweeps` and `results` tables.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from standards_check.errors import UserError

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sweeps (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL DEFAULT 'running',      -- running | finished | interrupted
    source TEXT NOT NULL,                       -- "github:acme", "urls:repos.txt", "dir:/srv/git"
    policy TEXT,                                -- the default policy given to the sweep
    policy_map TEXT,                            -- digest of the --policy-map file, if any
    policy_versions TEXT NOT NULL DEFAULT '[]', -- JSON list of "name@version" the results used
    tool_version TEXT NOT NULL,
    shard TEXT,                                 -- "K/N" for a shard; NULL for a whole sweep
    shards TEXT,                                -- JSON list of shards merged into this sweep
    run_id TEXT,                                -- ties the shards of one run together
    total INTEGER                               -- repositories selected for this sweep
);
CREATE TABLE IF NOT EXISTS results (
    sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
    repo TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error TEXT,
    score REAL,
    level INTEGER,
    passed INTEGER,
    policy TEXT,
    team TEXT,
    categories TEXT,        -- JSON {category: score}
    failing TEXT,           -- JSON list of failing check ids
    report TEXT,            -- the full report JSON (DESIGN.md section 3)
    commit_sha TEXT,
    duration_s REAL,
    scanned_at TEXT NOT NULL,
    PRIMARY KEY (sweep_id, repo)
);
CREATE INDEX IF NOT EXISTS results_repo ON results(repo);
"""
RESULT_COLUMNS = ("repo", "status", "error", "score", "level", "passed", "policy", "team",
                  "categories", "failing", "report", "commit_sha", "duration_s", "scanned_at")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def digest(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Sweep:
    id: int
    uid: str
    started_at: str
    finished_at: str | None
    state: str
    source: str
    policy: str | None
    policy_map: str | None
    policy_versions: tuple[str, ...]
    tool_version: str
    shard: str | None
    shards: tuple[str, ...]
    run_id: str | None
    total: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Sweep:
        data = dict(row)
        data["policy_versions"] = tuple(json.loads(data["policy_versions"] or "[]"))
        data["shards"] = tuple(json.loads(data["shards"] or "[]"))
        return cls(**data)


class Store:
    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise UserError(f"no results store at {self.path} (run `standards-check sweep` first)")
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL
            self.db.executescript(SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{self.path} is not a standards-check results store: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- sweeps -----------------------------------------------------------------------------
    def start_or_resume(self, *, source: str, policy: str | None, policy_map: str | None,
                        tool_version: str, shard: str | None, run_id: str | None,
                        total: int) -> tuple[Sweep, bool]:
        """The unfinished sweep with the same identity (resumed=True), or a new one."""
        row = self.db.execute(
            "SELECT * FROM sweeps WHERE state != 'finished' AND source = ? AND policy IS ?"
            " AND policy_map IS ? AND shard IS ? AND run_id IS ? ORDER BY id DESC LIMIT 1",
            (source, policy, policy_map, shard, run_id)).fetchone()
        if row is not None:
            self.db.execute("UPDATE sweeps SET state = 'running', total = ? WHERE id = ?", (total, row["id"]))
            return self.sweep(row["id"]), True
        cur = self.db.execute(
            "INSERT INTO sweeps (uid, started_at, source, policy, policy_map, tool_version, shard,"
            " shards, run_id, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, now(), source, policy, policy_map, tool_version, shard,
             json.dumps([shard] if shard else []), run_id, total))
        return self.sweep(int(cur.lastrowid or 0)), False

    def finish(self, sweep_id: int, state: str = "finished") -> None:
        versions = [r[0] for r in self.db.execute(
            "SELECT DISTINCT policy FROM results WHERE sweep_id = ? AND policy IS NOT NULL ORDER BY 1",
            (sweep_id,))]
        self.db.execute(
            "UPDATE sweeps SET state = ?, finished_at = CASE WHEN ? = 'finished' THEN ? END,"
            " policy_versions = ? WHERE id = ?",
            (state, state, now(), json.dumps(versions), sweep_id))

    def sweep(self, sweep_id: int) -> Sweep:
        row = self.db.execute("SELECT * FROM sweeps WHERE id = ?", (sweep_id,)).fetchone()
        if row is None:
            raise UserError(f"no sweep {sweep_id} in {self.path}")
        return Sweep.from_row(row)

    def sweeps(self) -> list[Sweep]:
        return [Sweep.from_row(r) for r in self.db.execute("SELECT * FROM sweeps ORDER BY started_at, id")]

    def latest_sweep(self) -> Sweep:
        """The most recently started sweep (after a merge, the merged shards are one sweep)."""
        row = self.db.execute("SELECT * FROM sweeps ORDER BY started_at DESC, id DESC LIMIT 1").fetchone()
        if row is None:
            raise UserError(f"the store {self.path} has no sweeps yet")
        return Sweep.from_row(row)

    # ---- results ----------------------------------------------------------------------------
    def done_repos(self, sweep_id: int) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT repo FROM results WHERE sweep_id = ?", (sweep_id,))}

    def add_result(self, sweep_id: int, row: dict[str, Any]) -> None:
        """Write one repository's result in its own transaction."""
        values = [_encode(row.get(col)) for col in RESULT_COLUMNS]
        with self.db:  # BEGIN ... COMMIT
            self.db.execute("BEGIN")
            self.db.execute(
                f"INSERT OR REPLACE INTO results (sweep_id, {', '.join(RESULT_COLUMNS)})"
                f" VALUES (?, {', '.join('?' * len(RESULT_COLUMNS))})", [sweep_id, *values])

    def results(self, sweep_id: int) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM results WHERE sweep_id = ? ORDER BY repo", (sweep_id,))
        return [_decode_result(r) for r in rows]

    def trend(self, source: str, shard: str | None = None) -> list[dict[str, Any]]:
        """Per sweep of this source: when, how many repositories, mean score, pass rate, levels."""
        rows = self.db.execute(
            "SELECT s.id, s.started_at, s.state, COUNT(r.repo) AS repos,"
            " SUM(r.status = 'ok') AS ok, AVG(CASE WHEN r.status = 'ok' THEN r.score END) AS score,"
            " AVG(CASE WHEN r.status = 'ok' THEN r.passed END) AS pass_rate"
            " FROM sweeps s LEFT JOIN results r ON r.sweep_id = s.id WHERE s.source = ?"
            " AND s.shard IS ? GROUP BY s.id ORDER BY s.started_at, s.id", (source, shard))
        return [dict(r) for r in rows]

    def rule_progress(self, source: str, shard: str | None = None) -> list[dict[str, Any]]:
        """Per sweep of this source and per rule that carries an `effective` date: how many scored
        repositories have the rule (`applicable`: any status but skip) and how many meet it (`met`:
        pass). Read from the stored reports; the scorecard's campaigns are the rules not yet in effect."""
        rows = self.db.execute(
            "SELECT s.id AS sweep_id, s.started_at, json_extract(j.value, '$.check') AS check_id,"
            " json_extract(j.value, '$.effective') AS effective,"
            " SUM(json_extract(j.value, '$.status') = 'pass') AS met,"
            " SUM(json_extract(j.value, '$.status') != 'skip') AS applicable"
            " FROM sweeps s JOIN results r ON r.sweep_id = s.id AND r.status = 'ok',"
            " json_each(r.report, '$.results') AS j"
            " WHERE s.source = ? AND s.shard IS ? AND json_valid(r.report)"
            " AND json_extract(j.value, '$.effective') IS NOT NULL"
            " GROUP BY s.id, check_id, effective ORDER BY check_id, effective, s.started_at, s.id",
            (source, shard))
        return [dict(r) for r in rows]

    # ---- merge ------------------------------------------------------------------------------
    def merge_from(self, inputs: Iterable[Path]) -> list[Sweep]:
        """Fold shard (or whole) stores into this one. Returns the sweeps created here.

        Shard sweeps of one run (same source, policy, shard count and run id; without a run id,
        the latest sweep of each shard) become one sweep. Merging the same inputs twice adds
        nothing the second time.
        """
        groups: dict[tuple, list[tuple[Sweep, list[dict[str, Any]]]]] = {}
        for path in inputs:
            with Store(path, create=False) as other:
                for sweep in other.sweeps():
                    key = _group_key(sweep)
                    groups.setdefault(key, []).append((sweep, other.results(sweep.id)))
        created = []
        for key, members in sorted(groups.items(), key=lambda kv: min(s.started_at for s, _ in kv[1])):
            if key[0] == "whole":
                for sweep, results in members:
                    made = self._copy_sweep([(sweep, results)])
                    if made:
                        created.append(made)
                continue
            for run in _pair_shards(key, members):
                made = self._copy_sweep(run)
                if made:
                    created.append(made)
        return created

    def _copy_sweep(self, members: list[tuple[Sweep, list[dict[str, Any]]]]) -> Sweep | None:
        sweeps = [s for s, _ in members]
        uid = sweeps[0].uid if len(sweeps) == 1 and not sweeps[0].shard else \
            "merged-" + hashlib.sha256(",".join(sorted(s.uid for s in sweeps)).encode()).hexdigest()[:24]
        if self.db.execute("SELECT 1 FROM sweeps WHERE uid = ?", (uid,)).fetchone():
            return None
        first = sweeps[0]
        shards = sorted({sh for s in sweeps for sh in (s.shards or ((s.shard,) if s.shard else ()))},
                        key=lambda t: int(t.split("/")[0]))
        finished = all(s.state == "finished" for s in sweeps)
        versions = sorted({v for s in sweeps for v in s.policy_versions})
        with self.db:
            self.db.execute("BEGIN")
            cur = self.db.execute(
                "INSERT INTO sweeps (uid, started_at, finished_at, state, source, policy, policy_map,"
                " policy_versions, tool_version, shard, shards, run_id, total)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
                (uid, min(s.started_at for s in sweeps),
                 max(s.finished_at or "" for s in sweeps) if finished else None,
                 "finished" if finished else "interrupted", first.source, first.policy,
                 first.policy_map, json.dumps(versions), first.tool_version, json.dumps(shards),
                 first.run_id, sum(s.total or 0 for s in sweeps)))
            new_id = int(cur.lastrowid or 0)
            for _, results in members:
                for row in results:
                    values = [_encode(row.get(col)) for col in RESULT_COLUMNS]
                    self.db.execute(
                        f"INSERT OR REPLACE INTO results (sweep_id, {', '.join(RESULT_COLUMNS)})"
                        f" VALUES (?, {', '.join('?' * len(RESULT_COLUMNS))})", [new_id, *values])
        return self.sweep(new_id)


def _group_key(sweep: Sweep) -> tuple:
    if not sweep.shard:
        return ("whole", sweep.uid)
    total = sweep.shard.split("/")[1]
    return ("shard", sweep.source, sweep.policy, sweep.policy_map, total, sweep.run_id)


def _pair_shards(key: tuple, members: list[tuple[Sweep, list[dict[str, Any]]]]) -> list[list]:
    """With a run id, all its shards are one run. Without, the n-th latest of each shard pair up."""
    if key[-1] is not None:
        return [members]
    by_shard: dict[str, list] = {}
    for member in sorted(members, key=lambda m: m[0].started_at, reverse=True):
        by_shard.setdefault(member[0].shard or "", []).append(member)
    depth = max(len(v) for v in by_shard.values())
    runs = [[v[i] for v in by_shard.values() if i < len(v)] for i in range(depth)]
    return list(reversed(runs))


def _encode(value: Any) -> Any:
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return int(value)
    return value


def _decode_result(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    for key in ("categories", "failing", "report"):
        data[key] = json.loads(data[key]) if data[key] else None
    if data["passed"] is not None:
        data["passed"] = bool(data["passed"])
    return data
