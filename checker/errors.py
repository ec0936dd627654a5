"""Errors a user can act on.  The CLI turns them into one message and exit 2."""
from __future__ import annotations


class PlanError(Exception):
    """Bad input or bad usage: one clear bilingual message, exit code 2."""

    def __init__(self, code: str, vi: str, en: str):
        super().__init__(vi)
        self.code = code
        self.vi = vi
        self.en = en

    def message(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi
