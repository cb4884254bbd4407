"""Start-up: `--help` answers without importing click; the stored help is the CLI's own."""
from __future__ import annotations

import os
import subprocess
import sys

from standards_check.entry import HELP

CLICK_HELP = ("import sys\nfrom standards_check.cli import main\nsys.argv = ['standards-check', '--help']\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n")
ENTRY = ("import sys\nfrom standards_check.entry import main\nsys.argv = ['standards-check', *sys.argv[1:]]\n"
         "try:\n    main()\nexcept SystemExit:\n    pass\n"
         "print(sorted(m for m in ('click', 'jsonschema', 'yaml') if m in sys.modules), file=sys.stderr)\n")


def run(code: str, *args: str, columns: str = "80") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": columns}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)


def test_the_stored_help_is_what_click_prints() -> None:
    rendered = run(CLICK_HELP).stdout
    assert rendered == HELP, f"update HELP in src/standards_check/entry.py to:\n{rendered}"


def test_help_starts_without_click() -> None:
    for flag in ("--help", "-h"):
        proc = run(ENTRY, flag)
        assert proc.stdout == HELP
        assert proc.stderr.strip().splitlines()[-1] == "[]"


def test_a_narrow_terminal_and_other_commands_go_to_click() -> None:
    narrow = run(ENTRY, "--help", columns="60")
    assert narrow.stdout != HELP and "Usage: standards-check" in narrow.stdout
    assert narrow.stderr.strip().splitlines()[-1] == "['click']"
    version = run(ENTRY, "--version")
    assert "standards-check, version" in version.stdout


def test_python_dash_m_uses_the_entry_point() -> None:
    proc = subprocess.run([sys.executable, "-m", "standards_check", "--help"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "100"})
    assert proc.returncode == 0 and proc.stdout == HELP
