"""Task parts found by what they hold, not only by their title.

A chapter named by its theme ("III. PHÁT TRIỂN HẠ TẦNG SỐ", "IV. PHÁT TRIỂN
KINH TẾ SỐ … NGÀNH, LĨNH VỰC") holds action items just as "NHIỆM VỤ, GIẢI
PHÁP" does; parts whose title already names a role (objectives, purpose,
funding …) keep it.
"""
from __future__ import annotations

from checker.extract.structure import Item
from checker.extract.lexicon import is_action
from checker.model import Section


def roles_by_content(items: list[Item], sections: list[Section]) -> None:
    """A top-level part whose title names no role (a chapter named by its theme,
    "III. PHÁT TRIỂN HẠ TẦNG SỐ") is a task part when most of its items are
    actions; its sub-parts without a role of their own follow it."""
    tops = [s for s in sections if s.parent is None]
    for k, sec in enumerate(tops):
        if sec.role is not None:
            continue
        end = tops[k + 1].unit if k + 1 < len(tops) else None
        heads = {s.unit for s in sections}
        inside = [it for it in items if it.unit > sec.unit and (end is None or it.unit < end)
                  and it.unit not in heads]
        if not inside:
            continue
        actions = sum(1 for it in inside if is_action(it.ntext))
        if actions >= 2 and actions >= 0.4 * len(inside):
            ids = {sec.id}
            sec.role = "tasks"
            for s in sections:
                if s.parent in ids and s.role is None:
                    s.role = "tasks"
                    ids.add(s.id)


