"""The single-check speed-ups of issue 17 change nothing but the time:
narrow imports of underthesea and spaCy, the citation graph built on first
read, the body rules' one-scan prefilter, the C YAML loader and the on-disk
cache of parsed reference data."""
from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from checker import resources

ROOT = Path(__file__).resolve().parent.parent

HEAVY = ("spacy.cli", "spacy.language", "spacy.pipeline", "httpx", "weasel", "requests",
         "underthesea.pipeline.ner", "underthesea.pipeline.chunking", "underthesea.pipeline.classification",
         "networkx", "jsonschema",
         # no spaCy at all (trie and n-gram dictionary), no joblib (pickle), and not
         # the POS predictor's module (its 74,000-word dictionary, urllib)
         "spacy", "spacy.tokens", "thinc", "joblib", "underthesea.models.fast_crf_sequence_tagger",
         "underthesea.pipeline.pos_tag", "urllib.request")


def _run(code: str, env: dict | None = None) -> str:
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, **(env or {})}, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    return p.stdout


def test_a_check_imports_only_what_it_uses(seed, tmp_path):
    path = seed("004")
    env = {"PLANCHECK_CACHE_DIR": str(tmp_path)}
    code = (f"import sys, json\nfrom checker.pipeline import check\ncheck({str(path)!r})\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    _run(code, env)  # fills the data cache (jsonschema checks the data once)
    assert json.loads(_run(code, env).strip().splitlines()[-1]) == []
    # the whole libraries are still there for whoever asks for them
    out = _run("from checker.pipeline import check\n"
               f"check({str(path)!r})\n"
               "import spacy, underthesea\n"
               "print(spacy.__version__, callable(spacy.blank), callable(underthesea.ner))")
    assert out.split()[1:] == ["True", "True"]


def test_narrow_imports_give_the_same_report(seed):
    path = seed("002")
    cmd = [sys.executable, "-m", "checker.apps.cli", "check", str(path), "--format", "json"]
    light = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    full = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PLANCHECK_FULL_IMPORTS": "1"})
    assert light.returncode == full.returncode
    assert light.stdout == full.stdout and light.stdout


def test_graph_is_built_when_read(seed):
    from checker.cite.graph import build_graph
    from checker.pipeline import check

    res = check(seed("001"))
    assert res.__dict__.get("_graph") is None and res.__dict__.get("_graph_build") is not None
    again = pickle.loads(pickle.dumps(res))  # a deferred graph survives the audit's workers
    g = res.graph
    ref = build_graph([res.plan])
    assert sorted(g.nodes(data=True), key=str) == sorted(ref.nodes(data=True), key=str)
    assert sorted(g.edges(data=True), key=str) == sorted(ref.edges(data=True), key=str)
    assert res.graph is g  # built once
    assert sorted(again.graph.edges(), key=str) == sorted(ref.edges(), key=str)
    res.graph = None
    assert res.graph is None


def test_body_prefilter_picks_the_entries_the_triggers_pick(all_seeds):
    from checker.cite.catalog import bodies
    from checker.judge.checks.bodies import _triggers
    from checker.judge.context import _fast_fold
    from checker.judge.rulepack import load_rules
    from checker.normalize import norm
    from checker.read import read
    import datetime as dt

    rules = [r for r in load_rules() if r.kind == "catalog-bodies"]
    assert rules
    units = [u for s in all_seeds for u in read(s).units]
    for rule in rules:
        params = rule.params
        for day in (dt.date(2025, 1, 1), dt.date(2025, 8, 1), dt.date(2026, 1, 1)):
            entries, pre = _triggers(params, day)
            kinds = set(params.get("kinds") or [])
            want_entries = [b for b in bodies() if (not kinds or b.kind in kinds) and b.applies(day)]
            assert entries == want_entries
            kt = {k: [_fast_fold(norm(w)) for w in v] for k, v in (params.get("triggers") or {}).items()}
            trig = [[_fast_fold(norm(b.old_name))] if b.old_name else kt.get(b.kind) for b in entries]
            for u in units:
                folded = _fast_fold(u.norm)
                want = [b for b, t in zip(entries, trig) if not t or any(x in folded for x in t)]
                assert pre.candidates(folded) == want
                # with the text: the one-search union drops only entries that find nothing
                got = pre.candidates(folded, u.norm)
                assert got == want or (got == [] and not any(b.search(u.norm) for b in want))


def test_body_union_finds_a_unit_exactly_when_an_entry_does(all_seeds):
    from checker.cite.catalog import bodies
    from checker.judge.checks.bodies import _union

    entries = list(bodies())
    union = _union(entries)
    assert union is not None
    texts, rng = _pattern_texts(all_seeds)
    texts += ["UBND huyện Tư Nghĩa", "Phòng Nội vụ huyện", "cấp huyện", "Bộ Thông tin và Truyền thông",
              "phòng nội vụ huyện", "Ban Thường vụ Huyện ủy", "thị trấn"]
    found = 0
    for t in texts:
        some = any(b.search(t) for b in entries)
        assert bool(union.search(t)) == some, t
        found += some
    assert found > 10


def _yaml_files():
    for name in ("rules", "reference"):
        d = resources.data_dir(name)
        stack = [d]
        while stack:
            for p in stack.pop().iterdir():
                if p.is_dir():
                    stack.append(p)
                elif p.name.endswith(".yaml"):
                    yield p


def test_c_loader_reads_the_data_as_the_python_loader_does():
    files = list(_yaml_files())
    assert len(files) > 10
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert resources.load_yaml(text) == yaml.safe_load(text), p.name
    with pytest.raises(yaml.YAMLError):
        resources.load_yaml("a: [1, 2\nb: c")


def test_data_cache_is_keyed_by_content_and_never_required(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "c"))
    calls = []

    def build(v):
        calls.append(v)
        return {"v": v}

    assert resources.cached("t", ["a"], lambda: build(1)) == {"v": 1}
    assert resources.cached("t", ["a"], lambda: build(2)) == {"v": 1}  # from disk
    assert resources.cached("t", ["b"], lambda: build(3)) == {"v": 3}  # other content
    assert calls == [1, 3]
    files = sorted((tmp_path / "c" / "data").iterdir())
    assert len(files) == 2
    for f in files:  # damaged: built again
        f.write_bytes(b"not a pickle")
    assert resources.cached("t", ["a"], lambda: build(4)) == {"v": 4}
    # deleted, or a folder that cannot be written: built, no error
    import shutil

    shutil.rmtree(tmp_path / "c")
    (tmp_path / "c").write_text("a file where the folder should be")
    assert resources.cached("t", ["a"], lambda: build(5)) == {"v": 5}
    monkeypatch.setenv("PLANCHECK_DATA_CACHE", "0")
    assert resources.cached("t", ["a"], lambda: build(6)) == {"v": 6}
    assert calls == [1, 3, 4, 5, 6]


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("PLANCHECK_CACHE_DIR", raising=False)
    monkeypatch.delenv("PLANCHECK_DATA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert resources.cache_dir() == tmp_path / "plancheck"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resources.cache_dir() == tmp_path / "home" / ".cache" / "plancheck"


def test_cached_reference_data_is_the_data(tmp_path, monkeypatch):
    from checker.judge import rulepack
    from checker.mandates import load as L

    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))
    text = resources.read_text("reference", "nq57.yaml")
    first, _ = L._read_set_yaml("nq57")
    monkeypatch.setattr(L, "_parse_set", lambda *a: pytest.fail("parsed again"))
    second, origin = L._read_set_yaml("nq57")
    assert first == second == yaml.safe_load(text) and origin == "reference/nq57.yaml"
    name = rulepack.rule_packs()[0]
    a = rulepack.parse_pack(rulepack.read_pack(name), name)
    monkeypatch.setattr(rulepack, "_parse_checked", lambda *a: pytest.fail("parsed again"))
    b = rulepack.parse_pack(rulepack.read_pack(name), name)
    assert [r.code for r in a] == [r.code for r in b] and a == b


