"""Partial traces: a duty the plan states in other words is partial, not missing.

The keyword matcher (:mod:`checker.match.matcher`) counts a task as touching
a hand-written mandate only when one of the mandate's keywords (its anchors)
is in the task; the context words alone never reach ``partial``.  That
misses a plan that has part of a duty in its own wording — "bồi dưỡng kỹ năng
số … cho cán bộ và người dân" for the "kỹ năng số cho người dân" campaign,
"ứng dụng AI … trong quản lý môi trường" for the monitoring-of-the-
environment duty (an independent reviewer judged "not found" wrong there).

After the scores are known, a mandate still ``missing`` becomes ``partial``
when a line of the plan (a task or an indicator) has either

* a **split keyword** — one of its keywords of four or more syllables in two
  pieces of two syllables or more, in order, with at most ``GAP`` other
  syllables between them ("kỹ năng số [thực chất cho cán bộ và] người dân");
  or
* **two specific context words** of the mandate (two syllables or more, not
  one inside the other) that few mandates of the set use — each in at most
  ``MAX_DF`` mandates' texts, one of them in at most ``RARE_DF`` ("trí tuệ
  nhân tạo" and "môi trường"): the object of the duty in the plan's words,
  with another verb.  "cơ chế" and "chính sách", which many mandates use, are
  not a trace.

Measured on the labelled NQ 57 pairs of tests/data/match_pairs/pairs.csv
(seeds 001-003 and the sample plan; seeds 000/004 never used) among the pairs
the keyword matcher leaves below ``partial``: 7 of 41 exact/close/loose pairs
get a trace, none of the 55 pairs labelled ``none`` (README, issue 14).  The
scores themselves (what bench/calibrate_match.py measures) are not changed: a
trace is kept as the mandate's evidence with its own low score and ``trace``
set, and only the status moves from ``missing`` to ``partial``.
"""
from __future__ import annotations

from checker.model import Evidence

GAP = 4  # other syllables allowed between the two pieces of a split keyword
MIN_SPLIT = 4  # syllables a keyword needs to be looked for in two pieces
MIN_CONTEXT = 2  # syllables a context word needs to count (one syllable is too common)
MAX_DF = 6  # a context word used by more of the set's mandates is too common to count
RARE_DF = 3  # ... and one of the two must be used by at most this many


def _find(words: list[str], piece: list[str], start: int, stop: int) -> int:
    """First index in [start, stop] where ``piece`` occurs in ``words``, or -1."""
    n = len(piece)
    for i in range(start, min(stop, len(words) - n) + 1):
        if words[i:i + n] == piece:
            return i
    return -1


def split_at(words: list[str], key: str, gap: int = GAP) -> int | None:
    """Where the folded syllables ``key`` (``MIN_SPLIT`` or more) split into two
    pieces of two syllables or more that occur in ``words`` in order, with 1
    to ``gap`` syllables between them: the number of syllables of the first
    piece, or None."""
    a = key.split()
    if len(a) < MIN_SPLIT:
        return None
    for s in range(2, len(a) - 1):
        head, tail = a[:s], a[s:]
        i = _find(words, head, 0, len(words))
        while i >= 0:
            if _find(words, tail, i + s + 1, i + s + gap) >= 0:
                return s
            i = _find(words, head, i + 1, len(words))
    return None


def split_keyword(words: list[str], key: str, gap: int = GAP) -> bool:
    return split_at(words, key, gap) is not None


def pieces(phrase: str, s: int, content) -> list[str]:
    """The keyword as written, cut after its ``s``-th content syllable
    ("kỹ năng số cho người dân", 3 → ["kỹ năng số", "người dân"]): the two
    pieces the plan has, in the mandate's spelling."""
    from checker.match.text import folded_syllables

    written = phrase.split()
    kept = 0
    for i, w in enumerate(written):
        kept += len(content(folded_syllables(w)))
        if kept >= s:
            tail = written[i + 1:]
            while tail and not content(folded_syllables(tail[0])):
                tail = tail[1:]  # a function word does not open the second piece
            return [" ".join(written[:i + 1]).strip(" ,;"), " ".join(tail).strip(" ,;")]
    return [phrase]


