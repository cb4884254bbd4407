"""A sweep as Backstage Tech Insights facts: one document a small fact retriever can serve.

The document is a fact retriever's serialisable definition (Tech Insights' `FactSchemaDefinition`:
`id`, `version`, `title`, `description`, `entityFilter`, `schema`, whose fact types are Tech Insights'
`integer | float | string | boolean | datetime | set`) plus `facts`: the `TechInsightFact[]` its
handler returns, `{"entity": {"namespace", "kind", "name"}, "facts": {...}, "timestamp"}`, with
datetimes as ISO 8601 strings (the retriever turns them into luxon DateTimes). docs/portals.md has
the retriever.

One entity per repository: the Component the repository's catalog-info.yaml declares (recorded by
the sweep), else a Component named after the repository's last path segment, made a valid
Backstage name. Two repositories that come to the same entity: the first by name is kept and the
others are returned as warnings. Per-component facts (a monorepo's components) are not produced yet.
"""
from __future__ import annotations

import json
from typing import Any

from standards_check import rx
from standards_check.escape import unsurrogate_data

RETRIEVER_ID = "standards-check"
FACTS_VERSION = "1.0.0"  # bump when a fact's meaning or type changes (Tech Insights compares it)
SCHEMA: dict[str, dict[str, str]] = {
    "status": {"type": "string", "description": "ok, or error when the repository could not be scanned"},
    "score": {"type": "float", "description": "standards-check score, 0-100 (absent on error)"},
    "level": {"type": "integer", "description": "maturity level reached, 0-5 (absent on error)"},
    "passed": {"type": "boolean", "description": "whether the policy's gate passed (absent on error)"},
    "failingChecks": {"type": "set", "description": "check IDs that failed or could not be evaluated"},
    "policy": {"type": "string", "description": "the policy scored against, name@version"},
    "repository": {"type": "string", "description": "the repository the facts were read from"},
    "error": {"type": "string", "description": "why the repository could not be scanned (only on error)"},
    "scannedAt": {"type": "datetime", "description": "when the repository was scanned"},
}
NAME_MAX = 63  # Backstage: metadata.name is 1-63 characters
_NAME_BAD = rx.compile(r"[^A-Za-z0-9]+")  # Backstage: [a-zA-Z0-9] separated by one of - _ .


def entity_name(text: str) -> str:
    """`text` as a valid Backstage `metadata.name`: runs of anything but letters and digits (the
    separators too, to keep it simple) become one `-`, trimmed to 63 characters."""
    name = _NAME_BAD.sub("-", text).strip("-")[:NAME_MAX].rstrip("-")
    return name or "unnamed"


def entity_of(result: dict[str, Any]) -> dict[str, str]:
    report = result.get("report")
    report = report if isinstance(report, dict) else {}
    repository = report.get("repository")
    repository = repository if isinstance(repository, dict) else {}
    declared = repository.get("catalog_entity")
    if isinstance(declared, dict) and isinstance(declared.get("name"), str) and declared["name"]:
        namespace = declared.get("namespace") if isinstance(declared.get("namespace"), str) else "default"
        return {"namespace": entity_name(namespace or "default").lower(), "kind": "Component",
                "name": entity_name(declared["name"])}
    return {"namespace": "default", "kind": "Component",
            "name": entity_name(str(result["repo"]).rstrip("/").rsplit("/", 1)[-1])}


def facts_of(result: dict[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {"status": result["status"], "repository": result["repo"],
                             "failingChecks": list(result.get("failing") or [])}
    if result["status"] == "ok":
        for key in ("score", "level", "passed"):
            if result.get(key) is not None:
                facts[key] = result[key]
        if isinstance(facts.get("score"), int):
            facts["score"] = float(facts["score"])
    else:
        facts["error"] = result.get("error") or "unknown error"
    if result.get("policy"):
        facts["policy"] = result["policy"]
    if result.get("scanned_at"):
        facts["scannedAt"] = str(result["scanned_at"])
    return facts


def render_backstage(results: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """(the JSON document, warnings about repositories left out)."""
    entries: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str], str] = {}
    warnings: list[str] = []
    for result in sorted(results, key=lambda r: r["repo"]):
        entity = entity_of(result)
        key = (entity["namespace"], entity["kind"].lower(), entity["name"].lower())  # refs ignore case
        if key in seen:
            warnings.append(f"{result['repo']}: left out, its entity component:{key[0]}/{key[2]} is "
                            f"already {seen[key]}'s")
            continue
        seen[key] = result["repo"]
        entry: dict[str, Any] = {"entity": entity, "facts": facts_of(result)}
        if result.get("scanned_at"):
            entry["timestamp"] = str(result["scanned_at"])
        entries.append(entry)
    document = {
        "id": RETRIEVER_ID, "version": FACTS_VERSION, "title": "standards-check",
        "description": "Engineering standards score, level and failing checks from the latest sweep",
        "entityFilter": [{"kind": "component"}], "schema": SCHEMA, "facts": entries,
    }
    return json.dumps(unsurrogate_data(document), indent=2) + "\n", warnings
