"""Token patterns over a task's words: spaCy's Matcher doing what it is good at.

The patterns are data (``rules/patterns/*.yaml``, see the header of
``task-phrases.yaml`` for the notation): each one is expanded into plain spaCy
token patterns once per process, and matched over the words of a text split
into word and punctuation tokens (lower-cased here: the project's Vocab has no
language, so spaCy's LOWER attribute is not computed; patterns match ORTH), whose character
offsets are kept so that a match maps back to the text exactly.

The patterns use no operators (optional groups are expanded into separate
patterns) and only literal words (ORTH) and TEXT REGEX token classes, so they
are matched by a token trie here, which gives exactly what spaCy's Matcher
gives, in its order (tests/test_speed.py checks it on every line of the seeds
and corpus), 20-40 times faster: spaCy's Matcher tries every pattern at every
token.  A pattern set with other token attributes goes to spaCy's Matcher.

``find(text, label)`` returns the leftmost match of a label (longest at that
position) as offsets; :func:`checker.extract.tasks.deadline_in` and the
product cue use it.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from checker.resources import data_dir

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_GROUP = re.compile(r"\(([^()]*)\)(\?)?|<(\w+)>|(\S+)")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def expand(pattern: str, tokens: dict[str, dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Every spaCy token pattern that ``pattern`` stands for."""
    slots: list[list[list[dict[str, Any]]]] = []  # per slot: alternatives, each a token list
    for m in _GROUP.finditer(pattern):
        group, optional, name, word = m.groups()
        if name is not None:
            if name not in tokens:
                raise ValueError(f"unknown token class <{name}> in {pattern!r}")
            slots.append([[tokens[name]]])
        elif word is not None:
            slots.append([[{"ORTH": word.lower()}]])
        else:
            alts = [expand(alt.strip(), tokens) for alt in group.split("|")]
            choices = [p for alt in alts for p in alt]
            if optional:
                choices.append([])
            slots.append(choices)
    return [[t for part in combo for t in part] for combo in itertools.product(*slots)
            if any(part for part in combo)]


@dataclass
class PhraseSet:
    labels: tuple[str, ...]
    # the literal words each pattern needs (all of them, as a set), minimal
    # sets only; None when some pattern needs no literal word.  A text that
    # holds every word of none of them cannot match: the matcher is not run.
    needs: tuple[frozenset[str], ...] | None = None
    # (label, token pattern) in the order they were added to the Matcher
    patterns: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    # the patterns as a token trie (see _Node); None when some pattern uses a
    # token attribute other than ORTH or TEXT REGEX: then spaCy's Matcher runs
    trie: "_Node | None" = None
    _spacy: Any = None

    @property
    def matcher(self) -> Any:
        """spaCy's Matcher over the same patterns (built on first use)."""
        if self._spacy is None:
            from checker.libs import spacy

            spacy()  # only the parts used (checker/libs.py)
            from spacy.matcher import Matcher

            from checker.extract.nlp import vocab

            m = Matcher(vocab(), validate=True)
            for label in self.labels:
                m.add(label, [pat for lab, pat in self.patterns if lab == label])
            self._spacy = m
        return self._spacy


class _Node:
    """A node of the token trie: the patterns that end here, and the next
    token as a literal word (dict) or as a regular expression."""

    __slots__ = ("ends", "lit", "rx")

    def __init__(self) -> None:
        self.ends: list[tuple[int, str]] = []  # (pattern index, label)
        self.lit: dict[str, _Node] = {}
        self.rx: list[tuple[Any, str, _Node]] = []  # (compiled, source, node)


def _spec(tok: dict[str, Any]) -> tuple[str, str] | None:
    """("lit", word) or ("rx", regex) for the token specs the trie handles."""
    if set(tok) == {"ORTH"} and isinstance(tok["ORTH"], str):
        return "lit", tok["ORTH"]
    if set(tok) == {"TEXT"} and isinstance(tok["TEXT"], dict) and set(tok["TEXT"]) == {"REGEX"} \
            and isinstance(tok["TEXT"]["REGEX"], str):
        return "rx", tok["TEXT"]["REGEX"]
    return None


def _trie(patterns: list[tuple[str, list[dict[str, Any]]]]) -> _Node | None:
    root = _Node()
    for idx, (label, pat) in enumerate(patterns):
        node = root
        for tok in pat:
            sp = _spec(tok)
            if sp is None:
                return None
            kind, val = sp
            if kind == "lit":
                node = node.lit.setdefault(val, _Node())
            else:
                for _, src, child in node.rx:
                    if src == val:
                        node = child
                        break
                else:
                    child = _Node()
                    node.rx.append((re.compile(val), val, child))
                    node = child
        if not pat:
            return None  # spaCy skips empty matches; expand() never makes one (the root ends none)
        node.ends.append((idx, label))
    return root


