"""The command line: thin wiring over the library. Heavy modules are imported inside commands, so
`standards-check --help` starts fast. A UserError prints one line per problem and exits 2."""
from __future__ import annotations

import os
import sys
from typing import Any

import click

from standards_check import __version__

FORMATS = ("text", "json", "markdown", "sarif", "junit", "codequality", "html")


class _Group(click.Group):
    """Maps the one user-facing error type to exit code 2, without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from standards_check.errors import UserError

        try:
            return super().invoke(ctx)
        except UserError as exc:
            for line in exc.lines():
                say(f"standards-check: error: {line}")
            ctx.exit(2)


def say(line: str) -> None:
    """One line for a person on standard error. Error messages echo file names, refs and policy
    text: control characters and undecodable bytes are shown as escapes (`escape.printable`)."""
    from standards_check.escape import printable

    click.echo(printable(line), err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="standards-check")
def cli() -> None:
    """Score a repository against engineering standards written as versioned YAML policies."""


def _emit(text: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            from standards_check.errors import UserError

            raise UserError(f"cannot write {output}: {exc.strerror}") from None
    else:
        click.echo(text, nl=False)


def _color_wanted(output: str | None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


@cli.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--policy", "policy_ref", metavar="NAME[@VERSION]|FILE|git+URL@REF#NAME[@VERSION]",
              help="Policy to score against (default: .standards.yml's, else baseline); git+ reads it "
                   "from a policy repository.")
@click.option("--ref", metavar="REF", help="Scan this git ref from git objects, without checking it out.")
@click.option("--base", metavar="REF",
              help="Compare with this git ref: score delta, new failures, fixed rules (both sides read "
                   "from git objects; the head is --ref or HEAD).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of standard output.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Judge as of this day: waivers' expiry, rules' effective dates and the checks that read dates or history (default: today).")
def scan(path: str, policy_ref: str | None, ref: str | None, base: str | None, fmt: str,
         output: str | None, as_of: Any) -> None:
    """Scan PATH (default: .) and report its score. Exit 0 gate passed, 1 gate failed, 2 bad input."""
    from standards_check.engine import scan_path
    from standards_check.render import RENDERERS, render
    from standards_check.report import DIFF_SKIPPED, POLICY_SOURCE

    if fmt not in RENDERERS:
        raise click.UsageError(f"--format {fmt} is not available in this version")
    day = as_of.date() if as_of else None
    if base:
        from standards_check.diff import scan_diff

        report = scan_diff(path, base, ref=ref, policy_ref=policy_ref, as_of=day)
        for warning in report.warnings:
            if warning.kind == DIFF_SKIPPED:
                say(f"standards-check: warning: {warning.text}")
    else:
        report = scan_path(path, ref=ref, policy_ref=policy_ref, as_of=day)
    for warning in report.warnings:
        if warning.kind == POLICY_SOURCE:
            say(f"standards-check: warning: {warning.text}")
    _emit(render(report, fmt, color=_color_wanted(output)), output)
    if output:
        state = "passed" if report.passed else "failed"
        say(f"wrote {output}: score {report.score:g}, level {report.level}, gate {state}")
    sys.exit(report.exit_code)


@cli.command()
@click.option("--policy", "policy", metavar="NAME[@VERSION]|FILE", help="Policy (input: policy).")
@click.option("--path", metavar="DIR", help="Directory to scan, relative to the workspace (input: path).")
@click.option("--fail-on", type=click.Choice(["gate", "new-failures", "never"]),
              help="What fails the step (input: fail-on; default gate).")
@click.option("--base-ref", metavar="REF", help="Compare with this ref (input: base-ref; default: the PR base).")
@click.option("--sarif-file", metavar="FILE", help="Also write SARIF here (input: sarif-file).")
@click.option("--report-json", metavar="FILE", help="Where to write the JSON report (default: $RUNNER_TEMP).")
@click.option("--comment", type=click.Choice(["on", "off"]), help="Sticky PR comment (input: comment).")
@click.option("--check-run", type=click.Choice(["on", "off"]), help="Check run with annotations (input: check-run).")
@click.option("--codequality-file", metavar="FILE",
              help="GitLab: where to write the Code Quality report (default: gl-code-quality-report.json).")
@click.option("--junit-file", metavar="FILE",
              help="GitLab: where to write the JUnit report (default: standards-check-junit.xml).")
def ci(**options: Any) -> None:
    """Run as a GitHub Actions step or a GitLab CI job: scan, write the reports, post the results.

    On GitHub reads GITHUB_* variables and the Action's INPUT_* variables (options here win); the
    token comes from INPUT_GITHUB_TOKEN or GITHUB_TOKEN only, never from the command line. In a
    GitLab job (GITLAB_CI) reads CI_* variables and STANDARDS_CHECK_* variables, writes the Code
    Quality and JUnit reports, and posts a sticky merge-request note with GITLAB_TOKEN (see docs/gitlab.md).
    """
    from standards_check.commands.ci import main as run_ci

    flags = {name: options.pop(name) for name in ("comment", "check_run")}
    options.update({name: value == "on" for name, value in flags.items() if value is not None})
    sys.exit(run_ci(options))


@cli.group()
def checks() -> None:
    """The check catalog."""


@checks.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def checks_list(fmt: str) -> None:
    """List every check with its category and title."""
    import json

    from standards_check.catalog import load_catalog
    from standards_check.evaluators import REGISTRY

    specs = list(load_catalog())
    if fmt == "json":
        rows = [{"id": s.id, "category": s.category, "title": s.title,
                 "implemented": s.id in REGISTRY or s.is_declarative} for s in specs]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(s.id) for s in specs)
    for spec in sorted(specs, key=lambda s: (s.category, s.id)):
        missing = "" if spec.id in REGISTRY or spec.is_declarative else "  (not implemented yet)"
        click.echo(f"{spec.id:<{width}}  {spec.category:<11}  {spec.title}{missing}")


@checks.command("explain")
@click.argument("check_id")
def checks_explain(check_id: str) -> None:
    """Explain a check: what it looks at, why it matters, how to fix it, its params."""
    import textwrap

    from standards_check.catalog import load_catalog
    from standards_check.evaluators import REGISTRY

    spec = load_catalog().get(check_id)

    def para(title: str, text: str) -> None:
        click.echo(f"\n{title}")
        click.echo(textwrap.fill(" ".join(text.split()), width=88, initial_indent="  ", subsequent_indent="  "))

    click.echo(f"{spec.id} — {spec.title}")
    click.echo(f"category: {spec.category}")
    if spec.id not in REGISTRY and not spec.is_declarative:
        click.echo("status: not implemented yet (a policy rule using it reports 'error')")
    para("What it checks", spec.what)
    para("Why it matters", spec.why)
    para("How to fix", spec.fix)
    if spec.example:
        click.echo("\nExample")
        click.echo(textwrap.indent(spec.example.rstrip(), "  "))
    if spec.params:
        click.echo("\nParams")
        for name, schema in spec.params.items():
            click.echo(f"  {name} (default {schema.get('default')!r}): {schema.get('description', '')}")
    if spec.references:
        click.echo("\nReferences")
        for url in spec.references:
            click.echo(f"  {url}")


@cli.group()
def policy() -> None:
    """Versioned policies."""


@policy.command("list")
def policy_list() -> None:
    """List the bundled policies and their versions."""
    from standards_check.policy import list_policies

    for name, version, description in list_policies():
        click.echo(f"{name}@{version}  {description}")


@policy.command("show")
@click.argument("ref")
def policy_show(ref: str) -> None:
    """Print the fully resolved policy NAME[@VERSION], FILE or git+URL@REF#NAME[@VERSION]
    (extends applied, defaults filled)."""
    import yaml

    from standards_check.catalog import load_catalog
    from standards_check.policy import resolve_policy

    resolved = resolve_policy(ref)
    data = resolved.to_dict()
    catalog = load_catalog()
    for rule in data["rules"]:  # show the params a rule really runs with
        rule["params"] = {**resolved.spec(rule["check"], catalog).defaults(), **rule["params"]}
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)


@policy.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path())
def policy_validate(files: tuple[str, ...]) -> None:
    """Validate policy FILES; print every problem as file:line:column: sentence. Exit 2 on any."""
    from standards_check.policy import validate_files
    from standards_check.text import plural

    problems = validate_files(list(files))
    for problem in problems:
        say(str(problem))
    if problems:
        sys.exit(2)
    click.echo(f"{plural(len(files), 'policy')} valid")


@policy.command("test")
@click.argument("directory", default=".", type=click.Path(file_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "junit"]), default="text", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write the results to FILE instead of standard output.")
def policy_test(directory: str, fmt: str, output: str | None) -> None:
    """Run a policy repository's tests: DIR/tests/<case>/repo/ scanned against expect.yaml's policy.

    Exit 0 when every case holds, 1 when one does not, 2 for a malformed case."""
    from pathlib import Path

    from standards_check.policytest import render_junit, render_text, run_tests

    outcomes = run_tests(Path(directory))
    _emit(render_junit(outcomes) if fmt == "junit" else render_text(outcomes), output)
    sys.exit(0 if all(o.held for o in outcomes) else 1)


@cli.command()
@click.option("--org", metavar="OWNER", help="Sweep a GitHub organisation's (or user's) repositories.")
@click.option("--gitlab-group", metavar="GROUP",
              help="Sweep a GitLab group's projects, subgroups included (token: GITLAB_TOKEN).")
@click.option("--urls", type=click.Path(dir_okay=False), help="Sweep the clone URLs in FILE (one a line).")
@click.option("--dir", "directory", type=click.Path(file_okay=False),
              help="Sweep the git clones or mirrors in DIR, in place.")
@click.option("--api-url", metavar="URL",
              help="GitHub Enterprise Server URL (default: github.com; env GITHUB_API_URL), or a "
                   "self-managed GitLab URL with --gitlab-group (default: gitlab.com).")
@click.option("--store", "store_path", default="standards-check.db", show_default=True,
              type=click.Path(dir_okay=False), help="SQLite results store.")
@click.option("--policy", "policy_ref", metavar="NAME[@VERSION]|FILE",
              help="Policy for repositories without their own .standards.yml (default: baseline).")
@click.option("--policy-map", type=click.Path(dir_okay=False),
              help="YAML mapping topics or catalog-info lifecycle/tier to policies.")
@click.option("--jobs", "-j", default=2, show_default=True, type=click.IntRange(min=1),
              help="Repositories scanned in parallel.")
@click.option("--shard", metavar="K/N", help="Sweep only shard K of N (stable by repository name).")
@click.option("--timeout", default=600.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds allowed per repository (clone, fetch and scan).")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Where partial clones are kept between sweeps (default: ~/.cache/standards-check/clones).")
@click.option("--topic", "topics", multiple=True, help="Only repositories with this GitHub topic (repeatable).")
@click.option("--include", multiple=True, metavar="GLOB", help="Only names matching GLOB (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip names matching GLOB (repeatable).")
@click.option("--include-archived", is_flag=True, help="Also sweep archived repositories.")
@click.option("--include-forks", is_flag=True, help="Also sweep forks.")
@click.option("--max-size-mb", type=click.IntRange(min=1), metavar="MB",
              help="Record larger repositories (GitHub's size) as errors instead of cloning them.")
@click.option("--run-id", metavar="ID", help="Ties the shards of one run together for `merge`.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
def sweep(org: str | None, gitlab_group: str | None, urls: str | None, directory: str | None, api_url: str | None,
          store_path: str, policy_ref: str | None, policy_map: str | None, jobs: int,
          shard: str | None, timeout: float, cache_dir: str | None, topics: tuple[str, ...],
          include: tuple[str, ...], exclude: tuple[str, ...], include_archived: bool,
          include_forks: bool, max_size_mb: int | None, run_id: str | None,
          progress: bool | None) -> None:
    """Scan every repository of an organisation, a GitLab group, a URL list or a directory into a results store.

    Rerunning an interrupted sweep resumes it. Exit 0 when every repository has a result (a
    repository that could not be scanned is recorded as an error), 130 when interrupted."""
    from pathlib import Path

    from standards_check.commands.sweep import exit_code, sweep_command

    summary = sweep_command(
        org=org, gitlab_group=gitlab_group, urls=Path(urls) if urls else None, directory=Path(directory) if directory else None,
        api_url=api_url, store_path=Path(store_path), policy=policy_ref,
        policy_map=Path(policy_map) if policy_map else None, jobs=jobs, shard=shard, timeout=timeout,
        cache_dir=Path(cache_dir) if cache_dir else None, include_archived=include_archived,
        include_forks=include_forks, topics=topics, include=include, exclude=exclude,
        max_size_mb=max_size_mb, run_id=run_id, progress=progress,
        echo=say)
    sys.exit(exit_code(summary))


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
def merge(out: str, inputs: tuple[str, ...]) -> None:
    """Merge shard results stores INPUTS into OUT; the shards of one run become one sweep."""
    from pathlib import Path

    from standards_check.commands.merge import merge_command

    sys.exit(merge_command(Path(out), [Path(p) for p in inputs]))


@cli.command()
@click.option("--store", "store_path", default="standards-check.db", show_default=True,
              type=click.Path(dir_okay=False), help="SQLite results store.")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "csv", "badge", "backstage"]),
              default="html", show_default=True,
              help="badge: shields.io endpoint JSON files into the --output directory; "
                   "backstage: Tech Insights facts (docs/portals.md).")
@click.option("--output", "-o", metavar="FILE|DIR",
              help="Write to FILE instead of standard output (for --format badge: the directory, required).")
@click.option("--sweep", "sweep_id", type=int, metavar="ID", help="Report this sweep (default: the latest).")
def report(store_path: str, fmt: str, output: str | None, sweep_id: int | None) -> None:
    """Report the latest sweep: an HTML scorecard, JSON/CSV for dashboards, badges or portal facts."""
    from pathlib import Path

    from standards_check.commands.report import report_command

    sys.exit(report_command(store_path=Path(store_path), fmt=fmt,
                            output=Path(output) if output else None, sweep_id=sweep_id))


def _register_commands() -> None:
    """Commands that live in their own modules (each imports its heavy parts when it runs)."""
    from standards_check.commands.hook import hook
    from standards_check.commands.owners import owners
    from standards_check.commands.policy_diff import policy_diff

    cli.add_command(owners)
    cli.add_command(hook)
    policy.add_command(policy_diff)


_register_commands()


def main() -> None:
    cli(prog_name="standards-check")


if __name__ == "__main__":
    main()
