"""The program's entry point. `standards-check --help` (the first thing people and scripts run)
prints the group's help stored below, without importing click and the command modules: about
1.5x an interpreter start instead of 5x. Everything else goes to the click CLI.

tests/test_startup.py renders the real help and fails when this copy differs; it prints the text to
paste here.
"""
from __future__ import annotations

import os
import sys

HELP = """\
Usage: standards-check [OPTIONS] COMMAND [ARGS]...

  Score a repository against engineering standards written as versioned YAML
  policies.

Options:
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Commands:
  checks  The check catalog.
  ci      Run as a GitHub Actions step or a GitLab CI job: scan, write...
  hook    Pre-commit hook: score the staged changes against HEAD; exit 1...
  merge   Merge shard results stores INPUTS into OUT; the shards of one...
  owners  Show who owns each PATH, read from CODEOWNERS exactly as GitHub...
  policy  Versioned policies.
  report  Report the latest sweep: an HTML scorecard, JSON/CSV for...
  scan    Scan PATH (default: .) and report its score.
  sweep   Scan every repository of an organisation, a GitLab group, a URL...
"""


def _columns() -> int:
    """The terminal width click would wrap to (shutil.get_terminal_size's answer, without shutil)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def main() -> None:
    if sys.argv[1:] in (["--help"], ["-h"]) and _columns() >= 80:  # click wraps at 78 from 80 columns
        sys.stdout.write(HELP)
        sys.stdout.flush()
        return
    from standards_check.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
