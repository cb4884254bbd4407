"""CI pipelines, normalised across systems: which jobs run on pull requests, and what they run.

One model (`CiPipelines`: config files, jobs, steps) for GitHub Actions, GitLab CI, CircleCI, Azure
Pipelines, Jenkinsfiles, Travis CI, Bitbucket Pipelines and Buildkite. Each job carries whether it
runs for a pull/merge request (`on_pr`, with a note on filters) and its steps as shell text with
locations, after following what the repository itself defines: GitHub reusable workflows
(`uses: ./.github/workflows/x.yml`) and local composite actions, `${{ matrix.x }}` expanded from the
matrix, GitLab local `include:` and `extends:`, CircleCI reusable commands, Azure local templates.
Remote includes, orbs and shared libraries are noted, not fetched. Each system is read by its own
module of this package, listed in `READERS` (in the order its jobs appear in the model); the model
they fill and the helpers they share are in `model`.

Pull-request semantics, per system (documented choices):
- GitHub: `pull_request`, `pull_request_target`, `merge_group` triggers; a job or step `if:` that
  pins `github.event_name` to another event, or `github.ref` to a branch or tag, excludes PRs.
- GitLab: with no `rules`/`only`, jobs run in branch pipelines, which run for merge-request
  branches; `rules` that only match the default branch, tags, schedules or web runs exclude MRs.
- CircleCI, Travis, Buildkite, Jenkins multibranch: build every pushed branch (PR branches
  included) unless filtered to named branches or tags. Jenkins multibranch discovers pull requests
  by default; a stage `when { branch 'main' }` or `buildingTag()` excludes them.
- Azure Pipelines: no `pr:` key means PR validation of every branch (for GitHub/Bitbucket repos);
  `pr: none` turns it off. Bitbucket: `pull-requests:` and `default:` pipelines run for PRs.
"""
from __future__ import annotations

from types import ModuleType

from standards_check.facts.ci import (azure, bitbucket, buildkite, circleci, drone, github, gitlab, jenkins, travis,
                                      woodpecker)
from standards_check.facts.ci.github import PR_EVENTS
from standards_check.facts.ci.jenkins import strip_c_comments
from standards_check.facts.ci.model import (AZURE, BITBUCKET, BUILDKITE, CIRCLECI, DRONE, GITHUB, GITLAB, JENKINS,
                                            SYSTEM_NAMES, TRAVIS, WOODPECKER, CiFile, CiJob, CiPipelines, CiStep,
                                            GitlabReference, is_vendored)
from standards_check.snapshot import RepoSnapshot

__all__ = ["AZURE", "BITBUCKET", "BUILDKITE", "CIRCLECI", "DRONE", "GITHUB", "GITLAB", "JENKINS", "PR_EVENTS",
           "READERS", "SYSTEM_NAMES", "TRAVIS", "WOODPECKER", "CiFile", "CiJob", "CiPipelines", "CiStep",
           "GitlabReference", "is_vendored", "parse_ci", "strip_c_comments"]

# Each system's reader: a module whose `read(snapshot, model)` adds that system's files, jobs and notes.
READERS: dict[str, ModuleType] = {
    GITHUB: github,
    GITLAB: gitlab,
    CIRCLECI: circleci,
    AZURE: azure,
    JENKINS: jenkins,
    TRAVIS: travis,
    BITBUCKET: bitbucket,
    BUILDKITE: buildkite,
    DRONE: drone,
    WOODPECKER: woodpecker,
}


def parse_ci(snapshot: RepoSnapshot) -> CiPipelines:
    model = CiPipelines()
    for reader in READERS.values():
        reader.read(snapshot, model)
    return model
