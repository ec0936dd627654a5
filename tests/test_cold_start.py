"""A cold start reads what earlier processes built (issue 17): the expanded
token patterns, the mandate sets' keys and phrase matchers, the province map,
the catalogue, and the compiled report templates come from the user's cache
folder.  The values read back are the values built, the cache is keyed by
the code and data that built them, and a damaged or missing cache only means
building again."""
from __future__ import annotations

import itertools
import os
import random
import time
from pathlib import Path

import pytest
import yaml

from checker import resources

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SEED = SEEDS / "001_30f6003b53efe500.txt"


def _fresh_process_state():
    """Forget the per-process memos, as a new process would."""
    from checker.cite import catalog
    from checker.extract import phrases
    from checker.match import matcher

    phrases.phrase_set.cache_clear()
    phrases._find_all.cache_clear()
    matcher._set_data.cache_clear()
    catalog.province_map.cache_clear()
    catalog.catalog.cache_clear()
    catalog._body_data.cache_clear()
    catalog.bodies.cache_clear()


def _old_needs(patterns):
    # the quadratic form _needs replaced: the minimal literal-word sets
    sets = set()
    for pat in patterns:
        words = frozenset(t["ORTH"] for t in pat if set(t) == {"ORTH"} and isinstance(t["ORTH"], str))
        if not words:
            return None
        sets.add(words)
    return tuple(sorted((a for a in sets if not any(b < a for b in sets)), key=lambda x: (len(x), sorted(x))))


def _expanded(name: str):
    from checker.extract import phrases

    data = yaml.safe_load(resources.data_dir("rules").joinpath("patterns", f"{name}.yaml").read_text("utf-8"))
    return [p for pats in data["labels"].values() for pat in pats
            for p in phrases.expand(pat, data.get("tokens") or {})]


@pytest.mark.parametrize("name", ["task-phrases", "six-clear"])
def test_needs_gives_the_minimal_sets_as_before(name):
    from checker.extract import phrases

    pats = _expanded(name)
    assert phrases._needs(pats) == _old_needs(pats)


def test_needs_on_random_patterns():
    from checker.extract import phrases

    rng = random.Random(17)
    for _ in range(400):
        vocab = [f"w{i}" for i in range(rng.randint(2, 12))]
        pats = [[{"ORTH": w} for w in rng.sample(vocab, rng.randint(1, len(vocab)))]
                for _ in range(rng.randint(1, 30))]
        if rng.random() < 0.1:
            pats.append([{"TEXT": {"REGEX": "^x"}}])  # no literal word: None
        assert phrases._needs(pats) == _old_needs(pats)


def _lines():
    for p in sorted(SEEDS.glob("*.txt")):
        yield from (ln for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip())


def test_phrase_sets_read_back_are_the_sets_built(tmp_path, monkeypatch):
    from checker.extract import phrases

    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))
    for name in ("task-phrases", "six-clear"):
        _fresh_process_state()
        built = phrases.phrase_set(name)
        assert any(f.name.startswith("phrase-set-") for f in (tmp_path / "data").iterdir())
        _fresh_process_state()
        monkeypatch.setattr(phrases, "_build_phrase_set", lambda text: pytest.fail("built again"))
        read = phrases.phrase_set(name)
        monkeypatch.undo()
        monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))
        assert read is not built
        assert (read.labels, read.needs, read.patterns) == (built.labels, built.needs, built.patterns)
        assert read.needs == _old_needs([p for _, p in built.patterns])
        for line in itertools.islice(_lines(), 0, None, 3):
            assert phrases._trie_matches(read.trie, [w.lower() for w in phrases._TOKEN.findall(line)]) == \
                phrases._trie_matches(built.trie, [w.lower() for w in phrases._TOKEN.findall(line)])


