"""Shared test fixtures: the real seed plans from ../shared/seeds/ (skipped
with a reason when that folder is absent) and small fixtures of our own."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# the on-disk data cache (checker.resources.cached) of the test run goes to a
# folder of its own, not the user's ~/.cache/plancheck
os.environ.setdefault("PLANCHECK_CACHE_DIR", tempfile.mkdtemp(prefix="plancheck-test-cache-"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
REFTEXTS = SHARED / "reference-texts"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def seed_path(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds/ is absent: seed plans are not in this checkout")
    hits = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not hits:
        pytest.skip(f"seed {prefix} not found in ../shared/seeds/")
    return hits[0]


@pytest.fixture
def seed():
    """``seed("002")`` → path of that seed plan."""
    return seed_path


@pytest.fixture
def all_seeds():
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds/ is absent: seed plans are not in this checkout")
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture
def reftext():
    def get(name: str) -> Path:
        p = REFTEXTS / name
        if not p.exists():
            pytest.skip(f"../shared/reference-texts/{name} is absent")
        return p
    return get
