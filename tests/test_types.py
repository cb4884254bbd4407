"""The package type-checks (mypy, configured in pyproject.toml): a wrong argument type is a test
failure, not a user's traceback. mypy found a real bug this way once (a function passed where
positions were expected)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_is_clean():
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
