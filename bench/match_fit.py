"""Fitting and scoring the statistical matcher's link model on the labelled pairs
(bench/match_eval.py), with cross-validation grouped by plan: a plan's pairs are
never in the folds that fit the weights and thresholds applied to it."""
from __future__ import annotations

import numpy as np

from match_eval import COMMUNE, STRONG, Block, coverage_rows

FEATS = ("cos", "obj", "act", "fuzz", "rank_t", "rank_m", "level", "head_m", "head_t", "group", "anchor", "lsa",
         "lsa_head")


def design(F: np.ndarray, feats=FEATS) -> np.ndarray:
    from checker.match.lexical import FEATURES

    cols = [FEATURES.index(f) for f in feats]
    return F[..., cols]


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 30,
                 pos_weight: float = 1.0) -> np.ndarray:
    """Weights (bias first) of an L2-regularised logistic regression (Newton steps)."""
    A = np.hstack([np.ones((len(X), 1)), X]).astype(np.float64)
    w = np.zeros(A.shape[1])
    sw = np.where(y > 0, pos_weight, 1.0)
    R = l2 * np.eye(A.shape[1])
    R[0, 0] = 0.0
    for _ in range(iters):
        z = np.clip(A @ w, -30, 30)
        p = 1 / (1 + np.exp(-z))
        g = A.T @ (sw * (p - y)) + R @ w
        H = (A * (sw * p * (1 - p))[:, None]).T @ A + R
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


APPLICABLE_ONLY = True


def prob(F: np.ndarray, w: np.ndarray, feats=FEATS) -> np.ndarray:
    """The model's probability; 0 for a mandate not applicable at the plan's level
    (links go only to mandates the plan is asked to carry out)."""
    from checker.match.lexical import FEATURES

    X = design(F, feats)
    z = w[0] + X @ w[1:]
    p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
    if APPLICABLE_ONLY:
        p = p * (F[..., FEATURES.index("level")] > 0)
    return p


def training_set(bs: list[Block], feats=FEATS):
    X, y = [], []
    for b in bs:
        for ti in b.judged:
            X.append(design(b.feats[ti], feats))
            y.extend(1.0 if b.labels.get((ti, mi), "none") in STRONG else 0.0 for mi in range(b.feats.shape[1]))
    return np.concatenate(X), np.array(y)


def predicted_links(b: Block, P: np.ndarray, close: float, loose: float, cap: int = 3,
                    exact: float = 2.0) -> dict:
    """(task, mandate) -> strength, as checker.match.links.lexical_links chooses them."""
    out = {}
    for ti in range(P.shape[0]):
        order = np.argsort(-P[ti])[:cap]
        for mi in order:
            p = P[ti, mi]
            if p >= exact:
                out[(ti, int(mi))] = "exact"
            elif p >= close:
                out[(ti, int(mi))] = "close"
            elif p >= loose:
                out[(ti, int(mi))] = "loose"
            else:
                break
    return out


def link_counts(b: Block, links: dict) -> tuple[int, int, int]:
    """tp, fp, fn of exact+close links over the block's judged tasks."""
    judged = set(b.judged)
    pred = {k for k, v in links.items() if v in STRONG and k[0] in judged}
    gold = {k for k, v in b.labels.items() if v in STRONG}
    return len(pred & gold), len(pred - gold), len(gold - pred)


def missing_counts(b: Block, links: dict, cov: dict) -> tuple[int, int, int, int]:
    """Missing-task detection over the locality tasks of coverage.csv for one
    commune plan × the annex: tp, fp, fn (a task reported missing that the
    plan does not address is a tp) and the number of tasks."""
    rows = cov.get(b.plan, {})
    pos = {m: i for i, m in enumerate(b.mids)}
    linked = {mi for (_, mi), v in links.items()}
    tp = fp = fn = 0
    for mid, status in rows.items():
        pred_missing = pos[mid] not in linked
        gold_missing = status == "missing"
        tp += pred_missing and gold_missing
        fp += pred_missing and not gold_missing
        fn += (not pred_missing) and gold_missing
    return tp, fp, fn, len(rows)


def coverage_truth() -> dict:
    out: dict = {}
    for r in coverage_rows():
        out.setdefault(r["plan"], {})[r["mandate"]] = r["status"]
    return out


