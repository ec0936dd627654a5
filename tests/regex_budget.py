"""Every compiled regular expression of the engine, and adversarial strings to
time them on (used by tests/test_regex_budget.py and bench/fuzz.py).

``engine_patterns()`` imports every module under ``checker`` (the apps too),
walks their globals — patterns, and patterns inside tuples, lists, dicts and
class attributes — and adds the patterns compiled from the rule packs
(rules/*.yaml) and the phrase data.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import time
from typing import Iterator

SKIP_MODULES = ("checker.apps.serve.wsgi",)


def _walk(obj, seen: set[int], depth: int = 0) -> Iterator[re.Pattern]:
    if id(obj) in seen or depth > 4:
        return
    seen.add(id(obj))
    if isinstance(obj, re.Pattern):
        yield obj
    elif isinstance(obj, dict):
        for v in list(obj.values()):
            yield from _walk(v, seen, depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for v in list(obj):
            yield from _walk(v, seen, depth + 1)


def engine_patterns() -> dict[str, re.Pattern]:
    import checker

    found: dict[str, re.Pattern] = {}
    for info in pkgutil.walk_packages(checker.__path__, "checker."):
        if info.name in SKIP_MODULES:
            continue
        try:
            mod = importlib.import_module(info.name)
        except Exception:  # pragma: no cover - an optional dependency missing
            continue
        for name, val in list(vars(mod).items()):
            if isinstance(val, type) and val.__module__ == mod.__name__:
                for an, av in list(vars(val).items()):
                    for i, p in enumerate(_walk(av, set())):
                        found.setdefault(f"{info.name}.{name}.{an}[{i}]", p)
                continue
            for i, p in enumerate(_walk(val, set())):
                found.setdefault(f"{info.name}.{name}[{i}]", p)
    # the rule packs' patterns
    from checker.judge.rulepack import load_rules

    for rule in load_rules():
        for i, p in enumerate(_walk(rule.params, set())):
            found.setdefault(f"rule {rule.code}[{i}]", p)
        for k, v in (rule.params or {}).items():
            pats = v if isinstance(v, list) else []
            for j, item in enumerate(pats):
                if isinstance(item, dict) and isinstance(item.get("re"), str):
                    found.setdefault(f"rule {rule.code}.{k}[{j}]",
                                     re.compile(item["re"], re.I))
    # de-duplicate identical patterns
    out: dict[str, re.Pattern] = {}
    keys: set[tuple[str, int]] = set()
    for name, p in found.items():
        k = (p.pattern if isinstance(p.pattern, str) else repr(p.pattern), p.flags)
        if k not in keys:
            keys.add(k)
            out[name] = p
    return out


CITE = "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị"


def adversarial() -> dict[str, str]:
    """Strings crafted against backtracking: long runs, near-misses, nesting."""
    sp = " " * 32000
    return {
        "spaces": sp,
        "spaces-x": sp + "x",
        "table-sep": "--|" + " " * 3000,
        "table-sep-x": "--|" + " " * 3000 + "x",
        "table-sep-long": "--|" + " " * 32000 + "x",
        "table-sep-pipes": "|" + "-|" * 3000 + " ",
        "cite-spaces": CITE + sp,
        "cite-spaces-x": CITE + sp + "!",
        "many-cites": ("57-NQ/TW " * 45000)[:200000],
        "many-cites-full": "; ".join([CITE] * 2000),
        "digits": "1" * 20000,
        "digit-dots": "1." * 10000,
        "digit-slashes": "1/" * 10000 + "x",
        "dashes": "-" * 20000,
        "dash-space": "- " * 15000,
        "words": "số " * 15000,
        "ngay": "ngày " * 10000 + "tháng",
        "upper": "ỦY BAN NHÂN DÂN " * 3000,
        "caps": "A" * 30000 + "!",
        "caps-space": "A " * 15000 + "1",
        "nested": "(" * 5000 + "a" + ")" * 5000,
        "dots": "." * 30000,
        "ellipsis": "…" * 20000,
        "tabs": "\t" * 20000 + "x",
        "colons": "a:" * 15000,
        "commas": "a, " * 12000 + ".",
        "semicolons": "xã An Bình; " * 4000,
        "roman": "I" * 20000 + ".",
        "letters": "a) " * 10000,
        "quotes": "“" * 10000 + "x",
        "mixed": ("Căn cứ Kế hoạch số 92/KHUBND ngày 15/9/2025 của UBND tỉnh " * 500),
        "underscores": "_" * 20000 + "/",
        "symbol-glue": "KH" * 10000 + "-",
    }


def inline_patterns(paths) -> dict[str, re.Pattern]:
    """The patterns the engine compiles inside functions (``re.search(r"…", s)``):
    run the whole pipeline on ``paths`` and take what ``re`` cached meanwhile."""
    from checker import pipeline

    re.purge()
    for path in paths:
        try:
            pipeline.check(path)
        except Exception:  # noqa: BLE001 - only the patterns matter here
            pass
    cache = getattr(re, "_cache", {})  # CPython's compile cache
    src = _raw_source()
    out = {}
    for key, p in list(cache.items()):
        # only the engine's own (the libraries it calls compile theirs too)
        if isinstance(p, re.Pattern) and isinstance(p.pattern, str) and len(p.pattern) > 3 \
                and f'r"{p.pattern}"' in src:
            out[f"inline {p.pattern[:60]!r}"] = p
    return out


def inline_anchored(p: re.Pattern) -> bool:
    """An inline pattern the engine only uses with re.match / re.fullmatch."""
    src = _raw_source()
    uses: set[str] = set()
    for line in src.splitlines():
        if f'r"{p.pattern}"' in line:
            uses |= set(re.findall(r"\bre\.(\w+)\(", line))
    return bool(uses) and uses <= {"match", "fullmatch"}


def match_only(name: str) -> bool:
    """True when the engine only ever calls ``.match``/``.fullmatch`` on the
    module-level pattern ``name`` (checked in the engine's source), so that
    it is timed anchored, where it is used, and not searched."""
    if not name.startswith("checker.") or "[" not in name:
        return False
    attr = name.rsplit(".", 1)[-1].split("[", 1)[0]
    src = _engine_source()
    uses = re.findall(rf"\b{re.escape(attr)}\.(\w+)\(", src)
    return bool(uses) and set(uses) <= {"match", "fullmatch"} and not _passed_around(attr, src)


def _passed_around(attr: str, src: str) -> bool:
    """Used as a value (an argument, in a tuple…) rather than called: time it fully."""
    for m in re.finditer(rf"\b{re.escape(attr)}\b", src):
        after = src[m.end():m.end() + 20].lstrip()
        if after.startswith(("= re.compile", ".")):
            continue
        if after.startswith((",", ")", "]", "}")):
            return True
    return False


_SRC: list[str] = []
_RAW: list[str] = []


def _raw_source() -> str:
    if not _RAW:
        from pathlib import Path

        import checker

        root = Path(checker.__file__).parent
        _RAW.append("\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py")))
    return _RAW[0]


def _engine_source() -> str:
    if not _SRC:
        from pathlib import Path

        import checker

        root = Path(checker.__file__).parent
        text = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
        # imports name a pattern without using it
        text = re.sub(r"^\s*from\s+\S+\s+import\s+\([^)]*\)", "", text, flags=re.M)
        text = re.sub(r"^\s*(?:from\s+\S+\s+)?import\s+[^\n]*", "", text, flags=re.M)
        _SRC.append(text)
    return _SRC[0]


class _Stop(Exception):
    pass


def _alarm(*_):
    raise _Stop


def time_pattern(p: re.Pattern, text: str, limit: float, anchored: bool = False) -> float:
    """Seconds for the slowest way the pattern meets ``text``: ``match`` at the
    start and where the crafted part begins (after a citation), and, unless
    ``anchored``, ``finditer`` over the whole text with every match consumed.
    A pattern still running after 20 × ``limit`` is stopped (re checks for
    signals while it matches) and reported as that long."""
    import signal

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit * 20)
    try:
        return _time_pattern(p, text, limit, anchored)
    except _Stop:
        return limit * 20
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _time_pattern(p: re.Pattern, text: str, limit: float, anchored: bool) -> float:
    worst = 0.0
    starts = [0] + ([len(CITE)] if text.startswith(CITE) else [])
    for pos in starts:
        t0 = time.process_time()
        p.match(text, pos)
        worst = max(worst, time.process_time() - t0)
    if not anchored:
        t0 = time.process_time()
        for _ in p.finditer(text):
            if time.process_time() - t0 > limit * 10:
                break
        worst = max(worst, time.process_time() - t0)
    return worst
