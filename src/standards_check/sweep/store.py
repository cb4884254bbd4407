"""The results store: one SQLite file holding every sweep and every repository result.

- WAL mode, one transaction per result: Ctrl-C or a crash loses nothing already written.
- A sweep is resumable: rerunning with the same source, policy and shard finds the unfinished
  sweep and skips repositories already done in it.
- `merge` folds shard stores into one; the shards of one run become one sweep.
- Reading (`create=False`) never writes, and reads a damaged store as far as it can:
  `read_results` checks every row (NULLs, cut-short JSON, wrong types, missing columns, pages a
  truncated file lost) and returns a damaged row as an `error` result saying so, with the list of
  what was damaged. A file that is not SQLite, or not a results store, is a UserError.
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
        """A sweep row, read leniently: a damaged list column reads as empty."""
        data = dict(row)
        def text(key: str) -> str | None:
            return data[key] if isinstance(data.get(key), str) else None

        return cls(
            id=int(data["id"]), uid=text("uid") or "", started_at=text("started_at") or "",
            finished_at=text("finished_at"), state=text("state") or "interrupted", source=text("source") or "",
            policy=text("policy"), policy_map=text("policy_map"),
            policy_versions=_json_strings(data.get("policy_versions")), tool_version=text("tool_version") or "",
            shard=text("shard"), shards=_json_strings(data.get("shards")), run_id=text("run_id"),
            total=data["total"] if isinstance(data.get("total"), int) else None)


class Store:
    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        self.path = Path(path)
        self.damage: list[str] = []  # what opening found wrong with the file (reading only)
        self._salvage: Path | None = None
        if not create and not self.path.is_file():
            raise UserError(f"no results store at {self.path} (run `standards-check sweep` first)")
        if not create:
            self.db = self._open_for_reading()
            return
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL
            self.db.executescript(SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{self.path} is not a standards-check results store: {exc}") from None

    def _open_for_reading(self) -> sqlite3.Connection:
        """The store as it is, written to by nothing here. A SQLite file cut short (its header
        names more pages than it has) is read from a private copy whose header says what is left,
        so the rows it still holds can be reported."""
        db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            _require_tables(db, self.path)
            return db
        except sqlite3.DatabaseError as exc:
            db.close()
            with open(self.path, "rb") as handle:
                header = handle.read(100)
            if not header.startswith(b"SQLite format 3\x00") or len(header) < 100:
                raise UserError(f"{self.path} is not a standards-check results store: {exc}") from None
            reason = str(exc)
        self._salvage = _salvage_copy(self.path, header)
        db = sqlite3.connect(f"file:{self._salvage}?mode=ro", uri=True, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA writable_schema=ON")  # read past schema entries whose pages are gone
            _require_tables(db, self.path)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise UserError(f"{self.path} is not a readable standards-check results store: {exc}") from None
        self.damage.append(f"the file is damaged ({reason}); what it still holds was read")
        return db

    def close(self) -> None:
        self.db.close()
        if self._salvage is not None:
            self._salvage.unlink(missing_ok=True)

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
        row = self._one("SELECT * FROM sweeps WHERE id = ?", (sweep_id,))
        if row is None:
            raise UserError(f"no sweep {sweep_id} in {self.path}")
        return Sweep.from_row(row)

    def _one(self, sql: str, args: tuple = ()) -> sqlite3.Row | None:
        try:
            row: sqlite3.Row | None = self.db.execute(sql, args).fetchone()
        except sqlite3.DatabaseError as exc:
            raise UserError(f"cannot read the sweeps of {self.path}: the store is damaged ({exc})") from None
        return row

    def sweeps(self) -> list[Sweep]:
        try:
            rows = self.db.execute("SELECT * FROM sweeps ORDER BY started_at, id").fetchall()
        except sqlite3.DatabaseError as exc:
            raise UserError(f"cannot read the sweeps of {self.path}: the store is damaged ({exc})") from None
        return [Sweep.from_row(r) for r in rows]

    def latest_sweep(self) -> Sweep:
        """The most recently started sweep (after a merge, the merged shards are one sweep)."""
        row = self._one("SELECT * FROM sweeps ORDER BY started_at DESC, id DESC LIMIT 1")
        if row is None:
            raise UserError(f"the store {self.path} has no sweeps yet")
        return Sweep.from_row(row)

    def previous_sweep(self, sweep: Sweep) -> Sweep | None:
        """The sweep of the same source (and shard) started just before this one, or None."""
        row = self.db.execute(
            "SELECT * FROM sweeps WHERE source = ? AND shard IS ? AND (started_at < ? OR"
            " (started_at = ? AND id < ?)) ORDER BY started_at DESC, id DESC LIMIT 1",
            (sweep.source, sweep.shard, sweep.started_at, sweep.started_at, sweep.id)).fetchone()
        return Sweep.from_row(row) if row is not None else None

    def score_changes(self, sweep: Sweep, results: list[dict[str, Any]]) -> dict[str, float | None]:
        """Each scored repository's score change since the previous sweep of the same source; None
        when it was not scored then (new, or an error then)."""
        previous = self.previous_sweep(sweep)
        before = {r["repo"]: r["score"] for r in self.results(previous.id)
                  if r["status"] == "ok" and r["score"] is not None} if previous else {}
        return {r["repo"]: (round(r["score"] - before[r["repo"]], 1) if r["repo"] in before else None)
                for r in results if r["status"] == "ok" and r["score"] is not None}

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
        return self.read_results(sweep_id)[0]

    def read_results(self, sweep_id: int) -> tuple[list[dict[str, Any]], list[str]]:
        """The sweep's results by repository, and what was damaged (one line each). A damaged row
        is kept as an `error` result whose reason says what is wrong with it; rows a damaged file
        no longer holds end the reading with a line saying so."""
        damaged: list[str] = list(self.damage)
        found: list[dict[str, Any]] = []
        try:
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(results)")}
            missing = [c for c in ("repo", "status", *RESULT_COLUMNS) if c not in columns]
            if missing:
                damaged.append(f"the results table has no column {', '.join(dict.fromkeys(missing))}")
            # Row by row in storage order, so that a damaged page ends the reading, not the report.
            for row in self.db.execute("SELECT rowid AS _rowid, * FROM results NOT INDEXED WHERE sweep_id = ?",
                                       (sweep_id,)):
                result, problem = _checked_result(row)
                found.append(result)
                if problem:
                    damaged.append(f"{result['repo']}: {problem}")
        except sqlite3.DatabaseError as exc:
            damaged.append(f"the store is damaged after {len(found)} result rows: {exc}")
        return sorted(found, key=lambda r: r["repo"]), damaged

    def trend(self, source: str, shard: str | None = None) -> list[dict[str, Any]]:
        """Per sweep of this source: when, how many repositories, mean score, pass rate, levels."""
        rows = self.db.execute(
            "SELECT s.id, s.started_at, s.state, COUNT(r.repo) AS repos,"
            " SUM(r.status = 'ok') AS ok,"
            " AVG(CASE WHEN r.status = 'ok' AND typeof(r.score) IN ('integer', 'real') THEN r.score END) AS score,"
            " AVG(CASE WHEN r.status = 'ok' AND r.passed IN (0, 1) THEN r.passed END) AS pass_rate"
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
                    results, damaged = other.read_results(sweep.id)
                    if damaged:  # a merged store must not hide damage as ordinary errors
                        raise UserError(f"cannot merge {path}: the store is damaged ({damaged[0]})")
                    groups.setdefault(_group_key(sweep), []).append((sweep, results))
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


def _require_tables(db: sqlite3.Connection, path: Path) -> None:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"sweeps", "results"} <= tables:
        raise UserError(f"{path} is not a standards-check results store: it has no sweeps and results tables")


def _salvage_copy(path: Path, header: bytes) -> Path:
    """A private copy of a SQLite file cut short: whole pages only, the header's page count (bytes
    28-31) set to what is there."""
    import struct
    import tempfile

    page = struct.unpack(">H", header[16:18])[0]
    page = 65536 if page == 1 else page
    data = bytearray(path.read_bytes())
    del data[len(data) - len(data) % page:]
    data[28:32] = struct.pack(">I", len(data) // page)
    handle, name = tempfile.mkstemp(prefix="standards-check-salvage-", suffix=".db")
    with open(handle, "wb") as out:
        out.write(data)
    return Path(name)


def _json_strings(value: Any) -> tuple[str, ...]:
    try:
        data = json.loads(value) if isinstance(value, str) else []
    except ValueError:
        return ()
    return tuple(v for v in data if isinstance(v, str)) if isinstance(data, list) else ()


def _checked_result(row: sqlite3.Row) -> tuple[dict[str, Any], str | None]:
    """A result row decoded and checked: (the result, None), or (an error result, what is wrong)."""
    data: dict[str, Any] = {key: None for key in RESULT_COLUMNS}
    data.update({k: v for k, v in dict(row).items() if k in RESULT_COLUMNS})
    problems: list[str] = []
    repo = data["repo"]
    if not isinstance(repo, str) or not repo:
        problems.append("no repository name")
        data["repo"] = repo = f"(row {row['_rowid']})"
    if data["status"] not in ("ok", "error"):
        problems.append(f"status is {data['status']!r}")
    for key, kinds in (("score", (int, float)), ("duration_s", (int, float)), ("level", (int,))):
        if data[key] is not None and (not isinstance(data[key], kinds) or isinstance(data[key], bool)):
            problems.append(f"{key} is not a number")
    if data["passed"] not in (None, 0, 1):
        problems.append("passed is not 0 or 1")
    for key in ("error", "policy", "team", "commit_sha", "scanned_at"):
        if data[key] is not None and not isinstance(data[key], str):
            problems.append(f"{key} is not text")
    for key, kind, item in (("categories", dict, (int, float, type(None))), ("failing", list, str),
                            ("report", dict, None)):
        raw = data[key]
        if raw is None or raw == "":
            data[key] = None
            continue
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            problems.append(f"{key} is not valid JSON (cut short?)")
            continue
        values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        if not isinstance(value, kind) or (item is not None and not all(isinstance(v, item) for v in values)):
            problems.append(f"{key} is not {'an object' if kind is dict else 'a list'} of the expected values")
            continue
        data[key] = value
    if problems:
        reason = "damaged row in the results store: " + "; ".join(problems)
        return ({**{key: None for key in RESULT_COLUMNS}, "repo": repo, "status": "error", "error": reason,
                 "scanned_at": data["scanned_at"] if isinstance(data["scanned_at"], str) else ""},
                "; ".join(problems))
    if data["passed"] is not None:
        data["passed"] = bool(data["passed"])
    if data["scanned_at"] is None:
        data["scanned_at"] = ""
    return data, None
