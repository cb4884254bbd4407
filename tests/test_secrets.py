"""secrets.committed: each secret kind is found by file:line, and the secret is never printed.

Every secret-shaped value here is assembled at run time from pieces, so this file itself holds
none (push protection and secret scanners stay quiet on the project's own repository).
"""
from __future__ import annotations

import pytest

from standards_check.model import Outcome
from tests.conftest import commit_all, write_files
from tests.security_helpers import evaluate, lines

RANDOM = "Q3EGRTW9ZL5MX7PBk2VnJ8sYcF4hD6aU1oIwe0XrTbN7mG3qLzHp5uKdS9jC2vAyR4fB8xE1tW6nM0gZ"
KEY_BODY = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB"


def tok(*parts: str) -> str:
    return "".join(parts)


SAMPLES = {  # kind -> a realistic (made-up) value of that format
    "private key": tok("-----BEGIN ", "RSA PRIVATE KEY-----\n", KEY_BODY, "\n-----END RSA PRIVATE KEY-----"),
    "AWS access key ID": tok("AK", "IA", RANDOM[:16].upper()),
    "GitHub token": tok("gh", "p_", RANDOM[:36]),
    "GitHub fine-grained token": tok("github", "_pat_", RANDOM[:22], "_", (RANDOM * 2)[:59]),
    "GitLab token": tok("gl", "pat-", RANDOM[:20]),
    "Slack token": tok("xo", "xb-", "2983746150", "12-", "4983726510", "45-", RANDOM[:24]),
    "Slack webhook URL": tok("https://hooks.", "slack.com/services/", "T0ABCD1EF/", "B0ABCD2GH/", RANDOM[:24]),
    "Stripe live secret key": tok("sk", "_live_", RANDOM[:24]),
    "Google API key": tok("AI", "za", "Sy", RANDOM[:33]),
    "npm token": tok("np", "m_", RANDOM[:36]),
    "PyPI token": tok("py", "pi-", "AgEIcHlwaS5vcmc", RANDOM[:60]),
    "SendGrid API key": tok("S", "G.", RANDOM[:22], ".", RANDOM[22:65]),
    "Shopify token": tok("sh", "pat_", "4f0c9a7e2b1d8c3f6a5e9b0d7c2f1a8e"),
    "OpenAI API key": tok("sk", "-proj-", RANDOM[:24], "T3Blbk", "FJ", RANDOM[30:54]),
    "Anthropic API key": tok("sk", "-ant-api03-", (RANDOM * 2)[:93], "AA"),
    "DigitalOcean token": tok("do", "p_v1_", "4f0c9a7e2b1d8c3f6a5e9b0d7c2f1a8e" * 2),
    "Azure storage account key": tok("Account", "Key=", (RANDOM * 2)[:86], "=="),
}


def _assert_never_printed(outcome: Outcome, secret: str) -> None:
    text = outcome.message + " ".join(str(loc) for loc in outcome.locations)
    for piece in (secret, secret[:20], secret[-16:]):
        assert piece not in text


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_kind_is_found_and_never_printed(make_repo, kind):
    secret = SAMPLES[kind]
    repo = make_repo({"README.md": "hello\n", "app/settings.py": f"# config\n\nSECRET_VALUE = '{secret}'\n"})
    outcome = evaluate(repo, "secrets.committed")
    assert outcome.status == "fail", outcome.message
    assert lines(outcome) == [("app/settings.py", 3)]
    assert kind in outcome.message
    _assert_never_printed(outcome, secret)


NOT_SECRETS = {
    # AWS's documented example key, and placeholders
    "docs/aws.md": tok("Use `", "AKIA", "IOSFODNN7EXAMPLE", "` as the key ID.\n"),
    "config.example.env": tok("GITHUB_TOKEN=", "gh", "p_", "x" * 36, "\n"),
    "src/keys.py": 'HEADER = "-----BEGIN RSA PRIVATE KEY-----"\nEND = "-----END RSA PRIVATE KEY-----"\n',
    "src/short.py": tok("x = '", "gh", "p_", "tooShort", "'\n"),
    # vendored, lock, minified files are not read
    "node_modules/pkg/index.js": tok("t='", "gh", "p_", RANDOM[:36], "'\n"),
    "vendor/lib/a.go": SAMPLES["Stripe live secret key"],
    "web/app.min.js": SAMPLES["npm token"],
    "package-lock.json": SAMPLES["GitHub token"],
    # Firebase client config: Google documents these API keys as public
    "android/app/google-services.json": SAMPLES["Google API key"],
    # throwaway keys of a test suite
    "tests/fixtures/server.key": SAMPLES["private key"],
    "crypto/testdata/rsa.pem": SAMPLES["private key"],
    "image.png": b"\x89PNG\r\n\x1a\n\0" + SAMPLES["GitHub token"].encode(),
    "data.bin": b"\0\0" + SAMPLES["Slack token"].encode(),
}


def test_fixtures_placeholders_and_vendored_files_do_not_count(make_repo):
    outcome = evaluate(make_repo(NOT_SECRETS), "secrets.committed")
    assert outcome.status == "pass", outcome.message
    assert "ignored" in outcome.message


@pytest.mark.parametrize("path", ["tests/test_api.py", "pkg/client_test.go", "src/api.spec.ts",
                                  "src/test/java/ClientTest.java", "test_client.py", "examples/demo.env"])
def test_matches_in_test_files_are_counted_not_reported(make_repo, path):
    repo = make_repo({path: f"TOKEN = '{SAMPLES['GitHub token']}'\n"})
    outcome = evaluate(repo, "secrets.committed")
    assert outcome.status == "pass" and "1 placeholder or test-fixture match ignored" in outcome.message
    assert lines(evaluate(repo, "secrets.committed", ignore_test_fixtures=False)) == [(path, 1)]


