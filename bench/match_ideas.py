"""Issue 13's third pass: the ideas tried on the statistical matcher, cross-validated by plan.

``python bench/calibrate_match.py --links --ideas`` runs them again (a few minutes); the
figures of the last run are in README.md ("What each change gave") and in IDEAS below,
which calibrate_match.py prints.  Every latent model is learned without the held-out
plan's text (bench/build_latent.py ``model(exclude=...)``) and every association table is
fitted on the training folds' labels only.  Seeds 000 and 004 are never read.
"""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

import build_latent
import match_eval as E
import match_fit as MF
from checker.match import latent
from checker.match import lexical as L
from checker.match.links import mandate_text

BASE = L.FEATURES
NO_LSA = tuple(f for f in MF.FEATS if not f.startswith("lsa"))

# (idea, links every plan × set, links commune × annex, missing tasks), P / R, 2026-12-01
IDEAS = [
    ("second pass (no lsa)", "0.717 / 0.672", "0.618 / 0.640", "0.898 / 0.860"),
    ("+ lsa, LSA k=64, terms in >= 3 paragraphs (kept)", "0.743 / 0.679", "0.640 / 0.663", "0.891 / 0.874"),
    ("+ lsa_head, the task with the mandate's head (kept: final)", "0.735 / 0.697", "0.656 / 0.686",
     "0.889 / 0.898"),
    ("  lsa of the two heads; of the two object texts (dropped)", "0.731 / 0.683; 0.738 / 0.679",
     "0.640 / 0.663; 0.640 / 0.663", "0.873 / 0.898; 0.892 / 0.879"),
    ("  LSA k 30-300, min df 2-3 (range)", "0.722-0.743 / 0.669-0.686", "0.625-0.655 / 0.640-0.663",
     "0.876-0.895 / 0.865-0.898"),
    ("  + its rank among the task's mandates, k 50 (dropped)", "0.741 / 0.679", "0.648 / 0.686", "0.897 / 0.893"),
    ("PPMI-SVD vectors, window 4, k 100 (dropped)", "0.733 / 0.683", "0.629 / 0.651", "0.890 / 0.902"),
    ("IBM Model 1 table, training folds' positives (dropped)", "0.720 / 0.672", "0.602 / 0.616", "0.895 / 0.870"),
    ("term-pair log-odds, >= 2 positives (dropped)", "0.736 / 0.683", "0.663 / 0.640", "0.893 / 0.888"),
    ("term-pair log-odds >= 3 with LSA k 100 (dropped)", "0.736 / 0.693", "0.640 / 0.663", "0.883 / 0.874"),
    ("with lsa, before lsa_head: near-copy (fuzz >= 0.9) passes the level gate (dropped)", "0.746 / 0.690", "0.640 / 0.663",
     "0.891 / 0.874"),
    ("with lsa, before lsa_head: no level gate (dropped)", "0.728 / 0.683", "0.602 / 0.651", "0.894 / 0.865"),
    ("with lsa_head: crosswalk by mean of TF-IDF and latent cosine >= 0.25 (dropped)", "0.682 / 0.645",
     "0.570 / 0.570", "0.894 / 0.860"),
    ("with lsa, before lsa_head: missing from plan-level evidence, best p + line cosines (dropped)", "", "", "0.904 / 0.879"),
]


def texts_of(b):
    ms = {m.id: m for m in E.mandate_set(b.set_id).mandates}
    return [t.text for t in E.plan(b.plan).tasks], [mandate_text(ms[i]) for i in b.mids]


def with_extra(bs, extra: dict):
    """Copies of the blocks with extra feature columns (name -> one matrix per block)."""
    names = tuple(extra)
    L.FEATURES = BASE + names
    out = []
    for k, b in enumerate(bs):
        b2 = copy.copy(b)
        b2.feats = np.concatenate([b.feats] + [extra[n][k][..., None].astype(np.float32) for n in names], axis=2)
        out.append(b2)
    return out


