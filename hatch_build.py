"""Build hook: the package's Project-URLs come from one setting, `[tool.standards-check] home`
in pyproject.toml. Every address of this project (SARIF helpUri, doc links, the Action's `uses:`,
the image name) derives from that home; tests/test_project_home.py keeps docs and examples in step.
"""
from __future__ import annotations

from hatchling.metadata.plugin.interface import MetadataHookInterface


def project_urls(home: str) -> dict[str, str]:
    home = home.rstrip("/")
    return {
        "Homepage": home,
        "Documentation": f"{home}/tree/main/docs",
        "Changelog": f"{home}/blob/main/CHANGELOG.md",
        "Issues": f"{home}/issues",
        "Source": home,
    }


class ProjectHomeHook(MetadataHookInterface):
    def update(self, metadata: dict) -> None:
        home = self.config.get("home")
        if not isinstance(home, str) or not home.startswith("https://"):
            raise ValueError("[tool.hatch.metadata.hooks.custom] home must be an https:// URL")
        metadata["urls"] = project_urls(home)
