"""Access to the data folders installed with the package.

``rules/``, ``reference/`` and ``reports/`` are installed as the packages
``checker.rules``, ``checker.reference`` and ``checker.reports``; in a
checkout they are found through the same names (see pyproject), so nothing
here depends on the current directory.
"""
from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Traversable:
    """The installed data folder ``name`` (rules | reference | reports)."""
    assert name in ("rules", "reference", "reports")
    try:
        return resources.files(f"checker.{name}")
    except ModuleNotFoundError:
        # source checkout without install: the folder beside the package
        return _ROOT / name  # pragma: no cover


def read_text(name: str, filename: str) -> str:
    return data_dir(name).joinpath(filename).read_text(encoding="utf-8")


def list_files(name: str, suffix: str) -> list[str]:
    return sorted(p.name for p in data_dir(name).iterdir() if p.name.endswith(suffix))