def cv(bs, feats, label):
    r = MF.cross_validate(bs, feats=feats, beta="target")
    f = lambda x: f"{x[0]:.3f} / {x[1]:.3f}"  # noqa: E731
    print(f"  {label:58} {f(r['links'])}   {f(r['links_annex_commune'])}   {f(r['missing'])}", flush=True)
    return r


# ------------------------------------------------------------------ latent vectors
def _held_out(bs, make):
    models, out = {}, []
    for b in bs:
        if b.plan not in models:
            models[b.plan] = make(Path(E.plan_path(b.plan)).name)
        m = models[b.plan]
        ts, ms = texts_of(b)
        out.append(latent.cosines(latent.embed([L.analysed(t)[0] for t in ts], m),
                                  latent.embed([L.analysed(t)[0] for t in ms], m)))
    return out


def lsa(bs, k, min_df=3):
    def make(ex):
        terms, idf, vec, _ = build_latent.model(exclude=ex, k=k, min_df=min_df)
        return {t: i for i, t in enumerate(terms)}, vec * idf[:, None], {}
    return _held_out(bs, make)


def ppmi(bs, k=100, window=4, min_df=3):
    from scipy import sparse
    from sklearn.decomposition import TruncatedSVD

    def make(ex):
        terms, idf, _, _ = build_latent.model(exclude=ex, k=2, min_df=min_df)
        pos = {t: i for i, t in enumerate(terms)}
        C: dict = {}
        for name, paras in build_latent.sources():
            if Path(name).name == ex:
                continue
            for p in paras:
                toks = [pos[w] for w in L.analysed(p)[0] if w in pos]
                for i, a in enumerate(toks):
                    for c in toks[i + 1:i + 1 + window]:
                        C[(a, c)] = C.get((a, c), 0) + 1
                        C[(c, a)] = C.get((c, a), 0) + 1
        keys = np.array(list(C))
        M = sparse.csr_matrix((np.array(list(C.values()), dtype=np.float64), (keys[:, 0], keys[:, 1])),
                              shape=(len(terms),) * 2).tocoo()
        tot = M.data.sum()
        rs = np.asarray(M.tocsr().sum(1)).ravel()
        cs = np.asarray(M.tocsr().sum(0)).ravel() ** 0.75
        cs /= cs.sum()
        val = np.maximum(np.log(M.data / tot / (rs[M.row] / tot) / cs[M.col]), 0)
        svd = TruncatedSVD(k, random_state=0)
        U = svd.fit_transform(sparse.csr_matrix((val, (M.row, M.col)), shape=M.shape))
        vec = (U / np.sqrt(svd.singular_values_)[None, :]).astype(np.float32)
        return pos, vec * idf[:, None], {}
    return _held_out(bs, make)


# ------------------------------------------------------------------ learned associations
def _positives(bs, held):
    out = []
    for b in bs:
        if b.plan == held:
            continue
        ts, ms = texts_of(b)
        out += [(ts[ti], ms[mi], lab in E.STRONG) for (ti, mi), lab in b.labels.items()]
    return out


def ibm1(bs, iters=8):
    """IBM Model 1 t(mandate term | task term), EM on the training folds' exact/close pairs;
    feature: mean over the mandate's terms of log(mean translation probability / floor)."""
    out = [None] * len(bs)
    for held in sorted({b.plan for b in bs}):
        S, T = {"<null>": 0}, {}
        data = []
        for a, m, pos in _positives(bs, held):
            if not pos:
                continue
            sa = ["<null>"] + sorted(set(L.analysed(a)[0]))
            sb = sorted(set(L.analysed(m)[0]))
            for w in sa:
                S.setdefault(w, len(S))
            for w in sb:
                T.setdefault(w, len(T))
            data.append((np.array([S[w] for w in sa]), np.array([T[w] for w in sb])))
        t = np.full((len(S), len(T)), 1.0 / len(T))
        for _ in range(iters):
            c = np.zeros_like(t)
            for sa, sb in data:
                sub = t[np.ix_(sa, sb)]
                c[np.ix_(sa, sb)] += sub / sub.sum(0, keepdims=True)
            t = c / np.maximum(c.sum(1, keepdims=True), 1e-12)
        for k, b in enumerate(bs):
            if b.plan != held:
                continue
            ts, ms = texts_of(b)
            A = np.zeros((len(ts), len(S)))
            for i, x in enumerate(ts):
                idx = [S[w] for w in set(L.analysed(x)[0]) if w in S] + [0]
                A[i, idx] = 1.0 / len(idx)
            B = np.zeros((len(ms), len(T)))
            for j, x in enumerate(ms):
                idx = [T[w] for w in set(L.analysed(x)[0]) if w in T]
                if idx:
                    B[j, idx] = 1.0 / len(idx)
            out[k] = (np.log(A @ t + 1e-4) - np.log(1e-4)) @ B.T
    return out


