"""The command line: thin wiring over the library. Heavy modules are imported inside commands, so
`standards-check --help` starts fast. A UserError prints one line per problem and exits 2."""
from __future__ import annotations

import os
import sys
from typing import Any

import click

from standards_check import __version__

FORMATS = ("text", "json", "markdown", "sarif", "junit")


class _Group(click.Group):
    """Maps the one user-facing error type to exit code 2, without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from standards_check.errors import UserError

        try:
            return super().invoke(ctx)
        except UserError as exc:
            for line in exc.lines():
                click.echo(f"standards-check: error: {line}", err=True)
            ctx.exit(2)


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
@click.option("--policy", "policy_ref", metavar="NAME[@VERSION]|FILE",
              help="Policy to score against (default: .standards.yml's, else baseline).")
@click.option("--ref", metavar="REF", help="Scan this git ref from git objects, without checking it out.")
@click.option("--base", metavar="REF",
              help="Compare with this git ref: score delta, new failures, fixed rules (both sides read "
                   "from git objects; the head is --ref or HEAD).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of standard output.")
def scan(path: str, policy_ref: str | None, ref: str | None, base: str | None, fmt: str,
         output: str | None) -> None:
    """Scan PATH (default: .) and report its score. Exit 0 gate passed, 1 gate failed, 2 bad input."""
    from standards_check.engine import scan_path
    from standards_check.render import RENDERERS, render

    if fmt not in RENDERERS:
        raise click.UsageError(f"--format {fmt} is not available in this version")
    if base:
        from standards_check.diff import scan_diff

        report = scan_diff(path, base, ref=ref, policy_ref=policy_ref)
        for warning in report.warnings:
            if warning.startswith("Diff mode skipped"):
                click.echo(f"standards-check: warning: {warning}", err=True)
    else:
        report = scan_path(path, ref=ref, policy_ref=policy_ref)
    options = {"color": _color_wanted(output)} if fmt == "text" else {}
    _emit(render(report, fmt, **options), output)
    if output:
        state = "passed" if report.passed else "failed"
        click.echo(f"wrote {output}: score {report.score:g}, level {report.level}, gate {state}", err=True)
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
def ci(**options: str | None) -> None:
    """Run as a GitHub Actions step: scan, write the report, post the results, set outputs.

    Reads GITHUB_* variables and the Action's INPUT_* variables (options here win); the token
    comes from INPUT_GITHUB_TOKEN or GITHUB_TOKEN only, never from the command line.
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
    """Print the fully resolved policy NAME[@VERSION] or FILE (extends applied, defaults filled)."""
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

    problems = validate_files(list(files))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        sys.exit(2)
    click.echo(f"{len(files)} polic{'y' if len(files) == 1 else 'ies'} valid")


def _register_commands() -> None:
    """Commands that live in their own modules (each imports its heavy parts when it runs)."""
    from standards_check.commands.owners import owners

    cli.add_command(owners)


_register_commands()


def main() -> None:
    cli(prog_name="standards-check")


if __name__ == "__main__":
    main()
