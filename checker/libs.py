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

``PLANCHECK_FULL_IMPORTS=1`` turns this off (plain imports), and any
failure of the narrow path falls back to the plain import.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from typing import Any

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
    try:
        for sub in _PRELUDE.get(name, ()):
            importlib.import_module(sub)
    except Exception:
        complete(mod)  # the plain import, with what was imported so far
    return mod


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
