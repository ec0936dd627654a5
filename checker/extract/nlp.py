"""Vietnamese text helpers: word segmentation, folded syllable streams,
phrase matching and a finder for lead/partner units.

Heavy libraries are imported lazily and every expensive object is cached per
process:

* underthesea (``word_tokenize``) is used for compound words, line by line;
* phrases are matched over *folded* syllables, so both tone-mark styles
  (and text typed without accents) meet the same tokens: a dictionary of
  n-grams that gives spaCy's PhraseMatcher's answer (spaCy, without a
  language pipeline, one shared ``Vocab``, is loaded only when asked for).

Matching works on syllables, not on underthesea's compounds: a phrase
"dịch vụ công trực tuyến" must match whatever way the segmenter splits the
plan's sentence.  Compounds are used where they help (keyword extraction).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

import yaml

from checker.normalize import fold, norm
from checker.resources import data_dir

_SYL = re.compile(r"[^\W_]+", re.UNICODE)


# ------------------------------------------------------------ tokens

def tokens(text: str) -> list[str]:
    """Words of ``text`` (compounds joined by a space: "chuyển đổi"),
    segmented by underthesea line by line on the normalised text."""
    out: list[str] = []
    for line in norm(text).split("\n"):
        if line.strip():
            out.extend(_wt(line))
    return out


@lru_cache(maxsize=4096)
def _wt(line: str) -> tuple[str, ...]:
    from checker.libs import underthesea  # lazy, and only the splitter (checker/libs.py)

    return tuple(underthesea("word_tokenize")(line))


def sentences(text: str) -> list[str]:
    """Sentences of ``text`` (underthesea sent_tokenize, line by line)."""
    from checker.libs import underthesea

    sent_tokenize = underthesea("sent_tokenize")
    out: list[str] = []
    for line in norm(text).split("\n"):
        if line.strip():
            out.extend(s for s in sent_tokenize(line) if s.strip())
    return out


def syllables(text: str) -> list[str]:
    """Folded syllables (accent-free, lowercase) of already normalised text."""
    return _SYL.findall(fold(text))


def syllable_spans(text: str) -> list[tuple[str, int, int]]:
    """Folded syllables with their offsets in ``text`` (``fold`` keeps length)."""
    f = fold(text)
    return [(m.group(0), m.start(), m.end()) for m in _SYL.finditer(f)]


def key(phrase: str) -> str:
    """The matching key of a phrase: its folded syllables joined by spaces."""
    return " ".join(syllables(norm(phrase)))


# ------------------------------------------------------------ phrases
# Phrases (below) is a dictionary lookup of phrases over syllable tokens
# (keywords of the reference sets) that gives what spaCy's PhraseMatcher gives;
# a check no longer needs spaCy for it (importing spaCy took ~0.4 s of a cold
# check).  The Vocab and Doc are kept for spaCy's matchers where someone asks
# for them (Phrases.matcher, and the token patterns of checker/extract/phrases.py
# when a pattern needs more than its trie).

@lru_cache(maxsize=1)
def vocab():
    """The one spaCy vocabulary shared by every Doc and matcher."""
    from checker.libs import spacy

    spacy()  # only the parts used (checker/libs.py)
    from spacy.vocab import Vocab

    return Vocab()


def make_doc(words: list[str]):
    """A spaCy Doc over ``words`` (already folded syllables)."""
    from checker.libs import spacy

    spacy()
    from spacy.tokens import Doc

    # an empty Doc for no words (spaCy refuses the empty string as a token)
    return Doc(vocab(), words=[w for w in words if w])


@dataclass
class Phrases:
    """Phrases over folded syllables, found by a dictionary of their n-grams.

    ``find`` gives what spaCy's PhraseMatcher over the same phrases gives, in
    its order (by start token, then end token; tests/test_speed.py compares
    them): a match is a run of words whose join is a phrase key, extended
    only while the run is the start of some key.  spaCy's PhraseMatcher
    (``matcher``) is built only if someone asks for it."""

    keys: list[str] = field(default_factory=list)  # match label -> phrase key
    _keys: frozenset[str] = frozenset()
    _prefixes: frozenset[str] = frozenset()  # proper prefixes of the keys
    _spacy: object = None

    def __post_init__(self) -> None:
        self._keys = frozenset(self.keys)
        pre = set()
        for k in self.keys:
            parts = k.split(" ")
            for j in range(1, len(parts)):
                pre.add(" ".join(parts[:j]))
        self._prefixes = frozenset(pre)

    @property
    def matcher(self):
        """spaCy's PhraseMatcher over the same keys (built on first use)."""
        if self._spacy is None:
            from checker.libs import spacy

            spacy()
            from spacy.matcher import PhraseMatcher

            m = PhraseMatcher(vocab(), attr="ORTH")
            for k in self.keys:
                m.add(k, [make_doc(k.split())])
            self._spacy = m
        return self._spacy

    def find(self, words: list[str]) -> list[tuple[str, int, int]]:
        """(phrase key, start token, end token) of every hit in ``words``."""
        # as make_doc: no empty words; a word with a space in it is one token
        # that no key's token equals ("\n" is in no key)
        words = [w if " " not in w else "\n" for w in words if w]
        keys, pre = self._keys, self._prefixes
        out: list[tuple[str, int, int]] = []
        n = len(words)
        for s in range(n):
            k = words[s]
            e = s + 1
            while True:
                if k in keys:
                    out.append((k, s, e))
                if e >= n or k not in pre:
                    break
                k = k + " " + words[e]
                e += 1
        return out

    def spacy_find(self, words: list[str]) -> list[tuple[str, int, int]]:
        """The same through spaCy's PhraseMatcher (the reference of the tests)."""
        if not words:
            return []
        doc = make_doc(words)
        strings = vocab().strings
        return [(strings[mid], s, e) for mid, s, e in self.matcher(doc)]


