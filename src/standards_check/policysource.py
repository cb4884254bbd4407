"""Policies kept in a git repository of their own: `git+URL@REF#NAME[@VERSION]`.

The policy repository is fetched with git (only the ref, shallow) into the user's cache, keyed by
a hash of the URL and by the resolved commit; its YAML files are read from git objects. Nothing of
it is ever executed. A full commit SHA already in the cache needs no network; a tag or branch is
re-resolved with one `git ls-remote` and, when that fails, falls back to the commit it last
resolved to (with a warning). A URL's credentials never appear in `source`, messages or paths.

Every git command goes through `_git`, the one place that builds git's argv and environment.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

from standards_check import gitcmd
from standards_check.errors import UserError

PREFIX = "git+"
_SHA = re.compile(r"^[0-9a-f]{40}$")
_MAX_FILE = 1 << 20  # bytes per policy file read from the repository
_MAX_FILES = 5000
_TIMEOUT = 120.0

# Config that could make git run a program or ask a person, neutralised for every call. The user's
# own credential helpers stay: they are how private policy repositories are reached.
_SAFE_CONFIG = ("protocol.ext.allow=never", "credential.interactive=false")


@dataclass(frozen=True)
class GitPolicyRef:
    url: str    # as written (may carry credentials: never show it)
    ref: str    # tag, branch or full commit SHA
    name: str   # NAME[@VERSION] inside the repository's policies/

    @property
    def public_url(self) -> str:
        return redact(self.url)


def is_git_ref(text: str) -> bool:
    return text.startswith(PREFIX)


def parse(text: str) -> GitPolicyRef:
    """`git+URL@REF#NAME[@VERSION]`; REF starts at the last `@` after the last `/` of the URL."""
    body = text[len(PREFIX):]
    location, hash_, name = body.rpartition("#")
    shown = redact_text(text, body.rpartition("#")[0])
    if not hash_ or not name:
        raise UserError(f"git policy reference {shown!r} names no policy: use git+URL@REF#NAME[@VERSION]")
    slash = max(location.rfind("/"), location.rfind(":"))
    at = location.rfind("@")
    if at <= slash or at == len(location) - 1:
        raise UserError(f"git policy reference {shown!r} names no ref: use git+URL@REF#NAME[@VERSION] "
                        "(REF is a tag, a branch or a full commit SHA)")
    url, ref = location[:at], location[at + 1:]
    if not url or url.startswith("-") or ref.startswith("-") or any(c in url + ref for c in "\n\r\0 "):
        raise UserError(f"not a usable git policy reference: {shown!r}")
    if "::" in url.split("/", 1)[0]:  # transport helpers such as ext:: run commands
        raise UserError(f"git policy references use https, ssh, git or file URLs, not {shown!r}")
    return GitPolicyRef(url, ref, name)


def redact(url: str) -> str:
    """The URL without user information (`https://user:token@host/x` -> `https://host/x`)."""
    if "://" not in url:
        return url  # scp-like `git@host:path`: the user name is not a secret
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, parts.fragment))


def redact_ref(text: str | None) -> str | None:
    """A policy reference fit to store or show: a git+ reference without its URL's credentials."""
    if not text or not is_git_ref(text):
        return text
    return redact_text(text, text[len(PREFIX):].rpartition("#")[0] or text[len(PREFIX):])


def redact_text(text: str, url: str) -> str:
    """`text` with `url`'s credentials removed wherever they appear."""
    if "://" in url:
        netloc = urlsplit(url).netloc
        if "@" in netloc:
            userinfo = netloc.rpartition("@")[0]
            text = text.replace(userinfo + "@", "").replace(userinfo, "***")
    return text


def cache_root() -> Path:
    configured = os.environ.get("STANDARDS_CHECK_CACHE")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "standards-check"


# ---- git -----------------------------------------------------------------------------------------
_tokens: dict[str, str] = {}  # server URL -> token git sends to it (the Action's GITHUB_TOKEN)


