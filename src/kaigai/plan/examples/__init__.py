"""Bundled example firm profile (a copy lives in the repository's examples/ folder)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

EXAMPLE_FIRM = "firm_tokyo_bearings.toml"


def packaged_example_path() -> Path:
    """The example firm profile shipped inside the package."""
    return Path(str(resources.files("kaigai.plan.examples"))) / EXAMPLE_FIRM


def repo_examples_dir() -> Path | None:
    """``examples/`` of a source checkout, when kaigai runs from one."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "examples" / EXAMPLE_FIRM
        if cand.is_file() and (parent / "pyproject.toml").is_file():
            return cand.parent
    return None


def example_profile_path() -> Path:
    """The example firm: ``examples/`` of the checkout if present, else the packaged copy."""
    repo = repo_examples_dir()
    return repo / EXAMPLE_FIRM if repo is not None else packaged_example_path()


__all__ = ["EXAMPLE_FIRM", "example_profile_path", "packaged_example_path", "repo_examples_dir"]
