"""Build hook: the package's Project-URLs, and the README's links as PyPI shows them, come from one setting, `[tool.standards-check] home`
in pyproject.toml. Every address of this project (SARIF helpUri, doc links, the Action's `uses:`,
the image name) derives from that home; tests/test_project_home.py keeps docs and examples in step.
"""
from __future__ import annotations

import re
from pathlib import Path

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