def test_cache_is_skipped_when_a_required_module_or_source_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))
    assert resources.cached("t", ["x"], lambda: 1, requires=("json",)) == 1
    assert resources.cached("t", ["x"], lambda: 2, requires=("json",)) == 1
    monkeypatch.setitem(sys.modules, "json", None)
    assert resources.cached("t", ["x"], lambda: 3, requires=("json",)) == 3
    monkeypatch.undo()
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))

    def unreadable():
        raise FileNotFoundError("schema")

    assert resources.cached("t", unreadable, lambda: 4) == 4


def test_phrase_prefilter_finds_what_the_matcher_finds(all_seeds):
    from checker.extract import phrases
    from checker.read import read

    ps = phrases.phrase_set()
    assert ps.needs, "task-phrases patterns all need some literal word"
    saved = ps.needs
    texts = [u.norm for s in all_seeds for u in read(s).units if u.norm.strip()]
    try:
        fast = [phrases.find_all(t) for t in texts]
        phrases._find_all.cache_clear()
        ps.needs = None  # every text through spaCy's Matcher
        slow = [phrases.find_all(t) for t in texts]
    finally:
        ps.needs = saved
        phrases._find_all.cache_clear()
    assert fast == slow
    assert sum(1 for f in fast if f) > 10


def _pattern_texts(all_seeds):
    import glob
    import random

    from checker.read import read

    texts = [u.norm for s in all_seeds for u in read(s).units if u.norm.strip()]
    for f in sorted(glob.glob(str(ROOT.parent / "shared" / "corpus" / "*.txt"))):
        texts += [u.norm for u in read(f).units if u.norm.strip()]
    return texts, random.Random(17)


