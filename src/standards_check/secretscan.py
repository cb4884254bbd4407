"""Find committed secrets by high-signal patterns, without ever keeping or printing the secret.

Only formats with a distinctive prefix or structure are searched (private key blocks, cloud keys,
tokens with documented prefixes): a generic "high entropy string" rule would flood users with false
positives, and a check people cannot trust is worse than none.

Cost is bounded: the files read are chosen by name first (no binaries, lock files, minified bundles,
vendored or generated directories), capped in number and size, and searched with ONE combined RE2
pattern (linear time on any input, one pass per file). A finding keeps the path, the line and the
kind of secret; the matched text is dropped at once.

Speed: content already scanned is answered by blob id from the cache (scancache.py); the rest is
searched in bulk by `git grep -F` for the literals every pattern contains (gitscan.py: git reads
and searches in C, on all cores), and only the few files it lists are read and matched here.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

import re2

from standards_check.snapshot import RepoSnapshot

if TYPE_CHECKING:
    from standards_check.scancache import BlobCache

# (group name, what to call it, pattern). Patterns follow the issuers' documented formats (GitHub
# token prefixes, AWS key ID prefixes, ...) as also used by GitHub secret scanning and gitleaks.
SECRET_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # A PEM/OpenSSH/PGP private key header; scan_bytes then asks for key material right after it,
    # so a header constant in code that parses keys does not count.
    ("private_key", "private key", r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----"),
    ("aws_key_id", "AWS access key ID", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
    ("github_token", "GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    ("github_pat", "GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{82}\b"),
    ("gitlab_token", "GitLab token", r"\bgl(?:pat|dt|ptt|rt)-[0-9A-Za-z_-]{20}\b"),
    ("slack_token", "Slack token", r"\bxox[baprs]-[0-9]{8,14}-[0-9A-Za-z-]{8,}"),
    ("slack_webhook", "Slack webhook URL",
     r"hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{8,}/[A-Z0-9]{8,}/[A-Za-z0-9]{20,}"),
    ("stripe_key", "Stripe live secret key", r"\b[sr]k_live_[0-9A-Za-z]{20,}\b"),
    ("google_api_key", "Google API key", r"\bAIza[0-9A-Za-z_-]{35}(?:[^0-9A-Za-z_-]|$)"),
    ("npm_token", "npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    ("pypi_token", "PyPI token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
    ("sendgrid_key", "SendGrid API key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
    ("shopify_token", "Shopify token", r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"),
    ("openai_key", "OpenAI API key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"),
    ("anthropic_key", "Anthropic API key", r"\bsk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,}"),
    ("digitalocean_token", "DigitalOcean token", r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
    ("azure_storage_key", "Azure storage account key", r"AccountKey=[A-Za-z0-9+/]{86}=="),
)

_KEY_BODY = re2.compile(rb"[A-Za-z0-9+/]{40}")
# An AWS access key ID alone grants nothing and appears in docs and logs; it is a leak when written
# as a credential: next to its secret key, or in an AWS credentials/config/env setting.
_AWS_WORDS = re2.compile(rb"(?i)aws|secret|access.?key|credential")
_AWS_SECRET = re2.compile(rb"(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{40})(?:[^A-Za-z0-9+/=]|$)")
_AWS_WINDOW = 300
_KEY_WINDOW = 300  # bytes after the header where the key material must start
_KEY_CONTEXT = 200  # bytes before the header that may say it is a test key

KINDS = {name: label for name, label, _ in SECRET_PATTERNS}
COMBINED = re2.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, _, pattern in SECRET_PATTERNS).encode()
)

# Every pattern above contains one of these literals: searching for them alone (RE2 here, git grep's
# fixed-string search in bulk) is several times faster than the combined pattern, and almost every
# file has none of them. tests/test_secrets_bulk.py checks that every kind's sample holds one.
PREFILTER_LITERALS = (
    "-----BEGIN", "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "glpat-", "gldt-", "glptt-", "glrt-", "xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-", "hooks.slack.com",
    "k_live_", "AIza", "npm_", "pypi-", "SG.", "shpat_", "shpca_", "shppa_", "shpss_", "sk-",
    "dop_v1_", "doo_v1_", "dor_v1_", "AccountKey=",
)
PREFILTER = re2.compile("|".join(re2.escape(literal) for literal in PREFILTER_LITERALS).encode())

# Bump when what scan_bytes reports for some content changes in a way SECRET_PATTERNS' text does not
# show: cached results of the old version are then not used.
SCANNER_VERSION = "2"
# Fewer files than this to read are read here; more are searched by git grep first.
_BULK_MIN = 200

# Values that documentation and tests use on purpose (AWS's documented example key pair, ...).
_FAKE_MARKERS = (b"example", b"dummy", b"fake", b"sample", b"xxxxxx", b"placeholder", b"redacted",
                 b"your_", b"your-", b"test", b"0000000000", b"1234567890", b"abcdefghij")

# Directories whose files are vendored, generated or installed, not written in this repository.
SKIP_DIRS = frozenset({
    "node_modules", "vendor", "vendors", "third_party", "third-party", "thirdparty", "dist",
    "bower_components", "jspm_packages", "site-packages", ".venv", "venv", "__pycache__",
    ".git", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".gradle", ".yarn", ".pnpm-store",
    "Pods", "Carthage", ".terraform",
})
# Paths where fixtures and examples live: matches there are counted apart, not reported.
TEST_DIRS = frozenset({
    "test", "tests", "testdata", "test_data", "testing", "__tests__", "__mocks__", "spec", "specs",
    "fixtures", "fixture", "__fixtures__", "examples", "example", "samples", "sample", "mocks",
    "testfixtures", "test-fixtures", "test_fixtures",
})
SKIP_NAMES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock",
    "poetry.lock", "pipfile.lock", "uv.lock", "pdm.lock", "cargo.lock", "go.sum", "gemfile.lock",
    "composer.lock", "packages.lock.json", "mix.lock", "pubspec.lock", "podfile.lock",
    "flake.lock", "gradle.lockfile", "conan.lock",
    # Firebase client configuration carries API keys that Google documents as public identifiers.
    "google-services.json", "googleservice-info.plist",
})
SKIP_SUFFIXES = (
    # binaries, media, archives, compiled output
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".icns", ".webp", ".tif", ".tiff", ".psd",
    ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".tar", ".jar", ".war",
    ".ear", ".whl", ".egg", ".class", ".pyc", ".pyo", ".so", ".dylib", ".dll", ".exe", ".o", ".a",
    ".lib", ".bin", ".dat", ".db", ".sqlite", ".wasm", ".woff", ".woff2", ".ttf", ".otf", ".eot",
    ".mp3", ".mp4", ".m4a", ".wav", ".ogg", ".flac", ".avi", ".mov", ".webm", ".mkv",
    ".svg", ".ipynb",
    # minified bundles and source maps
    ".min.js", ".min.css", ".map", ".min.mjs",
)


@dataclass(frozen=True, order=True)
class SecretFinding:
    """Where a likely secret is written and what kind it is. Never the secret itself."""

    path: str
    line: int
    kind: str


@dataclass
class ScanResult:
    findings: list[SecretFinding] = field(default_factory=list)
    ignored_fake: int = 0          # matches that look like documented or placeholder values
    ignored_in_tests: int = 0      # matches in test files and under test/fixture/example paths
    files_scanned: int = 0
    files_skipped: int = 0         # chosen but unreadable, binary or above the size cap
    files_not_scanned: int = 0     # left out by max_files


def candidate_files(snapshot: RepoSnapshot, extra_skip_dirs: Iterable[str] = ()) -> list[str]:
    """The paths worth searching, by plain string tests on the path (no regex per path)."""
    return _candidates(snapshot.paths, extra_skip_dirs)


def _candidates(paths: Iterable[str], extra_skip_dirs: Iterable[str]) -> list[str]:
    skip_dirs = SKIP_DIRS | frozenset(extra_skip_dirs)
    chosen = []
    last_dir, dir_skipped = "", False  # sorted paths list a directory's files together: judge it once
    for path in paths:
        directory, _, name = path.rpartition("/")
        if directory != last_dir:
            last_dir, dir_skipped = directory, not skip_dirs.isdisjoint(directory.split("/"))
        if dir_skipped:
            continue
        lower = name.lower()
        if lower in SKIP_NAMES or lower.endswith(SKIP_SUFFIXES):
            continue
        chosen.append(path)
    return chosen


def looks_fake(value: bytes) -> bool:
    """A value written to be seen: documentation examples, placeholders, low-variety filler."""
    lower = value.lower()
    if any(marker in lower for marker in _FAKE_MARKERS):
        return True
    return len(set(value[-16:])) < 8  # random key material has ~13 distinct of 16 characters


def _key_body(data: bytes, header_end: int) -> bytes | None:
    """The first 40 characters of key material after a private key header, or None."""
    window = data[header_end:header_end + _KEY_WINDOW]
    end_marker = window.find(b"-----END")
    if end_marker >= 0:
        window = window[:end_marker]
    found = _KEY_BODY.search(window)
    if found is None:
        return None
    body = found.group()
    if body.isalpha() or body.isdigit() or body.islower() or body.isupper():
        return None  # an identifier or a number, not base64 of random bytes
    return body


_TEST_FILE_SUFFIXES = ("_test.go", "_test.py", "_tests.py", "_test.rb", "_spec.rb", "_test.exs",
                       "_test.dart", "_test.rs", "_test.c", "_test.cc", "_test.cpp", "test.java",
                       "tests.java", "test.kt", "tests.kt", "test.scala", "spec.scala", "test.cs",
                       "tests.cs", "test.php", "test.swift", "tests.swift", "_test.ts", "_test.js")
_TEST_FILE_MARKERS = (".test.", ".spec.", "_test.", "-test.", ".tests.")
# Private keys written next to these words are fixtures (TestSSHKeyPair = ..., fakeKey := ...).
_FIXTURE_CONTEXT = re2.compile(rb"(?i)test|fake|dummy|mock|stub|example|sample|fixture")


def _aws_context(window: bytes) -> bool:
    if _AWS_WORDS.search(window):
        return True
    # a secret access key: 40 base64 characters in mixed case (a hex commit SHA is not one)
    return any(not (m.group(1).islower() or m.group(1).isupper()) for m in _AWS_SECRET.finditer(window))


def in_test_path(path: str) -> bool:
    """Under a test/fixture/example directory, or a test file by the usual naming conventions."""
    lower = path.lower()
    directory, _, name = lower.rpartition("/")
    if directory and not TEST_DIRS.isdisjoint(directory.split("/")):
        return True
    return (name.startswith(("test_", "test-")) or name.endswith(_TEST_FILE_SUFFIXES)
            or any(marker in name for marker in _TEST_FILE_MARKERS))


def scan_bytes(data: bytes) -> Iterable[tuple[int, str, bool]]:
    """(line, kind, looks_fake) for each match in `data`; the match text goes no further.
    A private key counts as fake when its material looks fake or the code just before its header
    calls it a test, fake, dummy, mock, stub, example or fixture key."""
    for match in COMBINED.finditer(data):
        name = match.lastgroup
        if isinstance(name, bytes):
            name = name.decode()
        start = match.start()
        if name == "private_key":
            body = _key_body(data, match.end())
            if body is None:
                continue
            fake = looks_fake(body) or _FIXTURE_CONTEXT.search(data[max(0, start - _KEY_CONTEXT):start]) is not None
        else:
            if name == "aws_key_id":
                window = data[max(0, start - _AWS_WINDOW):start] + b" " + data[match.end():match.end() + _AWS_WINDOW]
                if not _aws_context(window):
                    continue
            fake = looks_fake(match.group())
        yield data.count(b"\n", 0, start) + 1, KINDS[name], fake


def _examine(data: bytes, max_file_bytes: int) -> str:
    """What a file's content holds, encoded for the cache: "-" skipped (binary or too large), ""
    nothing, else "line:kind:0|1" per match (1: looks fake). Never the matched text."""
    if len(data) > max_file_bytes or b"\0" in data[:8000]:
        return "-"
    if PREFILTER.search(data) is None or COMBINED.search(data) is None:  # the common case
        return ""
    return ";".join(f"{line}:{_NAMES[kind]}:{int(fake)}" for line, kind, fake in scan_bytes(data))


_NAMES = {label: name for name, label, _ in SECRET_PATTERNS}


def _matches(encoded: str) -> Iterable[tuple[int, str, bool]]:
    for match in encoded.split(";"):
        line, name, fake = match.split(":")
        yield int(line), KINDS[name], fake == "1"


def cache_namespace(max_file_bytes: int, snapshot_max_bytes: int) -> str:
    """Everything that changes a blob's result: scanner version, patterns, rules and size limits."""
    basis = repr((SCANNER_VERSION, SECRET_PATTERNS, PREFILTER_LITERALS, _FAKE_MARKERS, _AWS_WINDOW,
                  _KEY_WINDOW, _KEY_CONTEXT, max_file_bytes, snapshot_max_bytes))
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def scan(snapshot: RepoSnapshot, max_files: int, max_file_bytes: int,
         ignore_test_fixtures: bool = True, extra_skip_dirs: Iterable[str] = ()) -> ScanResult:
    """Scan the candidate files. A tree scanned before with the same parameters (same root tree
    id, or the same index listing of an unedited work tree) is answered whole from the cache;
    otherwise content already scanned is looked up by blob id, the rest is searched by git grep
    for the literals in bulk (where the snapshot can), and only the files it lists, and those it
    could not search, are read here."""
    from standards_check import scancache

    cache = scancache.shared(cache_namespace(max_file_bytes, snapshot.max_bytes)) if scancache.enabled() else None
    tree_key = None
    content = snapshot.content_key() if cache is not None else None
    if cache is not None and content is not None and not _candidates(content[1], extra_skip_dirs):
        tree_key = _tree_key(content[0], max_files, ignore_test_fixtures, extra_skip_dirs)
        stored = _result_from_json(cache.get_tree(tree_key))
        if stored is not None:
            snapshot.cancel_grep()  # a search started before the cache was asked
            return stored
    result = _scan(snapshot, cache, max_files, max_file_bytes, ignore_test_fixtures, extra_skip_dirs)
    if cache is not None and tree_key is not None:
        cache.put_tree(tree_key, _result_to_json(result))
    return result


