"""Calendar dates: whether a (partial) date can exist, and the dates a user types."""
from __future__ import annotations


def parse_day(value: str | None):
    """A date the user typed (an option, a form field): YYYY-MM-DD or DD/MM/YYYY;
    None when blank; ValueError when it is neither or cannot exist."""
    import datetime as dt

    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


def date_exists(year: int | None, month: int | None = None, day: int | None = None) -> bool:
    """Whether a (partial) date can exist on the calendar: a blank month or day
    is fine, 31 tháng 6, 29/02/2025, month 13 and year 0 are not."""
    import calendar

    if year is None:
        return month is None and day is None
    if not 1 <= year <= 9999:
        return False
    if month is not None and not 1 <= month <= 12:
        return False
    if day is not None:
        last = calendar.monthrange(year, month)[1] if month else 31
        if not 1 <= day <= last:
            return False
    return True
