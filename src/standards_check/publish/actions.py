"""What a GitHub Actions step can say without the API: workflow commands, the job summary, outputs.

Escaping follows the runner's own implementation (actions/toolkit `packages/core/src/command.ts`,
documented at https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands):
in the message `%`, `\\r`, `\\n` become `%25`, `%0D`, `%0A`; in a property value `:` and `,`
also become `%3A` and `%2C`. Nothing read from the repository can therefore start a command of
its own. Before that, `escape.printable` shows control characters (ANSI colours, OSC sequences, bidi
controls, undecodable bytes) as visible escapes: the log is read by a person.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterable, Mapping

from standards_check.escape import printable
from standards_check.publish.summary import Finding

# GitHub shows at most 10 annotations of each level per step; more are dropped silently.
MAX_ANNOTATIONS_PER_LEVEL = 10
MAX_SUMMARY_BYTES = 1024 * 1024  # the runner rejects a step summary over 1 MiB
_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(printable(str(value)))}" for key, value in properties.items()
                     if value is not None)
    return f"::{command}{' ' + props if props else ''}::{escape_data(printable(message, lines=True))}"


def annotation_commands(findings: Iterable[Finding]) -> list[str]:
    """`::error file=...,line=...,title=...::message` lines, at most 10 per level, then a note."""
    lines: list[str] = []
    shown: dict[str, int] = {}
    dropped = 0
    for finding in findings:
        command = _COMMANDS.get(finding.severity, "warning")
        if shown.get(command, 0) >= MAX_ANNOTATIONS_PER_LEVEL:
            dropped += 1
            continue
        shown[command] = shown.get(command, 0) + 1
        lines.append(workflow_command(command, finding.message, file=finding.path,
                                      line=finding.line, title=finding.title))
    if dropped:
        lines.append(workflow_command(
            "notice", f"{dropped} more findings are not annotated here: see the job summary."))
    return lines


def append_step_summary(path: str | os.PathLike[str], markdown: str) -> None:
    """Append to `$GITHUB_STEP_SUMMARY`, keeping under the runner's 1 MiB limit."""
    target = Path(path)
    used = target.stat().st_size if target.exists() else 0
    data = markdown.encode("utf-8")
    room = MAX_SUMMARY_BYTES - used - 1
    if len(data) > room:
        note = "\n\n… (truncated: the full report is in the report file)\n".encode()
        data = data[: max(0, room - len(note))].decode("utf-8", "ignore").encode() + note
    with target.open("ab") as handle:
        handle.write(data + b"\n")


def write_outputs(path: str | os.PathLike[str], outputs: Mapping[str, object]) -> None:
    """Append step outputs to `$GITHUB_OUTPUT` in the multiline (heredoc) form.

    The delimiter is random and checked against the value, as the toolkit does, so a value can
    never end the block early and set another output.
    """
    with Path(path).open("a", encoding="utf-8") as handle:
        for name, value in outputs.items():
            text = _output_text(value)
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            if delimiter in text or delimiter in name:  # practically never; refuse rather than corrupt
                raise ValueError(f"output {name!r} contains its delimiter")
            handle.write(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")


def _output_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
