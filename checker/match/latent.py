"""Latent similarity of two texts, from term vectors learned offline from our own texts.

``reference/latent.npz`` (built by bench/build_latent.py: LSA of the reference texts,
the provincial plans, the non-blind commune seeds, the sample plan and the hand-written
mandate sets; never seeds 000 and 004) holds, for each of the matcher's terms (folded
syllables and syllable pairs), a short vector; terms that occur in the same paragraphs
get vectors that point the same way.  A text's vector is the idf-weighted sum of its
terms' vectors, of unit length; two texts' similarity is the cosine of their vectors.
It gives the statistical matcher (:mod:`checker.match.lexical`) its ``lsa`` feature: a
task that paraphrases a mandate in other words ("bồi dưỡng kỹ năng số" for the "học tập
số" movement) still reads close to it.

The file is loaded once per process (~5 ms); nothing is downloaded.  Terms the file
does not know add nothing, so a text in none of its words has the zero vector (cosine 0).
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Iterable, Sequence

FILE = "latent.npz"


@lru_cache(maxsize=1)
def model():
    """(term → row, idf-weighted vectors (terms × k, float32), meta) of the shipped file;
    None when it is not installed (the feature is then 0 everywhere)."""
    import numpy as np

    from checker.resources import data_dir

    f = data_dir("reference").joinpath(FILE)
    try:
        with f.open("rb") as fh:
            z = np.load(fh, allow_pickle=False)
            terms, idf, vec, meta = z["terms"], z["idf"], z["vectors"], str(z["meta"])
    except (FileNotFoundError, OSError):  # pragma: no cover - a broken install
        return None
    weighted = (vec.astype(np.float32) * idf.astype(np.float32)[:, None])
    return {str(t): i for i, t in enumerate(terms.tolist())}, weighted, json.loads(meta)


def dimensions() -> int:
    m = model()
    return m[1].shape[1] if m else 0


def embed(term_lists: Sequence[Iterable[str]], m=None):
    """Unit vectors (texts × k) of texts given as their terms (checker.match.lexical.analysed).
    ``m``: another model of :func:`model`'s shape (the calibration's held-out ones)."""
    import numpy as np

    m = m if m is not None else model()
    k = m[1].shape[1] if m else 1
    out = np.zeros((len(term_lists), k), dtype=np.float32)
    if m is None:
        return out
    pos, vec, _ = m
    for i, terms in enumerate(term_lists):
        cnt = term_counts(terms, pos)
        if not cnt:
            continue
        rows = np.fromiter(cnt.keys(), dtype=np.int64, count=len(cnt))
        tf = 1.0 + np.log(np.fromiter(cnt.values(), dtype=np.float32, count=len(cnt)))
        v = np.einsum("i,ij->j", tf, vec[rows])  # einsum: no BLAS threads
        n = float(np.sqrt((v * v).sum()))
        if n:
            out[i] = v / n
    return out


def term_counts(terms, pos: dict[str, int]) -> dict[int, int]:
    """How often each known term occurs: ``{index in pos: count}`` (unknown terms left out);
    the build script (bench/build_latent.py) counts the same way."""
    cnt: dict[int, int] = {}
    for t in terms:
        j = pos.get(t)
        if j is not None:
            cnt[j] = cnt.get(j, 0) + 1
    return cnt


def cosines(a, b):
    """Cosine of each row of ``a`` with each row of ``b`` (both unit vectors)."""
    import numpy as np

    return np.einsum("ik,jk->ij", a, b)