def test_private_key_introduced_as_a_test_key_is_a_fixture(make_repo):
    text = "var TestSSHKeyPair = struct{ Key string }{\n\tKey: `" + SAMPLES["private key"] + "`,\n}\n"
    repo = make_repo({"helpers/ssh/stub_server.go": text, "deploy/id_rsa": SAMPLES["private key"]})
    assert lines(evaluate(repo, "secrets.committed")) == [("deploy/id_rsa", 1)]


def test_low_variety_values_are_placeholders(make_repo):
    repo = make_repo({"runner.go": tok('Token: "gl', 'rt-', 'aaa_cccbbbdddooo2222"\n')})
    assert evaluate(repo, "secrets.committed").status == "pass"


@pytest.mark.parametrize("text, line", [
    # a service-account JSON: the key is one line with \n escapes
    ('{\n  "type": "service_account",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\n' + KEY_BODY + '\\n"\n}\n', 3),
    # OpenSSH and encrypted PEM headers
    ("-----BEGIN OPENSSH PRIVATE KEY-----\n" + KEY_BODY + "\n", 1),
    ("x\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,ABCD\n\n" + KEY_BODY, 2),
    ("-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n" + KEY_BODY + "\n", 1),
])
def test_private_key_shapes(make_repo, text, line):
    outcome = evaluate(make_repo({"deploy/key.json": text}), "secrets.committed")
    assert lines(outcome) == [("deploy/key.json", line)]


@pytest.mark.parametrize("text, found", [
    ("aws_access_key_id = {key}\naws_secret_access_key = {secret}\n", True),
    ("export AWS_ACCESS_KEY_ID={key}\n", True),
    ('{{"AccessKeyId": "{key}", "SecretAccessKey": "{secret}"}}', True),
    ("key = '{key}'\nother = '{secret}'\n", True),          # next to a secret key
    ("Rotated key {key} on Monday.\n", False),                # an ID alone grants nothing
    ("Rotated {key} in commit 9fceb02d0ae598e95dc970b74767f19372d61af8\n", False),
])
def test_aws_key_id_needs_credential_context(make_repo, text, found):
    content = text.format(key=SAMPLES["AWS access key ID"], secret=(RANDOM * 2)[3:43].replace("_", "/"))
    outcome = evaluate(make_repo({"notes/deploy.txt": content}), "secrets.committed")
    assert (outcome.status == "fail") is found, outcome.message


def test_limits_and_skip_dirs(make_repo):
    files = {f"src/f{i:02}.py": "x = 1\n" for i in range(10)}
    files["src/zz.py"] = SAMPLES["GitHub token"]
    files["generated/a.py"] = SAMPLES["GitHub token"]
    files["big/blob.txt"] = "a" * 2000 + SAMPLES["GitHub token"]
    repo = make_repo(files)
    outcome = evaluate(repo, "secrets.committed", max_files=5, skip_dirs=["generated"], max_file_bytes=1000)
    assert outcome.status == "pass" and "not scanned" in outcome.message
    outcome = evaluate(repo, "secrets.committed", skip_dirs=["generated"], max_file_bytes=1000)
    assert lines(outcome) == [("src/zz.py", 1)]


def test_same_findings_from_work_tree_ref_and_directory(make_repo, tmp_path):
    files = {"a/b/c.py": f"\n\nk = '{SAMPLES['Stripe live secret key']}'\n", "d.txt": "nothing\n",
             "e/link.py": "placeholder"}
    repo = make_repo(files)
    (repo / "e" / "link.py").unlink()
    (repo / "e" / "link.py").symlink_to("../a/b/c.py")
    commit_all(repo, "link")
    expected = [("a/b/c.py", 3)]  # the link's target is reported, not the link as well
    assert lines(evaluate(repo, "secrets.committed")) == expected
    assert lines(evaluate(repo, "secrets.committed", ref="HEAD")) == expected
    plain = tmp_path / "plain"
    write_files(plain, files)
    (plain / "e" / "link.py").unlink()
    (plain / "e" / "link.py").symlink_to("../a/b/c.py")
    assert lines(evaluate(plain, "secrets.committed")) == expected


def test_gitattributes_binary_marks_and_untracked_files(make_repo):
    files = {f"src/m{i}.py": f"x = {i}\n" for i in range(20)}
    files.update({"src/keys/deploy.key": SAMPLES["private key"], ".gitattributes": "*.key -diff\n",
                  "src/settings.py": f"a = 1\nk = '{SAMPLES['npm token']}'\n",
                  "blob.bin": b"\0\1" + SAMPLES["npm token"].encode()})
    repo = make_repo(files)
    (repo / "untracked.env").write_text(f"T={SAMPLES['GitLab token']}\n")
    expected = [("src/keys/deploy.key", 1), ("src/settings.py", 2), ("untracked.env", 1)]
    assert lines(evaluate(repo, "secrets.committed")) == expected
    assert lines(evaluate(repo, "secrets.committed", ref="HEAD")) == expected[:2]


def test_link_out_of_the_repository_is_not_read(make_repo, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text(SAMPLES["GitHub token"])
    repo = make_repo({"README.md": "x"})
    (repo / "leak.txt").symlink_to(outside)
    (repo / "dirlink").symlink_to(tmp_path)
    commit_all(repo, "links")
    assert evaluate(repo, "secrets.committed").status == "pass"
    assert evaluate(repo, "secrets.committed", ref="HEAD").status == "pass"
