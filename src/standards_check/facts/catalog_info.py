"""Backstage software-catalog descriptors (`catalog-info.yaml`): the entities a repository declares.

Read from every `catalog-info.yaml` / `catalog-info.yml` in the repository (a monorepo keeps one per
package), every `.yaml`/`.yml` directly in `.backstage/`, and the repository files that their
`kind: Location` entities target (`./catalog/systems/*.yaml`). A file may hold several YAML documents
(`---`); each document with a `kind` and a Backstage `apiVersion` is an entity. Shared by
`catalog.owner`, `oncall.defined`, `runbook.present`, and by the sweep (team and tier of a repository).

Spec: https://backstage.io/docs/features/software-catalog/descriptor-format
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from standards_check import globs, yamlio
from standards_check.facts import yamldocs
from standards_check.snapshot import RepoSnapshot

FILE_NAMES = ("catalog-info.yaml", "catalog-info.yml")
BACKSTAGE_DIR = ".backstage"


@dataclass(frozen=True)
class CatalogLink:
    url: str
    title: str
    type: str
    line: int | None


@dataclass
class Entity:
    path: str  # the file it is declared in
    document: int  # 0-based index among the non-empty YAML documents of that file
    kind: str
    name: str
    namespace: str
    api_version: str
    owner: str | None  # spec.owner as written (None when absent or not a string)
    lifecycle: str | None
    type: str | None
    system: str | None
    annotations: dict[str, str] = field(default_factory=dict)
    links: list[CatalogLink] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    line: int | None = None  # where the entity (its document) starts
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)  # key path -> (line, column)
    spec: dict[str, Any] = field(default_factory=dict)  # the raw spec, for fields not lifted above

    def line_of(self, *path: Any) -> int | None:
        """Line of the value at `path` (e.g. "spec", "owner"), or of its nearest written parent."""
        line, _ = yamlio.position_of(self.positions, path)
        return line

    @property
    def ref(self) -> str:
        """The entity reference, `kind:namespace/name` (namespace omitted when `default`)."""
        prefix = "" if self.namespace == "default" else f"{self.namespace}/"
        return f"{self.kind.lower()}:{prefix}{self.name}"


@dataclass(frozen=True)
class CatalogError:
    path: str
    message: str
    line: int | None


@dataclass
class CatalogInfo:
    files: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    errors: list[CatalogError] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[Entity]:
        wanted = {k.lower() for k in kinds}
        return [e for e in self.entities if e.kind.lower() in wanted]


def catalog_files(snapshot: RepoSnapshot) -> list[str]:
    files = set(snapshot.named(*FILE_NAMES))
    for path in snapshot.under(BACKSTAGE_DIR):
        rest = path[len(BACKSTAGE_DIR) + 1:]
        if "/" not in rest and rest.endswith((".yaml", ".yml")):
            files.add(path)
    return sorted(files)


def parse_catalog_info(snapshot: RepoSnapshot) -> CatalogInfo:
    """Entities of every descriptor, and of the in-repository files their `Location` entities target."""
    info = CatalogInfo()
    queue = catalog_files(snapshot)
    seen = set(queue)
    while queue and len(seen) <= _MAX_FILES:
        path = queue.pop(0)
        for entity in _parse_file(snapshot, path, info):
            for target in _location_targets(snapshot, entity):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
    info.files.sort()
    return info


_MAX_FILES = 1000  # a cycle or a generated catalog must not run away


def _parse_file(snapshot: RepoSnapshot, path: str, info: CatalogInfo) -> list[Entity]:
    text = snapshot.read_text(path)
    if text is None:
        info.errors.append(CatalogError(path, "could not be read (binary, too large or a link out)", None))
        return []
    info.files.append(path)
    try:
        documents = yamldocs.load_documents(text, source=path)  # the non-empty documents of the stream
    except yamlio.YamlSyntaxError as exc:
        info.errors.append(CatalogError(path, exc.message, exc.line))
        return []
    found = []
    for index, document in enumerate(documents):
        data, positions = document.data, document.positions
        entity = _entity(path, index, data, positions)
        if entity is None:
            if not isinstance(data, dict) or "kind" not in data:
                line = positions.get((), (None, None))[0]
                info.errors.append(CatalogError(path, "a document that is not a catalog entity (no kind)", line))
            continue
        info.entities.append(entity)
        found.append(entity)
    return found


def _location_targets(snapshot: RepoSnapshot, entity: Entity) -> list[str]:
    """Repository files a `kind: Location` points to (`./catalog/*.yaml` globs included); URLs are not followed."""
    if entity.kind.lower() != "location":
        return []
    spec = entity.spec
    targets = [spec.get("target")] + list(spec.get("targets") or [])
    out: list[str] = []
    base = posixpath.dirname(entity.path)
    for target in targets:
        if not isinstance(target, str) or not target.strip() or "://" in target or target.startswith("/"):
            continue
        resolved = posixpath.normpath(posixpath.join(base, target.strip()))
        if resolved.startswith(".."):
            continue
        if "*" in resolved:
            directory = resolved.split("*", 1)[0].rpartition("/")[0]
            try:
                out.extend(globs.matching(snapshot.under(directory), (resolved,)))
            except globs.GlobError:
                continue  # a target no glob engine reads names no file
        elif snapshot.exists(resolved):
            out.append(resolved)
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _entity(path: str, index: int, data: Any, positions: dict[tuple, tuple[int, int]]) -> Entity | None:
    if not isinstance(data, dict) or not _text(data.get("kind")):
        return None
    api_version = _text(data.get("apiVersion")) or ""
    if api_version and "backstage.io" not in api_version:
        return None  # another tool's manifest that happens to live in the file
    metadata: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    spec: dict[str, Any] = data["spec"] if isinstance(data.get("spec"), dict) else {}
    annotations: dict[Any, Any] = metadata["annotations"] if isinstance(metadata.get("annotations"), dict) else {}
    links = []
    for number, link in enumerate(metadata.get("links") or []):
        if isinstance(link, dict) and _text(link.get("url")):
            links.append(CatalogLink(str(link["url"]).strip(), str(link.get("title") or ""),
                                     str(link.get("type") or ""),
                                     yamlio.position_of(positions, ("metadata", "links", number))[0]))
    tags: list[Any] = metadata["tags"] if isinstance(metadata.get("tags"), list) else []
    return Entity(
        path=path, document=index, kind=str(data["kind"]).strip(),
        name=_text(metadata.get("name")) or "", namespace=_text(metadata.get("namespace")) or "default",
        api_version=api_version, owner=_text(spec.get("owner")), lifecycle=_text(spec.get("lifecycle")),
        type=_text(spec.get("type")), system=_text(spec.get("system")),
        annotations={str(k): "" if v is None else str(v) for k, v in annotations.items()},
        links=links, tags=[str(t) for t in tags],
        line=positions.get((), (None, None))[0], positions=positions, spec=spec,
    )
