"""What every reader returns: the located text units of one document."""
from __future__ import annotations

from dataclasses import dataclass, field

from checker.model import Unit


@dataclass
class ReadResult:
    units: list[Unit]
    format: str  # txt | md | docx | pdf | doc
    notes: list[str] = field(default_factory=list)
    skipped_pages: list[int] = field(default_factory=list)  # PDF pages dropped for a garbled text layer
    sha256: str = ""
