"""Token patterns kept as data (rules/patterns/*.yaml), matched with spaCy's Matcher."""
from __future__ import annotations

import pytest
import yaml

from checker.extract import phrases
from checker.extract.tasks import deadline_in, product_in
from checker.resources import data_dir

CASES = yaml.safe_load(data_dir("rules").joinpath("patterns", "fixtures", "task-phrases.yaml")
                       .read_text(encoding="utf-8"))


def _cases(kind: str):
    return [pytest.param(label, c, id=f"{label}-{kind}-{i}")
            for label, d in CASES.items() for i, c in enumerate(d.get(kind) or [])]


@pytest.mark.parametrize("label,case", _cases("hit"))
def test_pattern_hits(label, case):
    span = phrases.find(case["text"], label)
    assert span is not None, case["text"]
    assert case["text"][span[0]:span[1]] == case["span"]


@pytest.mark.parametrize("label,text", _cases("miss"))
def test_pattern_misses(label, text):
    assert phrases.find(text, label) is None


def test_every_label_has_a_hit_and_a_miss():
    labels = phrases.phrase_set().labels
    assert set(labels) == set(CASES)
    for label in labels:
        assert CASES[label].get("hit") and CASES[label].get("miss"), label


def test_notation_expands_alternatives_and_options():
    toks = {"d": {"TEXT": {"REGEX": r"^\d$"}}}
    pats = phrases.expand("(a|b c)? x <d>", toks)
    assert [{"ORTH": "x"}, toks["d"]] in pats
    assert [{"ORTH": "b"}, {"ORTH": "c"}, {"ORTH": "x"}, toks["d"]] in pats
    assert len(pats) == 3
    with pytest.raises(ValueError):
        phrases.expand("<nope>", toks)


def test_deadline_and_product_keep_the_writers_spelling():
    shown = "Hoàn thành trước ngày 30/6/2026. Sản phẩm: Báo cáo tổng kết; phụ lục"
    assert deadline_in(shown.lower(), shown) == "Hoàn thành trước ngày 30/6/2026"
    assert product_in(shown.lower(), shown) == "Báo cáo tổng kết"
    assert product_in("Sản phẩm: ab") is None  # too short to be a product
