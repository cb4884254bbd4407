"""Jenkinsfiles, read at the text level: nothing is executed, Groovy is not parsed. Steps are
`sh`/`bat`/`powershell` calls and known pipeline-library steps, grouped by their innermost stage."""
from __future__ import annotations

from standards_check import rx
from standards_check.facts.ci.model import JENKINS, CiFile, CiJob, CiPipelines, CiStep, is_vendored
from standards_check.snapshot import RepoSnapshot

_JENKINS_STEP = rx.compile(
    r"\b(sh|bat|powershell|pwsh)\s*(?:\(\s*)?(?:script\s*:\s*)?(?:label\s*:\s*(?:'[^']*'|\"[^\"]*\")\s*,\s*script\s*:\s*)?"
    r"('''(?P<t1>.*?)'''|\"\"\"(?P<t2>.*?)\"\"\"|'(?P<t3>(?:[^'\\\n]|\\.)*)'|\"(?P<t4>(?:[^\"\\\n]|\\.)*)\")",
    rx.S)
_JENKINS_RUN_MAVEN = rx.compile(r"\brunMaven\s*\(\s*(\[.*?\]|\w+)", rx.S)
_IGNORE_TEST_FAILURES = rx.compile(r"-D(maven\.test\.failure\.ignore|surefire\.testFailureIgnore)(=true)?([^\w.=]|$)")  # group 3 is kept
_JENKINS_STAGE = rx.compile(r"\bstage\s*\(\s*['\"]([^'\"]*)['\"]\s*\)\s*\{")
# jenkins-infra/pipeline-library steps that run the build's tests (`mvn verify`, `gradle build`)
_JENKINS_TEST_STEPS = {"buildPlugin": "mvn verify", "buildPluginWithGradle": "gradle build",
                       "runATH": "acceptance tests", "runPCT": "plugin compatibility tests"}


def strip_c_comments(text: str) -> str:
    """Blank out // and /* */ comments (Groovy, JavaScript), keeping line numbers and strings."""
    out, i, n = [], 0, len(text)
    quote: str | None = None
    while i < n:
        ch = text[i]
        if quote:
            if text.startswith(quote, i):
                out.append(quote)
                i += len(quote)
                quote = None
                continue
            if ch == "\\" and i + 1 < n:
                out.append(text[i:i + 2])
                i += 2
                continue
            out.append(ch)
            i += 1
            continue
        if text.startswith(("'''", '"""'), i):
            quote = text[i:i + 3]
            out.append(quote)
            i += 3
        elif ch in "'\"":
            quote = ch
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            chunk = text[i:n if end < 0 else end + 2]
            out.append("\n" * chunk.count("\n"))
            i = n if end < 0 else end + 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _block_end(text: str, open_brace: int) -> int:
    depth = 0
    for position in range(open_brace, len(text)):
        if text[position] == "{":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return position
    return len(text)


def _jenkins_when_excludes_pr(block: str) -> str | None:
    match = rx.search(r"\bwhen\s*\{", block)
    if not match:
        return None
    when = block[match.end():_block_end(block, match.end() - 1)]
    if rx.search(r"\bchangeRequest\b", when) and not rx.search(r"not\s*\{[^}]*changeRequest", when):
        return None
    if rx.search(r"\b(branch\s+['\"]|branch\s*\(|buildingTag\s*\(|tag\s+['\"]|tag\s*\(|triggeredBy\s*['\"(]"
                 r"|not\s*\{\s*changeRequest|(env\.)?(BRANCH_NAME|GIT_BRANCH|TAG_NAME)\s*==)", when):
        return "`when` limits it to a branch, a tag or another trigger"
    return None


def read(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    paths = [p for p in snapshot.named("Jenkinsfile") if p.count("/") <= 2 and not is_vendored(p)]
    for path in sorted(set(paths)):
        raw = snapshot.read_text(path)
        if raw is None:
            continue
        model.files.append(CiFile(JENKINS, path))
        text = strip_c_comments(raw)
        for library in rx.findall(r"@Library\s*\(\s*\[?\s*['\"]([^'\"]+)", text):
            model.notes.append(f"{path}: shared library {library} not followed")
        stages = []
        for match in _JENKINS_STAGE.finditer(text):
            start = match.end() - 1
            stages.append((match.group(1) or "(unnamed stage)", match.start(), _block_end(text, start)))
        # the innermost stage around a step names its job
        jobs: dict[str, CiJob] = {}

        def job_for(offset: int) -> CiJob:
            enclosing = [s for s in stages if s[1] <= offset <= s[2]]
            name, start, end = min(enclosing, key=lambda s: s[2] - s[1]) if enclosing else ("(pipeline)", 0, len(text))
            if name not in jobs:
                excluded = next((_jenkins_when_excludes_pr(text[s[1]:s[2]]) for s in enclosing
                                 if _jenkins_when_excludes_pr(text[s[1]:s[2]])), None)
                jobs[name] = CiJob(JENKINS, name, path, text.count("\n", 0, start) + 1, excluded is None,
                                   excluded or "multibranch pipelines build pull requests by default")
            return jobs[name]

        # With test reports recorded (`junit`), ignored Maven test failures still mark the build
        # UNSTABLE, which fails the pull request's status: the usual Jenkins pattern is a gate.
        records_tests = rx.search(r"\b(junit|realtimeJUnit|xunit|recordTests)\s*[(\s'\"]", text) is not None

        def add_step(offset: int, script: str) -> None:
            if records_tests:
                script = _IGNORE_TEST_FAILURES.sub(lambda m: m.group(3), script)
            job_for(offset).steps.append(CiStep(script, path, text.count("\n", 0, offset) + 1))

        for match in _JENKINS_STEP.finditer(text):
            script = next(g for g in (match.group("t1"), match.group("t2"), match.group("t3"), match.group("t4")) if g is not None)
            add_step(match.start(), script.replace("\\'", "'").replace('\\"', '"'))
        for match in _JENKINS_RUN_MAVEN.finditer(text):  # jenkins-infra `infra.runMaven(options, jdk)`
            argument = match.group(1)
            if not argument.startswith("["):
                definition = rx.search(r"\b" + rx.escape(argument) + r"\s*=\s*(\[.*?\])", text, rx.S)
                argument = definition.group(1) if definition else ""
            options = rx.findall(r"'([^']*)'|\"([^\"]*)\"", argument)
            add_step(match.start(), "mvn " + " ".join(a or b for a, b in options))
        for step, command in _JENKINS_TEST_STEPS.items():
            for match in rx.finditer(r"\b" + step + r"\s*[(\[]", text):
                line = text.count("\n", 0, match.start()) + 1
                job = job_for(match.start())
                job.actions.append(CiStep(f"{step} (shared library)", path, line))
                job.steps.append(CiStep(f"# {step} from the Jenkins pipeline library runs:\n{command}", path, line))
        model.jobs.extend(jobs.values())