def start(snapshot: RepoSnapshot, params: dict) -> None:
    """Called before the checks run: start git grep on the whole tree in the background, so git
    searches while the other checks work, unless the cache holds this tree's result."""
    from standards_check import scancache

    if scancache.enabled():
        key = snapshot.quick_content_key()
        if key is not None:
            cache = scancache.shared(cache_namespace(params["max_file_bytes"], snapshot.max_bytes))
            tree_key = _tree_key(key, params["max_files"], params["ignore_test_fixtures"], params["skip_dirs"])
            if cache.get_tree(tree_key) is not None:
                return
    snapshot.start_grep(PREFILTER_LITERALS)


def _tree_key(content_key: str, max_files: int, ignore_test_fixtures: bool, extra_skip_dirs: Iterable[str]) -> str:
    params = (content_key, max_files, ignore_test_fixtures, sorted(set(extra_skip_dirs)))
    return hashlib.sha256(repr(params).encode("utf-8", "surrogateescape")).hexdigest()[:40]


def _result_to_json(result: ScanResult) -> str:
    return json.dumps({**{k: v for k, v in vars(result).items() if k != "findings"},
                       "findings": [[f.path, f.line, f.kind] for f in result.findings]})


def _result_from_json(text: str | None) -> ScanResult | None:
    if text is None:
        return None
    try:
        data = json.loads(text)
        findings = [SecretFinding(str(path), int(line), str(kind)) for path, line, kind in data.pop("findings")]
        return ScanResult(findings=findings, **{k: int(data[k]) for k in (
            "ignored_fake", "ignored_in_tests", "files_scanned", "files_skipped", "files_not_scanned")})
    except (ValueError, TypeError, KeyError, AttributeError):
        return None  # damaged: scanned again