@pytest.mark.parametrize("name", ["task-phrases", "six-clear"])
def test_token_trie_finds_what_spacys_matcher_finds(all_seeds, name):
    """The token trie of checker/extract/phrases.py gives spaCy's Matcher's
    answer, in spaCy's order, on every line of the seeds and corpus and on
    random sequences of the patterns' own words."""
    from checker.extract import phrases

    ps = phrases.phrase_set(name)
    assert ps.trie is not None
    texts, rng = _pattern_texts(all_seeds)
    words = sorted({t["ORTH"] for _, p in ps.patterns for t in p if "ORTH" in t}) + \
        ["1", "12", "30", "2025", "ii", "iv", "x", "/", ","]
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 30))) for _ in range(1500)]
    hit = 0
    for t in texts:
        w, _ = phrases._words(t)
        if w:
            got = phrases._trie_matches(ps.trie, w)
            assert got == phrases.spacy_matches(ps, w), t
            hit += bool(got)
    assert hit > 100


def test_token_patterns_beyond_the_trie_go_to_spacy():
    from checker.extract import phrases

    pats = [("A", [{"ORTH": "a"}, {"LOWER": "b"}])]
    assert phrases._trie(pats) is None
    assert phrases._trie([("A", [{"ORTH": "a"}, {"TEXT": {"REGEX": "^b"}}])]) is not None


def test_pos_tags_are_underthesea_s(all_seeds):
    """checker/extract/postag.py builds the CRF features of underthesea's POS
    tagger itself (the templates parsed once, its model loaded without the
    predictor's module): same templates, features and tags as
    ``underthesea.pos_tag`` on clauses of the seeds and corpus."""
    import importlib

    from checker.extract import nlp, postag
    from checker.libs import checked_underthesea, underthesea

    ref_tag = underthesea("pos_tag")
    tagger = postag._tagger()
    assert tagger is not None
    pred = importlib.import_module("underthesea.pipeline.pos_tag.model_crf").CRFPOSTagPredictor.Instance()
    if checked_underthesea() is not None:
        assert tuple(pred.transformer.template) == postag.POS_TEMPLATE
    texts, rng = _pattern_texts(all_seeds)
    clauses = [c.strip() for t in texts for c in re.split(r"[.;:!?\n]", t) if c.strip()]
    sample = rng.sample(clauses, 250) + ["", "  ", "A  B", "Phòng Văn hóa – Xã hội", "2025 / 12"]
    for c in sample:
        words = list(nlp._wt(c)) if c.strip() else underthesea("word_tokenize")(c)
        assert postag.features(words, tagger[1]) == \
            pred.transformer.transform([[(w, "X") for w in words]])[0][0], c
        assert postag.pos_tag(c, nlp._wt if c.strip() else None) == ref_tag(c), c


