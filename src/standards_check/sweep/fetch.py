"""Cheap copies of remote repositories: bare, blob-less partial clones kept in a cache.

`git clone --bare --filter=blob:none` brings commits and trees only; the few blobs the checks read
are fetched lazily by git when `cat-file` asks for them (the clone records its remote as a
promisor). A rerun `fetch`es into the cached clone instead of cloning again. Nothing is checked out.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

from standards_check import gitcmd


class FetchError(Exception):
    """The repository could not be brought into the cache (unreachable, empty, broken)."""


def git_env() -> dict[str, str]:
    """Never prompt for credentials; let partial clones fetch missing blobs lazily (these are the
    sweep's own clones, so transports stay open: gitcmd.env(fetch=True)).

    With `STANDARDS_CHECK_GIT_AUTH_HOST` and `GITHUB_TOKEN` set (the sweep sets the host when it
    lists a GitHub owner), git sends the token to that host only, as actions/checkout does, through
    configuration in the environment: never on a command line, never written into a clone. For a
    GitLab group (`STANDARDS_CHECK_GIT_AUTH_FORGE=gitlab`) the token is `GITLAB_TOKEN`, sent as
    GitLab documents for access tokens over HTTPS (any user name, here `oauth2`)."""
    env = {**gitcmd.env(fetch=True), "GIT_ASKPASS": "/bin/true", "SSH_ASKPASS": "/bin/true"}
    gitlab = env.get("STANDARDS_CHECK_GIT_AUTH_FORGE") == "gitlab"
    host, token = env.get("STANDARDS_CHECK_GIT_AUTH_HOST"), env.get("GITLAB_TOKEN" if gitlab else "GITHUB_TOKEN")
    if host and token:
        import base64

        basic = base64.b64encode(f"{'oauth2' if gitlab else 'x-access-token'}:{token}".encode()).decode()
        count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
        env[f"GIT_CONFIG_KEY_{count}"] = f"http.https://{host}/.extraheader"
        env[f"GIT_CONFIG_VALUE_{count}"] = f"AUTHORIZATION: basic {basic}"
        env["GIT_CONFIG_COUNT"] = str(count + 1)
    return env


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(gitcmd.argv(None, *args), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          errors="replace", env=git_env(), check=False)


def cache_path(cache_dir: Path, url: str) -> Path:
    """A stable, readable directory for a URL: `<host-and-path>-<hash>.git`."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", _redact(url).split("://")[-1]).strip("_")[-80:]
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    return cache_dir / f"{readable}-{digest}.git"


def _redact(text: str) -> str:
    """Drop `user:password@` from URLs so a token in a clone URL never reaches the store or logs."""
    return re.sub(r"://[^/@\s]+@", "://", text)


_GENERIC = ("early EOF", "invalid index-pack output", "pack-objects died", "the remote end hung up",
            "filtering not recognized")


def _reason(proc: subprocess.CompletedProcess[str]) -> str:
    """The lines of git's stderr that say what went wrong, not just that the transfer stopped."""
    lines = [" ".join(ln.split()) for ln in proc.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith(("fatal:", "error:", "remote:", "ERROR:"))]
    specific = [ln for ln in errors if not any(g in ln for g in _GENERIC)]
    chosen = list(dict.fromkeys(specific))[:2] or errors[-1:] or lines[-1:] or [f"git exited {proc.returncode}"]
    return _redact("; ".join(chosen))[:500]


def ensure_clone(url: str, cache_dir: Path) -> Path:
    """A bare partial clone of `url` in the cache, fetched up to date. Raises FetchError."""
    target = cache_path(cache_dir, url)
    if (target / "HEAD").is_file():
        proc = _git("fetch", "--quiet", "--force", "--tags", "--no-write-fetch-head",
                    "origin", "+HEAD:refs/standards-check/head", cwd=target)
        if proc.returncode == 0:
            _point_head(target)
            return target
        if "couldn't find remote ref HEAD" in proc.stderr or "empty" in proc.stderr:
            raise FetchError("the repository is empty (no commits)")
        raise FetchError(f"fetch failed: {_reason(proc)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    if tmp.exists():
        _rmtree(tmp)
    proc = _git("clone", "--quiet", "--bare", "--filter=blob:none", "--", url, str(tmp))
    if proc.returncode != 0:
        _rmtree(tmp)
        raise FetchError(f"clone failed: {_reason(proc)}")
    if _git("rev-parse", "--verify", "-q", "HEAD^{commit}", cwd=tmp).returncode != 0:
        _rmtree(tmp)
        raise FetchError("the repository is empty (no commits)")
    # a bare clone has no fetch refspec; record the remote HEAD so reruns know what to update
    _git("update-ref", "refs/standards-check/head", "HEAD", cwd=tmp)
    os.replace(tmp, target)  # a crash mid-clone never leaves a half clone where reruns look
    return target


def _point_head(repo: Path) -> None:
    """Move the local default branch to what the remote's HEAD now is."""
    branch = _git("symbolic-ref", "-q", "HEAD", cwd=repo).stdout.strip() or "refs/heads/main"
    _git("update-ref", branch, "refs/standards-check/head", cwd=repo)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
