"""What the matcher derives from the reference sets, kept apart from the sets'
objects so that it can be stored in the on-disk data cache
(:func:`checker.resources.cached`, through :func:`checker.match.matcher._set_data`):
per mandate its anchor and context keys, its short wording and its group's
keys, and the phrase and topic matchers.  ``sets`` is a list of
``(set id, MandateSet)``; ``key`` is the matcher's phrase key
(:func:`checker.match.matcher.mkey`)."""
from __future__ import annotations

from typing import Any

from checker.match.text import expand_abbreviations
from checker.normalize import squash


def mandates(sets) -> list[tuple[str, Any]]:
    return [(sid, m) for sid, ms in sets for m in ms.mandates]


def topics(sets) -> list[str]:
    from checker.mandates.load import load_set

    out: list[str] = []
    for _, ms in sets:
        out.extend(ms.topic_terms or load_set("nq57").topic_terms)
    return out


def fingerprint(sets) -> list[str]:
    """Everything :func:`derive` reads from the sets, as text."""
    parts = [repr(topics(sets))]
    for sid, ms in sets:
        for m in ms.mandates:
            g = ms.group(m.group) or {}
            parts.append(repr((sid, list(m.anchors), list(m.context), m.title, m.description,
                               list(g.get("keywords") or []), g.get("title", ""))))
    return parts


def derive(sets, key):
    """Per mandate (anchors, context, short, group keys), the phrase matcher
    and the topic matcher: no mandate objects, so it can be kept on disk."""
    from checker.extract.nlp import phrase_matcher

    per_mandate = []
    phrases: list[str] = []
    for sid, ms in sets:
        for m in ms.mandates:
            anchors = {key(p): p for p in m.anchors if key(p)}
            ctx = {key(p): p for p in m.context if key(p) and key(p) not in anchors}
            g = ms.group(m.group) or {}
            gk = [key(x) for x in (g.get("keywords") or []) + [g.get("title", "")] if key(x)]
            short = squash(expand_abbreviations(f"{m.title}. {m.description}"))[:220]
            per_mandate.append((anchors, ctx, short, gk))
            phrases.extend(anchors.values())
            phrases.extend(ctx.values())
    matcher = phrase_matcher([key(p) for p in phrases])
    topic_matcher = phrase_matcher([key(p) for p in (topics(sets) or ["chuyển đổi số"])])
    return per_mandate, matcher, topic_matcher
