"""The fix a person reads is whole: text and markdown never cut it, and it ends with the command
that explains the check."""
from __future__ import annotations

import json
import re

from tests.cli_helpers import run_cli

README = "# svc\n\nRuns the svc service; build with make, test with make test, ask #svc.\n" * 2


def _long_fixes(repo) -> dict[str, str]:
    out = run_cli("scan", str(repo), "--policy", "production-service", "--format", "json")
    report = json.loads(out.stdout)
    fixes = {r["check"]: " ".join(r["remediation"].split()) for r in report["results"] if r["status"] == "fail"}
    return {check: fix for check, fix in fixes.items() if len(fix) > 200}


def test_text_and_markdown_show_the_whole_fix_and_the_explain_command(make_repo) -> None:
    repo = make_repo({"README.md": README})
    long_fixes = _long_fixes(repo)
    assert len(long_fixes) >= 3  # the catalog's fixes are longer than the old 200-character cut
    text = run_cli("scan", str(repo), "--policy", "production-service").stdout
    markdown = run_cli("scan", str(repo), "--policy", "production-service", "--format", "markdown").stdout
    blocks = re.findall(r"^✗ (\S+) .*?\n((?:    .*\n)+)", text, flags=re.M)
    seen = 0
    for check, block in blocks:
        if check not in long_fixes:
            continue
        seen += 1
        fix = re.search(r"    fix: (.*?)(?=\n    more: )", block, flags=re.S)
        assert fix, block
        assert " ".join(fix.group(1).split()) == long_fixes[check]
        assert block.rstrip().endswith(f"more: standards-check checks explain {check}")
        row = next(line for line in markdown.splitlines() if line.startswith(f"| `{check}` |"))
        whole = f"{long_fixes[check]} More: `standards-check checks explain {check}`".replace("|", "\\|")
        assert row.endswith(f" | {whole} |"), row
    assert seen == len(long_fixes)
