"""README, LICENSE, CONTRIBUTING and PR templates in every place GitHub and GitLab honour."""
from __future__ import annotations

import pytest

from standards_check.context import CheckContext
from standards_check.evaluators import REGISTRY
from standards_check.snapshot import open_snapshot

TEXT = "Enough words to count as a real document, with a purpose, set-up and contacts.\n" * 2


def outcome(make_repo, check, files, params=None):
    from standards_check.catalog import load_catalog

    repo = make_repo(files)
    with open_snapshot(repo) as snap:
        spec = load_catalog().get(check)
        return REGISTRY[check](CheckContext(snap), {**spec.defaults(), **(params or {})})


@pytest.mark.parametrize("files, status, where", [
    ({"README.md": TEXT}, "pass", "README.md"),
    ({"Readme.md": TEXT}, "pass", "Readme.md"),
    ({"readme.rst": TEXT}, "pass", "readme.rst"),
    ({"README": TEXT}, "pass", "README"),
    ({"docs/README.md": TEXT}, "pass", "docs/README.md"),
    ({".github/README.md": TEXT, "README.md": "short"}, "pass", ".github/README.md"),  # GitHub shows .github first
    ({"README.md": "tiny"}, "fail", "README.md"),
    ({"src/README.md": TEXT}, "fail", None),  # not a place GitHub shows
    ({"READMEFIRST.txt": TEXT}, "fail", None),
])
def test_readme(make_repo, files, status, where):
    result = outcome(make_repo, "readme.present", files)
    assert result.status == status, result.message
    assert [loc.path for loc in result.locations] == ([where] if where else [])


@pytest.mark.parametrize("files, status", [
    ({"LICENSE": "MIT License\n"}, "pass"),
    ({"LICENCE.md": "MIT\n"}, "pass"),
    ({"COPYING": "GPL\n"}, "pass"),
    ({"LICENSE-MIT": "MIT\n", "LICENSE-APACHE": "Apache\n"}, "pass"),
    ({"UNLICENSE": "public domain\n"}, "pass"),
    ({"LICENSES/MIT.txt": "MIT\n"}, "pass"),
    ({"LICENSE": ""}, "fail"),
    ({"docs/LICENSE": "MIT\n"}, "fail"),  # GitHub reads licences at the root only
    ({"README.md": TEXT}, "fail"),
])
def test_license(make_repo, files, status):
    assert outcome(make_repo, "license.present", files).status == status


@pytest.mark.parametrize("files, status", [
    ({"CONTRIBUTING.md": "how\n"}, "pass"),
    ({".github/contributing.rst": "how\n"}, "pass"),
    ({"docs/CONTRIBUTING": "how\n"}, "pass"),
    ({"CONTRIBUTING.md": "  \n"}, "fail"),
    ({"src/CONTRIBUTING.md": "how\n"}, "fail"),
])
def test_contributing(make_repo, files, status):
    assert outcome(make_repo, "contributing.present", files).status == status


@pytest.mark.parametrize("files, status", [
    ({".github/pull_request_template.md": "## What\n"}, "pass"),
    ({".github/PULL_REQUEST_TEMPLATE.md": "## What\n"}, "pass"),
    ({"PULL_REQUEST_TEMPLATE.md": "## What\n"}, "pass"),
    ({"docs/pull_request_template.md": "## What\n"}, "pass"),
    ({".github/PULL_REQUEST_TEMPLATE/feature.md": "## What\n"}, "pass"),
    ({".github/pull_request_template/feature.md": "## What\n"}, "pass"),
    ({".gitlab/merge_request_templates/Default.md": "## What\n"}, "pass"),
    ({".github/pull_request_template.md": ""}, "fail"),
    ({".github/ISSUE_TEMPLATE/bug.md": "## Bug\n"}, "fail"),
])
def test_pr_template(make_repo, files, status):
    assert outcome(make_repo, "pr_template.present", files).status == status