def use_token(server_url: str, token: str) -> None:
    """Let git authenticate to `server_url` with `token` (HTTP basic, user x-access-token), for
    private policy repositories in a workflow. Passed in git's environment, never on its command line."""
    _tokens[server_url.rstrip("/")] = token


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_ENV}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GCM_INTERACTIVE": "never"})
    count = int(env.get("GIT_CONFIG_COUNT") or 0)
    for server, token in _tokens.items():
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env[f"GIT_CONFIG_KEY_{count}"] = f"http.{server}/.extraheader"
        env[f"GIT_CONFIG_VALUE_{count}"] = f"AUTHORIZATION: basic {basic}"
        count += 1
    if count:
        env["GIT_CONFIG_COUNT"] = str(count)
    return env


def _git(repo: Path | None, *args: str, url: str = "", binary: bool = False,
         stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Run git with config that runs programs neutralised; `url` is redacted from any error."""
    argv = gitcmd.argv(repo)  # the neutralising settings every git call gets, then our own
    for setting in _SAFE_CONFIG:
        argv += ["-c", setting]
    try:
        proc = subprocess.run([*argv, *args], env=_env(), input=stdin, capture_output=True,
                              timeout=_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise _Unreachable(f"git {args[0]} timed out after {_TIMEOUT:g}s") from None
    except FileNotFoundError:
        raise UserError("git policy references need git on PATH") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = redact_text(lines[-1] if lines else f"git {args[0]} failed", url) if url else (
            lines[-1] if lines else "")
        for token in _tokens.values():
            detail = detail.replace(token, "***")
        raise _GitFailed(detail)
    return proc


# Environment a user or the Action sets for credentials and config; everything else GIT_* is
# dropped so a caller's GIT_DIR or GIT_WORK_TREE cannot redirect these calls.
_KEPT_ENV = {"GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_COUNT", "GIT_ASKPASS", "GIT_SSH_COMMAND",
             "GIT_SSL_CAINFO", "GIT_SSL_NO_VERIFY", "GIT_HTTP_PROXY_AUTHMETHOD"} | {
    f"GIT_CONFIG_{kind}_{i}" for kind in ("KEY", "VALUE") for i in range(16)}


class _GitFailed(Exception):
    pass


class _Unreachable(_GitFailed):
    pass


# ---- resolution ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkout:
    """The YAML files of one commit of a policy repository, read from git objects."""

    source: str          # the URL without credentials
    ref: str
    commit: str
    files: dict[str, str]  # repository-relative POSIX path -> text
    warning: str | None = None
    too_large: frozenset[str] = frozenset()  # YAML files over _MAX_FILE, not read

    def display(self, path: str) -> str:
        return f"{PREFIX}{self.source}@{self.ref}#{path}"


_resolved: dict[tuple[str, str], Checkout] = {}  # one ls-remote per URL and ref per process
_memo_lock = threading.Lock()


def checkout(ref: GitPolicyRef) -> Checkout:
    key = (ref.url, ref.ref)
    with _memo_lock:
        if key not in _resolved:
            _resolved[key] = _checkout(ref)
        return _resolved[key]


@contextmanager
def _locked(store: Path) -> Iterator[None]:
    """One process at a time fetches into a cache entry (CI jobs may share the cache)."""
    store.mkdir(parents=True, exist_ok=True)
    with open(store / "lock", "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: git's own lock files still protect refs
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _checkout(ref: GitPolicyRef) -> Checkout:
    shown = ref.public_url
    store = cache_root() / "policies" / hashlib.sha256(shown.encode()).hexdigest()[:24]
    bare = store / "repo.git"
    warning = None
    if _SHA.match(ref.ref) and _has_commit(bare, ref.ref):
        commit = ref.ref
    else:
        pin = store / "refs" / hashlib.sha256(ref.ref.encode()).hexdigest()[:24]
        try:
            remote = _ls_remote(ref)
        except _GitFailed as exc:
            cached = pin.read_text().strip() if pin.is_file() else ""
            if not (_SHA.match(cached) and _has_commit(bare, cached)):
                raise UserError(f"cannot reach policy repository {shown} ({exc})") from None
            remote = cached
            warning = (f"policy repository {shown} is unreachable ({exc}); using {ref.ref} as cached "
                       f"at commit {cached}")
        if remote is None:
            raise UserError(f"policy repository {shown} has no tag, branch or commit {ref.ref!r}")
        commit = remote
        with _locked(store):
            if not _has_commit(bare, commit):
                commit = _fetch(bare, ref, commit)
            if not _SHA.match(ref.ref):
                pin.parent.mkdir(parents=True, exist_ok=True)
                tmp = pin.with_name(pin.name + f".{os.getpid()}")
                tmp.write_text(commit + "\n")
                tmp.replace(pin)
    files, too_large = _read_yaml_files(bare, commit)
    return Checkout(shown, ref.ref, commit, files, warning, too_large)


def _ls_remote(ref: GitPolicyRef) -> str | None:
    """The commit REF names on the remote (a full SHA is taken as is), None when it names nothing."""
    out = _git(None, "ls-remote", "--", ref.url, url=ref.url).stdout.decode("utf-8", "replace")
    if _SHA.match(ref.ref):
        return ref.ref
    refs = dict((name, sha) for sha, _, name in (line.partition("\t") for line in out.splitlines()))
    for name in (f"refs/tags/{ref.ref}^{{}}", f"refs/tags/{ref.ref}", f"refs/heads/{ref.ref}", ref.ref):
        if name in refs:
            return refs[name]
    return None


def _has_commit(bare: Path, commit: str) -> bool:
    if not (bare / "HEAD").is_file():
        return False
    try:
        _git(bare, "cat-file", "-e", f"{commit}^{{commit}}")
    except _GitFailed:
        return False
    return True


def _fetch(bare: Path, ref: GitPolicyRef, commit: str) -> str:
    """Fetch only that ref, shallow, into the cache's bare repository; the commit fetched."""
    if not (bare / "HEAD").is_file():
        bare.mkdir(parents=True, exist_ok=True)
        _git(bare, "init", "-q", "--bare", "--template=")
    wanted = commit if _SHA.match(ref.ref) else ref.ref
    temp = f"refs/fetching/{os.getpid()}"
    try:
        _git(bare, "fetch", "-q", "--no-tags", "--no-write-fetch-head", "--depth", "1", "--", ref.url,
             f"+{wanted}:{temp}", url=ref.url)
        # a tag or branch that moved since ls-remote: what was fetched is what is used
        fetched = _git(bare, "rev-parse", "--verify", f"{temp}^{{commit}}").stdout.decode().strip()
        _git(bare, "update-ref", f"refs/pinned/{fetched}", fetched)
        _git(bare, "update-ref", "-d", temp)
    except _GitFailed as exc:
        raise UserError(f"cannot fetch {ref.ref} from policy repository {ref.public_url} ({exc})") from None
    return fetched


def _read_yaml_files(bare: Path, commit: str) -> tuple[dict[str, str], frozenset[str]]:
    """Every regular *.yaml/*.yml file of the commit (symlinks and submodules are not followed)."""
    listing = _git(bare, "ls-tree", "-r", "-z", "--full-tree", commit).stdout
    wanted: list[tuple[str, str]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, sha = meta.split()
        path = raw_path.decode("utf-8", "replace")
        if kind == b"blob" and mode in (b"100644", b"100755") and path.endswith((".yaml", ".yml")):
            wanted.append((path, sha.decode()))
    wanted = wanted[:_MAX_FILES]
    if not wanted:
        return {}, frozenset()
    # sizes first, so an oversized blob is never read into memory
    sizes = _git(bare, "cat-file", "--batch-check=%(objectsize)",
                 stdin="".join(f"{sha}\n" for _, sha in wanted).encode()).stdout.split()
    too_large = frozenset(path for (path, _), size in zip(wanted, sizes) if int(size) > _MAX_FILE)
    small = [(path, sha) for path, sha in wanted if path not in too_large]
    out = _git(bare, "cat-file", "--batch", stdin="".join(f"{sha}\n" for _, sha in small).encode()).stdout
    files: dict[str, str] = {}
    pos = 0
    for path, _sha in small:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        files[path] = out[header_end + 1: header_end + 1 + size].decode("utf-8", "replace")
        pos = header_end + 1 + size + 1
    return files, too_large


def inside(base_file: str, target: str) -> str | None:
    """The repository path `target` names relative to `base_file`, or None when it leaves the repository."""
    if target.startswith("/"):
        return None
    parts: list[str] = list(PurePosixPath(base_file).parent.parts)
    for part in PurePosixPath(target).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)
