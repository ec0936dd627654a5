"""``plancheck explain PLAN --task ID``: the other direction of the
traceability matrix — which mandates one task of the plan carries out, with
the strength and the shared words of each link, and the closest mandates
below the threshold.  Also the lexical near misses of ``--mandate`` for an
imported set."""
from __future__ import annotations

from checker.errors import PlanError


def link_view(lk, tasks) -> dict:
    t = next((x for x in tasks if x.id == lk.task), None)
    d = lk.to_dict()
    d["location"] = lk.location
    d["text"] = t.text if t is not None else ""
    return d


def _default_sets(plan) -> list[str]:
    """nq57 and the programme in force at the plan's own date (as check chooses)."""
    import datetime as dt

    d = plan.header.date.earliest() if plan.header.date and plan.header.date.year else None
    return ["nq57", "nq03" if d and d < dt.date(2025, 4, 1) else "nq71"]


def find_task(plan, task_id: str):
    tid = task_id.strip()
    for t in plan.tasks:
        if t.id == tid:
            return t
    if tid.isdigit():
        hits = [t for t in plan.tasks if t.loc.line == int(tid)]
        if hits:
            return hits[0]
    raise PlanError("task-unknown", f"Không có nhiệm vụ '{task_id}' trong kế hoạch (dùng mã T… hoặc số dòng)",
                    f"No task '{task_id}' in the plan (use its T… id or its line)")


def near_mandates(task, ms, level: str, taken: set[str], k: int = 3) -> list[dict]:
    """The mandates of an imported set closest to one task that it does not link."""
    from checker.match import lexical as L
    from checker.match.links import pair_features
    from checker.match.matcher import anchor_matrix

    feats, mds = pair_features([task], ms, level, anchor_matrix([task], ms))
    p = L.probability(feats)[0]
    order = [int(i) for i in (-p).argsort() if mds[int(i)].id not in taken][:k]
    return [{"mandate": mds[i].id, "title": mds[i].title, "score": round(100.0 * float(p[i]), 1)} for i in order]


def near_tasks(tasks, ms, mandate_id: str, level: str, k: int = 3) -> list[dict]:
    """The plan's tasks closest to one mandate of an imported set, under the loose threshold."""
    from checker.match import lexical as L
    from checker.match.links import pair_features
    from checker.match.matcher import anchor_matrix

    if not tasks:
        return []
    feats, mds = pair_features(tasks, ms, level, anchor_matrix(list(tasks), ms))
    mi = next(i for i, m in enumerate(mds) if m.id == mandate_id)
    p = L.probability(feats)[:, mi]
    out = []
    for ti in (-p).argsort():
        ti = int(ti)
        if p[ti] < L.LOOSE:
            t = tasks[ti]
            out.append({"line": t.loc.line, "location": t.loc.human, "task": t.text[:220],
                        "score": round(100.0 * float(p[ti]), 1), "keywords": []})
        if len(out) >= k:
            break
    return out


def explain_task(plan_path: str, task_id: str, reference: str | None, level: str) -> dict:
    from checker.mandates.load import load_set
    from checker.match.links import is_curated
    from checker.match.matcher import match
    from checker.pipeline import extract

    p = extract(plan_path)
    t = find_task(p, task_id)
    refs = [r.strip() for r in reference.split(",") if r.strip()] if reference else _default_sets(p)
    sets = [load_set(r) for r in refs]
    cov = match(p.tasks, sets, level=level, indicators=p.indicators)
    mine = sorted((lk for lk in cov.links if lk.task == t.id), key=lambda x: -x.score)
    title = {m.id: m.title for s in sets for m in s.mandates}
    links = []
    for lk in mine:
        d = lk.to_dict()
        d["title"] = title.get(lk.mandate, "")
        links.append(d)
    near = []
    for s in sets:
        if not is_curated(s):
            near += near_mandates(t, s, level, {lk.mandate for lk in mine})
    return {"plan": str(plan_path), "task": t.to_dict(), "references": refs, "links": links,
            "near_misses": near}


_STRENGTH = {"exact": ("trùng khớp", "exact"), "close": ("tương đương", "close"), "loose": ("liên quan", "loose")}


def render_task(d: dict, lang: str = "vi") -> str:
    vi = lang != "en"
    t = d["task"]
    out = [f"{t['id']} ({t['location']}): {t['text']}",
           f"  {'Mục' if vi else 'Section'}: {t.get('section') or ''} {t.get('section_title') or ''}".rstrip(),
           f"  {'Bộ tham chiếu' if vi else 'Reference sets'}: {', '.join(d['references'])}", ""]
    if d["links"]:
        out.append("Thực hiện các nhiệm vụ tham chiếu:" if vi else "Carries out these mandates:")
        for lk in d["links"]:
            st = _STRENGTH.get(lk["strength"], (lk["strength"],) * 2)[0 if vi else 1]
            out.append(f"  - {lk['mandate']} [{st}, {'điểm' if vi else 'score'} {lk['score']}]: {lk['title']}")
            if lk["evidence"]:
                out.append(f"      {'từ chung' if vi else 'shared words'}: {', '.join(lk['evidence'])}")
    else:
        out.append("Không ứng với nhiệm vụ tham chiếu nào (nhiệm vụ riêng của địa phương)." if vi else
                   "Matches no mandate (the locality's own task).")
    if d["near_misses"]:
        out.append("")
        out.append("Gần nhất nhưng chưa đủ:" if vi else "Closest, not enough:")
        for e in d["near_misses"]:
            out.append(f"  - {e['mandate']} ({e['score']}): {e['title']}")
    return "\n".join(out)
