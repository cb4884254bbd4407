"""One glob engine (standards_check.globs) for every glob over repository paths: `*` stays within a
directory, `**` spans directories. GitLab `include: local:` wildcards and Backstage Location targets
used fnmatch, whose `*` crosses `/`, and so read files the real tools never read."""
from __future__ import annotations

import pytest

from standards_check import globs
from standards_check.facts.catalog_info import parse_catalog_info
from standards_check.facts.ci import parse_ci
from standards_check.snapshot import open_snapshot

JOB = "{name}:\n  script: [pytest]\n"
PATHS = ["ci/a.yml", "ci/sub/x.yml", "ci/sub/deeper/y.yml", "ci/.hidden.yml", "ci/b.yaml", "other/c.yml"]


@pytest.mark.parametrize("glob, matched", [
    ("ci/*.yml", ["ci/a.yml", "ci/.hidden.yml"]),
    ("ci/**/*.yml", ["ci/a.yml", "ci/sub/x.yml", "ci/sub/deeper/y.yml", "ci/.hidden.yml"]),
    ("**/*.yml", ["ci/a.yml", "ci/sub/x.yml", "ci/sub/deeper/y.yml", "ci/.hidden.yml", "other/c.yml"]),
    ("ci/*/*.yml", ["ci/sub/x.yml"]),
    ("ci/*.{yml,yaml}", ["ci/a.yml", "ci/.hidden.yml", "ci/b.yaml"]),
])
def test_star_stays_within_a_directory_and_globstar_spans_them(glob, matched):
    assert globs.matching(PATHS, (glob,)) == matched


def test_literal_leaves_only_stars_special():
    paths = ["ci/[ab].yml", "ci/a.yml", "ci/?.yml", "ci/x.yml", "ci/{a,b}.yml"]
    assert globs.matching(paths, (globs.literal("ci/[ab].yml"),)) == ["ci/[ab].yml"]
    assert globs.matching(paths, (globs.literal("ci/?.yml"),)) == ["ci/?.yml"]
    assert globs.matching(paths, (globs.literal("ci/{a,b}.yml"),)) == ["ci/{a,b}.yml"]
    assert globs.matching(paths, (globs.literal("ci/*.yml"),)) == paths


def test_an_invalid_glob_is_a_glob_error():
    with pytest.raises(globs.GlobError):
        globs.matching(["a"], ("{" * 30 + "a,b" + "}" * 30 + "{1..10000}",))


def _gitlab_jobs(make_repo, include: str) -> list[str]:
    repo = make_repo({".gitlab-ci.yml": f"include:\n  - local: '{include}'\n",
                      "ci/a.yml": JOB.format(name="top"), "ci/sub/x.yml": JOB.format(name="nested"),
                      "ci/sub/deeper/y.yml": JOB.format(name="deep")})
    with open_snapshot(repo) as snapshot:
        return sorted(job.name for job in parse_ci(snapshot).jobs)


def test_gitlab_include_star_does_not_cross_directories(make_repo):
    assert _gitlab_jobs(make_repo, "ci/*.yml") == ["top"]


def test_gitlab_include_globstar_spans_directories(make_repo):
    assert _gitlab_jobs(make_repo, "ci/**/*.yml") == ["deep", "nested", "top"]


def test_gitlab_include_question_mark_is_a_literal_character(make_repo):
    # GitLab's only wildcard is `*`: `ci/?.yml` names a file called `?.yml`, so nothing is included
    assert _gitlab_jobs(make_repo, "ci/?.yml") == []


LOCATION = """apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: root}
spec:
  targets: [./catalog/*.yaml]
"""


def _entity(name: str) -> str:
    return f"apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {{name: {name}}}\nspec: {{}}\n"


def test_catalog_location_star_does_not_cross_directories(make_repo):
    repo = make_repo({"catalog-info.yaml": LOCATION, "catalog/top.yaml": _entity("top"),
                      "catalog/teams/nested.yaml": _entity("nested")})
    with open_snapshot(repo) as snapshot:
        names = sorted(e.name for e in parse_catalog_info(snapshot).entities)
    assert names == ["root", "top"]


def test_catalog_location_globstar_spans_directories(make_repo):
    repo = make_repo({"catalog-info.yaml": LOCATION.replace("./catalog/*.yaml", "./catalog/**/*.yaml"),
                      "catalog/top.yaml": _entity("top"), "catalog/teams/nested.yaml": _entity("nested")})
    with open_snapshot(repo) as snapshot:
        names = sorted(e.name for e in parse_catalog_info(snapshot).entities)
    assert names == ["nested", "root", "top"]