def phrase_matcher(phrases: Iterable[str]) -> Phrases:
    """Build a matcher for ``phrases`` (any tone style, accents optional).

    Each phrase is registered under its key (folded syllables), so the same
    phrase written twice is one pattern."""
    seen: list[str] = []
    known: set[str] = set()
    for p in phrases:
        k = key(p)
        if not k or k in known:
            continue
        known.add(k)
        seen.append(k)
    return Phrases(keys=seen)


@lru_cache(maxsize=64)
def cached_phrase_matcher(phrases: tuple[str, ...]) -> Phrases:
    return phrase_matcher(phrases)


# ------------------------------------------------------------ lead / partners

_ROLES = yaml.load(data_dir("rules").joinpath("patterns", "roles.yaml").read_text(encoding="utf-8"),
                   Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
_UNIT_HEADS: list[str] = _ROLES["unit_heads"]  # first words of a unit name (folded)
_ACTION: list[str] = _ROLES["action_words"]  # words that end a list of partners
_ACTION_SET = frozenset(_ACTION)
_TRIGGER_LEAD = ("chu tri",)
_TRIGGER_PARTNER = ("phoi hop voi", "phoi hop cung", "phoi hop")
_TRIGGER_ASSIGN = ("giao cho", "giao")
_CLAUSE_END = re.compile(r"[.;:!?\n]")


@dataclass
class Roles:
    lead: str | None = None
    partners: list[str] = field(default_factory=list)
    lead_span: tuple[int, int] | None = None  # offsets in the normalised text

    def to_dict(self) -> dict:
        return {"lead": self.lead, "partners": self.partners}


def _starts_with_head(folded: str) -> bool:
    f = folded.strip()
    return any(f == h or f.startswith(h + " ") for h in _UNIT_HEADS)


def _clean_unit(s: str) -> str:
    s = s.strip(" ,;:-–()\t")
    s = re.sub(r"^(?:và|với|cùng|giao cho|giao)\s+", "", s, flags=re.I)
    s = re.sub(r"^\s*[-–+•*]\s*", "", s)
    return s.strip(" ,;:-–")


def _split_units(s: str) -> list[str]:
    """Split "A, B và các cơ quan, đơn vị liên quan" into unit names; a
    piece that does not start like a unit name stays with the one before
    ("Trạm Trồng trọt và Bảo vệ thực vật", "các cơ quan, đơn vị liên quan")."""
    out: list[str] = []
    pos = 0
    last_sep = " "  # the separator before the current piece
    for m in list(re.finditer(r"[,;]\s*|(?<!\s)\s+(?:[,;]\s*|và\s+(?=\S))", s)) + [None]:
        piece = s[pos:m.start()] if m else s[pos:]
        sep = m.group(0) if m else ""
        p = _clean_unit(piece)
        if p:
            if out and not _starts_with_head(fold(p)):
                out[-1] = out[-1] + last_sep + p
            else:
                out.append(p)
        last_sep = sep if sep.strip() else " "
        pos = m.end() if m else len(s)
    return [o.strip(" ,;") for o in out]


def _cut_at_action(text: str) -> str:
    """Keep the part of ``text`` before the first action word."""
    f = fold(text)
    best = len(text)
    for w in _ACTION:
        for m in re.finditer(r"(?<![\w])" + re.escape(w) + r"(?![\w])", f):
            if m.start() == 0:
                continue
            # an action word inside a unit name: "Trung tâm Dịch vụ tổng hợp"
            if re.search(r"(?:dich vu|trung tam|to|ban)\s*$", f[:m.start()]):
                continue
            best = min(best, m.start())
            break
    return text[:best]


_KEEP_V = {"liên quan", "có liên quan"}


def _cut_at_verb(text: str) -> str:
    """Keep the unit names at the start of ``text``: stop at the first
    lowercase verb or preposition (underthesea POS tags); names keep their
    capitalised words ("Trung tâm Phục vụ hành chính công")."""
    try:
        from checker.extract.postag import pos_tag

        tagged = pos_tag(text, _wt)  # underthesea's tagger, its features built faster
    except Exception:  # pragma: no cover - segmenter unavailable
        return _cut_at_action(text)
    pos = 0
    for i, (w, tag) in enumerate(tagged):
        at = text.find(w, pos)
        if at < 0:
            break
        low = w.lower()
        if i > 0 and w[:1].islower() and low not in _KEEP_V and (
                tag.startswith("V") or tag == "E" or (tag == "C" and low != "và")
                or fold(low) in _ACTION_SET):
            return text[:at]
        pos = at + len(w)
    return text


@lru_cache(maxsize=2048)
def _find_roles(text: str) -> Roles:
    t = norm(text)
    f = fold(t)
    roles = Roles()
    # lead: "<unit> chủ trì"
    for m in re.finditer(r"(?<![\w])chu tri(?![\w])", f):
        start = 0
        for cm in _CLAUSE_END.finditer(t, 0, m.start()):
            start = cm.end()
        before = t[start:m.start()]
        fb = fold(before)
        # "giao X chủ trì", "UBND xã giao X chủ trì"
        g = list(re.finditer(r"(?<![\w])giao(?: cho)?(?![\w])", fb))
        if g:
            before = before[g[-1].end():]
        before = _clean_unit(before)
        if before and _starts_with_head(fold(before)) and len(before.split()) <= 14:
            roles.lead = before
            s0 = t.find(before, start)
            roles.lead_span = (s0, s0 + len(before)) if s0 >= 0 else None
        break
    if roles.lead is None:
        # "giao <unit> thực hiện / triển khai / làm đầu mối"
        m = re.search(r"(?<![\w])giao(?: cho)? (.+?) (?:thuc hien|trien khai|lam dau moi|to chuc|theo doi)(?![\w])", f)
        if m:
            cand = _clean_unit(t[m.start(1):m.end(1)])
            if cand and _starts_with_head(fold(cand)) and len(cand.split()) <= 14:
                roles.lead = cand
                roles.lead_span = (m.start(1), m.end(1))
    # partners: "phối hợp với A, B, C <action>" (bare "phối hợp" only before a unit name)
    m = re.search(r"(?<![\w])phoi hop (?:voi|cung)(?![\w])", f)
    if not m:
        m = re.search(r"(?<![\w])phoi hop(?![\w])", f)
        if m and not _starts_with_head(f[m.end():].strip(" ,")[:40]):
            m = None
    if m:
        rest = t[m.end():]
        end = _CLAUSE_END.search(rest)
        rest = rest[: end.start()] if end else rest
        rest = _cut_at_verb(rest)
        roles.partners = [p for p in _split_units(rest) if _starts_with_head(fold(p))
                          or "lien quan" in fold(p)]
    return roles


def find_roles(text: str) -> dict:
    """Lead and partner units named in a sentence.

    ``find_roles("Phòng Văn hóa – Xã hội chủ trì, phối hợp với Công an xã,
    Đoàn Thanh niên triển khai …")`` → ``{"lead": "Phòng Văn hóa – Xã hội",
    "partners": ["Công an xã", "Đoàn Thanh niên"]}``.  Also understands
    "giao <unit> chủ trì" and "giao <unit> thực hiện".  Text is returned in
    its normalised form; ``lead`` is None when no unit is named."""
    r = _find_roles(text)
    return {"lead": r.lead, "partners": list(r.partners)}
