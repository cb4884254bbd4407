"""Documents that GitHub and GitLab look for in known places: README, LICENSE, CONTRIBUTING and
pull/merge request templates. Selection is by file name through the snapshot's name index, so a
100,000-file repository costs a few dictionary look-ups."""
from __future__ import annotations

from typing import Iterable

from standards_check.context import CheckContext
from standards_check.model import Location, Outcome
from standards_check.snapshot import RepoSnapshot

# GitHub renders README/CONTRIBUTING in any of these markup formats (github/markup), or plain.
MARKUP_EXTS = ("", ".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".rst", ".txt", ".adoc", ".asciidoc",
               ".asc", ".org", ".textile", ".rdoc", ".pod", ".creole", ".wiki", ".mediawiki")


def find_documents(snapshot: RepoSnapshot, stems: Iterable[str], dirs: Iterable[str],
                   exts: Iterable[str] = MARKUP_EXTS) -> list[str]:
    """Files named STEM+EXT (any case) directly in one of `dirs` ("" is the root), in `dirs` order."""
    exts = tuple(exts)
    names = [stem + ext for stem in stems for ext in exts]
    found = snapshot.named(*names)
    order = {d: i for i, d in enumerate(dirs)}
    in_dirs = [p for p in found if p.rpartition("/")[0] in order]
    return sorted(in_dirs, key=lambda p: (order[p.rpartition("/")[0]], p))


def _where(dirs: Iterable[str]) -> str:
    return ", ".join(f"{d}/" if d else "the root" for d in dirs)


README_DIRS = (".github", "", "docs")  # GitHub shows .github/ first, then the root, then docs/


def readme_present(ctx: CheckContext, params: dict) -> Outcome:
    found = find_documents(ctx.snapshot, ["readme"], README_DIRS)
    if not found:
        return Outcome.failed(f"no README in {_where(README_DIRS)}")
    path = found[0]
    data = ctx.snapshot.read_bytes(path) or b""
    size = len(data.strip())
    if size >= params["min_bytes"]:
        return Outcome.passed(f"{path} ({size} bytes)", [Location(path)])
    return Outcome.failed(f"{path} holds only {size} bytes; the policy asks for {params['min_bytes']}",
                          [Location(path)], score=0.5 if size else 0.25)


# licensee (which GitHub uses) reads LICENSE/LICENCE/COPYING/UNLICENSE at the root, with suffixes
# such as LICENSE-MIT or LICENSE.APACHE; REUSE keeps licence texts in LICENSES/.
LICENSE_STEMS = ("license", "licence", "copying", "unlicense", "copyright")
LICENSE_SUFFIXES = ("", "-mit", "-apache", "-apache-2.0", "-bsd", "-gpl", ".mit", ".apache", "_mit", "_apache")


def license_present(ctx: CheckContext, params: dict) -> Outcome:
    snap = ctx.snapshot
    stems = [stem + suffix for stem in LICENSE_STEMS for suffix in LICENSE_SUFFIXES]
    found = find_documents(snap, stems, [""], ("", ".md", ".txt", ".rst", ".markdown"))
    reuse = [p for p in snap.under("LICENSES") if p.count("/") == 1]
    if not found and not reuse:
        return Outcome.failed("no LICENSE, LICENCE, COPYING or UNLICENSE file at the root, and no LICENSES/ directory")
    candidates = found or reuse
    readable = [p for p in candidates if (snap.read_bytes(p) or b"").strip()]
    if readable:
        return Outcome.passed(f"licence text in {', '.join(readable[:3])}", [Location(p) for p in readable[:3]])
    return Outcome.failed(f"{candidates[0]} is empty or unreadable", [Location(candidates[0])], score=0.25)


CONTRIBUTING_DIRS = (".github", "", "docs")


def contributing_present(ctx: CheckContext, params: dict) -> Outcome:
    found = find_documents(ctx.snapshot, ["contributing"], CONTRIBUTING_DIRS)
    if not found:
        return Outcome.failed(f"no CONTRIBUTING guide in {_where(CONTRIBUTING_DIRS)}")
    path = found[0]
    if (ctx.snapshot.read_bytes(path) or b"").strip():
        return Outcome.passed(f"contribution guide at {path}", [Location(path)])
    return Outcome.failed(f"{path} is empty", [Location(path)], score=0.25)


PR_TEMPLATE_DIRS = ("", ".github", "docs")
PR_TEMPLATE_FOLDERS = (".github/PULL_REQUEST_TEMPLATE", "PULL_REQUEST_TEMPLATE", "docs/PULL_REQUEST_TEMPLATE",
                       ".gitlab/merge_request_templates")


def pr_template_present(ctx: CheckContext, params: dict) -> Outcome:
    snap = ctx.snapshot
    found = find_documents(snap, ["pull_request_template"], PR_TEMPLATE_DIRS, ("", ".md", ".txt"))
    for folder in PR_TEMPLATE_FOLDERS:
        # GitHub matches the folder name in either case
        for variant in {folder, folder.lower()}:
            depth = variant.count("/") + 1
            found += [p for p in snap.under(variant)
                      if p.count("/") == depth and p.lower().endswith((".md", ".txt"))]
    found = sorted(set(found))
    if not found:
        return Outcome.failed("no pull request template (.github/pull_request_template.md, "
                              ".github/PULL_REQUEST_TEMPLATE/, docs/, the root) and no GitLab "
                              "merge request template (.gitlab/merge_request_templates/)")
    filled = [p for p in found if (snap.read_bytes(p) or b"").strip()]
    if not filled:
        return Outcome.failed(f"{found[0]} is empty", [Location(found[0])], score=0.25)
    return Outcome.passed(f"{len(filled)} template(s): {', '.join(filled[:3])}", [Location(p) for p in filled[:5]])


EVALUATORS = {
    "readme.present": readme_present,
    "license.present": license_present,
    "contributing.present": contributing_present,
    "pr_template.present": pr_template_present,
}
