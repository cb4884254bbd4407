"""The HTML scorecard: self-contained, escaped, complete — and rendered by a real browser."""
from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from standards_check.commands.report import report_command
from standards_check.sweep.store import Store
from tests.sweep_helpers import make_sample_store, sample_row


@pytest.fixture
def sample_store(tmp_path: Path) -> Path:
    path = tmp_path / "org.db"
    make_sample_store(path, repos=30, sweeps=4)
    return path


def render(store: Path, tmp_path: Path) -> tuple[Path, str]:
    out = tmp_path / "scorecard.html"
    assert report_command(store_path=store, fmt="html", output=out) == 0
    return out, out.read_text(encoding="utf-8")


def test_scorecard_is_one_self_contained_file(sample_store: Path, tmp_path: Path) -> None:
    _, html = render(sample_store, tmp_path)
    assert "<script" not in html  # no JavaScript needed: charts are server-side SVG
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing loaded from the network
    assert not re.search(r"<link\b", html) and "@import" not in html
    assert html.count("<svg") == 2  # level distribution and trend charts


def test_scorecard_has_every_section_a_manager_needs(sample_store: Path, tmp_path: Path) -> None:
    _, html = render(sample_store, tmp_path)
    for text in ("Organisation score", "Repositories per maturity level", "per sweep",
                 "Teams", "@acme/payments", "(no owner)", "Most common gaps", "runbook.present",
                 "Add docs/runbook.md", "Could not be scanned (2)", "timed out after 600 s",
                 "acme/service-06", "Repository details"):
        assert text in html, text
    # four sweeps in the trend: four dates on the x axis
    assert all(f"2026-0{m}-01" in html for m in range(1, 5))


def test_untrusted_names_and_messages_are_escaped(tmp_path: Path) -> None:
    import random

    store = tmp_path / "x.db"
    with Store(store) as s:
        sweep, _ = s.start_or_resume(source="github:acme", policy=None, policy_map=None,
                                     tool_version="0.1.0", shard=None, run_id=None, total=2)
        row = sample_row("acme/<script>alert(1)</script>", "@<b>team</b>", 0.1, random.Random(1))
        row["report"]["results"][0]["message"] = "<img src=x onerror=alert(1)>"
        s.add_result(sweep.id, row)
        s.add_result(sweep.id, {"repo": "acme/e", "status": "error", "error": "<iframe>",
                                "scanned_at": "2026-01-01T00:00:00+00:00"})
        s.finish(sweep.id)
    _, html = render(store, tmp_path)
    assert "<script>alert" not in html and "<img src=x" not in html and "<iframe>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "@&lt;b&gt;team&lt;/b&gt;" in html


def test_an_interrupted_sweep_is_flagged(tmp_path: Path) -> None:
    import random

    store = tmp_path / "x.db"
    with Store(store) as s:
        sweep, _ = s.start_or_resume(source="urls:r.txt", policy=None, policy_map=None,
                                     tool_version="0.1.0", shard=None, run_id=None, total=10)
        s.add_result(sweep.id, sample_row("a/b", "@t", 0.5, random.Random(1)))
        s.finish(sweep.id, "interrupted")
    _, html = render(store, tmp_path)
    assert "Incomplete sweep." in html and "1 of 10 repositories" in html


# ---- a real browser ------------------------------------------------------------------------
def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    message = "chromium is not installed (run scripts/install-browser.sh)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)  # CI must run the browser test, never skip it
    pytest.skip(message)


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([chromium(), *flags, *args], capture_output=True, text=True, timeout=120)


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) pixels of an 8-bit PNG (enough for Chromium's output)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, rows, prev, stride = zlib.decompress(idat), [], bytearray(width * bpp), width * bpp
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        ftype, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                cur[i] = (cur[i] + a) & 255
            elif ftype == 2:
                cur[i] = (cur[i] + b) & 255
            elif ftype == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(cur))
        prev = cur
    return width, height, [bytes(r[i:i + 3]) for r in rows[::8] for i in range(0, stride, bpp * 8)]


def test_scorecard_renders_in_a_real_browser(sample_store: Path, tmp_path: Path) -> None:
    page, _ = render(sample_store, tmp_path)
    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert "Engineering standards scorecard" in html
    charts = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(charts) == 2
    levels, trend = charts
    assert len(re.findall(r'<rect[^>]*class="rect reactive', levels)) >= 4  # the level bars
    assert "Foundations" in levels
    assert len(re.findall(r'class="line reactive', trend)) == 2  # mean score and pass rate lines
    assert html.count('class="cell"') > 100  # the heat maps

    shot = tmp_path / "scorecard.png"
    done = run_chromium(tmp_path, "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri())
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    width, height, samples = png_pixels(shot)
    assert (width, height) == (1280, 2000)
    colours = set(samples)
    background = max(colours, key=samples.count)
    painted = sum(1 for s in samples if s != background) / len(samples)
    assert len(colours) > 100 and painted > 0.2, (len(colours), painted)
