"""Working days: processing deadlines skip weekends and public holidays.

Public holidays move every year (Tết follows the lunar calendar), so they
are data: a set of dates given by the caller (from settings or a file).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

#: Closing hour of a working day, local time: a deadline is the end of its day.
END_OF_DAY = time(17, 0)


@dataclass(frozen=True)
class WorkingCalendar:
    """Weekends (Saturday, Sunday) and the given holidays are not working days."""

    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_iso(cls, days: Iterable[str]) -> WorkingCalendar:
        """Build from ``YYYY-MM-DD`` strings; raise ``ValueError`` naming a bad one."""
        parsed = set()
        for raw in days:
            raw = raw.strip()
            if not raw:
                continue
            try:
                parsed.add(date.fromisoformat(raw))
            except ValueError as exc:
                raise ValueError(f"not a YYYY-MM-DD date: {raw!r}") from exc
        return cls(frozenset(parsed))

    @classmethod
    def vietnam(
        cls, extra: Iterable[str] = (), *, years: range = range(2024, 2036)
    ) -> WorkingCalendar:
        """Fixed-date national holidays (1/1, 30/4, 1/5, 2/9) plus ``extra`` days.

        Tết and the Hùng Kings' day follow the lunar calendar and the days off
        around them are announced each year: give them in ``extra``
        (``EFORMS_HOLIDAYS``).
        """
        fixed = {date(y, m, d) for y in years for m, d in ((1, 1), (4, 30), (5, 1), (9, 2))}
        return cls(frozenset(fixed | cls.from_iso(extra).holidays))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def due_at(self, received: datetime, days: int) -> datetime:
        """Deadline (aware, UTC) for a dossier received at ``received``.

        Counting starts the next working day; the deadline is the end of
        the last working day, local time.
        """
        local_day = received.astimezone(VN_TZ).date()
        due_day = self.add_working_days(local_day, days)
        return datetime.combine(due_day, END_OF_DAY, tzinfo=VN_TZ).astimezone(ZoneInfo("UTC"))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count