def _distinct(keys: list[str]) -> list[str]:
    """Context keys found, without the ones inside another found key
    ("vận động" inside "vận động nhân dân" is one word, not two)."""
    out: list[str] = []
    for k in sorted(set(keys), key=lambda x: -len(x)):
        if not any(f" {k} " in f" {o} " for o in out):
            out.append(k)
    return out


# context_df of the mandates of a process's sets: the sets are built once per process, so
# their document frequencies are too (keyed by the mandates themselves, kept alive here)
_DF_CACHE: dict[tuple, tuple[list, dict]] = {}


def context_df(mds, content) -> dict[tuple[str, str], int]:
    """:func:`_context_df`, computed once per list of mandates and filter."""
    k = (tuple(id(md) for md in mds), id(content))
    hit = _DF_CACHE.get(k)
    if hit is None:
        if len(_DF_CACHE) >= 8:
            _DF_CACHE.clear()
        hit = _DF_CACHE[k] = (list(mds), _context_df(mds, content))
    return hit[1]


def _context_df(mds, content) -> dict[tuple[str, str], int]:
    """How many mandates of each set use each of its context keys (in their
    title, description, keywords or context words; folded syllables, the
    function words dropped by ``content``): ``{(set id, key): count}``."""
    from checker.match.text import folded_syllables

    docs: dict[str, list[str]] = {}
    for md in mds:
        docs.setdefault(md.set_id, []).append(" " + " ".join(content(folded_syllables(" ".join(
            [md.mandate.title, md.mandate.description, *md.anchors.values(), *md.context.values()])))) + " ")
    keys = {(md.set_id, k) for md in mds for k in md.context}
    return {(sid, k): sum(f" {k} " in d for d in docs[sid]) for sid, k in keys}


def trace(words: list[str], pair, md, df: dict | None = None, bigrams: set[str] | None = None,
          content=None) -> list[str] | None:
    """The words that make a trace of mandate ``md`` in a line (its folded
    content syllables ``words``, its scored ``pair`` or None), or None.
    ``df``: :func:`context_df` of the sets; ``bigrams``: the line's adjacent
    syllable pairs, to skip keywords whose first two syllables it lacks;
    ``content``: the matcher's function-word filter (to quote a split keyword
    as its two pieces).  A split keyword is given as its two pieces, as the
    mandate writes them: both are in the plan's line."""
    for k, phrase in md.anchors.items():
        if bigrams is not None and " ".join(k.split()[:2]) not in bigrams:
            continue
        s = split_at(words, k)
        if s is not None:
            return pieces(phrase, s, content) if content is not None else [phrase]
    if pair is None or not pair.context:
        return None
    df = df or {}
    sid = md.set_id
    ctx = _distinct([k for k, p in md.context.items() if p in pair.context and len(k.split()) >= MIN_CONTEXT
                     and df.get((sid, k), 0) <= MAX_DF])
    if len(ctx) >= 2 and min(df.get((sid, k), 0) for k in ctx) <= RARE_DF:
        return [md.context[k] for k in ctx]
    return None


def add_traces(mds, preps, pairs, statuses, excerpt, content) -> None:
    """Turn ``missing`` statuses of the hand-written sets into ``partial``
    where a line of the plan has a trace of the mandate (module docstring).
    ``excerpt(ti)`` gives the excerpt of prepared line ``ti``; ``content``
    drops the function words from folded syllables (the matcher's)."""
    missing = [mi for mi, ms in enumerate(statuses) if ms.status == "missing" and ms.mandate is mds[mi].mandate]
    if not missing:
        return
    df = context_df(mds, content)
    bigrams = [{f"{a} {b}" for a, b in zip(p.words, p.words[1:])} for p in preps]
    for mi in missing:
        ms = statuses[mi]
        best = None
        for ti, p in enumerate(preps):
            pr = pairs.get((ti, mi))
            kws = trace(p.words, pr, mds[mi], df, bigrams[ti], content)
            sc = pr.score if pr is not None else 0.0
            if kws and (best is None or sc > best[0]):
                best = (sc, ti, kws)
        if best is None:
            continue
        sc, ti, kws = best
        t = preps[ti].task
        ms.evidence.append(Evidence(task=excerpt(ti), line=t.loc.line if t.loc else None,
                                    location=t.loc.human if t.loc else None, score=sc, keywords=kws,
                                    task_id=t.id, unit=t.unit, trace=True))
        ms.status = "partial"
