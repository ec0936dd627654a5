"""Build reference/latent.npz: latent term vectors (LSA) learned offline from our own texts.

The statistical matcher of imported sets (checker.match.lexical) compares a task and a
mandate by the words they share; a paraphrase that shares few words scores low.  This
script learns which terms go together from every text the project may use — the
reference texts (NQ 57, the NQ 03 programme and its two annexes), the provincial plans
of ../shared/corpus/, the commune seeds **except 000 and 004** (the blind test of
matching), the sample plan, and the hand-written mandate sets (title, description,
keywords, synonyms) — and writes term vectors that checker.match.latent turns into a
similarity of two texts (the ``lsa`` feature).

Method: every paragraph (line of six words or more) is a document; its terms are the
matcher's own (checker.match.lexical.analysed: folded syllables and adjacent syllable
pairs, abbreviations expanded, function words dropped); terms in fewer than MIN_DF
paragraphs are left out; log-tf × idf rows, each of unit length; scikit-learn
TruncatedSVD to K dimensions (randomised, seed 0).  A term's vector is its row of the
SVD's components; a text's vector is the idf-weighted sum of its terms' vectors.

Nothing is downloaded; the file is built here once and shipped (it is rebuilt only when
the corpus changes):

    python bench/build_latent.py [-o reference/latent.npz]

``model(exclude=plan)`` gives the same model without one plan's text: the
cross-validation of bench/calibrate_match.py uses it so that a held-out plan's own
paragraphs never shape the vectors it is scored with.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
BLIND = ("000", "004")
K = 64
MIN_DF = 3
MIN_WORDS = 6


def sources() -> list[tuple[str, list[str]]]:
    """(name, paragraphs) of every text the vectors are learned from."""
    from checker.mandates.load import load_set

    out = []
    for sub, pat in (("reference-texts", "*.md"), ("corpus", "*.txt"), ("seeds", "*.txt")):
        for f in sorted((SHARED / sub).glob(pat)):
            if f.name == "README.md" or (sub == "seeds" and f.name.startswith(BLIND)):
                continue
            out.append((f"{sub}/{f.name}", f.read_text(encoding="utf-8").splitlines()))
    out.append(("examples/ke-hoach-mau.md", (ROOT / "examples" / "ke-hoach-mau.md").read_text(encoding="utf-8")
                .splitlines()))
    for sid in ("nq57", "nq03", "nq71"):
        out.append((f"reference/{sid}.yaml", [f"{m.title}. {m.description}. {', '.join(m.keywords + m.synonyms)}"
                                              for m in load_set(sid).mandates]))
    for name, _ in out:
        assert not Path(name).name.startswith(BLIND), "seeds 000 and 004 are the blind test"
    return out


def model(exclude: str | None = None, k: int = K, min_df: int = MIN_DF):
    """(terms, idf, vectors terms × k, names of the sources) learned from :func:`sources`,
    without the source whose file name is ``exclude``."""
    from scipy import sparse
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    from checker.match.latent import term_counts
    from checker.match.lexical import analysed

    docs, names = [], []
    for name, paras in sources():
        if exclude and Path(name).name == exclude:
            continue
        names.append(name)
        docs += [analysed(p)[0] for p in paras if len(p.split()) >= MIN_WORDS]
    df: dict[str, int] = {}
    for d in docs:
        for w in set(d):
            df[w] = df.get(w, 0) + 1
    terms = sorted(w for w, n in df.items() if n >= min_df)
    pos = {w: i for i, w in enumerate(terms)}
    nd = len(docs)
    idf = np.array([np.log((nd + 1) / (df[w] + 1)) + 1.0 for w in terms], dtype=np.float32)
    r, c, v = [], [], []
    for i, d in enumerate(docs):
        for j, n in term_counts(d, pos).items():
            r.append(i)
            c.append(j)
            v.append((1.0 + np.log(n)) * idf[j])
    X = normalize(sparse.csr_matrix((v, (r, c)), shape=(nd, len(terms))))
    svd = TruncatedSVD(k, algorithm="randomized", n_iter=7, random_state=0).fit(X)
    return terms, idf, svd.components_.T.astype(np.float32), names


def write(path: Path, k: int = K, min_df: int = MIN_DF) -> dict:
    terms, idf, vec, names = model(k=k, min_df=min_df)
    meta = {"method": "LSA (TruncatedSVD) of log-tf·idf paragraph × term rows", "k": k, "min_df": min_df,
            "paragraph_min_words": MIN_WORDS, "sources": names, "built_by": "bench/build_latent.py"}
    np.savez_compressed(path, terms=np.array(terms), idf=idf.astype(np.float16), vectors=vec.astype(np.float16),
                        meta=np.array(json.dumps(meta, ensure_ascii=False)))
    return meta | {"terms": len(terms), "bytes": path.stat().st_size}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", "--output", default=str(ROOT / "reference" / "latent.npz"))
    a = ap.parse_args()
    info = write(Path(a.output))
    print(f"{a.output}: {info['terms']} terms × {info['k']} dimensions, {info['bytes'] / 1024:.0f} KB, "
          f"from {len(info['sources'])} sources")


if __name__ == "__main__":
    main()
