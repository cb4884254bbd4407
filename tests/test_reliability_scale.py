"""Big-repository guard: SLO and alert facts read only the files their names point to."""
from __future__ import annotations

import time
from pathlib import Path

from standards_check.facts.alerts import parse_alert_rules
from standards_check.facts.slo import parse_slos
from standards_check.snapshot import DirectorySnapshot, RepoSnapshot
from tests.test_alerts import RULE_FILE
from tests.test_slo import OPENSLO_V1, SLOTH_V1

# Unrelated YAML whose *content* would look like SLOs and alerts if it were ever read.
DECOY = RULE_FILE + "# slo objective target openslo/v1 prometheus/v1\n"


class CountingSnapshot(RepoSnapshot):
    """An in-memory snapshot that records every file it is asked to load."""

    kind = "memory"

    def __init__(self, files: dict[str, str]) -> None:
        super().__init__("memory", files.keys())
        self.files = files
        self.loaded: list[str] = []

    def _load(self, path: str) -> bytes | None:
        self.loaded.append(path)
        return self.files[path].encode()


class CountingDirectorySnapshot(DirectorySnapshot):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.loaded: list[str] = []

    def _load(self, path: str) -> bytes | None:
        self.loaded.append(path)
        return super()._load(path)


def big_tree(count: int) -> dict[str, str]:
    files: dict[str, str] = {}
    for i in range(count):
        files[f"services/svc{i % 500}/k8s/deployment-{i}.yaml"] = DECOY
        files[f"config/env{i % 50}/settings-{i}.yml"] = DECOY
        files[f"src/pkg{i % 700}/module_{i}.py"] = "print('x')\n"
    files.update({
        "slos/checkout.yaml": OPENSLO_V1,
        "services/svc1/sloth/checkout.yml": SLOTH_V1,
        "alerts/checkout.rules.yml": RULE_FILE,
        "monitoring/dashboards/board.yaml": "title: board\n",
        "deploy/prometheus/values.yaml": "retention: 15d\n",
    })
    return files


def test_a_100k_file_repository_reads_only_named_candidates():
    files = big_tree(33_400)
    assert len(files) > 100_000
    snapshot = CountingSnapshot(files)
    start = time.perf_counter()
    slos = parse_slos(snapshot)
    alerts = parse_alert_rules(snapshot)
    elapsed = time.perf_counter() - start
    assert sorted(set(snapshot.loaded)) == [
        "alerts/checkout.rules.yml",
        "deploy/prometheus/values.yaml",
        "monitoring/dashboards/board.yaml",
        "services/svc1/sloth/checkout.yml",
        "slos/checkout.yaml",
    ]
    assert len(snapshot.loaded) == len(set(snapshot.loaded))  # each file read once across both facts
    assert sorted(s.format for s in slos.slos) == ["openslo/v1", "sloth/prometheus-v1", "sloth/prometheus-v1"]
    assert len(alerts.rules) == 3
    assert elapsed < 2.0, f"{elapsed:.2f}s for {len(files)} paths"


def test_real_directory_reads_only_candidates(tmp_path: Path):
    for i in range(200):
        target = tmp_path / "k8s" / f"app{i}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(DECOY)
    (tmp_path / "slo.yaml").write_text(OPENSLO_V1)
    (tmp_path / "prometheus").mkdir()
    (tmp_path / "prometheus" / "alerts.yaml").write_text(RULE_FILE)
    snapshot = CountingDirectorySnapshot(tmp_path)
    assert len(parse_slos(snapshot).slos) == 1
    assert len(parse_alert_rules(snapshot).rules) == 3
    assert sorted(set(snapshot.loaded)) == ["prometheus/alerts.yaml", "slo.yaml"]
