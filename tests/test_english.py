"""Issue 14: an English report is English throughout.  ``plancheck check
--lang en`` on each seed, in text, Markdown, HTML, JSON and SARIF, holds no
Vietnamese text except what it quotes from the plan.

Vietnamese text is found by the letters only Vietnamese uses (ă, ơ, ư, đ,
ạ, ế …).  A piece of text with such a letter passes only when it is the
plan's own text (a quote, an excerpt, the plan's title or issuer: found in
the plan's file, ignoring case, punctuation and line breaks), a document
number as issued ("47-KH/ĐU", "30/2020/NĐ-CP") or an item label as numbered
in the source ("II.1.đ").  In JSON and SARIF, a field that has an English
twin (``title`` / ``title_en``, ``location`` / ``location_en``, ``note_vi``)
is the Vietnamese half of a pair and is not report text; the reference data
that matching uses (keywords, evidence words) are listed in DATA_FIELDS.
"""
from __future__ import annotations

import functools
import html
import json
import re
import unicodedata

import pytest
from click.testing import CliRunner

from checker.apps.cli import main
from conftest import ROOT, SEEDS, SHARED

VN_ONLY = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
# delimiters of the pieces of text checked one by one
_SPLIT = re.compile(r"[·“”\"‘’\n│()\[\]{}<>…|]|\s[—–-]\s|:\s|\.\.\.|;\s")
# document numbers as issued and item labels as numbered in the source
_DOC_NO = re.compile(r"(?<!\w)\d+[\w.]*(?:[/-][\wĐđ.]+)+(?:@\d{4}(?:~[a-z0-9-]+)?)?", re.I)
_ITEM = re.compile(r"\b[IVX]+(?:\.\d+)*\.đ(?=\W|$)")
# reference data shown as data, not report text: the words matching used, and
# the mandate's Vietnamese description, which only the Vietnamese sentence
# quotes ("Nội dung cần có: …"; the English message gives the English title)
DATA_FIELDS = {"keywords", "evidence", "asks"}


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s).lower()
    return re.sub(r"[\W_]+", " ", s).strip()


def leaks(text: str, plan: str) -> list[str]:
    """The pieces of ``text`` holding Vietnamese that is not the plan's own."""
    p = " " + _norm(_ITEM.sub(" ", _DOC_NO.sub(" ", plan))) + " "
    out = []
    for seg in _SPLIT.split(text):
        rest = _ITEM.sub(" ", _DOC_NO.sub(" ", seg))
        if not VN_ONLY.search(rest):
            continue
        n = _norm(rest)
        if not n or n in p or n.rsplit(" ", 1)[0] in p:
            continue  # the plan's text (an excerpt may cut its last word)
        parts = [_norm(x) for x in re.split(r",\s*", rest)]
        if all(not VN_ONLY.search(x) or x in p for x in parts):
            continue  # words the plan and the mandate share, listed with commas
        out.append(seg.strip())
    return out


def json_strings(data, key=None, parent=None) -> list[str]:
    """The report text of a JSON document: every string value except the
    Vietnamese half of a pair and the data fields."""
    out: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k.endswith("_vi") or f"{k}_en" in data or k in DATA_FIELDS:
                continue
            out += json_strings(v, k, data)
    elif isinstance(data, list):
        for v in data:
            out += json_strings(v, key, parent)
    elif isinstance(data, str):
        out.append(data)
    return out


def report_text(fmt: str, output: str) -> str:
    if fmt in ("json", "sarif"):
        return "\n".join(json_strings(json.loads(output)))
    if fmt == "html":
        out = re.sub(r"<(script|style)\b.*?</\1>", " ", output, flags=re.S | re.I)
        return html.unescape(re.sub(r"<[^>]+>", "\n", out))
    if fmt == "md":
        return re.sub(r"[*\\]", "", output)
    return output


@functools.lru_cache(maxsize=None)
def plan_text(path) -> str:
    """The plan's own words: its file, its header as the reader gives it
    (the issuer "UBND xã Cao Lộc" for "ỦY BAN NHÂN DÂN XÃ CAO LỘC"), and the
    words a partly covered duty shares with the plan, quoted as matched
    ("that line only touches on “an toàn trong môi trường số, …”": the evidence, not a
    title to translate)."""
    from checker.judge.config import Config
    from checker.pipeline import check

    res = check(str(path), config=Config())
    h = res.plan.header
    shared = [f.data["keywords"] for f in res.findings if f.rule == "MIS001" and f.data.get("keywords")]
    return "\n".join([path.read_text(encoding="utf-8")] + [x for x in (h.issuer, h.title, h.place, h.signer,
                                                                       h.kind) if x] + shared)


SEED_FILES = sorted(SEEDS.glob("*.txt"))
# the five seeds, the sample plan and the three provincial plans of the corpus
PLAN_FILES = SEED_FILES + [ROOT / "examples" / "ke-hoach-mau.md"] + sorted((SHARED / "corpus").glob("*.txt"))


@pytest.mark.skipif(not SEED_FILES, reason="the seeds are not here")
@pytest.mark.parametrize("fmt", ["text", "md", "html", "json", "sarif"])
@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.name[:12])
def test_english_report_has_no_vietnamese_but_the_plans_own(path, fmt):
    res = CliRunner().invoke(main, ["check", str(path), "--lang", "en", "--format", fmt, "--no-color",
                                    "--fail-on", "never"])
    assert res.exit_code == 0, res.output[-2000:]
    found = leaks(report_text(fmt, res.output), plan_text(path))
    assert not found, f"{len(found)} Vietnamese pieces, e.g. {found[:8]}"


def test_the_leak_finder_finds_vietnamese_and_passes_quotes():
    plan = "II- NHIỆM VỤ TRỌNG TÂM NĂM 2026\nTuyên truyền, phổ biến Nghị quyết số 57-NQ/TW cho cán bộ."
    assert leaks("Part “II. NHIỆM VỤ TRỌNG TÂM NĂM 2026” has the same number", plan) == []
    assert leaks("Basis: Resolution 03/NQ-CP, programme II.1.đ–e; Decree 30/2020/NĐ-CP", plan) == []
    assert leaks("that line only touches on “tuyên truyền, cán bộ”", plan) == []
    assert leaks("The plan has no task for “Khuyến khích, bảo vệ cán bộ dám nghĩ”.", plan)
    assert leaks("Suggestion: Add a task for Bồi dưỡng kỹ năng số, with its lead unit", plan)
    assert json_strings({"title": "Nhận thức", "title_en": "Awareness", "note_vi": "x",
                         "keywords": ["tuyên truyền"], "message": "ok"}) == ["Awareness", "ok"]


def test_every_basis_of_every_shipped_mandate_is_english():
    """The basis a gap names ("Resolution 71/NQ-CP (taken over from Resolution
    03/NQ-CP, Annex II, task 37–38 (ministries and sectors))"), for every
    mandate of the shipped sets, not only those the seeds miss."""
    from checker.judge.checks.mandates import _basis
    from checker.mandates.load import load_set

    for set_id in ("nq57", "nq03", "nq71"):
        for m in load_set(set_id).mandates:
            b = _basis(m, "en")
            assert not VN_ONLY.search(_ITEM.sub(" ", _DOC_NO.sub(" ", b))), (m.id, b)
