"""The parts of underthesea and spaCy a check uses, imported without the rest.

``import underthesea`` runs its package ``__init__``, which loads NER,
chunking, the classifier's downloader (requests) and joblib; ``import
spacy.matcher`` runs spaCy's ``__init__``, which loads its CLI (weasel,
httpx), every pipeline component and ``Language``.  A check needs none of
that: underthesea's word and sentence splitters and POS tagger, spaCy's
``Vocab``, ``Doc``, ``Matcher`` and ``PhraseMatcher``.

Python always runs a package's ``__init__`` before its submodules, so the
narrow imports go through a *light package*: a module object registered
under the package's name, with the real ``__path__`` (so submodules import
from the installed files) but without running ``__init__``.  The first
access to any other attribute of the package (``spacy.blank``,
``underthesea.ner``, ``__version__`` …) runs the real ``__init__`` in the
same module object, so code that wants the whole library still gets it,
with the submodules already imported shared.  Nothing changes in what the
functions compute: they are the same functions the package would export.

underthesea's splitter also reads three small data files with
``joblib.load`` (the normaliser's maps when it is imported, the segmenter's
feature list and dictionary on the first call), and joblib costs ~0.1 s to
import (asyncio, ssl, pydoc …).  The files are plain pickles, which
``joblib.load`` reads as ``pickle.load`` does; for the version of underthesea
this was checked on (:data:`UNDERTHESEA_CHECKED`; tests/test_speed.py checks
it again), :func:`_prime_normaliser` and :func:`_prime_segmenter` load them with ``pickle`` into the very
module attributes underthesea's own code would set, so its functions run
unchanged.  Another version gets the plain path.

``PLANCHECK_FULL_IMPORTS=1`` turns this off (plain imports), and any
failure of the narrow path falls back to the plain import.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import pickle
import sys
import types
from pathlib import Path
from typing import Any

# the underthesea release whose joblib files were checked to be plain pickles
# and whose module layout _prime_underthesea relies on
UNDERTHESEA_CHECKED = ("9.5.0",)
_TN = "underthesea.pipeline.text_normalize.text_normalizer"
_TN_RULES = "tn_rules_2023_07_14.bin"
_WS_MODEL = ("models", "ws_crf_vlsp2013_20230727")

# attribute of the package -> module that defines it (underthesea)
_UNDERTHESEA = {
    "word_tokenize": "underthesea.pipeline.word_tokenize",
    "sent_tokenize": "underthesea.pipeline.sent_tokenize",
    "pos_tag": "underthesea.pipeline.pos_tag",
    "text_normalize": "underthesea.pipeline.text_normalize",
}
# imported first, in the order the package's __init__ imports them (their
# modules import each other; another order meets a circular import)
_PRELUDE = {
    "underthesea": ("underthesea.pipeline.text_normalize",),
    "spacy": ("spacy.errors", "spacy.tokens", "spacy.vocab", "spacy.matcher"),
}
_LAZY_ATTRS = {"underthesea": _UNDERTHESEA, "spacy": {}}


class _LightPackage(types.ModuleType):
    """A package whose ``__init__`` runs only when something needs it."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr not in ("__all__", "__version__"):
            raise AttributeError(attr)
        name = self.__name__
        where = _LAZY_ATTRS.get(name, {}).get(attr)
        if where is not None:
            value = getattr(importlib.import_module(where), attr)
            setattr(self, attr, value)
            return value
        sub = f"{name}.{attr}"
        if sub in sys.modules:
            return sys.modules[sub]
        if importlib.util.find_spec(sub) is not None:  # `from pkg import submodule`
            return importlib.import_module(sub)
        complete(self)
        return getattr(self, attr)


def complete(mod: types.ModuleType) -> None:
    """Run the real ``__init__`` of a light package (once)."""
    if isinstance(mod, _LightPackage):
        mod.__class__ = types.ModuleType
        mod.__spec__.loader.exec_module(mod)


