"""`owners DIR/` answers with the owners GitHub applies to the directory: a `/docs/` rule names the
directory itself, which a file query never sees; `docs/*` names only the files directly inside."""
from __future__ import annotations

import json

import pytest

from tests.cli_helpers import run_cli

CODEOWNERS = """\
*               @acme/default
/docs/          @acme/docs
/docs/api/*     @acme/api
/build/**       @acme/release
*.md            @acme/writers
/legacy/        # no owner: unowned on purpose
"""


@pytest.fixture
def repo(make_repo):
    return make_repo({".github/CODEOWNERS": CODEOWNERS, "docs/api/x.md": "x\n", "docs/guide/a.txt": "a\n",
                      "build/out.bin": "b\n", "legacy/old.py": "o\n", "src/app.py": "p\n"})


@pytest.mark.parametrize("path, owners", [
    ("docs/", ["@acme/docs"]),           # the directory named by `/docs/`
    ("docs", ["@acme/docs"]),            # a directory of the repository, without the slash
    ("docs/api/", ["@acme/docs"]),       # `/docs/api/*` is for the files directly inside, not the directory
    ("docs/api/x.md", ["@acme/writers"]),
    ("build/", ["@acme/release"]),       # `/build/**` as GitHub applies it to the directory
    ("legacy/", []),                      # an owner-less rule for the directory leaves it unowned
    ("src/", ["@acme/default"]),
])
def test_owners_of_a_directory(repo, path, owners) -> None:
    result = run_cli("owners", "--repo", str(repo), "--format", "json", path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {path: owners}


def test_directory_text_names_the_deciding_line(repo) -> None:
    result = run_cli("owners", "--repo", str(repo), "docs/", "legacy/")
    first, second = result.output.splitlines()
    assert first.split() == ["docs/", "@acme/docs", "(.github/CODEOWNERS:2)"]
    assert second.startswith("legacy/") and "(no owner: .github/CODEOWNERS:6 has none)" in second