def test_underthesea_data_read_without_joblib_is_joblib_s():
    """checker/libs.py reads underthesea's normaliser maps and segmenter files
    with pickle: the same objects joblib.load gives, and the segmenter built
    from them splits as underthesea's FastCRFSequenceTagger does."""
    joblib = pytest.importorskip("joblib")
    from checker import libs

    root = libs.checked_underthesea()
    if root is None:
        pytest.skip("not a checked release of underthesea: the plain path is used")
    base = root.joinpath("pipeline", "word_tokenize", *libs._WS_MODEL)
    for f in (root / "pipeline" / "text_normalize" / libs._TN_RULES, base / "features.bin",
              base / "dictionary.bin"):
        assert libs._load_pickle(f) == joblib.load(f), f
    from underthesea.models.fast_crf_sequence_tagger import FastCRFSequenceTagger

    ref = FastCRFSequenceTagger()
    ref.load(str(base))
    mine = libs._Segmenter(base)
    from checker.read import read

    seed = sorted((ROOT.parent / "shared" / "seeds").glob("00*.txt"))[1]
    from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

    for u in read(seed).units[:200]:
        toks = [[t] for t in tokenize(u.norm)]
        assert mine.predict(toks) == ref.predict(toks), u.norm


def test_rescoring_in_one_cdist_per_task_is_token_set_ratio(seed):
    """score_pairs rescores each task's candidates with one rapidfuzz cdist
    call (float64): the values token_set_ratio gives pair by pair; and the
    strong-only pairs _mention asks for are the full run's strong pairs, with
    the same scores, in the same order."""
    from rapidfuzz import fuzz

    from checker.match import matcher as M
    from checker.pipeline import extract

    plan = extract(seed("002"))
    tasks = list(plan.tasks) + M.indicator_tasks(plan.indicators)
    for sets in (("nq57", "nq71"), ("nq57", "nq03")):
        mds, preps, pairs = M.score_pairs(tasks, sets, "commune")
        assert pairs
        for (ti, mi), pr in pairs.items():
            if pr.fuzz:
                assert pr.fuzz == fuzz.token_set_ratio(preps[ti].longer, mds[mi].short)
        _, _, strong = M.score_pairs(tasks, sets, "commune", only_strong=True)
        want = [(k, pr.score) for k, pr in pairs.items() if pr.anchors]
        assert [(k, pr.score) for k, pr in strong.items()] == want and want


def test_fast_fold_without_translate_is_the_table_s(all_seeds):
    """judge.context._fast_fold by NFD (when it may) gives what its table gives."""
    import unicodedata

    from checker.judge import context as C

    C._fast_fold("é")  # the table
    table = C._FOLD_TABLE
    for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        d = unicodedata.normalize("NFD", chr(cp))
        assert all(0x300 <= ord(x) <= 0x36F for x in d[1:]), hex(cp)
    texts, rng = _pattern_texts(all_seeds)
    pieces = list("aăâeêioôơuưyđĐAĂÂ ,.–“”…≥≠ΣσΩ가ﬁ") + [chr(c) for c in range(0xC0, 0x250, 7)] + \
        [chr(c) for c in range(0x1E00, 0x1F00, 5)] + ["\u0301", "\u0323", "e\u0302\u0301", "\u212b", "\u1100\u1161"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for t in texts:
        assert C._fast_fold(t) == t.translate(table).lower(), t


def test_layer_damage_prefilter_counts_as_before(all_seeds):
    from checker.read import quality as Q

    def slow(text):
        words = Q._WORD.findall(text)
        return sum(1 for w in words if Q._CID.search(w) or Q._PUA.search(w) or Q._GLUED.search(w)), len(words)

    texts, rng = _pattern_texts(all_seeds)
    texts += ["Yều câ=u nh@n", "(cid:3)(cid:4) x", "\ue000 ab", "a = b", "x=y", ""]
    # the words are counted by str.split when no mark is there: every kind of space
    pieces = list("ab đ=@(cid:7)|\\<>{}") + [" ", "\t", "\n", "\x0b", "\x1c", "\x1f", "\x85", "\xa0",
                                            "\u2007", "\u2028", "\u3000", "\u200b", "\ue000", "\ufffd"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 20))) for _ in range(3000)]
    for t in texts:
        assert Q.damage(t) == slow(t), t


