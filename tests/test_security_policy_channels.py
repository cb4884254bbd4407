"""security.policy reads the reporting addresses people write to keep spam harvesters off."""
from __future__ import annotations

import pytest

from tests.security_helpers import evaluate, lines

POLICY = "# Security\n\nPlease do not open public issues for vulnerabilities.\n\n{line}\n\nWe answer within a week.\n"


@pytest.mark.parametrize("line", [
    "Instead, please send an email to info[@]example-scanner.com.",
    "Report vulnerabilities to security [at] example.org.",
    "Email **`project-security [at] googlegroups [dot] com`**.",
    "Write to security(at)example(dot)co(dot)uk",
    "Mail security {at} example {dot} org",
    "Mail security AT example DOT org",
    "Contact sec&#64;example.io",
    "Contact security @ example . org",
])
def test_obfuscated_addresses_are_a_channel(make_repo, line) -> None:
    outcome = evaluate(make_repo({"SECURITY.md": POLICY.format(line=line)}), "security.policy")
    assert outcome.status == "pass", outcome.message
    assert lines(outcome) == [("SECURITY.md", 5)]


@pytest.mark.parametrize("line", [
    "Report it at once. Thanks for helping.",
    "Look at the docs. Then ask the maintainers privately.",
])
def test_prose_with_at_is_not_an_address(make_repo, line) -> None:
    outcome = evaluate(make_repo({"SECURITY.md": POLICY.format(line=line)}), "security.policy")
    assert outcome.status == "fail"
