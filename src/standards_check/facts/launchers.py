"""Commands that run another command inside a managed environment, container or tool cache.

`poetry run bandit -r src`, `docker compose run --rm app pytest`, `nix develop -c make lint`,
`go run github.com/securego/gosec/v2/cmd/gosec@latest ./...`: the program that does the work is
the wrapped one. `unwrap(tokens)` returns the wrapped command's tokens, or None when `tokens` is
not such a launcher. One table row per launcher: the words that name it, the options that take a
value, how many positional words come before the command (an image, a service, a directory), and
whether the command only follows a marker (`nix develop -c`).
"""
from __future__ import annotations

from standards_check import rx

import posixpath
from dataclasses import dataclass


@dataclass(frozen=True)
class Launcher:
    words: tuple[str, ...]                  # e.g. ("docker", "compose", "run")
    with_value: frozenset[str] = frozenset()  # options followed by a value
    positionals: int = 0                    # words before the command (image, service, env, dir)
    markers: frozenset[str] = frozenset()   # the command follows one of these (required when set)
    string_command: frozenset[str] = frozenset()  # options whose value is a whole shell command


_DOCKER_RUN_VALUES = frozenset({
    "-v", "--volume", "-w", "--workdir", "-e", "--env", "--env-file", "--name", "--network", "--net",
    "-u", "--user", "--entrypoint", "--platform", "--mount", "-p", "--publish", "--add-host", "--cpus",
    "--memory", "-m", "--label", "-l", "--hostname", "-h", "--shm-size", "--pull", "--ulimit",
    "--cap-add", "--cap-drop", "--security-opt", "--device", "--tmpfs", "--gpus", "--dns", "--ipc",
    "--pid", "--runtime", "--restart", "--log-driver", "--log-opt", "--cidfile", "--group-add",
    "--link", "--expose", "--volumes-from", "--init-path", "--userns", "--uts", "--cgroupns",
})
_COMPOSE_RUN_VALUES = frozenset({"-e", "--env", "-w", "--workdir", "-u", "--user", "--name",
                                 "--entrypoint", "-v", "--volume", "-p", "--publish", "-l", "--label",
                                 "--index", "--pull"})
_COMPOSE_GLOBAL_VALUES = frozenset({"-f", "--file", "-p", "--project-name", "--profile", "--env-file",
                                    "--project-directory", "--ansi", "--parallel", "--progress"})
_ENV_VALUES = frozenset({"-n", "--name", "-p", "--prefix", "-e", "--environment", "--env", "--group",
                         "--with", "--extra", "--python", "--package", "--manifest-path", "-C",
                         "--directory", "--project", "--features", "-f"})

LAUNCHERS: tuple[Launcher, ...] = (
    # environment managers
    Launcher(("conda", "run"), _ENV_VALUES), Launcher(("mamba", "run"), _ENV_VALUES),
    Launcher(("micromamba", "run"), _ENV_VALUES), Launcher(("pixi", "run"), _ENV_VALUES),
    Launcher(("pixi", "exec"), _ENV_VALUES), Launcher(("poetry", "run"), _ENV_VALUES),
    Launcher(("pipenv", "run"), _ENV_VALUES), Launcher(("pdm", "run"), _ENV_VALUES),
    Launcher(("rye", "run"), _ENV_VALUES), Launcher(("uv", "run"), _ENV_VALUES),
    Launcher(("uv", "tool", "run"), _ENV_VALUES), Launcher(("pipx", "run"), _ENV_VALUES),
    Launcher(("hatch", "env", "run"), _ENV_VALUES),
    Launcher(("devbox", "run"), _ENV_VALUES), Launcher(("mise", "exec"), _ENV_VALUES, markers=frozenset({"--"})),
    Launcher(("mise", "x"), _ENV_VALUES, markers=frozenset({"--"})),
    Launcher(("rtx", "exec"), _ENV_VALUES, markers=frozenset({"--"})),
    Launcher(("asdf", "exec")), Launcher(("direnv", "exec"), positionals=1),
    Launcher(("scl", "enable"), positionals=1), Launcher(("dotnet", "tool", "run")),
    Launcher(("bundle", "exec")), Launcher(("npm", "exec"), frozenset({"-w", "--workspace", "-c", "--call", "--package"})),
    Launcher(("pnpm", "exec"), frozenset({"--filter", "-F", "-C", "--dir"})),
    Launcher(("pnpm", "dlx")), Launcher(("yarn", "dlx")), Launcher(("yarn", "exec")), Launcher(("bun", "x")),
    Launcher(("opam", "exec"), markers=frozenset({"--"})), Launcher(("stack", "exec"), markers=frozenset({"--"})),
    Launcher(("cabal", "exec"), markers=frozenset({"--"})),
    # Nix
    Launcher(("nix", "develop"), frozenset({"--profile", "--override-input", "-i"}),
             markers=frozenset({"-c", "--command"})),
    Launcher(("nix", "shell"), frozenset({"--override-input"}), markers=frozenset({"-c", "--command"})),
    Launcher(("nix-shell",), frozenset({"-p", "--packages", "-A", "--attr", "-I", "--arg", "--argstr"}),
             markers=frozenset({"--"}), string_command=frozenset({"--run", "--command"})),
    # containers
    Launcher(("docker", "run"), _DOCKER_RUN_VALUES, positionals=1),
    Launcher(("podman", "run"), _DOCKER_RUN_VALUES, positionals=1),
    Launcher(("docker", "exec"), frozenset({"-e", "--env", "-w", "--workdir", "-u", "--user", "--env-file"}), positionals=1),
    Launcher(("docker", "compose", "run"), _COMPOSE_RUN_VALUES, positionals=1),
    Launcher(("docker", "compose", "exec"), _COMPOSE_RUN_VALUES, positionals=1),
    Launcher(("docker-compose", "run"), _COMPOSE_RUN_VALUES, positionals=1),
    Launcher(("docker-compose", "exec"), _COMPOSE_RUN_VALUES, positionals=1),
    Launcher(("podman-compose", "run"), _COMPOSE_RUN_VALUES, positionals=1),
    Launcher(("toolbox", "run"), frozenset({"-c", "--container", "-d", "--distro", "-r", "--release"})),
    Launcher(("distrobox", "enter"), frozenset({"-n", "--name"}), markers=frozenset({"--", "-e"})),
    Launcher(("devcontainer", "exec"), frozenset({"--workspace-folder", "--container-id", "--config"})),
)
_BY_HEAD: dict[str, list[Launcher]] = {}
for _launcher in LAUNCHERS:
    _BY_HEAD.setdefault(_launcher.words[0], []).append(_launcher)