def pr(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


TARGET = (0.90, 0.85)  # the precision and recall targets


def score_pr(p: float, r: float, beta) -> float:
    """What a threshold is chosen for: F-beta, or with ``beta="target"`` the
    worse of precision and recall relative to the targets (so both are aimed at)."""
    if beta == "target":
        return min(p / TARGET[0], r / TARGET[1]) + 1e-3 * (p + r)
    return (1 + beta ** 2) * p * r / (beta ** 2 * p + r) if p + r else 0.0


def choose_thresholds(bs: list[Block], w: np.ndarray, feats=FEATS, beta: float = 1.0):
    """(close, loose) thresholds that do best on ``bs``: close for exact+close
    links (F-beta), loose for missing-task detection (F1) on the commune × annex blocks."""
    cov = coverage_truth()
    Ps = [prob(b.feats, w, feats) for b in bs]
    best_c, best = 0.5, -1.0
    for c in np.arange(0.10, 0.95, 0.025):
        tp = fp = fn = 0
        for b, P in zip(bs, Ps):
            a, bb, cc = link_counts(b, predicted_links(b, P, c, 2.0))
            tp, fp, fn = tp + a, fp + bb, fn + cc
        p, r, _ = pr(tp, fp, fn)
        f = score_pr(p, r, beta)
        if f > best:
            best, best_c = f, float(c)
    best_l, best = best_c, -1.0
    annex = [(b, P) for b, P in zip(bs, Ps) if b.set_id == "nq03a2" and b.plan in COMMUNE]
    if annex:
        for l in np.arange(0.02, best_c + 1e-9, 0.02):
            tp = fp = fn = 0
            for b, P in annex:
                a, bb, cc, _ = missing_counts(b, predicted_links(b, P, best_c, l), cov)
                tp, fp, fn = tp + a, fp + bb, fn + cc
            p, r, _ = pr(tp, fp, fn)
            f = score_pr(p, r, beta)
            if f > best:
                best, best_l = f, float(l)
    return best_c, best_l


def cross_validate(bs: list[Block], feats=FEATS, l2: float = 1.0, pos_weight: float = 1.0,
                   train_sets=("nq03a2", "dn179", "nq57"), beta: float = 1.0) -> dict:
    """Leave-one-plan-out: per held-out plan, fit weights and thresholds on the
    other plans, then count links and missing tasks on it.  ``errors`` lists the
    wrong exact+close links of the held-out plans (for the error analysis)."""
    cov = coverage_truth()
    plans = sorted({b.plan for b in bs})
    tot = {"links": [0, 0, 0], "links_annex_commune": [0, 0, 0], "missing": [0, 0, 0, 0]}
    per_plan = {}
    errors = []
    for held in plans:
        train = [b for b in bs if b.plan != held and b.set_id in train_sets]
        X, y = training_set(train, feats)
        w = fit_logistic(X, y, l2, pos_weight=pos_weight)
        c, l = choose_thresholds(train, w, feats, beta)
        for b in bs:
            if b.plan != held:
                continue
            P = prob(b.feats, w, feats)
            links = predicted_links(b, P, c, l)
            a = link_counts(b, links)
            errors.extend(link_errors(b, links, P))
            for k in range(3):
                tot["links"][k] += a[k]
            if b.set_id == "nq03a2" and b.plan in COMMUNE:
                for k in range(3):
                    tot["links_annex_commune"][k] += a[k]
                m = missing_counts(b, links, cov)
                for k in range(4):
                    tot["missing"][k] += m[k]
                per_plan[held] = {"links": a, "missing": m, "close": c, "loose": l}
    return {"links": pr(*tot["links"]), "links_annex_commune": pr(*tot["links_annex_commune"]),
            "missing": pr(*tot["missing"][:3]), "counts": tot, "per_plan": per_plan, "errors": errors}


def link_errors(b: Block, links: dict, P: np.ndarray) -> list[dict]:
    """The block's false positives (a predicted exact/close link the labels do not
    give: ``gold`` is its label, or None when the pair was never judged) and false
    negatives, with the pair's probability and its rank among the task's mandates."""
    judged = set(b.judged)
    pred = {k for k, v in links.items() if v in STRONG and k[0] in judged}
    gold = {k for k, v in b.labels.items() if v in STRONG}
    out = []
    for k in sorted(pred ^ gold):
        ti, mi = k
        out.append({"kind": "FP" if k in pred else "FN", "plan": b.plan, "set": b.set_id, "task": ti,
                    "mandate": b.mids[mi], "gold": b.labels.get(k), "p": float(P[ti, mi]),
                    "rank": int((P[ti] > P[ti, mi]).sum())})
    return out


def fit_all(bs: list[Block], feats=FEATS, l2: float = 1.0, beta="target"):
    """Weights and thresholds fitted on every labelled plan (what the matcher ships)."""
    X, y = training_set(bs, feats)
    w = fit_logistic(X, y, l2)
    close, loose = choose_thresholds(bs, w, feats, beta)
    # exact: among the links at or above ``close``, the threshold that best tells exact from close
    best_e, best = 1.0, -1.0
    for e in np.arange(close, 1.0, 0.01):
        tp = fp = fn = 0
        for b in bs:
            links = predicted_links(b, prob(b.feats, w, feats), close, loose, exact=e)
            pred = {k for k, v in links.items() if v == "exact" and k[0] in set(b.judged)}
            gold = {k for k, v in b.labels.items() if v == "exact"}
            tp, fp, fn = tp + len(pred & gold), fp + len(pred - gold), fn + len(gold - pred)
        f = pr(tp, fp, fn)[2]
        if f > best:
            best, best_e = f, float(e)
    weights = {"bias": float(w[0])} | {f: float(v) for f, v in zip(feats, w[1:])}
    return weights, best_e, close, loose


def write_constants(weights: dict, exact: float, close: float, loose: float,
                    path=None) -> None:
    """Write the fitted weights and thresholds into checker/match/lexical.py
    (between its ``# <fitted>`` markers)."""
    import re
    from pathlib import Path

    p = Path(path) if path else Path(__file__).resolve().parent.parent / "checker" / "match" / "lexical.py"
    s = p.read_text(encoding="utf-8")
    items = ", ".join(f'"{k}": {v:.3f}' for k, v in weights.items())
    body = ("# <fitted>\n# link model (probability of an exact or close link) and the strength thresholds\n"
            f"WEIGHTS = {{{items}}}\n"
            f"EXACT = {exact:.3f}\nCLOSE = {close:.3f}\nLOOSE = {loose:.3f}\n# </fitted>")
    import textwrap

    lines = []
    for ln in body.split("\n"):
        lines.extend(textwrap.wrap(ln, 110, subsequent_indent="           ") if ln.startswith("WEIGHTS") else [ln])
    s = re.sub(r"# <fitted>.*?# </fitted>", "\n".join(lines), s, flags=re.S)
    p.write_text(s, encoding="utf-8")
