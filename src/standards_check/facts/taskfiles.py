"""The task files of the common task runners, read like Makefiles: task name -> command lines.

Nothing is executed; Python task files (invoke's tasks.py, nox's noxfile.py) are parsed with `ast`.
Each reader returns (tasks, default) where tasks maps a name to the shell lines it runs (calls of
other tasks written as the runner's own command, e.g. `task lint`, so following them is one more
level of the same lookup) and default is the task the runner runs when given none (or None).

| runner | files | default |
| --- | --- | --- |
| task (go-task) | Taskfile.yml, Taskfile.yaml, Taskfile.dist.yml, taskfile.yml | `default` |
| just | justfile, Justfile, .justfile | the first recipe, or the one marked `[default]` |
| mise | mise.toml, .mise.toml (`[tasks.NAME]`) | none |
| rake | Rakefile, rakefile, Rakefile.rb | `task default: ...` |
| invoke | tasks.py (`@task` functions, `c.run("...")`) | `@task(default=True)` |
| nox | noxfile.py (`@nox.session` functions, `session.run("tool", "arg")`) | every session |
| tox | tox.ini (`[testenv:NAME] commands`) | the `envlist` |
"""
from __future__ import annotations

from standards_check import rx

import ast
import configparser
from typing import Any, Callable

from standards_check import yamlio

Tasks = tuple[dict[str, list[str]], "str | None"]

RUNNER_FILES: dict[str, tuple[str, ...]] = {
    "task": ("Taskfile.yml", "Taskfile.yaml", "Taskfile.dist.yml", "Taskfile.dist.yaml", "taskfile.yml",
             "taskfile.yaml"),
    "just": ("justfile", "Justfile", ".justfile", "JUSTFILE"),
    "mise": ("mise.toml", ".mise.toml", "mise/config.toml", ".config/mise.toml"),
    "rake": ("Rakefile", "rakefile", "Rakefile.rb", "rakefile.rb"),
    "invoke": ("tasks.py",),
    "nox": ("noxfile.py",),
    "tox": ("tox.ini",),
}
RUNNER_HEADS = {"task": "task", "go-task": "task", "just": "just", "mise": "mise", "rake": "rake",
                "invoke": "invoke", "inv": "invoke", "nox": "nox", "tox": "tox"}
_MAX_TEXT = 200_000


def _taskfile(text: str) -> Tasks:
    try:
        data = yamlio.load(text)
    except yamlio.YamlSyntaxError:
        return {}, None
    tasks_node = data.get("tasks") if isinstance(data, dict) else None
    if not isinstance(tasks_node, dict):
        return {}, None
    tasks: dict[str, list[str]] = {}
    for name, body in tasks_node.items():
        lines: list[str] = []
        if isinstance(body, (str, list)):  # short forms: `lint: golangci-lint run`, a list of commands
            body = {"cmds": body if isinstance(body, list) else [body]}
        if not isinstance(body, dict):
            continue
        for dep in body.get("deps") or []:
            dep_name = dep.get("task") if isinstance(dep, dict) else dep
            if isinstance(dep_name, str):
                lines.append(f"task {dep_name}")
        for command in ([body["cmd"]] if "cmd" in body else []) + list(body.get("cmds") or []):
            if isinstance(command, str):
                lines.append(command)
            elif isinstance(command, dict):
                if isinstance(command.get("task"), str):
                    lines.append(f"task {command['task']}")
                elif isinstance(command.get("cmd"), str):
                    lines.append(command["cmd"])
        tasks[str(name)] = [line for text_line in lines for line in text_line.splitlines()]
    return tasks, "default" if "default" in tasks else None


_JUST_RECIPE = rx.compile(r"^@?([A-Za-z0-9_-]+)(?:\s[^:=]*)?:((?:[^=].*)?)$")  # `:` not followed by `=`


def _justfile(text: str) -> Tasks:
    tasks: dict[str, list[str]] = {}
    default: str | None = None
    marked = False
    current: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not line.startswith((" ", "\t")):
            if stripped.startswith("[") and "default" in stripped:
                marked = True
                continue
            match = _JUST_RECIPE.match(line)
            if match and not stripped.startswith(("set ", "alias ", "export ", "import ", "mod ")):
                current = match.group(1)
                deps = [d for d in match.group(2).split() if rx.fullmatch(r"[A-Za-z0-9_-]+", d)]
                tasks[current] = [f"just {d}" for d in deps]
                if default is None or marked:
                    default, marked = current, False
                continue
            if stripped and not stripped.startswith(("#", "[")):
                current = None
        elif current and stripped:
            tasks[current].append(stripped.lstrip("@-"))
    return tasks, default


def _mise(text: str) -> Tasks:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        return {}, None
    try:
        data = tomllib.loads(text)
    except ValueError:
        return {}, None
    node = data.get("tasks") if isinstance(data, dict) else None
    tasks: dict[str, list[str]] = {}
    for name, body in (node or {}).items() if isinstance(node, dict) else []:
        run: Any = body.get("run") if isinstance(body, dict) else body
        depends = body.get("depends") if isinstance(body, dict) else None
        lines = [f"mise run {d}" for d in (depends if isinstance(depends, list) else []) if isinstance(d, str)]
        for command in run if isinstance(run, list) else [run]:
            if isinstance(command, str):
                lines.extend(command.splitlines())
        tasks[str(name)] = lines
    return tasks, None


