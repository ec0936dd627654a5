"""Labelled pairs of tests/data/match_pairs/ as matrices, for calibrating and
measuring the statistical matcher (checker.match.lexical) with cross-validation
grouped by plan.  Seeds 000 and 004 are never read here: they are the blind test.

Used by bench/calibrate_match.py and tests/test_match_links.py."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "match_pairs"
SHARED = ROOT.parent / "shared"
COMMUNE = ("001_30f6003b53efe500.txt", "002_af8008956ab8b7d3.txt", "003_dca197c9b0492ba3.txt",
           "ke-hoach-mau.md")
BLIND = ("000", "004")
STRONG = ("exact", "close")


def plan_path(name: str) -> Path:
    assert not name.startswith(BLIND), "seeds 000 and 004 are the blind test"
    if name == "ke-hoach-mau.md":
        return ROOT / "examples" / name
    if name[:3].isdigit() and name[2] != "_":
        return SHARED / "seeds" / name
    return SHARED / "corpus" / name


def set_source(set_id: str):
    """(path of the document, set id) imported as each labelled set."""
    return {"nq03a2": SHARED / "reference-texts" / "nq03-nq-cp-2025-annex2-tasks.md",
            "dn179": SHARED / "corpus" / "05_dongnai-179-kh-ubnd-2025-kinh-te-so-xa-hoi-so.txt"}.get(set_id)


def pairs() -> list[dict]:
    with open(DATA / "pairs.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def coverage_rows() -> list[dict]:
    with open(DATA / "coverage.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=None)
def plan(name: str):
    from checker.pipeline import extract

    return extract(plan_path(name))


@lru_cache(maxsize=None)
def mandate_set(set_id: str):
    """The MandateSet a labelled set id stands for (imported sets written to a temp file)."""
    import tempfile

    from checker.mandates.importer import dump_set
    from checker.mandates.load import load_set
    from checker.pipeline import import_reference

    src = set_source(set_id)
    if src is None:
        return load_set(set_id)
    d = import_reference(src, set_id)
    f = Path(tempfile.gettempdir()) / f"plancheck-calib-{set_id}.yaml"
    f.write_text(dump_set(d), encoding="utf-8")
    return load_set(str(f))


def task_index(name: str, line: int, text: str) -> int | None:
    """The extracted task a labelled pair names (None when the extractor no longer
    gives it: the pairs were judged on one version of its output)."""
    ts = plan(name).tasks
    for i, t in enumerate(ts):
        if t.loc.line == line and t.text[:160].strip() == text.strip():
            return i
    for i, t in enumerate(ts):
        if t.loc.line == line and t.text.startswith(text[:60]):
            return i
    return None


UNMATCHED: list[dict] = []  # labelled pairs whose task the extractor no longer gives


@dataclass
class Block:
    """One plan × one set: features of every pair, labels where known."""

    plan: str
    set_id: str
    feats: object  # (tasks, mandates, features)
    labels: dict  # (task index, mandate index) -> label
    judged: list  # task indices whose pairs are all judged (unlabelled = none)
    mids: list = field(default_factory=list)


def level_of(name: str) -> str:
    return "commune" if name in COMMUNE else "province"


def held_out_latent(bs: list[Block]) -> list[Block]:
    """The blocks with their ``lsa`` feature recomputed from latent vectors learned
    without the block's own plan (bench/build_latent.py ``model(exclude=...)``): in
    the cross-validation a held-out plan's paragraphs never shape the vectors it is
    scored with (the shipped file learned from all of them)."""
    import numpy as np

    import build_latent
    from checker.match import latent
    from checker.match.lexical import FEATURES, analysed
    from checker.match.links import mandate_text

    col, col_h = FEATURES.index("lsa"), FEATURES.index("lsa_head")
    models = {}
    for b in bs:
        if b.plan not in models:
            terms, idf, vec, _ = build_latent.model(exclude=Path(plan_path(b.plan)).name)
            models[b.plan] = ({t: i for i, t in enumerate(terms)}, vec * idf[:, None], {})
        m = models[b.plan]
        ts = latent.embed([analysed(t.text)[0] for t in plan(b.plan).tasks], m)
        mt = [analysed(mandate_text(x)) for x in mandate_set(b.set_id).mandates]
        ms, mh = latent.embed([x[0] for x in mt], m), latent.embed([x[3] for x in mt], m)
        b.feats = b.feats.copy()
        b.feats[..., col] = np.einsum("ik,jk->ij", ts, ms)
        b.feats[..., col_h] = np.einsum("ik,jk->ij", ts, mh)
    return bs


def blocks(held_out: bool = True) -> list[Block]:
    from checker.match.links import is_curated, pair_features
    from checker.match.matcher import anchor_matrix, score_pairs

    rows = pairs()
    keys = sorted({(r["plan"], r["set"]) for r in rows})
    out = []
    for name, sid in keys:
        ms = mandate_set(sid)
        p = plan(name)
        if is_curated(ms):  # a hand-written set: its own keyword score is the anchor
            import numpy as np

            smd, _, prs = score_pairs(p.tasks, (sid,), None)
            anchor = np.zeros((len(p.tasks), len(smd)), dtype=np.float32)
            for (ti, mi), pr in prs.items():
                anchor[ti, mi] = pr.score / 100.0
        else:
            anchor = anchor_matrix(p.tasks, ms)
        feats, mds = pair_features(p.tasks, ms, level_of(name), anchor)
        mids = [m.id for m in mds]
        pos = {m: i for i, m in enumerate(mids)}
        labels = {}
        for r in rows:
            if r["plan"] == name and r["set"] == sid:
                ti = task_index(name, int(r["line"]), r["task"])
                if ti is None:
                    UNMATCHED.append(r)
                    continue
                labels[(ti, pos[r["mandate"]])] = r["label"]
        judged = sorted({ti for ti, _ in labels})
        out.append(Block(name, sid, feats, labels, judged, mids))
    return held_out_latent(out) if held_out else out


def matrix(bs: list[Block]):
    """X, y (label strings), groups (plan names) over the judged tasks' pairs."""
    import numpy as np

    X, y, g = [], [], []
    for b in bs:
        for ti in b.judged:
            X.append(b.feats[ti])
            y.extend(b.labels.get((ti, mi), "none") for mi in range(b.feats.shape[1]))
            g.extend([b.plan] * b.feats.shape[1])
    return np.concatenate(X), np.array(y), np.array(g)
