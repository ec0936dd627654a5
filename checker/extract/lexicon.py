"""The action-verb lexicon of the task extractor (``reference/lexicon.yaml``):
whether an item gives an action."""
from __future__ import annotations

from checker.normalize import fold

_LEXICON: dict | None = None


def lexicon() -> dict:
    global _LEXICON
    if _LEXICON is None:
        from checker.resources import load_yaml, read_text

        data = load_yaml(read_text("reference", "lexicon.yaml"))
        _LEXICON = {
            "verbs": tuple(sorted({fold(v) for v in data["action_verbs"]}, key=len, reverse=True)),
            "connectives": tuple(fold(v) for v in data["connectives"]),
        }
    return _LEXICON


def is_action(ntext: str) -> bool:
    """An item that gives an action: it opens with an action verb of the lexicon."""
    f = fold(ntext.strip().lstrip("*_ "))
    lex = lexicon()
    return f.startswith(lex["verbs"]) and not f.startswith(lex["connectives"])
