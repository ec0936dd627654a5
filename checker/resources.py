"""Access to the data folders installed with the package.

``rules/``, ``reference/`` and ``reports/`` are installed as the packages
``checker.rules``, ``checker.reference`` and ``checker.reports``; in a
checkout they are found through the same names (see pyproject), so nothing
here depends on the current directory.
"""
from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Traversable:
    """The installed data folder ``name`` (rules | reference | reports)."""
    assert name in ("rules", "reference", "reports")
    try:
        return resources.files(f"checker.{name}")
    except ModuleNotFoundError:
        # source checkout without install: the folder beside the package
        return _ROOT / name  # pragma: no cover


def read_text(name: str, filename: str) -> str:
    return data_dir(name).joinpath(filename).read_text(encoding="utf-8")


def list_files(name: str, suffix: str) -> list[str]:
    return sorted(p.name for p in data_dir(name).iterdir() if p.name.endswith(suffix))


def load_yaml(text: str):
    """``yaml.safe_load`` with the C loader (libyaml) when PyYAML has it:
    ~10× faster on the reference sets and rule packs.  Same data; on bad
    YAML the pure-Python loader parses again, so errors read as before."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:  # pragma: no cover - PyYAML without libyaml
        return yaml.safe_load(text)
    try:
        return yaml.load(text, Loader=loader)
    except (yaml.YAMLError, ValueError):
        return yaml.safe_load(text)  # raises the familiar error (or agrees with the C loader)


# ------------------------------------------------------------ on-disk cache
# Data built from the installed files (YAML parsed and checked against its
# schema) is kept between processes in the user's cache folder, keyed by a
# digest of everything it was built from (the data's text, the schema's text,
# the tool's and Python's versions, and :func:`build_version`: every module of
# the package and every installed data file by name, size and modification
# time, so that an edited checkout never reads what older code built).  The cache is an optimisation only:
# deleting it, a missing or read-only folder, or a damaged file means the
# data is built again, never an error and never a different answer.
# PLANCHECK_DATA_CACHE=0 turns it off; PLANCHECK_CACHE_DIR moves it.

_CACHE_FORMAT = "2"
_BUILT_BY: list[str] = []


def build_version() -> str:
    """Digest of what cached values are built by: every module of the
    ``checker`` package and every file of the installed data folders
    (``rules``, ``reference``, ``reports``), by relative path, size and
    modification time, without reading them.  Part of every cache key: an
    edited checkout, a reinstall or another copy builds afresh."""
    if not _BUILT_BY:
        import hashlib
        import os

        h = hashlib.sha256()
        roots = [("checker", Path(__file__).resolve().parent, (".py",))]
        for name in ("rules", "reference", "reports"):
            d = data_dir(name)
            if isinstance(d, Path):
                roots.append((name, d, ()))
        for label, root, suffixes in roots:
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for fn in sorted(files):
                    if suffixes and not fn.endswith(suffixes):
                        continue
                    path = os.path.join(folder, fn)
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue
                    rel = os.path.relpath(path, root)
                    h.update(f"{label}/{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
        _BUILT_BY.append(h.hexdigest())
    return _BUILT_BY[0]


def cache_dir() -> Path | None:
    """``$PLANCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/plancheck``, else
    ``~/.cache/plancheck`` (``%LOCALAPPDATA%\\plancheck`` on Windows); None
    when the cache is turned off."""
    import os

    if os.environ.get("PLANCHECK_DATA_CACHE", "1").strip().lower() in ("0", "no", "off", "false"):
        return None
    if os.environ.get("PLANCHECK_CACHE_DIR"):
        return Path(os.environ["PLANCHECK_CACHE_DIR"])
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "plancheck"
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "plancheck"


def cached(kind: str, sources, build, requires: tuple[str, ...] = ()):
    """``build()``, or the value it gave before for the same ``sources``
    (texts, or a function giving them), from the on-disk cache.  The value
    must be picklable; it is a fresh copy on every call (callers may change
    it).  When a module of ``requires`` cannot be imported, or the sources
    cannot be read, ``build()`` runs (and reports the problem as it does
    without a cache)."""
    import hashlib
    import importlib.util
    import os
    import pickle
    import sys

    from checker import __version__

    folder = cache_dir()
    if folder is None:
        return build()
    try:
        if callable(sources):
            sources = sources()
        if not all(importlib.util.find_spec(m) is not None for m in requires):
            return build()
    except Exception:
        return build()
    h = hashlib.sha256()
    for part in (_CACHE_FORMAT, kind, __version__, sys.version, build_version(), *sources):
        b = part.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    path = folder / "data" / f"{kind}-{h.hexdigest()[:32]}.pickle"
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # absent, unreadable or damaged: build it again
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # read-only or full disk: the cache is never required
        try:
            tmp.unlink()
        except Exception:
            pass
    return value
