"""Sentence splitting with underthesea, imported on first use.

underthesea's splitter is called one line at a time: on a whole file it
glues headings to the sentences after them.
"""
from __future__ import annotations

from functools import lru_cache

_split = None


def _splitter():
    global _split
    if _split is None:
        from checker.libs import underthesea  # only the splitter (checker/libs.py)

        _split = underthesea("sent_tokenize")
    return _split


@lru_cache(maxsize=4096)
def _line_sentences(line: str) -> tuple[str, ...]:
    return tuple(s for s in _splitter()(line) if s.strip())


def sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            out.extend(_line_sentences(line))
    return out
