"""Travis CI: `.travis.yml`, its `jobs.include` entries, and the default script of a language."""
from __future__ import annotations

from standards_check import rx
from standards_check.facts.ci.model import (TRAVIS, CiJob, CiPipelines, CiStep, as_list, line_of, load_mapping,
                                            script_text)
from standards_check.snapshot import RepoSnapshot

_TRAVIS_DEFAULT_SCRIPT = {"node_js": "npm test", "go": "go test ./...", "rust": "cargo test",
                          "ruby": "rake", "java": "gradle check", "php": "phpunit",
                          "elixir": "mix test", "haskell": "cabal test", "dart": "dart test",
                          "julia": "julia -e 'Pkg.test()'", "clojure": "lein test",
                          "scala": "sbt test", "perl": "prove"}


def read(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    loaded = load_mapping(snapshot, ".travis.yml", TRAVIS, model) if snapshot.exists(".travis.yml") else None
    if loaded is None:
        return
    data, positions = loaded
    entries: list[tuple[str, dict, tuple]] = [("(build)", data, ())]
    jobs = data.get("jobs") or data.get("matrix")
    include = jobs.get("include") if isinstance(jobs, dict) else None
    for index, entry in enumerate(as_list(include)):
        if isinstance(entry, dict):
            key = "jobs" if "jobs" in data else "matrix"
            entries.append((str(entry.get("name") or entry.get("stage") or index), {**data, **entry}, (key, "include", index)))
    for name, config, where in entries:
        condition = str(config.get("if", ""))
        excluded = bool(rx.search(r"\b(tag\s+IS\s+present|branch\s*=\s*\w+|type\s*(=|IN)\s*\(?\s*(cron|push|api)\b)", condition)) \
            and "pull_request" not in condition
        ci_job = CiJob(TRAVIS, name, ".travis.yml", line_of(positions, *where) or 1, not excluded,
                       f"if: {condition}" if excluded else "Travis builds pull requests by default")
        script = config.get("script")
        if script is None:
            script = _TRAVIS_DEFAULT_SCRIPT.get(str(config.get("language", "")))
            if script:
                script = f"# Travis default script for {config.get('language')}\n{script}"
        for key, value in (("before_script", config.get("before_script")), ("script", script)):
            if value:
                ci_job.steps.append(CiStep(script_text(value), ".travis.yml", line_of(positions, *where, key) or ci_job.line))
        model.jobs.append(ci_job)
