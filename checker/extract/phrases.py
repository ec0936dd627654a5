"""Token patterns over a task's words: spaCy's Matcher doing what it is good at.

The patterns are data (``rules/patterns/*.yaml``, see the header of
``task-phrases.yaml`` for the notation): each one is expanded into plain spaCy
token patterns once per process, and matched over the words of a text split
into word and punctuation tokens (lower-cased here: the project's Vocab has no
language, so spaCy's LOWER attribute is not computed; patterns match ORTH), whose character
offsets are kept so that a match maps back to the text exactly.

``find(text, label)`` returns the leftmost match of a label (longest at that
position) as offsets; :func:`checker.extract.tasks.deadline_in` and the
product cue use it.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
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
    matcher: Any
    labels: tuple[str, ...]
    # the literal words each pattern needs (all of them, as a set), minimal
    # sets only; None when some pattern needs no literal word.  A text that
    # holds every word of none of them cannot match: the matcher is not run.
    needs: tuple[frozenset[str], ...] | None = None


def _needs(patterns: list[list[dict[str, Any]]]) -> tuple[frozenset[str], ...] | None:
    sets = set()
    for pat in patterns:
        words = frozenset(t["ORTH"] for t in pat if set(t) == {"ORTH"} and isinstance(t["ORTH"], str))
        if not words:
            return None
        sets.add(words)
    return tuple(sorted((a for a in sets if not any(b < a for b in sets)), key=lambda x: (len(x), sorted(x))))


@lru_cache(maxsize=None)
def phrase_set(name: str = "task-phrases") -> PhraseSet:
    """The Matcher built from ``rules/patterns/<name>.yaml`` (once per process)."""
    from checker.libs import spacy

    spacy()  # only the parts used (checker/libs.py)
    from spacy.matcher import Matcher

    from checker.extract.nlp import vocab

    data = yaml.load(data_dir("rules").joinpath("patterns", f"{name}.yaml").read_text(encoding="utf-8"),
                     Loader=_Loader)
    m = Matcher(vocab(), validate=True)
    tokens = data.get("tokens") or {}
    every: list[list[dict[str, Any]]] = []
    for label, patterns in data["labels"].items():
        expanded = [p for pat in patterns for p in expand(pat, tokens)]
        every.extend(expanded)
        m.add(label, expanded)
    return PhraseSet(matcher=m, labels=tuple(data["labels"]), needs=_needs(every))


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
    if ps.needs is not None:
        have = {w.lower() for w in _TOKEN.findall(text)}  # the words of _words, without offsets
        if not any(need <= have for need in ps.needs):
            return ()
    words, spans = _words(text)
    if not words:
        return ()
    from checker.libs import spacy

    spacy()
    from spacy.tokens import Doc

    doc = Doc(ps.matcher.vocab, words=words)
    strings = ps.matcher.vocab.strings
    return tuple((strings[mid], spans[s][0], spans[e - 1][1]) for mid, s, e in ps.matcher(doc))


def find(text: str, label: str, name: str = "task-phrases") -> tuple[int, int] | None:
    """Offsets of the leftmost (then longest) match of ``label`` in ``text``."""
    hits = [(s, -e) for lab, s, e in find_all(text, name) if lab == label]
    if not hits:
        return None
    s, neg_e = min(hits)
    return s, -neg_e
