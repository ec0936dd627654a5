"""Matching without hand keywords: statistics of the reference set itself.

Every task and every mandate becomes a bag of folded syllables and syllable
pairs (abbreviations expanded, function words dropped).  Their weights are
TF-IDF, with document frequencies counted over the set's mandates **and**
the plan's own tasks, so the words that every plan and every mandate repeat
("chuyển đổi số", "khoa học, công nghệ", "triển khai") weigh little and the
words that tell one mandate from another weigh much.

A pair (task, mandate) is described by a few numbers (:data:`FEATURES`):

* ``cos``    — TF-IDF cosine of the whole texts;
* ``obj``    — the same cosine with the action words left out (the object);
* ``act``    — whether the two share an action (1), have different actions
  (0), or one of them states none (0.5): "xây dựng kế hoạch chuyển đổi số"
  is not "tuyên truyền về chuyển đổi số";
* ``fuzz``   — rapidfuzz ``token_set_ratio`` of short folded strings, for
  near-copies;
* ``rank_t`` / ``rank_m`` — ``cos`` over the best ``cos`` of the task (over
  all mandates) and of the mandate (over all tasks): a link is the task's
  best reading, not any overlap;
* ``level``  — 1 when the mandate applies at the plan's level;
* ``head_m`` / ``head_t`` — cosine of the task (its whole text / its head)
  with the mandate's head: the first clause, before a purpose ("nhằm",
  "để", "theo hướng" …) or a list, which says what is to be done;
* ``group``  — 1 when the task's section and the mandate's group are about
  the same NQ 57 group, 0 when they are about different ones, 0.5 unknown;
* ``anchor`` — extra evidence from the hand-written sets: the keyword
  matcher's score (0..1) of the task against the curated mandate that reads
  most like this one (:func:`checker.match.links.crosswalk`), 0 when none does;
* ``lsa``    — latent similarity (:mod:`checker.match.latent`): cosine of the
  two texts in term vectors learned offline from our own texts, for
  paraphrases that share few words;
* ``lsa_head`` — the same of the task with the mandate's head.

A logistic model of these (weights fitted by cross-validation in
bench/calibrate_match.py, kept in :data:`WEIGHTS`) gives the link score.
The index of a set (its vocabulary, document frequencies, term matrices) is
built once per process.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

FEATURES = ("cos", "obj", "act", "fuzz", "rank_t", "rank_m", "level", "head_m", "head_t", "group", "anchor",
            "lsa", "lsa_head")

# Fitted by bench/calibrate_match.py on tests/data/match_pairs/ (seeds 000/004 never used);
# its cross-validated precision and recall are in README.md.
# <fitted>
# link model (probability of an exact or close link) and the strength thresholds
WEIGHTS = {"bias": -11.126, "cos": 0.987, "obj": 0.132, "act": -0.005, "fuzz": 1.439, "rank_t": 2.798,
           "rank_m": 1.061, "level": 1.538, "head_m": -0.335, "head_t": 1.251, "group": 1.801, "anchor":
           3.358, "lsa": 1.733, "lsa_head": 1.684}
EXACT = 0.715
CLOSE = 0.275
LOOSE = 0.040
# </fitted>
MAX_LINKS_PER_TASK = 3
SHORT = 200  # characters of the strings rapidfuzz compares

_WORD = re.compile(r"[a-z0-9]+")


# function words (folded), dropped before counting; only those whose folded form is
# not also a content word ("số", "cơ", "tài", "tư" fold to words kept here)
FUNCTION_WORDS = frozenset("cac nhung va cua ve voi cho la tren trong theo den duoc hoac tung moi".split())


def _function_words() -> frozenset[str]:
    return FUNCTION_WORDS


@lru_cache(maxsize=1)
def _actions() -> re.Pattern:
    """Folded action words (reference/lexicon.yaml) as one pattern, longest first."""
    import yaml

    from checker.normalize import squash
    from checker.resources import read_text

    data = yaml.load(read_text("reference", "lexicon.yaml"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    words = {squash(w) for w in (data.get("action_verbs") or []) + (data.get("match_actions") or [])}
    words -= {"phoi hop", "chu tri", "chu dong", "tap trung", "uu tien", ""}  # roles and adverbs
    alts = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(r"(?<![a-z0-9])(?:" + alts + r")(?![a-z0-9])")


_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]|</?sup>|\*\*")


_MARKS = re.compile(r"[\u0300-\u036f]")


@lru_cache(maxsize=8192)
def _prepared(text: str) -> str:
    """Folded text with abbreviations expanded (NFC is enough: folding drops the tone marks)."""
    import unicodedata

    from checker.match.text import expand_abbreviations

    t = expand_abbreviations(_BOOKMARK.sub("", unicodedata.normalize("NFC", text)), normalised=True)
    return _MARKS.sub("", unicodedata.normalize("NFD", t.replace("đ", "d").replace("Đ", "D"))).lower()


def analyse(text: str, folded: str | None = None) -> tuple[list[str], list[str], frozenset[str]]:
    """(all terms, object terms, actions) of a text: folded syllables and
    adjacent syllable pairs; the object terms leave the action words out."""
    f = folded if folded is not None else _prepared(text)
    fw = _function_words()
    found: set[str] = set()
    act_spans: list[tuple[int, int]] = []
    for m in _actions().finditer(f):
        found.add(m.group(0))
        act_spans.append(m.span())
    content: list[tuple[str, bool]] = []
    k = 0
    for m in _WORD.finditer(f):
        w = m.group(0)
        if w in fw or w.isdigit():
            continue
        s = m.start()
        while k < len(act_spans) and act_spans[k][1] <= s:
            k += 1
        content.append((w, k < len(act_spans) and act_spans[k][0] <= s))
    terms: list[str] = []
    obj: list[str] = []
    for i, (w, a) in enumerate(content):
        terms.append(w)
        if not a:
            obj.append(w)
        if i + 1 < len(content):
            w2, a2 = content[i + 1]
            terms.append(f"{w}_{w2}")
            if not a and not a2:
                obj.append(f"{w}_{w2}")
    return terms, obj, frozenset(found)


_HEAD_END = re.compile(r"[;:(]|\. | (?:nham|de|theo huong|gan voi|phuc vu|nhu|bao gom|trong do) ")
HEAD_WORDS = 24


def head(folded: str) -> str:
    """The first clause of a folded text: what is to be done, before its purpose."""
    m = _HEAD_END.search(folded, 12)
    h = folded[: m.start()] if m else folded
    return " ".join(h.split()[:HEAD_WORDS])


@lru_cache(maxsize=8192)
def analysed(text: str):
    """(terms, object terms, actions, head terms, short string) of a text, cached:
    a plan checked again, or a paragraph that plans share, is analysed once."""
    f = _prepared(text)
    a, o, ac = analyse(text, f)
    return tuple(a), tuple(o), ac, tuple(analyse(text, head(f))[0]), short_string(text, f)


def short_string(text: str, folded: str | None = None) -> str:
    f = folded if folded is not None else _prepared(text)
    return " ".join(_WORD.findall(f))[:SHORT]


@dataclass
class SetIndex:
    """What matching needs of a list of mandates, built once per process."""

    ids: list[str]
    vocab: dict[str, int]
    df: list[int]  # mandates holding each term
    terms: object  # mandates × vocabulary, log-tf (no idf yet)
    obj: object  # the same for the object terms
    heads: object  # the same for the mandates' heads
    actions: list[frozenset[str]]
    short: list[str]
    latent: object = None  # mandates × k unit vectors (checker.match.latent)
    latent_head: object = None  # the same of the mandates' heads


def _counts(tokens: list[str], vocab: dict[str, int], grow: bool) -> dict[int, int]:
    out: dict[int, int] = {}
    for t in tokens:
        j = vocab.get(t)
        if j is None:
            if not grow:
                continue
            j = vocab[t] = len(vocab)
        out[j] = out.get(j, 0) + 1
    return out


def _coo(rows: list[dict[int, int]]):
    import numpy as np

    r = [i for i, c in enumerate(rows) for _ in c]
    c = [j for row in rows for j in row]
    v = [1.0 + math.log(n) for row in rows for n in row.values()]
    return np.array(r, dtype=np.int64), np.array(c, dtype=np.int64), np.array(v, dtype=np.float32)


def build_index(ids: Sequence[str], texts: Sequence[str]) -> SetIndex:
    vocab: dict[str, int] = {}
    from checker.match import latent

    terms, objs, acts, shorts, heads, bags, head_bags = [], [], [], [], [], [], []
    for tx in texts:
        f = _prepared(tx)
        a, o, ac = analyse(tx, f)
        h = analyse(tx, head(f))[0]
        bags.append(a)
        head_bags.append(h)
        heads.append(_counts(h, vocab, True))
        terms.append(_counts(a, vocab, True))
        objs.append(_counts(o, vocab, True))
        acts.append(ac)
        shorts.append(short_string(tx, f))
    df = [0] * len(vocab)
    for c in terms:
        for j in c:
            df[j] += 1
    return SetIndex(ids=list(ids), vocab=vocab, df=df, terms=_dense(terms, len(vocab)),
                    obj=_dense(objs, len(vocab)), heads=_dense(heads, len(vocab)), actions=acts, short=shorts,
                    latent=latent.embed(bags), latent_head=latent.embed(head_bags))


def _dense(rows: list[dict[int, int]], width: int):
    import numpy as np

    r, c, v = _coo(rows)
    m = np.zeros((len(rows), width), dtype=np.float32)
    m[r, c] = v
    return m


def _matrix(base, idf):
    """(base, idf of its columns, 1 / row norms under that idf): what cosines need,
    without building the weighted matrix."""
    import numpy as np

    w = idf[: base.shape[1]]
    norms = np.sqrt(np.einsum("ij,j->i", base * base, w * w))  # einsum: no BLAS threads
    norms[norms == 0] = 1.0
    return base, w, (1.0 / norms).astype(np.float32)


def _cosines(rows: list[dict[int, int]], mand, idf):
    """Cosine of each task row with every mandate row, one small product per
    task over the task's own terms: no large matrix product, so no BLAS
    threads (which stall on a loaded machine)."""
    import numpy as np

    base, w_m, inv = mand
    out = np.zeros((len(rows), base.shape[0]), dtype=np.float32)
    width = base.shape[1]
    for i, c in enumerate(rows):
        if not c:
            continue
        cols = np.fromiter(c.keys(), dtype=np.int64, count=len(c))
        w = np.fromiter(c.values(), dtype=np.float32, count=len(c))
        w = (1.0 + np.log(w)) * idf[cols]
        nrm = float(np.sqrt((w * w).sum()))
        inside = cols < width  # terms no mandate holds only lengthen the task
        if nrm and inside.any():
            ci = cols[inside]
            out[i] = np.einsum("ij,j->i", base[:, ci], w[inside] * w_m[ci]) * inv / nrm
    return out


RANK_FLOOR = 0.15
FUZZ_TOP = 10  # mandates per task rescored with rapidfuzz (the best by cosine)


def features(index: SetIndex, task_texts: Sequence[str], applicable: Sequence[bool] | None = None,
             task_groups: Sequence[str | None] | None = None,
             mandate_groups: Sequence[str | None] | None = None, anchor=None):
    """Feature array (tasks × mandates × len(FEATURES)) of every pair."""
    import numpy as np
    from rapidfuzz import fuzz

    nt, nm = len(task_texts), len(index.ids)
    out = np.zeros((nt, nm, len(FEATURES)), dtype=np.float32)
    if not nt or not nm:
        return out
    from checker.match import latent

    vocab = dict(index.vocab)
    t_terms, t_obj, t_act, t_short, t_head, t_bags = [], [], [], [], [], []
    for tx in task_texts:
        a, o, ac, h, sh = analysed(tx)
        t_bags.append(a)
        t_head.append(_counts(h, vocab, True))
        t_terms.append(_counts(a, vocab, True))
        t_obj.append(_counts(o, vocab, True))
        t_act.append(ac)
        t_short.append(sh)
    width = len(vocab)
    df = np.zeros(width, dtype=np.float32)
    df[: len(index.df)] = index.df
    held = np.fromiter((j for c in t_terms for j in c), dtype=np.int64)  # each task's distinct terms
    if len(held):
        df += np.bincount(held, minlength=width).astype(np.float32)
    n = nm + nt
    idf = np.log((n + 1) / (df + 1)).astype(np.float32)
    cos = _cosines(t_terms, _matrix(index.terms, idf), idf)
    obj = _cosines(t_obj, _matrix(index.obj, idf), idf)
    mh = _matrix(index.heads, idf)
    head_m = _cosines(t_terms, mh, idf)
    head_t = _cosines(t_head, mh, idf)
    names = sorted(set().union(*index.actions, *t_act))
    pos = {a: k for k, a in enumerate(names)}
    ta = np.zeros((nt, max(1, len(names))), dtype=np.float32)
    ma = np.zeros((nm, max(1, len(names))), dtype=np.float32)
    for i, s_ in enumerate(t_act):
        ta[i, [pos[a] for a in s_]] = 1.0
    for j, s_ in enumerate(index.actions):
        ma[j, [pos[a] for a in s_]] = 1.0
    shared = np.einsum("ik,jk->ij", ta, ma)
    has_t, has_m = ta.sum(1) > 0, ma.sum(1) > 0
    act = np.where(shared > 0, 1.0, 0.0).astype(np.float32)
    act[~has_t, :] = 0.5
    act[:, ~has_m] = 0.5
    fz = np.zeros((nt, nm), dtype=np.float32)
    k = min(FUZZ_TOP, nm)
    top = np.argpartition(-cos, k - 1, axis=1)[:, :k]
    for i in range(nt):
        for j in top[i]:
            fz[i, j] = fuzz.token_set_ratio(t_short[i], index.short[j]) / 100.0
    best_t = cos.max(axis=1, keepdims=True)
    best_m = cos.max(axis=0, keepdims=True)
    out[..., 0] = cos
    out[..., 1] = obj
    out[..., 2] = act
    out[..., 3] = fz
    # relative to the best, but only where the best is a real overlap: in a plan
    # on another topic the best of nothing is still nothing
    out[..., 4] = cos / np.maximum(best_t, RANK_FLOOR)
    out[..., 5] = cos / np.maximum(best_m, RANK_FLOOR)
    out[..., 6] = 1.0 if applicable is None else np.asarray(applicable, dtype=np.float32)[None, :]
    out[..., 7] = head_m
    out[..., 8] = head_t
    out[..., 9] = 0.5
    if task_groups is not None and mandate_groups is not None:
        tg = np.array([g or "" for g in task_groups], dtype=object)
        mg = np.array([g or "" for g in mandate_groups], dtype=object)
        known = (tg[:, None] != "") & (mg[None, :] != "")
        out[..., 9] = np.where(known, (tg[:, None] == mg[None, :]).astype(np.float32), 0.5)
    if anchor is not None:
        out[..., 10] = anchor
    if index.latent is not None:
        tv = latent.embed(t_bags)
        out[..., 11] = latent.cosines(tv, index.latent)
        out[..., 12] = latent.cosines(tv, index.latent_head)
    return out


def probability(feats, weights: dict[str, float] | None = None):
    """The model's probability that each pair is an exact or close link."""
    import numpy as np

    w = weights or WEIGHTS
    vec = np.array([w.get(f, 0.0) for f in FEATURES], dtype=np.float32)
    z = w.get("bias", 0.0) + np.einsum("ijk,k->ij", feats, vec)  # einsum: no BLAS threads
    p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    # links go only to the mandates the plan is asked to carry out
    return p * (feats[..., FEATURES.index("level")] > 0)


def strength(p: float, exact: float = EXACT, close: float = CLOSE, loose: float = LOOSE) -> str | None:
    if p >= exact:
        return "exact"
    if p >= close:
        return "close"
    if p >= loose:
        return "loose"
    return None
