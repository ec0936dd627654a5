"""Linear-time text processing: every compiled pattern of the engine, timed on
adversarial strings (issue 16).  A pattern that backtracks (``--|`` followed by
3,000 spaces once took 24 s) fails this test.

The patterns: every ``re.Pattern`` in the globals of every ``checker`` module
(in tuples, lists, dicts and class attributes too), the patterns of the rule
packs, and the patterns the engine compiles inline (``re.search(r"…")``),
collected from ``re``'s cache while the pipeline checks real plans.  A
pattern the engine only ever calls with ``.match`` is timed anchored, at the
start and right after a citation, as it is used; every other one is also run
with ``finditer`` over the whole string.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from regex_budget import (adversarial, engine_patterns, inline_anchored, inline_patterns,  # noqa: E402
                          match_only, time_pattern)

LIMIT = 0.2  # CPU seconds per pattern and string (the worst of the usual ones is ~0.01 s)
ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def patterns():
    pats = {name: (p, match_only(name)) for name, p in engine_patterns().items()}
    plans = [ROOT / "examples" / "ke-hoach-mau.md"] + sorted(SEEDS.glob("00[123]_*.txt"))
    for name, p in inline_patterns([str(x) for x in plans if x.exists()]).items():
        pats.setdefault(name, (p, inline_anchored(p)))
    return pats


def test_enough_patterns_are_collected(patterns):
    # ~99 module-level patterns and the rule packs', plus ~50 compiled inline
    assert len(patterns) >= 120
    names = " ".join(patterns)
    for known in ("_SEP_ROW", "DATE_AFTER_RE", "ISSUER_RE", "rule CON002", "inline"):
        assert known in names


def test_no_pattern_backtracks_on_adversarial_input(patterns):
    adv = adversarial()
    slow = []
    for name, (p, anchored) in patterns.items():
        if not isinstance(p.pattern, str):
            continue
        for label, text in adv.items():
            t = time_pattern(p, text, LIMIT, anchored)
            if t > LIMIT:  # the machine may be busy: measure once more
                t = min(t, time_pattern(p, text, LIMIT, anchored))
            if t > LIMIT:
                slow.append(f"{t:.2f}s {name} on {label}: {p.pattern[:80]}")
    assert not slow, "\n".join(slow)


def test_rewritten_patterns_still_match_what_they_did():
    from checker.cite.patterns import DATE_AFTER_RE, ISSUER_RE, _CONNECT_RE, _SIBLING_RE
    from checker.read.pdf import _PAGE_NO
    from checker.read.text import _SEP_ROW

    for row in ("|---|---|", "| :-- | --: |", "--|--", "|--|", " |---| ", "|:---:|:-:|  "):
        assert _SEP_ROW.match(row), row
    for row in ("| a | b |", "|-|", "---x|", "| -- | x |"):
        assert not _SEP_ROW.match(row), row
    for line in ("12", "- 3 -", "Trang 4", "page 2/10", " 7 / 9 "):
        assert _PAGE_NO.match(line), line
    assert not _PAGE_NO.match("12 nhiệm vụ")
    m = DATE_AFTER_RE.match(" , ban hành ngày 22/12/2024")
    assert m and m.group("y") == "2024"
    assert ISSUER_RE.match(", của Bộ Chính trị").group("head") == "Bộ Chính trị"
    assert _CONNECT_RE.match(" , về việc") and _SIBLING_RE.match(" và các ")
