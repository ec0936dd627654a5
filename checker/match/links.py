"""Task-centric links (the traceability matrix) and the statuses they give.

A link says that one task of the plan carries out one mandate of a set, how
strongly (``exact``: the task restates the mandate; ``close``: the same
action on the same object in other words, or the locality's share of it;
``loose``: only the theme overlaps) and on what evidence.  A mandate is
covered when it has an exact or close link, partial when it has loose links
only, missing when it has none.

Imported sets (no hand keywords: their YAML says ``status.generated``) are
matched by :mod:`checker.match.lexical`; the hand-written sets keep their
calibrated keyword matcher (:mod:`checker.match.matcher`) and their links
are read from its scores.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import re
from functools import lru_cache
from typing import Any, Sequence

from checker.model import Evidence, Link, MandateStatus, Task

# a hand-written set's keyword score → link strength (checker.match.matcher's thresholds)
CURATED_EXACT = 85.0


def is_curated(ms) -> bool:
    """A hand-written set (reviewed keywords), not one imported automatically."""
    return not (ms.status or {}).get("generated")


def mandate_text(m) -> str:
    d = (m.description or "").strip()
    return d if d and d.startswith(m.title.rstrip(" …")[:40]) else f"{m.title}. {d}".strip(". ")


@lru_cache(maxsize=32)
def _index(key: str, ids: tuple[str, ...], texts: tuple[str, ...]):
    from checker.match.lexical import build_index

    return build_index(ids, texts)


def set_index(ms):
    """The lexical index of a set, built once per process (keyed by the set's
    file and its mandates' texts)."""
    texts = tuple(mandate_text(m) for m in ms.mandates)
    return _index(ms.source_file or ms.id, tuple(m.id for m in ms.mandates), texts)


def pair_features(tasks: Sequence[Task], ms, level: str | None, anchor=None):
    """Features of every task × mandate pair of one set, and its mandates.
    ``anchor``: the keyword evidence of the hand-written sets (tasks × mandates,
    0..1), see :func:`crosswalk` and ``checker.match.matcher.anchor_matrix``."""
    from checker.match.lexical import features

    idx = set_index(ms)
    appl = [level is None or level in m.level for m in ms.mandates]
    return features(idx, [t.text for t in tasks], appl, [_nq57(t.section_title) for t in tasks],
                    _mandate_groups(ms), anchor), ms.mandates


CROSSWALK_MIN = 0.2  # cosine from which an imported mandate reads like a curated one
CROSSWALK_TOP = 3  # curated mandates an imported one may read like


def curated_sets() -> tuple[str, ...]:
    """The installed hand-written sets with their own mandates (not inherited copies)."""
    from checker.mandates.load import available_sets, load_set

    return tuple(s for s in available_sets() if is_curated(load_set(s)) and not load_set(s).inherits)


@lru_cache(maxsize=32)
def _crosswalk(key: str, texts: tuple[str, ...], curated: tuple[str, ...]) -> tuple:
    import numpy as np

    from checker.mandates.load import load_set
    from checker.match.lexical import build_index, features

    cur = [m for sid in curated for m in load_set(sid).mandates]
    if not cur or not texts:
        return tuple(() for _ in texts)
    idx = build_index([m.id for m in cur], [f"{m.title}. {m.description}. {', '.join(m.keywords + m.synonyms)}"
                                            for m in cur])
    cos = features(idx, list(texts))[..., 0]
    order = np.argsort(-cos, axis=1)[:, :CROSSWALK_TOP]
    return tuple(tuple(cur[int(j)].id for j in row if cos[i, j] >= CROSSWALK_MIN) for i, row in enumerate(order))


def crosswalk(ms) -> tuple:
    """For each mandate of an imported set, the ids of the hand-written mandates
    (nq57, nq03) that read most like it (at most CROSSWALK_TOP, cosine ≥
    CROSSWALK_MIN; none when nothing does): their curated keywords and synonyms
    then count as extra evidence for it (the ``anchor`` feature)."""
    return _crosswalk(ms.source_file or ms.id, tuple(mandate_text(m) for m in ms.mandates), curated_sets())


@lru_cache(maxsize=1024)
def _nq57(title: str | None) -> str | None:
    from checker.mandates.load import nq57_group_of

    return nq57_group_of(title) if title else None


def _mandate_groups(ms) -> list[str | None]:
    """The NQ 57 group of each mandate (its group's nq57_group, or the group id of NQ 57 itself)."""
    g = {x["id"]: (x.get("nq57_group") if "nq57_group" in x else x["id"]) for x in ms.groups}
    return [g.get(m.group) for m in ms.mandates]


@lru_cache(maxsize=4096)
def _words(text: str):
    """(text, [(folded word, start, end)], [punctuation between word k and k+1?]) of a mandate."""
    import unicodedata

    from checker.normalize import fold

    n = unicodedata.normalize("NFC", text)
    words = [(fold(m.group(0)), m.start(), m.end()) for m in re.finditer(r"\w+", n)]
    gaps = [bool(re.search(r"[,;:.()“”\"]", n[words[k][2]:words[k + 1][1]])) for k in range(len(words) - 1)]
    return n, words, gaps


@lru_cache(maxsize=4096)
def _terms(text: str) -> frozenset[str]:
    from checker.match.lexical import analyse

    return frozenset(analyse(text)[0])


def _evidence_terms(task_text: str, mandate_text_: str, limit: int = 6) -> list[str]:
    """The phrases a task shares with a mandate, as the mandate writes them:
    maximal runs of the mandate's words whose syllable pairs the task has too
    (longest first)."""
    from checker.match.lexical import FUNCTION_WORDS

    shared = _terms(task_text)
    n, words, gaps = _words(mandate_text_)
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(words) - 1:
        j = i
        while j + 1 < len(words) and not gaps[j] and f"{words[j][0]}_{words[j + 1][0]}" in shared:
            j += 1
        if j > i:
            a, b = i, j
            while a < b and words[a][0] in FUNCTION_WORDS:
                a += 1
            while b > a and words[b][0] in FUNCTION_WORDS:
                b -= 1
            if b > a:
                runs.append((a, b))
            i = j + 1
        else:
            i += 1
    out: list[str] = []
    for a, b in sorted(runs, key=lambda r: (-(r[1] - r[0]), r[0])):
        ph = n[words[a][1]:words[b][2]].lower()
        if ph not in out:
            out.append(ph)
        if len(out) >= limit:
            break
    return out


def lexical_links(tasks: Sequence[Task], ms, level: str | None, anchor=None) -> list[Link]:
    """Links from the plan's tasks to an imported set's mandates."""
    import numpy as np

    from checker.match import lexical as L

    if not tasks or not ms.mandates:
        return []
    feats, mds = pair_features(tasks, ms, level, anchor)
    prob = L.probability(feats)
    # a task off the set's topic, in a plan mostly off it, weighs half (as in the keyword matcher)
    on = [_on_topic(t, ms) for t in tasks]
    real = [o for o, t in zip(on, tasks) if t.source != "indicator"]
    if real and sum(real) / len(real) < PLAN_TOPIC_SHARE:
        for ti, o in enumerate(on):
            if not o:
                prob[ti] *= OFF_TOPIC_FACTOR
    out: list[Link] = []
    texts = [mandate_text(m) for m in mds]
    for ti, t in enumerate(tasks):
        row = prob[ti]
        order = np.argsort(-row)[: L.MAX_LINKS_PER_TASK]
        for mi in order:
            p = float(row[mi])
            st = L.strength(p)
            if st is None:
                break
            out.append(Link(task=t.id, line=t.loc.line if t.loc else None, mandate=mds[mi].id, set=ms.id,
                            score=round(100.0 * p, 1), strength=st,
                            evidence=_evidence_terms(t.text, texts[mi]), location=t.loc.human if t.loc else None))
    return out


PLAN_TOPIC_SHARE = 0.4  # as checker.match.matcher
OFF_TOPIC_FACTOR = 0.5


@lru_cache(maxsize=64)
def _topic_pattern(terms: tuple[str, ...]):
    from checker.normalize import squash

    keys = sorted({squash(t) for t in terms if squash(t)}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![a-z0-9])") \
        if keys else None


def _on_topic(t: Task, ms) -> bool:
    from checker.match.lexical import _prepared

    terms = tuple(ms.topic_terms or ())
    if not terms:
        from checker.mandates.load import load_set

        terms = tuple(load_set("nq57").topic_terms)
    pat = _topic_pattern(terms)
    if pat is None:
        return True
    text = " ".join(re.findall(r"[a-z0-9]+", _prepared(f"{t.text} {t.section_title or ''}")))
    return bool(pat.search(text))


def curated_links(mds, preps, pairs, partial: float, covered: float) -> list[Link]:
    """Links of the hand-written sets, read from the keyword matcher's scores."""
    out: list[Link] = []
    for (ti, mi), pr in pairs.items():
        md = mds[mi]
        if not md.applicable or pr.score < partial:
            continue
        t = preps[ti].task
        st = "exact" if pr.score >= CURATED_EXACT else "close" if pr.score >= covered else "loose"
        out.append(Link(task=t.id, line=t.loc.line if t.loc else None, mandate=md.mandate.id, set=md.mandate.reference,
                        score=round(pr.score, 1), strength=st, evidence=list(dict.fromkeys(pr.anchors + pr.context)),
                        location=t.loc.human if t.loc else None))
    return out


def statuses_from_links(ms, links: list[Link], tasks: Sequence[Task], level: str | None,
                        waiver_for, max_evidence: int = 3) -> list[MandateStatus]:
    """Each mandate's status, derived from its links."""
    by: dict[str, list[Link]] = {}
    for lk in links:
        by.setdefault(lk.mandate, []).append(lk)
    text_of = {t.id: t for t in tasks}
    out = []
    rank = {"exact": 0, "close": 1, "loose": 2}
    for m in ms.mandates:
        if level is not None and level not in m.level:
            out.append(MandateStatus(mandate=m, status="not-applicable",
                                     reason=f"áp dụng cho cấp: {', '.join(m.level)}; kế hoạch cấp: {level}"))
            continue
        lks = sorted(by.get(m.id, []), key=lambda x: (rank[x.strength], -x.score))
        strong = [x for x in lks if x.strength in ("exact", "close")]
        status = "covered" if strong else "partial" if lks else "missing"
        ev = []
        for lk in lks[:max_evidence]:
            t = text_of.get(lk.task)
            ev.append(Evidence(task=_excerpt(t.text if t else ""), line=lk.line, location=lk.location,
                               score=lk.score, keywords=list(lk.evidence), task_id=lk.task,
                               unit=t.unit if t else None))
        ev.sort(key=lambda e: -e.score)
        best = max((x.score for x in lks), default=0.0)
        reason = None
        w = waiver_for(m.id)
        if w is not None:
            status = "waived"
            reason = f"{w.get('reason', '')} ({w.get('approver', '')}" + \
                     (f", hết hạn {w.get('expires')})" if w.get("expires") else ")")
        out.append(MandateStatus(mandate=m, status=status, score=best, evidence=ev, reason=reason))
    return out


def waiver_for(mid: str, waivers, today: dt.date) -> dict | None:
    for w in waivers or []:
        pat = str(w.get("mandate", ""))
        if not pat or not fnmatch.fnmatchcase(mid, pat):
            continue
        exp = w.get("expires")
        if exp:
            try:
                d = exp if isinstance(exp, dt.date) else dt.date.fromisoformat(str(exp))
            except ValueError:
                d = None
            if d is not None and d < today:
                continue
        return w
    return None


def group_rows(set_objs, statuses: list[MandateStatus]) -> list[dict[str, Any]]:
    rows = []
    for s in set_objs:
        for g in s.groups:
            sts = [x for x in statuses if x.mandate.reference == s.id and x.mandate.group == g["id"]]
            appl = [x for x in sts if x.status in ("covered", "partial", "missing")]
            cov = sum(x.status == "covered" for x in appl)
            par = sum(x.status == "partial" for x in appl)
            mis = sum(x.status == "missing" for x in appl)
            total = len(appl)
            rows.append({
                "reference": s.id, "group": g["id"], "title": g.get("short") or g["title"],
                "title_en": g.get("short_en"),
                "total": total, "covered": cov, "partial": par, "missing": mis,
                "ratio": round((cov + 0.5 * par) / total, 3) if total else None,
                "not_applicable": sum(x.status == "not-applicable" for x in sts),
                "waived": sum(x.status == "waived" for x in sts),
            })
    return rows


def mention_from_links(statements: Sequence[Task], ms, level: str | None,
                       statuses: list[MandateStatus], anchor=None) -> None:
    """A missing mandate of an imported set that the purpose/objectives carry
    out (an exact or close link from one of them) gets it in ``mentions``."""
    by = {st.mandate.id: st for st in statuses if st.status == "missing"}
    if not by:
        return
    text_of = {t.id: t for t in statements}
    for lk in lexical_links(statements, ms, level, anchor):
        st = by.get(lk.mandate)
        if st is None or lk.strength == "loose" or st.mentions:
            continue
        t = text_of[lk.task]
        st.mentions.append(Evidence(task=_excerpt(t.text), line=lk.line, location=lk.location, score=lk.score,
                                    keywords=list(lk.evidence), task_id=t.id, unit=t.unit))


def _excerpt(text: str, limit: int = 220) -> str:
    t = re.sub(r"\s+", " ", text).strip()
    return t if len(t) <= limit else t[:limit].rsplit(" ", 1)[0] + " …"


def links_by_task(links: list[Link]) -> dict[str, list[Link]]:
    out: dict[str, list[Link]] = {}
    for lk in links:
        out.setdefault(lk.task, []).append(lk)
    return out


def link_rows(links: list[Link]) -> list[dict[str, Any]]:
    return [lk.to_dict() for lk in links]
