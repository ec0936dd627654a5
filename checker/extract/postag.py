"""underthesea's POS tagger, with its features built faster.

``underthesea.pos_tag(text)`` segments ``text`` into words, builds the CRF
features of every word from a list of templates ("T[-1].lower",
"T[0,1]", "T[-2][1]" …) and tags them with its CRF model.  Building the
features is pure Python that parses each template with a regular expression
again for every word (about three quarters of the tagger's time on a task's
clause).  :func:`pos_tag` parses the templates once and builds the same
feature strings, with the same segmenter (memoised per line by
:mod:`checker.extract.nlp`) and the same CRF model, so the tags are the
library's own (tests/test_speed.py compares them on every line of the seeds
and corpus).  If the library's tagger does not look as expected (another
version), its own ``pos_tag`` is used.
"""
from __future__ import annotations

import importlib
import re
from functools import lru_cache
from typing import Any, Callable

# underthesea's template syntax (tagged_feature.template2features)
_TEMPLATE = re.compile(
    r"T\[(?P<index1>\-?\d+)(\,(?P<index2>\-?\d+))?\](\[(?P<column>.*)\])?(\.(?P<function>.*))?")


def _istitle(word: str) -> bool:
    # tagged_feature.text_istitle, step for step
    if len(word) == 0:
        return False
    try:
        for token in [s[0] for s in word.split(" ")]:
            if token[0].istitle() is False:
                return False
        return True
    except Exception:
        return False


# CRFPOSTagPredictor's templates in the checked releases of underthesea
# (checker.libs.UNDERTHESEA_CHECKED; tests/test_speed.py compares them with
# the library's), and its model file
POS_TEMPLATE = (
    "T[-2].lower", "T[-1].lower", "T[0].lower", "T[1].lower", "T[2].lower",
    "T[0].istitle", "T[-1].istitle", "T[1].istitle",
    "T[-2]", "T[-1]", "T[0]", "T[1]", "T[2]",
    "T[-2,-1]", "T[-1,0]", "T[0,1]", "T[1,2]",
    "T[-3][1]", "T[-2][1]", "T[-1][1]",
    "T[-3,-2][1]", "T[-2,-1][1]",
)
POS_MODEL = ("pipeline", "pos_tag", "pos_crf_2017_10_11.bin")


def _parse(template) -> list[tuple[str, int, int, int | None, Callable | None]] | None:
    parsed = []
    for ts in template:
        m = _TEMPLATE.match(ts)
        if m is None:  # pragma: no cover
            return None
        fn = m.group("function")
        func: Callable | None
        if fn is None:
            func = None
        elif fn == "lower":
            func = str.lower
        elif fn == "istitle":
            func = _istitle
        else:
            feats = importlib.import_module("underthesea.pipeline.pos_tag.tagged_feature")
            func = (lambda name: lambda w: feats.apply_function(name, w))(fn)
        col = m.group("column")
        i2 = m.group("index2")
        parsed.append((f"{ts}=", int(col) if col else 0, int(m.group("index1")),
                       int(i2) if i2 else None, func))
    return parsed


@lru_cache(maxsize=1)
def _tagger() -> tuple[Any, list[tuple[str, int, int, int | None, Callable | None]]] | None:
    """(the CRF model, the parsed templates), or None to use underthesea's pos_tag.

    For a checked release the model file is loaded straight into
    underthesea_core's CRFTagger, as CRFPOSTagPredictor does, without importing
    the predictor's module (it loads a 74,000-word dictionary, and a downloader
    with urllib, that the tagger's templates never read)."""
    from checker.libs import checked_underthesea, underthesea

    try:
        root = checked_underthesea()
        if root is not None and root.joinpath(*POS_MODEL).is_file():
            from underthesea_core import CRFTagger

            underthesea("word_tokenize")  # the light package (checker/libs.py)
            model = CRFTagger()
            model.load(str(root.joinpath(*POS_MODEL)))
            template = list(POS_TEMPLATE)
        else:
            underthesea("pos_tag")
            crf = importlib.import_module("underthesea.pipeline.pos_tag.model_crf")
            predictor = crf.CRFPOSTagPredictor.Instance()
            model, template = predictor.model, list(predictor.transformer.template)
        parsed = _parse(template)
    except Exception:  # pragma: no cover - another version of underthesea
        return None
    return (model, parsed) if parsed is not None else None


def features(words: list[str], template) -> list[list[str]]:
    """The CRF features of ``words`` (rows ``(word, "X")``), as
    ``TaggedTransformer.sentence2features`` builds them."""
    n = len(words)
    cols = (words, ["X"] * n)
    out = []
    for i in range(n):
        f = []
        for prefix, col, i1, i2, func in template:
            if i + i1 < 0:
                f.append(prefix + "BOS")
                continue
            if i + i1 >= n:
                f.append(prefix + "EOS")
                continue
            if i2 is not None:
                if i + i2 >= n:
                    f.append(prefix + "EOS")
                    continue
                w = " ".join(cols[col][i + i1:i + i2 + 1])
            else:
                w = cols[col][i + i1]
            f.append(prefix + w if func is None else f"{prefix}{func(w)}")
        out.append(f)
    return out


def pos_tag(text: str, segment: Callable[[str], Any] | None = None) -> list[tuple[str, str]]:
    """``underthesea.pos_tag(text)``: (word, tag) pairs.  ``segment`` is
    underthesea's ``word_tokenize`` (default), or a memo of it."""
    from checker.libs import underthesea

    t = _tagger()
    if t is None:  # pragma: no cover
        return underthesea("pos_tag")(text)
    model, template = t
    words = list((segment or underthesea("word_tokenize"))(text))
    return list(zip(words, model.tag(features(words, template))))