def _fold_texts(all_seeds):
    """Lines of the seeds and corpus in three forms, and random text of Vietnamese
    letters, their marks (decomposed too), the grapheme joiner U+034F (a character
    of U+0300–U+036F that is no combining mark), and characters beyond."""
    import unicodedata

    texts, rng = _pattern_texts(all_seeds)
    texts = [f(t) for t in texts for f in (str, str.upper, lambda x: unicodedata.normalize("NFD", x))]
    pieces = list("aăâeêioôơuưyđĐAĂÂ kx9_ ,.–“”≥Σİıſ") + [chr(c) for c in range(0x1EA0, 0x1EFA, 3)] + \
        ["\u0300", "\u0301", "\u0323", "\u034f", "\u036f", "\u0483", "\u3000", "\U0001F600", "\U0001D165", "ﬁ"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(5000)]
    # only ASCII and characters of U+0300–U+036F (the codec's case, and its edge)
    pieces = list("aeoudyAEOUD x9_,") + ["\u0300", "\u0301", "\u0302", "\u0323", "\u034f", "\u036f",
                                          "\u02ff", "\u0370"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    return texts


def test_folds_by_the_ascii_codec_are_the_regex_folds(all_seeds):
    """normalize.fold, match.text.folded_syllables and judge.context._nfd_fold drop
    the marks with the ASCII codec when a text holds only ASCII and marks: what
    the regular expressions they used before give."""
    import unicodedata

    from checker import normalize as N
    from checker.judge import context as C
    from checker.match import text as T

    def fold(text):  # normalize.fold without the codec
        t = text.replace("đ", "d").replace("Đ", "d")
        d = unicodedata.normalize("NFD", t)
        if d.isascii():
            out = d
        elif N._BEYOND.search(d):
            out = "".join(c for c in d if not unicodedata.combining(c))
        else:
            out = N._marks().sub("", d)
        if len(out) != len(t):
            out = "".join((unicodedata.normalize("NFD", c)[0] if c.isalpha() else c) for c in t)
        return out.lower()

    def syllables(text):  # folded_syllables without the codec
        f = T._MARKS.sub("", unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d")))
        if not f.isascii():
            f = unicodedata.normalize("NFC", f)
        return T._SYL.findall(f.lower())

    def nfd_fold(text):  # _nfd_fold without the codec
        if C._MARKS_0300.search(text):
            return None
        for c in set(C._TABLE_RANGES.findall(text)):
            if unicodedata.normalize("NFD", c) != c:
                return None
        t = text.replace("đ", "d").replace("Đ", "d")
        return C._MARKS_0300.sub("", unicodedata.normalize("NFD", t)).lower()

    for t in _fold_texts(all_seeds):
        assert N.fold(t) == fold(t), t
        assert T.folded_syllables(t) == syllables(t), t
        assert C._nfd_fold(t) == nfd_fold(t), t


def test_impossible_dates_prefilter_finds_what_the_patterns_find(all_seeds):
    """impossible_dates skips texts without four digits in a row; every
    pattern needs them, so the spans are those of the patterns alone."""
    from checker.judge.checks import dates as D
    from checker.model import date_exists

    def slow(text):
        out = []
        for rx in D._DATES:
            for m in rx.finditer(text):
                s, e = m.span()
                if any(s < b and e > a for a, b in out):
                    continue
                gd = m.groupdict()
                if not date_exists(int(gd["y"]), int(gd["m"]), int(gd["d"]) if gd.get("d") else None):
                    out.append((s, e))
        return sorted(out)

    texts, rng = _pattern_texts(all_seeds)
    digits = ["31", "30", "29", "6", "13", "02", "0", "١٣", "2025", "2024", "1999", "202", "٢٠٢٥", "20٢5"]
    pieces = digits + ["ngày ", "tháng ", "năm ", "/", ".", "-", " ", "x", "Ngày "]
    for _ in range(5000):
        d, m, y = rng.choice(digits), rng.choice(digits), rng.choice(digits)
        sep = rng.choice("/.-")
        shapes = [f"{d}{sep}{m}{sep}{y}", f"ngày {d} tháng {m} năm {y}", f"tháng {m}/{y}", f"tháng {m} năm {y}"]
        filler = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        texts.append(filler + rng.choice(shapes) + filler[::-1])
    found = 0
    for t in texts:
        want = slow(t)
        assert D.impossible_dates(t) == want, t
        found += bool(want)
    assert found > 50
