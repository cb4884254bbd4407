"""Build hook: the shipped check catalog and bundled policies are validated when the package is built.

The installed tool trusts its own catalog and policies and loads them without jsonschema (a faster
start for `checks list`, `checks explain` and every scan with a bundled policy), so a bad entry must
stop the build instead. The tests validate them too (tests/test_catalog.py, tests/test_policy.py),
with file:line messages.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogCheck(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        import jsonschema
        import yaml

        root = Path(self.root)
        schema = json.loads((root / "src" / "standards_check" / "schemas" / "check.schema.json").read_text())
        validator = jsonschema.Draft202012Validator(schema)
        problems = []
        for path in sorted((root / "checks").glob("*.yaml")):
            data = yaml.safe_load(path.read_text())
            problems += [f"{path.name}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
                         for e in validator.iter_errors(data)]
            if isinstance(data, dict) and data.get("id") != path.stem:
                problems.append(f"{path.name}: id {data.get('id')!r} does not match the file name")
        if problems:
            raise ValueError("invalid check catalog:\n" + "\n".join(problems))
        schema = json.loads((root / "src" / "standards_check" / "schemas" / "policy.schema.json").read_text())
        validator = jsonschema.Draft202012Validator(schema)
        for path in sorted((root / "policies").glob("*/*.yaml")):
            problems += [f"{path.relative_to(root)}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
                         for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
        if problems:
            raise ValueError("invalid bundled policy:\n" + "\n".join(problems))