_VERSION_DIR = rx.compile(r"^v\d+$")


def unwrap(tokens: list[str]) -> list[str] | None:
    """The wrapped command of a launcher (possibly empty), or None when `tokens` is not one."""
    if not tokens:
        return None
    head = posixpath.basename(tokens[0])
    if head == "go" and len(tokens) > 2 and tokens[1] == "run":
        return _go_run(tokens[2:])
    rest = list(tokens[1:])
    if head in ("docker", "podman") and rest[:1] == ["compose"]:  # global options before `run`
        rest = rest[:1] + _skip(rest[1:], _COMPOSE_GLOBAL_VALUES)
    if head == "docker-compose":
        rest = _skip(rest, _COMPOSE_GLOBAL_VALUES)
    for launcher in sorted(_BY_HEAD.get(head, ()), key=lambda entry: -len(entry.words)):
        words = launcher.words[1:]
        if tuple(rest[:len(words)]) != words:
            continue
        return _command_after(rest[len(words):], launcher)
    return None


def _skip(tokens: list[str], with_value: frozenset[str]) -> list[str]:
    index = 0
    while index < len(tokens) and tokens[index].startswith("-") and tokens[index] != "--":
        index += 2 if tokens[index] in with_value else 1
    return tokens[index:]


def _command_after(tokens: list[str], launcher: Launcher) -> list[str]:
    positionals = launcher.positionals
    for position, token in enumerate(tokens):
        if token in launcher.string_command and position + 1 < len(tokens):
            return ["sh", "-c", tokens[position + 1]]
        if token in launcher.markers:
            rest = tokens[position + 1:]
            return ["sh", "-c", rest[0]] if len(rest) == 1 and " " in rest[0] else rest
    if launcher.markers and not launcher.markers <= {"--"}:
        return []  # `nix develop` without `-c`: an interactive shell, no command
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "--":
            rest = tokens[index + 1:]
            return ["sh", "-c", rest[0]] if len(rest) == 1 and " " in rest[0] else rest
        if token.startswith("-"):
            index += 2 if token in launcher.with_value and "=" not in token else 1
            continue
        if positionals:
            positionals -= 1
            index += 1
            continue
        rest = tokens[index:]
        return ["sh", "-c", rest[0]] if len(rest) == 1 and " " in rest[0] else rest
    return []


def _go_run(args: list[str]) -> list[str]:
    """`go run PKG@VERSION args`: a tool fetched by module path runs as its command name;
    `go run ./cmd/x` is the repository's own program and stays as it is."""
    rest = _skip(args, frozenset({"-tags", "-ldflags", "-gcflags", "-mod", "-modfile", "-C", "-exec"}))
    if not rest:
        return []
    package = rest[0]
    if package.startswith((".", "/")) or "." not in package.split("/")[0]:
        return ["go", "run", *rest]
    parts = [p for p in package.split("@")[0].split("/") if p]
    while len(parts) > 1 and _VERSION_DIR.match(parts[-1]):
        parts.pop()
    return [parts[-1], *rest[1:]] if parts else []
