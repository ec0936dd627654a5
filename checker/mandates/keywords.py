"""Automatic keywords for a mandate made from a document's text (the importer's,
:mod:`checker.mandates.importer`)."""
from __future__ import annotations

import re
from collections import Counter

from checker.mandates.load import stopwords
from checker.normalize import squash


def auto_keywords(text: str, doc_freq: Counter | None = None, n_docs: int = 1,
                  limit: int = 8) -> tuple[list[str], list[str], list[str]]:
    """(keywords, synonyms, context) for a mandate made from ``text``.

    Compounds come from underthesea; stopwords (data) go.  Keywords are the
    rarer compounds in the document, synonyms the longer runs of content
    words, context the rest."""
    from checker.extract.nlp import tokens

    stop = stopwords()
    words = [w for w in tokens(text) if re.search(r"\w", w)]
    content: list[str | None] = []
    for w in words:
        k = squash(w)
        content.append(None if (not k or k in stop or k.isdigit() or len(k) < 2) else w)
    func = {"và", "của", "các", "những", "với", "cho", "về", "trong", "theo", "là"}
    compounds = [w for w in content if w and " " in w.strip()
                 and w.split()[0].lower() not in func and w.split()[-1].lower() not in func]
    uniq: list[str] = []
    for w in compounds:
        if squash(w) not in [squash(u) for u in uniq]:
            uniq.append(w.lower() if not w.isupper() else w)

    def rarity(w: str) -> float:
        df = (doc_freq or Counter()).get(squash(w), 0)
        return (df / max(n_docs, 1)) - 0.01 * len(w.split())

    ranked = sorted(uniq, key=rarity)
    keywords = ranked[: max(2, limit // 2)]
    # runs of 2–3 consecutive content words of 3+ syllables
    runs: list[str] = []
    cur: list[str] = []
    for w in content + [None]:
        if w:
            cur.append(w)
            continue
        for i in range(len(cur)):
            for j in (3, 2):
                seg = cur[i:i + j]
                if len(seg) == j and sum(len(x.split()) for x in seg) >= 3:
                    p = " ".join(seg).lower()
                    if squash(p) not in [squash(r) for r in runs]:
                        runs.append(p)
                    break
        cur = []
    synonyms = [r for r in runs if not any(squash(k) == squash(r) for k in keywords)][:4]
    context = [w for w in ranked[len(keywords):]][:6]
    if not keywords:
        # every compound was generic: the opening words stand for the task
        words_only = [w for w in words if re.search(r"\w", w)]
        head = " ".join(words_only[:8]).lower()
        keywords = synonyms[:2] or ([head] if head else [])
        synonyms = synonyms[2:]
    return keywords, synonyms, context