def log_odds(bs, min_pos=2):
    """Log-odds of (task syllable, a different mandate syllable) in the training folds'
    exact/close pairs against their other judged pairs; feature: the sum over the pair's
    syllable pairs, over sqrt(|task| |mandate|)."""
    bags: dict = {}

    def g(t):
        if t not in bags:
            bags[t] = frozenset(w for w in L.analysed(t)[1] if "_" not in w)
        return bags[t]

    out = [None] * len(bs)
    for held in sorted({b.plan for b in bs}):
        npos: dict = {}
        nneg: dict = {}
        P = N = 0
        for a, m, pos in _positives(bs, held):
            d = npos if pos else nneg
            P, N = P + pos, N + (not pos)
            for x in g(a):
                for y in g(m):
                    if x != y:
                        d[(x, y)] = d.get((x, y), 0) + 1
        W = {k: np.log((n + 0.5) / P) - np.log((nneg.get(k, 0) + 0.5) / N) for k, n in npos.items() if n >= min_pos}
        W = {k: v for k, v in W.items() if v > 0}
        for k, b in enumerate(bs):
            if b.plan != held:
                continue
            ts, ms = texts_of(b)
            M = np.zeros((len(ts), len(ms)), dtype=np.float32)
            for i, t in enumerate(ts):
                A = g(t)
                for j, m in enumerate(ms):
                    C = g(m)
                    M[i, j] = sum(W.get((x, y), 0.0) for x in A for y in C) / np.sqrt(len(A) * len(C) + 1)
            out[k] = M
    return out


# ------------------------------------------------------------------ missing tasks, plan level
def line_cosines(b):
    """Best TF-IDF cosine (whole, head) of each mandate with any line of six words or more."""
    from checker.match.links import set_index

    lines = [u.text for u in E.plan(b.plan).units if len(u.text.split()) >= 6]
    F = L.features(set_index(E.mandate_set(b.set_id)), lines)
    return F[..., BASE.index("cos")].max(0), F[..., BASE.index("head_m")].max(0)


def _fold(bs, out: set, feats):
    train = [b for b in bs if b.plan not in out]
    X, y = MF.training_set(train, feats)
    w = MF.fit_logistic(X, y)
    return (w,) + MF.choose_thresholds(train, w, feats, beta="target")


def _mandate_rows(b, fold, feats, extra):
    w, c, lo = fold
    P = MF.prob(b.feats, w, feats)
    linked = {mi for (_, mi) in MF.predicted_links(b, P, c, lo)}
    pos = {m: i for i, m in enumerate(b.mids)}
    rows = []
    for mid, st in MF.coverage_truth()[b.plan].items():
        mi = pos[mid]
        col = np.sort(P[:, mi])[::-1]
        f = [np.log(col[0] + 1e-3), np.log(col[1] + 1e-3), float((col > lo).sum()), float(mi in linked)]
        rows.append((f + [e[mi] for e in extra], st == "missing", mi not in linked))
    return rows