def _light(name: str) -> types.ModuleType:
    """The package ``name``: the one already imported, or a light one."""
    mod = sys.modules.get(name)
    if mod is not None:
        return mod
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations or os.environ.get("PLANCHECK_FULL_IMPORTS"):
        return importlib.import_module(name)
    mod = _LightPackage(name)
    mod.__spec__ = spec
    mod.__loader__ = spec.loader
    mod.__file__ = spec.origin
    mod.__path__ = list(spec.submodule_search_locations)
    mod.__package__ = name
    sys.modules[name] = mod
    primed = False
    try:
        if name == "underthesea":
            primed = _prime_normaliser(Path(spec.origin).parent)
        for sub in _PRELUDE.get(name, ()):
            importlib.import_module(sub)
        if primed:
            _prime_segmenter(Path(spec.origin).parent)
    except Exception:
        complete(mod)  # the plain import, with what was imported so far
    return mod


def _load_pickle(path: Path) -> Any:
    # an installed data file of underthesea, which reads it with joblib.load
    with open(path, "rb") as f:
        return pickle.load(f)


def checked_underthesea() -> Path | None:
    """The folder of the installed underthesea if it is a release in
    :data:`UNDERTHESEA_CHECKED` (and the narrow imports are on), else None."""
    if os.environ.get("PLANCHECK_FULL_IMPORTS"):
        return None
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.origin:
        return None
    root = Path(spec.origin).parent
    return root if _checked_underthesea(root) else None


def _checked_underthesea(root: Path) -> bool:
    return any((root.parent / f"underthesea-{v}.dist-info").is_dir() for v in UNDERTHESEA_CHECKED)


def _prime_normaliser(root: Path) -> bool:
    """Register underthesea's normaliser-maps module, read without joblib."""
    if not _checked_underthesea(root) or _TN in sys.modules:
        return False
    rules = root / "pipeline" / "text_normalize" / _TN_RULES
    data = _load_pickle(rules)

    class TextNormalizer:  # the library's class, reading its file with pickle
        def __init__(self, binary_file):
            d = _load_pickle(Path(binary_file))
            self.character_map = d["character"]
            self.token_map = d["token"]

    tn = types.ModuleType(_TN)
    tn.__file__ = str(rules.parent / "text_normalizer.py")
    tn.__package__ = _TN.rsplit(".", 1)[0]
    tn.TextNormalizer = TextNormalizer
    tn.rule_file = _TN_RULES
    tn.text_normalizer = normalizer = TextNormalizer.__new__(TextNormalizer)
    normalizer.character_map, normalizer.token_map = data["character"], data["token"]
    tn.character_map, tn.token_map = data["character"], data["token"]
    sys.modules[_TN] = tn
    return True


def _prime_segmenter(root: Path) -> None:
    """Give word_tokenize its model, loaded without joblib on the first call."""
    wt = importlib.import_module("underthesea.pipeline.word_tokenize")
    if getattr(wt, "word_tokenize_model", 1) is None:
        wt.word_tokenize_model = _Segmenter(root.joinpath("pipeline", "word_tokenize", *_WS_MODEL))


class _Segmenter:
    """underthesea's FastCRFSequenceTagger for word_tokenize (load + predict),
    loaded on the first call, its feature list and dictionary read with pickle."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.featurizer = self.estimator = None

    def _load(self) -> None:
        from underthesea_core import CRFFeaturizer, CRFTagger

        estimator = CRFTagger()
        estimator.load(str(self.base / "models.bin"))
        features = _load_pickle(self.base / "features.bin")
        dictionary = _load_pickle(self.base / "dictionary.bin")
        self.featurizer = CRFFeaturizer(features, dictionary)
        self.estimator = estimator

    def predict(self, tokens):
        if self.estimator is None:
            self._load()
        x = self.featurizer.process([tokens])[0]
        return self.estimator.tag(x)


_READY: dict[str, types.ModuleType] = {}


def package(name: str) -> types.ModuleType:
    """``underthesea`` or ``spacy``, ready for the parts a check uses."""
    mod = _READY.get(name)
    if mod is None:
        mod = _READY[name] = _light(name)
        if name == "spacy" and isinstance(mod, _LightPackage):
            # what spaCy's __init__ does first: its own warning filters
            sys.modules["spacy.errors"].setup_default_warnings()
    return mod


def underthesea(attr: str) -> Any:
    """One function of underthesea (``word_tokenize``, ``sent_tokenize``,
    ``pos_tag``, ``text_normalize``) without loading the others."""
    return getattr(package("underthesea"), attr)


def spacy() -> types.ModuleType:
    """spaCy with ``spacy.vocab``, ``spacy.tokens`` and ``spacy.matcher``
    imported (``from spacy.matcher import Matcher`` works after this)."""
    return package("spacy")
