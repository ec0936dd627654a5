"""Results kept in memory between the upload and the report or download pages:
a bounded, expiring store behind unguessable tokens."""
from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any


TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


# --------------------------------------------------------------------------
# the only shared state: finished results, behind a lock

@dataclass
class Entry:
    result: Any
    name: str
    created: float
    rendered: dict[tuple[str, str], str] = field(default_factory=dict)
    by_lang: dict[str, Any] = field(default_factory=dict)  # the result with findings in that language


class ResultStore:
    """Finished check results by random token, forgotten after ``ttl``
    seconds or when more than ``capacity`` are kept (oldest first)."""

    def __init__(self, ttl: float = 1800.0, capacity: int = 64):
        self.ttl = ttl
        self.capacity = capacity
        self._lock = threading.Lock()
        self._items: OrderedDict[str, Entry] = OrderedDict()

    def put(self, result: Any, name: str) -> str:
        token = secrets.token_hex(16)
        with self._lock:
            self._expire()
            self._items[token] = Entry(result, name, time.monotonic())
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return token

    def get(self, token: str) -> Entry | None:
        if not TOKEN_RE.match(token or ""):
            return None
        with self._lock:
            self._expire()
            return self._items.get(token)

    def remember(self, token: str, key: tuple[str, str], text: str) -> None:
        with self._lock:
            e = self._items.get(token)
            if e is not None:
                e.rendered[key] = text

    def remember_lang(self, token: str, lang: str, result: Any) -> None:
        with self._lock:
            e = self._items.get(token)
            if e is not None:
                e.by_lang[lang] = result

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _expire(self) -> None:
        now = time.monotonic()
        while self._items:
            token, e = next(iter(self._items.items()))
            if now - e.created <= self.ttl:
                break
            self._items.popitem(last=False)