def _trie_matches(root: _Node, words: list[str]) -> list[tuple[str, int, int]]:
    """(label, start token, end token) of every match, in the order spaCy's
    Matcher gives them for patterns without operators: by end token, then start
    token, then the order the patterns were added; one per label and span."""
    found: list[tuple[int, int, int, str]] = []
    n = len(words)
    first, first_rx = root.lit, root.rx
    for i, w in enumerate(words):
        # the root has no pattern ending at it: start from its children
        child = first.get(w)
        stack = [(child, i + 1)] if child is not None else []
        for rx, _, c in first_rx:
            if rx.search(w):
                stack.append((c, i + 1))
        while stack:
            node, j = stack.pop()
            for idx, label in node.ends:
                found.append((j, i, idx, label))
            if j < n:
                x = words[j]
                child = node.lit.get(x)
                if child is not None:
                    stack.append((child, j + 1))
                for rx, _, child in node.rx:
                    if rx.search(x):
                        stack.append((child, j + 1))
    found.sort()
    out: list[tuple[str, int, int]] = []
    seen: set[tuple[str, int, int]] = set()
    for e, s, _, label in found:
        m = (label, s, e)
        if m not in seen:
            seen.add(m)
            out.append(m)
    return out


def _needs(patterns: list[list[dict[str, Any]]]) -> tuple[frozenset[str], ...] | None:
    sets = set()
    for pat in patterns:
        words = frozenset(t["ORTH"] for t in pat if set(t) == {"ORTH"} and isinstance(t["ORTH"], str))
        if not words:
            return None
        sets.add(words)
    # the minimal sets (no other set is a proper subset of them), found by
    # length: a set has a proper subset among the sets exactly when it has one
    # among the minimal sets already kept, which are all shorter
    minimal: list[frozenset[str]] = []
    for a in sorted(sets, key=len):
        if not any(m < a for m in minimal):
            minimal.append(a)
    return tuple(sorted(minimal, key=lambda x: (len(x), sorted(x))))


@lru_cache(maxsize=None)
def phrase_set(name: str = "task-phrases") -> PhraseSet:
    """The patterns of ``rules/patterns/<name>.yaml``, expanded (once per
    process; the expanded set is kept in the on-disk data cache,
    :func:`checker.resources.cached`, keyed by the file's text)."""
    from checker import resources

    text = data_dir("rules").joinpath("patterns", f"{name}.yaml").read_text(encoding="utf-8")
    ps = resources.cached("phrase-set", [yaml.__version__, name, text], lambda: _build_phrase_set(text))
    if ps.trie is None:
        ps.matcher  # noqa: B018  (spaCy validates the patterns now, not at the first text)
    return ps


def _build_phrase_set(text: str) -> PhraseSet:
    data = yaml.load(text, Loader=_Loader)
    tokens = data.get("tokens") or {}
    patterns: list[tuple[str, list[dict[str, Any]]]] = []
    for label, pats in data["labels"].items():
        patterns.extend((label, p) for pat in pats for p in expand(pat, tokens))
    return PhraseSet(labels=tuple(data["labels"]), needs=_needs([p for _, p in patterns]),
                     patterns=patterns, trie=_trie(patterns))


def _words(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    words, spans = [], []
    for t in _TOKEN.finditer(text):
        words.append(t.group(0).lower())
        spans.append((t.start(), t.end()))
    return words, spans


def find_all(text: str, name: str = "task-phrases") -> list[tuple[str, int, int]]:
    """(label, start offset, end offset) of every match in ``text``."""
    return list(_find_all(text, name))


@lru_cache(maxsize=1024)
def _find_all(text: str, name: str) -> tuple[tuple[str, int, int], ...]:
    # memoised: a task's text is asked for its deadline and for its product
    ps = phrase_set(name)
    words = [w.lower() for w in _TOKEN.findall(text)]  # the words of _words, without offsets
    if not words:
        return ()
    if ps.needs is not None:
        have = set(words)
        if not any(need <= have for need in ps.needs):
            return ()
    hits = _trie_matches(ps.trie, words) if ps.trie is not None else spacy_matches(ps, words)
    if not hits:
        return ()
    spans = [t.span() for t in _TOKEN.finditer(text)]
    return tuple((label, spans[s][0], spans[e - 1][1]) for label, s, e in hits)


def spacy_matches(ps: PhraseSet, words: list[str]) -> list[tuple[str, int, int]]:
    """What spaCy's Matcher finds over ``words`` (the fallback, and the
    reference the trie is tested against)."""
    from checker.libs import spacy

    spacy()
    from spacy.tokens import Doc

    doc = Doc(ps.matcher.vocab, words=words)
    strings = ps.matcher.vocab.strings
    return [(strings[mid], s, e) for mid, s, e in ps.matcher(doc)]


def find(text: str, label: str, name: str = "task-phrases") -> tuple[int, int] | None:
    """Offsets of the leftmost (then longest) match of ``label`` in ``text``."""
    hits = [(s, -e) for lab, s, e in find_all(text, name) if lab == label]
    if not hits:
        return None
    s, neg_e = min(hits)
    return s, -neg_e
