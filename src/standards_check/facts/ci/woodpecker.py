"""Woodpecker CI (`.woodpecker.yml`, `.woodpecker/*.yml`): Drone's format, read by drone.py."""
from __future__ import annotations

from standards_check.facts.ci import drone
from standards_check.facts.ci.model import WOODPECKER, CiPipelines
from standards_check.snapshot import RepoSnapshot


def read(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    paths = [p for p in (".woodpecker.yml", ".woodpecker.yaml") if snapshot.exists(p)]
    paths += [p for p in snapshot.under(".woodpecker") if p.endswith((".yml", ".yaml")) and p.count("/") == 1]
    drone.read_files(snapshot, model, WOODPECKER, paths)
