"""Policies: load, validate (file:line:column), resolve versions and `extends`, merge.

A policy reference is a bundled NAME, NAME@MAJOR, NAME@MAJOR.MINOR or NAME@X.Y.Z (the highest
matching version wins), a path to a YAML file, or `git+URL@REF#NAME[@VERSION]` (a policy
repository's policies/, see policysource.py). `extends` takes the same references; a relative
path is resolved against the extending file, and inside a policy repository never leaves it. A child's rule fields merge over its parent's; its
params merge over the parent's params; `disabled: true` removes an inherited rule.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from standards_check import yamlio
from standards_check.catalog import Catalog, CheckSpec, load_catalog, spec_from_data
from standards_check.errors import Problem, UserError
from standards_check.resources import data_dir, schema_path

DEFAULT_POLICY = "baseline"
DEFAULT_LEVELS = {1: "Foundations", 2: "Delivery", 3: "Operations", 4: "Scaling", 5: "Excellence"}
_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_SPEC = re.compile(r"^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?$")
MAX_EXTENDS = 32  # policies in one extends chain
_NAME_REF = re.compile(r"^([a-z0-9][a-z0-9-]*)(?:@(.+))?$")

Reader = Callable[[str], str]  # reads a policy file by its path; raises FileNotFoundError


@dataclass(frozen=True)
class Rule:
    check: str
    level: int = 1
    severity: str = "error"
    weight: float = 1.0
    params: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # file:line where the rule (or its last override) is written
    effective: dt.date | None = None  # before this day the rule's failures are upcoming, not gated

    def upcoming(self, as_of: dt.date) -> bool:
        return self.effective is not None and as_of < self.effective


@dataclass(frozen=True)
class WaiverRules:
    """What a policy allows of the waivers in `.standards.yml` (see repoconfig.govern)."""

    max_days: int | None = None
    require_approver: bool = False


@dataclass(frozen=True)
class GateSpec:
    min_score: float = 0.0
    min_level: int = 0
    fail_on_new: bool = False


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    description: str
    levels: dict[int, str]
    gate: GateSpec
    rules: tuple[Rule, ...]
    custom_checks: dict[str, CheckSpec]
    source: str
    chain: tuple[str, ...] = ()  # name@version of this policy and each ancestor
    commit: str | None = None  # the policy repository's commit, for a git+ reference
    notes: tuple[str, ...] = ()  # warnings from resolving it (a policy repository read from the cache)
    waivers: WaiverRules = field(default_factory=WaiverRules)

    def spec(self, check_id: str, catalog: Catalog) -> CheckSpec:
        return self.custom_checks.get(check_id) or catalog.get(check_id)

    def to_dict(self) -> dict[str, Any]:
        """The fully resolved policy in the file format (for `policy show`)."""
        data: dict[str, Any] = {
            "apiVersion": "standards-check/v1", "kind": "Policy",
            "metadata": {"name": self.name, "version": self.version, "description": self.description},
            "resolved_from": list(self.chain),
            "levels": dict(self.levels),
            "gate": {"min_score": self.gate.min_score, "min_level": self.gate.min_level,
                     "fail_on_new": self.gate.fail_on_new},
        }
        if self.custom_checks:
            data["checks"] = [{"id": s.id, "title": s.title, "category": s.category, "type": s.type,
                               "params": s.defaults()} for s in self.custom_checks.values()]
        if self.waivers != WaiverRules():
            data["waivers"] = {k: v for k, v in (("max_days", self.waivers.max_days),
                                                 ("require_approver", self.waivers.require_approver)) if v}
        data["rules"] = [{"check": r.check, "level": r.level, "severity": r.severity, "weight": r.weight,
                          "params": r.params, **({"effective": r.effective.isoformat()} if r.effective else {})}
                         for r in self.rules]
        return data


# ---- references and the bundled store -----------------------------------------------------------
def parse_version(text: str) -> tuple[int, int, int]:
    match = _VERSION.match(text)
    if not match:
        raise ValueError(text)
    return tuple(int(g) for g in match.groups())  # type: ignore[return-value]


def looks_like_path(ref: str) -> bool:
    if ref.startswith("git+"):
        return False
    return ref.endswith((".yaml", ".yml")) or "/" in ref or ref.startswith(".")


@lru_cache(maxsize=4)
def bundled_policies(directory: str | None = None) -> dict[str, dict[tuple[int, int, int], Path]]:
    """name -> {version: file} for policies/<name>/<X.Y.Z>.yaml."""
    root = Path(directory) if directory else data_dir("policies")
    found: dict[str, dict[tuple[int, int, int], Path]] = {}
    for path in sorted(root.glob("*/*.yaml")):
        try:
            version = parse_version(path.stem)
        except ValueError:
            continue
        found.setdefault(path.parent.name, {})[version] = path
    return found


def find_bundled(ref: str, directory: str | None = None) -> Path:
    """The file of a bundled NAME[@VERSION-SPEC], highest matching version."""
    return pick_version(ref, bundled_policies(directory), "bundled policies")


def pick_version(ref: str, store: dict[str, dict[tuple[int, int, int], Any]], where: str) -> Any:
    """The entry of NAME[@VERSION-SPEC] in `store` (name -> {version: entry}), highest matching version."""
    match = _NAME_REF.match(ref)
    if not match:
        raise UserError(f"not a policy reference: {ref!r} (use NAME, NAME@1, NAME@1.2, NAME@1.2.3 or a file path)")
    name, spec = match.group(1), match.group(2)
    if name not in store:
        known = ", ".join(sorted(store)) or "none"
        raise UserError(f"no policy named {name!r} ({where}: {known})")
    versions = store[name]
    wanted: tuple[int, ...] = ()
    if spec is not None:
        spec_match = _SPEC.match(spec)
        if not spec_match:
            raise UserError(f"not a version: {spec!r} in {ref!r} (use MAJOR, MAJOR.MINOR or X.Y.Z)")
        wanted = tuple(int(g) for g in spec_match.groups() if g is not None)
    matching = [v for v in versions if v[: len(wanted)] == wanted]
    if not matching:
        available = ", ".join(".".join(map(str, v)) for v in sorted(versions))
        raise UserError(f"policy {ref} does not exist (versions of {name}: {available})")
    return versions[max(matching)]


def _repo_store(paths: Any) -> dict[str, dict[tuple[int, int, int], str]]:
    """name -> {version: path} for the policies/<name>/<X.Y.Z>.yaml among repository paths."""
    found: dict[str, dict[tuple[int, int, int], str]] = {}
    for path in sorted(paths):
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == "policies" and parts[2].endswith(".yaml"):
            try:
                found.setdefault(parts[1], {})[parse_version(parts[2][:-5])] = path
            except ValueError:
                continue
    return found


# ---- loading ---------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_path("policy.schema.json").read_text()))


@dataclass
class _Raw:
    """One policy file, parsed and schema-checked, before resolution."""

    file: str
    data: dict[str, Any]
    positions: Callable[[], dict]

    def at(self, *path: Any) -> tuple[int | None, int | None]:
        return yamlio.position_of(self.positions(), path)

    def problem(self, message: str, *path: Any) -> Problem:
        line, col = self.at(*path)
        return Problem(self.file, message, line, col)


def _read_raw(file: str, text: str, validate: bool = True) -> tuple[_Raw | None, list[Problem]]:
    """`validate=False` for the package's own policies: they are validated when the package is
    built (hatch_build.py) and by the tests, so a scan with one does not import jsonschema."""
    try:  # one parse: resolving needs the line of every rule anyway
        data, found = yamlio.load_with_positions(text, source=file)
    except yamlio.YamlSyntaxError as exc:
        return None, [Problem(file, exc.message, exc.line, exc.column)]

    def positions() -> dict:
        return found

    if not isinstance(data, dict):
        return None, [Problem(file, "a policy must be a YAML mapping (apiVersion, kind, metadata, rules)", 1, 1)]
    problems: list[Problem] = []
    if validate:
        from standards_check.schema_errors import problems_from_schema

        problems += problems_from_schema(_validator(), data, positions, file)
    raw = _Raw(file, data, positions)
    problems += [raw.problem(f"{yamlio.dotted_path(path)}: {value!r} is not a finite number (NaN and infinity cannot be "
                             "scored or written as JSON)", *path) for path, value in _non_finite(data)]
    if not problems:
        seen: dict[str, int] = {}
        for index, rule in enumerate(data.get("rules", [])):
            if rule["check"] in seen:
                problems.append(raw.problem(f"rules[{index}]: check {rule['check']!r} is listed twice "
                                            f"(first as rules[{seen[rule['check']]}])", "rules", index, "check"))
            seen.setdefault(rule["check"], index)
    return (None if problems else raw), problems


def _non_finite(data: Any) -> list[tuple[tuple, float | int]]:
    """(path, value) of every NaN, infinity, or integer too large for a float, in document order."""
    found = []
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, bool):
            continue
        if isinstance(value, float) and not math.isfinite(value) or isinstance(value, int) and abs(value) > sys.float_info.max:
            found.append((path, value))
        elif isinstance(value, dict):
            stack.extend(reversed([((*path, key), item) for key, item in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([((*path, index), item) for index, item in enumerate(value)]))
    return found


def _read_policy_file(path: str) -> str:
    """A policy file from disk, refused past yamlio.MAX_BYTES without reading the rest."""
    with open(path, "rb") as handle:
        data = handle.read(yamlio.MAX_BYTES + 1)
    if len(data) > yamlio.MAX_BYTES:
        raise UserError(f"invalid policy {path}", [Problem(path, f"refused: larger than "
                                                          f"{yamlio.MAX_BYTES // (1024 * 1024)} MiB", 1, 1)])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"invalid policy {path}", [Problem(path, f"not UTF-8 text ({exc.reason})", 1, 1)]) from None


class PolicyLoader:
    """Resolves references to Policy objects, following `extends`, collecting every problem."""

    def __init__(self, catalog: Catalog | None = None, reader: Reader | None = None,
                 policies_dir: str | None = None) -> None:
        self.catalog = catalog or load_catalog()
        self._own_catalog = self.catalog is load_catalog()  # the shipped one: its params schemas
        # `reader` reads policy FILES (a repository's own, through its snapshot); a bundled
        # NAME@VERSION always comes from the package, whoever names it (a repository policy may
        # extend baseline@1).
        self.reader = reader or _read_policy_file
        self.policies_dir = policies_dir
        self._git_files: dict[str, tuple[Any, str]] = {}  # shown file -> (policysource.Checkout, path)

    def load(self, ref: str, relative_to: str | None = None) -> Policy:
        return self._load(ref, relative_to, ())

    def _locate(self, ref: str, relative_to: str | None) -> tuple[str, Callable[[], str], str]:
        """(file as shown in messages, its reader, its identity for cycle detection)."""
        from standards_check import policysource

        if policysource.is_git_ref(ref):
            source = policysource.parse(ref)
            repo = policysource.checkout(source)
            where = f"policies in {repo.source}@{repo.ref}"
            store = _repo_store([*repo.files, *repo.too_large])
            return self._in_repo(repo, pick_version(source.name, store, where))
        if relative_to in self._git_files and looks_like_path(ref):
            repo, base = self._git_files[relative_to]
            target = policysource.inside(base, ref)
            if target is None:
                raise UserError(f"{ref!r} is outside the policy repository {repo.source}")
            return self._in_repo(repo, target)
        if looks_like_path(ref):
            if relative_to is not None and not Path(ref).is_absolute():
                ref = str(Path(relative_to).parent / ref)
            file = ref
            read = self.reader
        else:
            # a bundled NAME@VERSION always comes from the package, whoever names it (a repository
            # policy read through its snapshot may extend baseline@1)
            file = str(find_bundled(ref, self.policies_dir))
            read = _read_policy_file
        identity = str(Path(file).resolve()) if not file.startswith("repo:") else file
        return file, lambda: read(file), identity

    def _in_repo(self, repo: Any, path: str) -> tuple[str, Callable[[], str], str]:
        file = repo.display(path)
        self._git_files[file] = (repo, path)

        def read() -> str:
            if path in repo.too_large:
                raise UserError(f"policy {file} is larger than 1 MiB; it was not read")
            if path not in repo.files:
                raise FileNotFoundError(file)
            return str(repo.files[path])
        return file, read, f"{repo.source}@{repo.commit}#{path}"

    def _load(self, ref: str, relative_to: str | None, stack: tuple[str, ...]) -> Policy:
        file, read, identity = self._locate(ref, relative_to)
        if identity in stack:
            cycle = " -> ".join([*stack, identity])
            raise UserError(f"policy extends itself in a cycle: {cycle}")
        if len(stack) >= MAX_EXTENDS:
            raise UserError(f"policy {stack[0]} extends a chain deeper than {MAX_EXTENDS} policies")
        try:
            text = read()
        except (FileNotFoundError, IsADirectoryError):
            raise UserError(f"policy file not found: {file}") from None
        except OSError as exc:
            raise UserError(f"cannot read policy {file}: {exc.strerror}") from None
        from standards_check import policysource

        # the package's own bundled policies are validated at build and test time (hatch_build.py)
        own = self.policies_dir is None and not looks_like_path(ref) and not policysource.is_git_ref(ref)
        raw, problems = _read_raw(file, text, validate=not own)
        if raw is None:
            raise UserError(f"invalid policy {file}", problems)
        parent = None
        if "extends" in raw.data:
            try:
                parent = self._load(raw.data["extends"], file, (*stack, identity))
            except UserError as exc:
                if exc.problems:
                    raise
                raise UserError(str(exc), [raw.problem(f"extends: {exc}", "extends")]) from None
        repo = self._git_files.get(file, (None, ""))[0]
        policy, problems = self._resolve(raw, parent, repo.source if repo else _display_source(file),
                                         trusted=own and self._own_catalog)
        if problems:
            raise UserError(f"invalid policy {file}", problems)
        notes = tuple(n for n in (repo.warning if repo else None,) if n) + (parent.notes if parent else ())
        return replace(policy, commit=repo.commit if repo else None, notes=tuple(dict.fromkeys(notes)))

    def _resolve(self, raw: _Raw, parent: Policy | None, source: str,
                 trusted: bool = False) -> tuple[Policy, list[Problem]]:
        """`trusted`: a bundled policy over the shipped catalog, whose params the tests check
        (tests/test_policy.py), so they are not checked again (that needs jsonschema)."""
        from standards_check.evaluators import declarative

        data, problems = raw.data, []
        custom = dict(parent.custom_checks) if parent else {}
        for index, entry in enumerate(data.get("checks", [])):
            if entry["id"] in self.catalog:
                problems.append(raw.problem(f"checks[{index}]: {entry['id']!r} is already a catalog check; "
                                            "choose another id", "checks", index, "id"))
                continue
            spec = spec_from_data(entry, raw.file)
            unknown = set(entry["params"]) - set(declarative.PARAMS[entry["type"]])
            if unknown:
                problems.append(raw.problem(f"checks[{index}].params: unknown param(s) {sorted(unknown)} for "
                                            f"type {entry['type']} (known: {sorted(declarative.PARAMS[entry['type']])})",
                                            "checks", index, "params"))
                continue
            problems.extend(self._check_params(raw, spec, spec.defaults(), ("checks", index, "params")))
            custom[spec.id] = spec

        rules = {r.check: r for r in parent.rules} if parent else {}
        for index, entry in enumerate(data.get("rules", [])):
            check_id = entry["check"]
            if check_id not in self.catalog and check_id not in custom:
                problems.append(raw.problem(f"rules[{index}]: unknown check {check_id!r}; run "
                                            "'standards-check checks list' for the catalog", "rules", index, "check"))
                continue
            if entry.get("disabled"):
                rules.pop(check_id, None)
                continue
            base = rules.get(check_id, Rule(check_id))
            line, _ = raw.at("rules", index)
            effective = base.effective
            if "effective" in entry:
                try:
                    effective = dt.date.fromisoformat(entry["effective"])
                except ValueError:
                    problems.append(raw.problem(f"rules[{index}]: effective {entry['effective']!r} is not a "
                                                "real date (YYYY-MM-DD)", "rules", index, "effective"))
            rule = replace(
                base,
                level=entry.get("level", base.level), severity=entry.get("severity", base.severity),
                weight=float(entry.get("weight", base.weight)),
                params={**base.params, **entry.get("params", {})},
                source=f"{raw.file}:{line}" if line else raw.file, effective=effective,
            )
            spec = custom.get(check_id) or self.catalog.get(check_id)
            if not trusted:
                problems.extend(self._check_params(raw, spec, {**spec.defaults(), **rule.params},
                                                   ("rules", index, "params"), compile_patterns="params" in entry))
            rules[check_id] = rule

        meta = data["metadata"]
        levels = dict(parent.levels) if parent else dict(DEFAULT_LEVELS)
        levels.update({int(k): v for k, v in data.get("levels", {}).items()})
        gate = parent.gate if parent else GateSpec()
        gate = replace(gate, **{k: v for k, v in data.get("gate", {}).items()})
        waiver_rules = parent.waivers if parent else WaiverRules()
        waiver_rules = replace(waiver_rules, **{k: v for k, v in data.get("waivers", {}).items()})
        policy = Policy(
            name=meta["name"], version=meta["version"], description=meta.get("description", ""),
            levels=dict(sorted(levels.items())), gate=gate,
            rules=tuple(sorted(rules.values(), key=lambda r: r.check)),
            custom_checks=custom, source=source,
            chain=(f"{meta['name']}@{meta['version']}", *(parent.chain if parent else ())),
            waivers=waiver_rules,
        )
        for rule in policy.rules:
            if rule.level not in policy.levels:
                problems.append(raw.problem(f"rule {rule.check} has level {rule.level}, which the policy does "
                                            f"not define (levels: {sorted(policy.levels)})", "rules"))
        return policy, problems

    def _check_params(self, raw: _Raw, spec: CheckSpec, params: dict[str, Any], path: tuple,
                      compile_patterns: bool = True) -> list[Problem]:
        from jsonschema import Draft202012Validator

        from standards_check.evaluators import declarative

        problems = []
        for error in sorted(Draft202012Validator(spec.params_schema()).iter_errors(params), key=lambda e: e.message):
            sub = tuple(error.absolute_path)
            if error.validator == "additionalProperties":
                extra = sorted(set(error.instance) - set(spec.params))
                known = ", ".join(sorted(spec.params)) or "none"
                message = f"unknown param(s) {extra} for {spec.id} (known: {known})"
            else:
                message = f"param {'.'.join(map(str, sub)) or ''} of {spec.id}: {error.message}"
            problems.append(raw.problem(message, *path, *sub))
        if not problems and spec.is_declarative and compile_patterns:
            try:
                declarative.validate(spec.type, params)
            except declarative.PatternError as exc:
                problems.append(raw.problem(f"{spec.id}: {exc}", *path))
        return problems


def _display_source(file: str) -> str:
    """A bundled policy is named by its place in the project (policies/<name>/<version>.yaml),
    not by where the package happens to be installed."""
    try:
        return "policies/" + Path(file).resolve().relative_to(data_dir("policies").resolve()).as_posix()
    except ValueError:
        return file


# ---- the public functions ------------------------------------------------------------------------
def resolve_policy(ref: str | None = None, *, reader: Reader | None = None,
                   catalog: Catalog | None = None) -> Policy:
    """The fully resolved policy for a reference (default: the baseline policy)."""
    return PolicyLoader(catalog, reader).load(ref or DEFAULT_POLICY)


def validate_files(files: list[str]) -> list[Problem]:
    """Every problem in each policy file (schema, unknown checks, params, extends); [] when all valid."""
    problems: list[Problem] = []
    loader = PolicyLoader()
    for file in files:
        try:
            policy = loader.load(file)
        except UserError as exc:
            problems.extend(exc.problems or [Problem(file, str(exc))])
            continue
        problems.extend(_bundled_naming_problems(file, policy))
    return problems


def _bundled_naming_problems(file: str, policy: Policy) -> list[Problem]:
    """policies/<name>/<version>.yaml must say the same name and version inside."""
    path = Path(file)
    if path.parent.parent.name != "policies":
        return []
    problems = []
    if policy.name != path.parent.name:
        problems.append(Problem(file, f"metadata.name {policy.name!r} does not match its directory {path.parent.name!r}"))
    if policy.version != path.stem:
        problems.append(Problem(file, f"metadata.version {policy.version!r} does not match its file name {path.name!r}"))
    return problems


def list_policies() -> list[tuple[str, str, str]]:
    """(name, version, description) of every bundled policy, newest version last."""
    rows = []
    for name, versions in sorted(bundled_policies().items()):
        for version in sorted(versions):
            text = versions[version].read_text()
            description = (yamlio.load(text) or {}).get("metadata", {}).get("description", "")
            rows.append((name, ".".join(map(str, version)), description))
    return rows