def missing_plan_level(bs, feats=MF.FEATS, use=(0, 4, 5), label="") -> None:
    """A mandate-level logistic model of "missing", nested folds over the commune plans:
    the link model that scores a training plan is fitted without it and the held-out plan."""
    com = [b for b in bs if b.set_id == "nq03a2" and b.plan in E.COMMUNE]
    ex = {b.plan: list(line_cosines(b)) for b in com}
    tot, tot0 = np.zeros(3), np.zeros(3)
    cols = list(use)
    for h in com:
        tr = [r for t in com if t is not h for r in _mandate_rows(t, _fold(bs, {h.plan, t.plan}, feats), feats,
                                                                  ex[t.plan])]
        te = _mandate_rows(h, _fold(bs, {h.plan}, feats), feats, ex[h.plan])
        X = np.array([r[0] for r in tr])[:, cols]
        y = np.array([float(r[1]) for r in tr])
        mu, sd = X.mean(0), X.std(0) + 1e-6
        w = MF.fit_logistic((X - mu) / sd, y)
        ptr = 1 / (1 + np.exp(-(w[0] + ((X - mu) / sd) @ w[1:])))
        th = max(np.arange(0.05, 0.95, 0.01), key=lambda t: MF.score_pr(*MF.pr(
            ((ptr >= t) & (y > 0)).sum(), ((ptr >= t) & (y == 0)).sum(), ((ptr < t) & (y > 0)).sum())[:2], "target"))
        Xt = (np.array([r[0] for r in te])[:, cols] - mu) / sd
        pt = 1 / (1 + np.exp(-(w[0] + Xt @ w[1:]))) >= th
        yt = np.array([r[1] for r in te])
        p0 = np.array([r[2] for r in te])
        tot += [(pt & yt).sum(), (pt & ~yt).sum(), (~pt & yt).sum()]
        tot0 += [(p0 & yt).sum(), (p0 & ~yt).sum(), (~p0 & yt).sum()]
    p, r, _ = MF.pr(*tot)
    p0, r0, _ = MF.pr(*tot0)
    print(f"  {label:58} missing {p:.3f} / {r:.3f}   (no link at all: {p0:.3f} / {r0:.3f})", flush=True)


def run(bs=None) -> None:
    bs = bs if bs is not None else E.blocks()
    print("ideas of issue 13's third pass, cross-validated by plan (links every plan × set; links commune × annex;"
          " missing tasks), P / R:")
    cv(bs, NO_LSA, "second pass (no lsa)")
    cv(bs, NO_LSA + ("lsa",), "+ lsa (held-out vectors)")
    cv(bs, MF.FEATS, "+ lsa_head (kept: final)")
    for k in (30, 100, 200):
        cv(with_extra(bs, {"x": lsa(bs, k)}), NO_LSA + ("x",), f"LSA k={k} instead")
    cv(with_extra(bs, {"x": ppmi(bs)}), NO_LSA + ("x",), "PPMI-SVD k=100 instead")
    cv(with_extra(bs, {"x": ibm1(bs)}), NO_LSA + ("x",), "IBM Model 1 (no lsa)")
    lo = log_odds(bs)
    cv(with_extra(bs, {"x": lo}), NO_LSA + ("x",), "term-pair log-odds >= 2 (no lsa)")
    cv(with_extra(bs, {"x": lo}), MF.FEATS + ("x",), "term-pair log-odds >= 2 with lsa")
    L.FEATURES = BASE
    li, fz = BASE.index("level"), BASE.index("fuzz")
    orig, gate = MF.prob, MF.APPLICABLE_ONLY
    try:
        MF.APPLICABLE_ONLY = False
        cv(bs, MF.FEATS, "with lsa: no level gate")

        def prob(F, w, feats=MF.FEATS):
            return orig(F, w, feats) * ((F[..., li] > 0) | (F[..., fz] >= 0.9))
        MF.prob = prob
        cv(bs, MF.FEATS, "with lsa: near-copy (fuzz >= 0.9) passes the level gate")
    finally:
        MF.prob, MF.APPLICABLE_ONLY = orig, gate
    missing_plan_level(bs, use=(0,), label="missing: best p of any task, no cap")
    missing_plan_level(bs, use=(0, 4, 5), label="missing: + best cosines with any line of the plan")


def print_table() -> None:
    print("ideas of issue 13's third pass (README.md; re-run with --ideas), P / R:")
    print(f"  {'idea':66} {'links, every plan × set':26} {'links, commune × annex':26} missing tasks")
    for name, a, b, c in IDEAS:
        print(f"  {name:66} {a:26} {b:26} {c}")
