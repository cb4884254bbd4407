"""`standards-check owners PATH...`: who owns these paths, read from CODEOWNERS exactly as GitHub does.

    standards-check owners [--repo DIR | --codeowners FILE] [--format text|json] PATH...

`--format json` prints one object: each path -> its owners in the order the deciding CODEOWNERS line
gives them (`[]` when no line, or an owner-less line, matches). Errors are UserErrors: the command
group prints them on one line and exits 2.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence, TextIO

import click

from standards_check.errors import UserError
from standards_check.escape import printable, unsurrogate_data

if TYPE_CHECKING:
    from standards_check.facts.codeowners import CodeownersRule


def resolve_owners(
    paths: Sequence[str], repo: str | None = None, codeowners_file: str | None = None
) -> tuple[str, dict[str, list[str]], dict[str, int | None]]:
    """(the CODEOWNERS used, path -> owners, path -> deciding line) for repository-relative paths."""
    from standards_check.facts.codeowners import (
        GITHUB_LOCATIONS, Codeowners, normalise_path, owners_for_directory, parse_codeowners, rules_for_directory,
    )

    known_dirs: set[str] = set()

    if codeowners_file is not None:
        file = Path(codeowners_file)
        if not file.is_file():
            raise UserError(f"no such CODEOWNERS file: {codeowners_file}")
        try:
            text = file.read_bytes().decode("utf-8-sig", "replace")
        except OSError as exc:
            raise UserError(f"cannot read {codeowners_file}: {exc.strerror}") from None
        # a file kept in `.github/` is GitHub's, one in `.gitlab/` GitLab's, as in a repository
        where = file.resolve().as_posix()
        name = next((loc for loc in (".github/CODEOWNERS", ".gitlab/CODEOWNERS") if where.endswith("/" + loc)), None)
        dialect = {".github/CODEOWNERS": "github", ".gitlab/CODEOWNERS": "gitlab"}.get(name or "", "auto")
        source, codeowners = codeowners_file, Codeowners.parse(text, name or file.name, dialect)
    else:
        from standards_check.snapshot import open_snapshot

        with open_snapshot(repo or ".") as snapshot:
            fact = parse_codeowners(snapshot)
            known_dirs = {normalise_path(p) for p in paths if normalise_path(p) and snapshot.is_dir(normalise_path(p))}
        if fact.path is None:
            raise UserError(f"no CODEOWNERS in {repo or '.'}: looked for {', '.join(GITHUB_LOCATIONS)}")
        if fact.codeowners is None:
            raise UserError(f"cannot use {fact.path}: {fact.error}")
        source, codeowners = fact.path, fact.codeowners
    directories = {given for given in paths if given.endswith("/") or normalise_path(given) in known_dirs}
    files = [given for given in paths if given not in directories]
    found = codeowners.owners_for_many(files)
    deciding = codeowners.rules_for_many(found)
    # keyed by each path as given; matched as the repository path it names (`./a` is `a`)
    owners: dict[str, list[str]] = {}
    lines: dict[str, int | None] = {}
    for given in paths:
        if given in directories:  # `docs/`: the rules GitHub applies to the directory itself too
            owners[given] = owners_for_directory(codeowners, given)
            lines[given] = _last_line(rules_for_directory(codeowners, given))
        else:
            owners[given] = found[normalise_path(given)]
            lines[given] = _last_line(deciding[normalise_path(given)])
    return source, owners, lines


def _last_line(rules: list[CodeownersRule]) -> int | None:
    return rules[-1].line if rules else None


def _relative_to_repo(paths: Sequence[str]) -> tuple[str | None, list[str]]:
    """Without --repo, read paths as git does: relative to the current directory of a work tree."""
    from standards_check.snapshot import run_git

    top = run_git(".", "rev-parse", "--show-toplevel", check=False).strip()
    if not top:
        return None, list(paths)
    prefix = run_git(".", "rev-parse", "--show-prefix", check=False).strip()
    out = []
    for p in paths:
        if os.path.isabs(p):
            rel = os.path.relpath(p, top)
        else:
            rel = os.path.normpath(os.path.join(prefix, p)) if prefix else p
        if p.endswith(("/", os.sep)) and not rel.endswith("/"):
            rel += "/"  # `docs/` asks about the directory
        out.append(rel.replace(os.sep, "/"))
    return top, out


def render_text(source: str, owners: dict[str, list[str]], lines: dict[str, int | None], out: TextIO) -> None:
    """One line a path. Paths often come from the repository (`git ls-files | xargs ...`): control
    characters and undecodable bytes are shown as escapes (`escape.printable`)."""
    shown = {path: printable(path) for path in owners}
    width = max((len(p) for p in shown.values()), default=0)
    source = printable(source)
    for path, found in owners.items():
        line = lines.get(path)
        where = f"{source}:{line}" if line else ""
        if found:
            out.write(f"{shown[path]:<{width}}  {printable(' '.join(found))}  ({where})\n")
        elif line:
            out.write(f"{shown[path]:<{width}}  (no owner: {where} has none)\n")
        else:
            out.write(f"{shown[path]:<{width}}  (no owner: no rule matches)\n")


@click.command("owners")
@click.option("--repo", metavar="DIR", default=None,
              help="Repository whose CODEOWNERS to read (default: the work tree you are in); "
                   "PATHs are then relative to its root.")
@click.option("--codeowners", "codeowners_file", metavar="FILE", default=None,
              help="Read this CODEOWNERS file instead of finding one in a repository.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one object, each path -> its owners in CODEOWNERS order.")
@click.argument("paths", nargs=-1, required=True)
def owners(repo: str | None, codeowners_file: str | None, fmt: str, paths: tuple[str, ...]) -> None:
    """Show who owns each PATH, read from CODEOWNERS exactly as GitHub reads it.

    The file is the first of .github/CODEOWNERS, CODEOWNERS and docs/CODEOWNERS (or
    .gitlab/CODEOWNERS when none exists). The last matching line decides; a matching line
    without owners leaves the path unowned. A PATH ending in `/` (or naming a directory of the
    repository) gets the owners GitHub applies to that directory, `/docs/` rules included.

    \b
    Examples:
      standards-check owners src/app.py docs/index.md
      standards-check owners --repo ../api --format json services/pay/handler.go
      standards-check owners --codeowners .github/CODEOWNERS vendor/lib.c
    """
    if repo is not None and codeowners_file is not None:
        raise UserError("use either --repo or --codeowners, not both")
    if repo is None and codeowners_file is None:
        top, rel = _relative_to_repo(paths)
        source, by_rel, rel_lines = resolve_owners(rel, repo=top)
        found = {given: by_rel[r] for given, r in zip(paths, rel)}  # keys as the user typed them
        lines = {given: rel_lines[r] for given, r in zip(paths, rel)}
    else:
        source, found, lines = resolve_owners(paths, repo=repo, codeowners_file=codeowners_file)
    if fmt == "json":
        click.echo(json.dumps(unsurrogate_data(found), indent=2))
    else:
        render_text(source, found, lines, sys.stdout)
