"""checker.judge.needs: the strings a pattern needs, used to skip a regex
search where it cannot match (issue 17).  The skip must never hide a match:
checked on every code point for the characters it relies on, on every
pattern of the rule packs over every unit of the seeds and corpus, and on
random patterns over random text."""
from __future__ import annotations

import glob
import random
import re
import sys
from pathlib import Path

import pytest

from checker.judge.needs import SAFE, can_match, needs, probe

CORPUS = sorted(glob.glob(str(Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "*.txt")))


def test_safe_characters_match_case_insensitively_only_what_lowers_to_them():
    """Every character whose lowercase is in SAFE matches, under re.IGNORECASE,
    only characters that lower to the same one character (so looking for the
    lowercase string in the lowered text finds every match)."""
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    chars = {c for c in every if len(c.lower()) == 1 and c.lower() in SAFE}
    assert len(chars) > 2 * len(SAFE) - 40  # the capitals too
    for c in sorted(chars):
        for x in re.findall(re.escape(c), every, re.IGNORECASE):
            assert x.lower() == c.lower(), (hex(ord(c)), hex(ord(x)))
    for bad in "iksIKSıſİ\u212a":
        assert bad.lower() not in SAFE or len(bad.lower()) > 1


def test_needs_of_small_patterns():
    assert needs(r"\bluật\s+công nghệ thông tin\b") == ("công nghệ thông t",)  # not "i": "ı", "İ"
    assert needs(r"UBND|Ủy ban", re.I) == ("ubnd", "ủy ban")
    assert needs(r"(?:huyện|quận)\b", re.I) == ("huyện", "quận")
    assert needs(r"(?-i:Phòng)\s+x", re.I) == ("phòng",)
    assert needs(r"ab+c") == ("a",)
    for none in (r"\d+", r"a|\d", r"x*", r"(?:abc)?", r"[a-z]{3}", r"(?:[ab]|\d)", r"(?=abc)", r"i"):
        assert needs(none) is None, none
    assert probe("ABC") == "abc" and probe("İ") is None
    assert can_match(re.compile("xyz"), None)  # nothing to look in: run it


def _rule_patterns():
    import datetime as dt

    from checker.judge.checks import bodies as B
    from checker.judge.context import _patterns
    from checker.judge.rulepack import load_rules

    out = []
    for r in load_rules():
        out += [p["_rx"] for p in _patterns(r.params)]
        for part in r.params.get("parts") or []:
            out += [re.compile(p, re.I) for p in (part.get("titles") or []) + (part.get("text") or [])]
        out += [re.compile(p, re.I) for p in r.params.get("checkpoint_patterns") or []]
        for spec in (r.params.get("documents") or []) + [r.params, r.params.get("unless") or {}]:
            if isinstance(spec, dict):
                out += [p["_rx"] for p in _patterns(spec)]
        if r.kind == "catalog-bodies":
            for day in (dt.date(2025, 1, 1), dt.date(2026, 1, 1)):
                _, pf = B._triggers(r.params, day)
                if pf.union is not None:
                    out.append(pf.union)
    return list({(rx.pattern, rx.flags): rx for rx in out}.values())


def test_rule_patterns_are_never_skipped_where_they_match(all_seeds):
    from checker.read import read

    pats = _rule_patterns()
    assert sum(needs(rx.pattern, rx.flags) is not None for rx in pats) > 20
    texts = [u.norm for f in list(all_seeds) + CORPUS for u in read(f).units if u.norm.strip()]
    texts += [t.lower() for t in texts]
    matched = skipped = 0
    for rx in pats:
        for t in texts:
            if rx.search(t):
                matched += 1
                assert can_match(rx, probe(t)), (rx.pattern, t)
            elif not can_match(rx, probe(t)):
                skipped += 1
    assert matched > 100 and skipped > 1000


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    atoms = ["a", "B", "ậ", "Ư", "i", "K", "s", "ſ", "ı", "İ", " ", "-", "/", ".", r"\.", r"\d", r"\s", r"\w",
             "[ab]", "[^a]", ".", r"\b", "^", "$", "đ", "Đ", "σ", "Σ", "ß", "\u212a"]
    parts = []
    for _ in range(rng.randint(1, 5)):
        k = rng.random()
        if k < 0.55 or depth > 2:
            parts.append(rng.choice(atoms))
        elif k < 0.7:
            parts.append("(?:" + "|".join(_random_pattern(rng, depth + 1) for _ in range(rng.randint(1, 3))) + ")")
        elif k < 0.8:
            parts.append("(" + _random_pattern(rng, depth + 1) + ")" + rng.choice(["", "?", "*", "+", "{2}", "{0,2}"]))
        elif k < 0.87:
            parts.append(rng.choice(["(?=", "(?!", "(?<=", "(?<!"]) + rng.choice(atoms[:9]) + ")")
        elif k < 0.93:
            parts.append("(?-i:" + _random_pattern(rng, depth + 1) + ")")
        else:
            parts.append(rng.choice(atoms) + rng.choice(["?", "*", "+", "{1,3}", "*?"]))
    return "".join(parts)


@pytest.mark.parametrize("flags", [0, re.I])
def test_random_patterns_are_never_skipped_where_they_match(flags):
    rng = random.Random(41 + flags)
    alphabet = list("aAbBiIkKsSıİſ\u212aậẬưƯđĐσΣςßẞ -/.0129") + ["\n"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(400)]
    checked = 0
    for _ in range(600):
        src = _random_pattern(rng)
        try:
            rx = re.compile(src, flags)
        except re.error:
            continue
        for t in texts:
            if rx.search(t):
                assert can_match(rx, probe(t)), (src, t)
                checked += 1
    assert checked > 2000
