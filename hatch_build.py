"""Build hooks, both configured in pyproject.toml:

- `ProjectHomeHook` (metadata): the package's Project-URLs, and the README's links as PyPI shows
  them, come from one setting, `[tool.hatch.metadata.hooks.custom] home`. Every address of this
  project (SARIF helpUri, doc links, the Action's `uses:`, the image name) derives from that home;
  tests/test_project_home.py keeps docs and examples in step.
- `CatalogCheck` (build): the shipped check catalog and bundled policies are validated when the
  package is built. The installed tool trusts its own catalog and policies and loads them without
  jsonschema (a faster start for `checks list`, `checks explain` and every scan with a bundled
  policy), so a bad entry must stop the build instead. The tests validate them too
  (tests/test_catalog.py, tests/test_policy.py), with file:line messages.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.metadata.plugin.interface import MetadataHookInterface

# A Markdown link or image target that is a path in this repository (not a URL, an anchor or mail).
_RELATIVE_LINK = re.compile(r"(\]\()(?![a-z][a-z0-9+.-]*:|#|/)([^)\s]+)(\))")


def project_urls(home: str) -> dict[str, str]:
    home = home.rstrip("/")
    return {
        "Homepage": home,
        "Documentation": f"{home}/tree/main/docs",
        "Changelog": f"{home}/blob/main/CHANGELOG.md",
        "Issues": f"{home}/issues",
        "Source": home,
    }


def readme_for_index(text: str, home: str) -> str:
    """The README as a package index shows it: links into the repository point at the home."""
    return _RELATIVE_LINK.sub(lambda m: f"{m.group(1)}{home.rstrip('/')}/blob/main/{m.group(2)}{m.group(3)}",
                              text)


class ProjectHomeHook(MetadataHookInterface):
    def update(self, metadata: dict) -> None:
        home = self.config.get("home")
        if not isinstance(home, str) or not home.startswith("https://"):
            raise ValueError("[tool.hatch.metadata.hooks.custom] home must be an https:// URL")
        metadata["urls"] = project_urls(home)
        readme = Path(self.root, "README.md").read_text(encoding="utf-8")
        metadata["readme"] = {"content-type": "text/markdown", "text": readme_for_index(readme, home)}


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