def _scan(snapshot: RepoSnapshot, cache: BlobCache | None, max_files: int, max_file_bytes: int,
          ignore_test_fixtures: bool, extra_skip_dirs: Iterable[str]) -> ScanResult:
    result = ScanResult()
    paths = candidate_files(snapshot, extra_skip_dirs)
    if len(paths) > max_files:
        result.files_not_scanned = len(paths) - max_files
        paths = paths[:max_files]
    blobs = snapshot.blob_ids()
    known = cache.get_many(blobs[p] for p in paths if p in blobs) if cache is not None and blobs else {}
    found: dict[str, str | None] = {}  # path -> _examine's answer; None: not read (a link, unreadable)
    clean: set[str] = set()  # searched by git grep: none of the literals, nothing to find
    todo = [p for p in paths if blobs.get(p) not in known] if known else paths
    # A partial clone (sweeps) fetches the missing blobs in one batch on this hint, instead of one
    # lazy fetch per file; blobs the cache knows are not fetched at all.
    snapshot.prefetch(todo)
    to_read = todo
    if len(todo) >= _BULK_MIN:
        searched = snapshot.grep(PREFILTER_LITERALS, todo)
        if searched is not None:
            clean = searched[0] - searched[1]
            to_read = [p for p in todo if p not in clean]
    else:
        snapshot.cancel_grep()
    # A work tree's edited files are not their index blob: read those the cache answered for.
    changed = snapshot.changed_since_blob_ids()
    if changed is None:
        changed = set(blobs)
    if changed and known:
        to_read = to_read + [p for p in paths if p in changed and p not in clean and blobs.get(p) in known]
    # Links are not followed: their target is listed and read itself, and reported once.
    for path, data in snapshot.iter_bytes(to_read, follow_links=False):
        found[path] = None if data is None else _examine(data, max_file_bytes)
    if cache is not None and blobs:
        cache.put_many({blobs[p]: answer for p, answer in found.items()
                        if answer is not None and p in blobs and p not in changed},
                       clean=list(map(blobs.__getitem__, clean - changed if changed else clean)))
    result.files_scanned += len(clean)
    for path in set(paths).difference(clean) if clean else paths:
        encoded = found[path] if path in found else known[blobs[path]]
        if encoded is None or encoded == "-":
            result.files_skipped += 1
            continue
        result.files_scanned += 1
        if not encoded:
            continue
        test_path = ignore_test_fixtures and in_test_path(path)
        for line, kind, fake in _matches(encoded):
            if test_path:
                # Test suites commit throwaway keys and realistic-looking tokens on purpose (TLS
                # and SSH fixtures, token parsers' tests); reporting them costs more trust than
                # the rare real secret in a test file is worth. Counted, not reported.
                result.ignored_in_tests += 1
            elif fake:
                result.ignored_fake += 1
            else:
                result.findings.append(SecretFinding(path, line, kind))
    result.findings.sort()
    return result