_RAKE_DEFAULT = rx.compile(r"^\s*task\s*\(?\s*(?::default\s*=>|default:)\s*(.+)$", rx.M)
_RAKE_TASK = rx.compile(r"^\s*task\s*\(?\s*:?([A-Za-z0-9_]+)", rx.M)
_RAKE_SH = rx.compile(r"^\s*(?:sh|system|ruby)\s*\(?\s*['\"]([^'\"\n]+)['\"]", rx.M)
_RAKE_NEW = rx.compile(r"(RuboCop|RSpec::Core|Rake::Test|Minitest::Test|Cucumber)(?:::RakeTask|Task)?\S*\.new\s*\(?\s*:?(\w+)?")
_RAKE_BUILTIN = {"RuboCop": ("rubocop", "rubocop"), "RSpec::Core": ("spec", "rspec"),
                 "Rake::Test": ("test", "rake-test"), "Minitest::Test": ("test", "rake-test"),
                 "Cucumber": ("cucumber", "cucumber")}


def _rakefile(text: str) -> Tasks:
    tasks: dict[str, list[str]] = {}
    for match in _RAKE_NEW.finditer(text):
        name, command = _RAKE_BUILTIN[match.group(1)]
        tasks[match.group(2) or name] = ["rspec" if command == "rspec" else "rubocop" if command == "rubocop"
                                         else "cucumber" if command == "cucumber" else "rake test"]
    default = None
    for match in _RAKE_DEFAULT.finditer(text):
        names = rx.findall(r":?\b([A-Za-z_][A-Za-z0-9_]*)\b", match.group(1).replace("%i", " ").replace("%w", " "))
        tasks["default"] = [f"rake {name}" for name in names if name not in ("do", "end")]
        default = "default"
    # plain tasks: `task :lint do sh "rubocop" end` (the lines up to the next task)
    starts = [(m.start(), m.group(1)) for m in _RAKE_TASK.finditer(text) if m.group(1) != "default"]
    for position, (start, name) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(text)
        commands = _RAKE_SH.findall(text, start, end)
        if commands:
            tasks.setdefault(name, []).extend(commands)
    return tasks, default


def _python_calls(function: ast.FunctionDef, methods: tuple[str, ...], join_args: bool) -> list[str]:
    """The commands a task function runs: `c.run("cmd")` (a string) or `session.run("tool", "arg")`."""
    lines = []
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods):
            continue
        words = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if not words:
            continue
        lines.append(" ".join(words) if join_args else words[0])
    return lines


def _decorated(function: ast.FunctionDef, names: tuple[str, ...]) -> ast.expr | None:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
        if name in names:
            return decorator
    return None


def _parse_python(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _invoke(text: str) -> Tasks:
    module = _parse_python(text)
    if module is None:
        return {}, None
    tasks: dict[str, list[str]] = {}
    default = None
    for node in module.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        decorator = _decorated(node, ("task",))
        if decorator is None:
            continue
        lines: list[str] = []
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "default" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
                    default = node.name
                if keyword.arg in ("pre", "post") and isinstance(keyword.value, (ast.List, ast.Tuple)):
                    lines += [f"invoke {e.id}" for e in keyword.value.elts if isinstance(e, ast.Name)]
            lines += [f"invoke {a.id}" for a in decorator.args if isinstance(a, ast.Name)]
        tasks[node.name] = lines + _python_calls(node, ("run", "sudo"), join_args=False)
        tasks[node.name.replace("_", "-")] = tasks[node.name]
    return tasks, default


def _noxfile(text: str) -> Tasks:
    module = _parse_python(text)
    if module is None:
        return {}, None
    tasks: dict[str, list[str]] = {}
    for node in module.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        decorator = _decorated(node, ("session",))
        if decorator is None:
            continue
        name = node.name
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    name = str(keyword.value.value)
        tasks[name] = _python_calls(node, ("run", "run_always", "run_install"), join_args=True)
    return tasks, None


def _toxini(text: str) -> Tasks:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}, None
    tasks: dict[str, list[str]] = {}
    for section in parser.sections():
        if section == "testenv" or section.startswith("testenv:"):
            commands = parser.get(section, "commands", fallback="")
            name = section.partition(":")[2] or "testenv"
            tasks[name] = [line.strip() for line in commands.splitlines() if line.strip()]
    return tasks, None


READERS: dict[str, Callable[[str], Tasks]] = {
    "task": _taskfile, "just": _justfile, "mise": _mise, "rake": _rakefile, "invoke": _invoke,
    "nox": _noxfile, "tox": _toxini,
}


def read_tasks(runner: str, text: str) -> Tasks:
    if len(text) > _MAX_TEXT:
        return {}, None
    return READERS[runner](text)


def targets(runner: str, args: list[str]) -> list[str]:
    """The task names a runner's command line asks for (options and `VAR=value` dropped)."""
    with_value = {"-f", "--justfile", "-d", "--dir", "-t", "--taskfile", "-C", "--directory", "-r",
                  "--root", "-e", "--envlist", "-s", "--session", "--sessions", "-c", "--config",
                  "--collection", "-x", "--working-directory"}
    if runner == "tox":
        for flag in ("-e", "--envlist"):
            if flag in args and args.index(flag) + 1 < len(args):
                return [e for e in rx.split(r"[ ,]", args[args.index(flag) + 1]) if e]
        return []
    if runner == "nox":
        for flag in ("-s", "--session", "--sessions", "-e"):
            if flag in args and args.index(flag) + 1 < len(args):
                return [e for e in rx.split(r"[ ,]", args[args.index(flag) + 1]) if e]
        return []
    if runner == "mise":
        args = args[1:] if args[:1] in (["run"], ["r"]) else []
    found = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in with_value:
            skip = True
            continue
        if arg == "--":
            break
        if arg.startswith("-") or "=" in arg:
            continue
        found.append(arg.split("[")[0])  # rake's `task[arg]`
    return found