def test_set_keys_read_back_are_the_keys_built(tmp_path, monkeypatch):
    from checker.match import matcher

    monkeypatch.setenv("PLANCHECK_DATA_CACHE", "0")
    _fresh_process_state()
    plain = matcher._set_data(("nq57", "nq71"))
    monkeypatch.setenv("PLANCHECK_DATA_CACHE", "1")
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))
    for _ in range(2):  # built and stored, then read back
        _fresh_process_state()
        mds, m, topic, index = matcher._set_data(("nq57", "nq71"))
        assert [(d.mandate.id, d.set_id, d.anchors, d.context, d.short, d.group_keys) for d in mds] == \
            [(d.mandate.id, d.set_id, d.anchors, d.context, d.short, d.group_keys) for d in plain[0]]
        assert m.keys == plain[1].keys and topic.keys == plain[2].keys and index == plain[3]
    assert any(f.name.startswith("set-keys-") for f in (tmp_path / "data").iterdir())


def test_province_map_and_catalogue_read_back(tmp_path, monkeypatch):
    from checker.cite import catalog

    monkeypatch.setenv("PLANCHECK_DATA_CACHE", "0")
    _fresh_process_state()
    plain_map, plain_docs = catalog.province_map(), sorted(catalog.catalog().documents)
    plain_bodies = [(b.id, b.patterns, b.replacement) for b in catalog.bodies()]
    monkeypatch.setenv("PLANCHECK_DATA_CACHE", "1")
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))
    for _ in range(2):
        _fresh_process_state()
        assert catalog.province_map() == plain_map and plain_map
        assert sorted(catalog.catalog().documents) == plain_docs
        assert [(b.id, b.patterns, b.replacement) for b in catalog.bodies()] == plain_bodies
    _fresh_process_state()
    monkeypatch.setattr(catalog, "_province_map_from", lambda p: pytest.fail("read the 4.8 MB file again"))
    assert catalog.province_map() == plain_map


def test_cache_key_follows_the_code(tmp_path, monkeypatch):
    """A module edited (its size or time changes) means another key: an edited
    checkout never reads what older code built."""
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))
    resources._BUILT_BY.clear()  # the files as they are now
    assert resources.cached("t", ["a"], lambda: 1) == 1
    assert resources.cached("t", ["a"], lambda: 2) == 1
    before = resources.build_version()
    target = Path(resources.__file__).resolve().parent / "errors.py"
    st = target.stat()
    try:
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        resources._BUILT_BY.clear()
        assert resources.build_version() != before
        assert resources.cached("t", ["a"], lambda: 3) == 3
    finally:
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
        resources._BUILT_BY.clear()
    assert resources.build_version() == before


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_compiled_templates_give_the_same_report(tmp_path, monkeypatch, fmt):
    from checker.pipeline import check
    from checker.render.report import render

    result = check(SEED)
    monkeypatch.setenv("PLANCHECK_DATA_CACHE", "0")
    plain = render(result, fmt, lang="vi")
    monkeypatch.setenv("PLANCHECK_DATA_CACHE", "1")
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))
    assert render(result, fmt, lang="vi") == plain  # compiled, stored
    stored = list((tmp_path / "jinja").rglob("*.cache"))
    assert stored
    assert render(result, fmt, lang="vi") == plain  # read back
    for f in stored:  # damaged: compiled again
        f.write_bytes(b"\x00garbage")
    assert render(result, fmt, lang="vi") == plain
    import shutil

    shutil.rmtree(tmp_path / "jinja")
    (tmp_path / "jinja").write_text("a file where the folder should be")
    assert render(result, fmt, lang="vi") == plain


def test_templates_compiled_per_escaping(tmp_path, monkeypatch):
    """The text and HTML environments never share compiled code (autoescape
    is compiled in)."""
    from checker.render import templates

    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))
    assert templates._bytecode_cache(True).directory != templates._bytecode_cache(False).directory


def test_combining_class_read_back(tmp_path, monkeypatch):
    from checker import normalize

    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path))
    fresh = normalize._combining_ranges()
    for _ in range(2):
        normalize._COMB.clear()
        assert (normalize._combining_class(True), normalize._combining_class(False)) == (fresh["all"], fresh["bmp"])
    assert any(f.name.startswith("combining-class-") for f in (tmp_path / "data").iterdir())
