"""Dossier codes: ``<agency id>-<YYMMDD>-<sequence>`` by default.

The pattern is a setting (DOMAIN.md marks the exact format as an
assumption). Sequences are allocated per agency and day from a counter row,
in one atomic statement (insert the day's first number, or add one to the
counter, and return it). The statement takes the row's write lock
(PostgreSQL) or the database's (SQLite) until the submission commits, so
concurrent submissions never draw the same number, on either database.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dossiers.errors import DossierError
from storage.schema.dossiers import DossierCounterRow

DEFAULT_PATTERN = "{agency}-{date:%y%m%d}-{seq:04d}"
_FIELDS = {"agency", "date", "seq"}
_AGENCY = r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}"
_DATE_DIRECTIVES = {"Y": r"\d{4}", "y": r"\d{2}", "m": r"\d{2}", "d": r"\d{2}", "j": r"\d{3}"}
#: The counter is a 32-bit integer column: no sequence may go past it.
MAX_SEQUENCE = 2**31 - 1


@dataclass(frozen=True)
class CodeParts:
    """What a dossier code says: the agency, the local day it was given, its number."""

    agency_id: str
    day: date
    seq: int


@dataclass(frozen=True)
class CodeFormat:
    """How dossier codes are written.

    ``pattern`` uses ``{agency}``, ``{date:...}`` (strftime) and ``{seq:...}``.
    """

    pattern: str = DEFAULT_PATTERN

    def __post_init__(self) -> None:
        names = {f for _, f, _, _ in string.Formatter().parse(self.pattern) if f}
        if names != _FIELDS:
            raise DossierError(
                f"Mẫu mã hồ sơ '{self.pattern}' phải có đủ {{agency}}, {{date}} và {{seq}}.",
                f"The dossier code pattern '{self.pattern}' must use {{agency}}, {{date}} "
                "and {seq} exactly.",
                code="dossiers.bad_code_pattern",
            )

    def format(self, *, agency_id: str, day: datetime, seq: int) -> str:
        return self.pattern.format(agency=agency_id, date=day, seq=seq)

    def regex(self) -> re.Pattern[str]:
        """A pattern that recognises codes of this format (for lookups and imports).

        Groups ``agency``, ``date`` and ``seq`` hold the three parts.
        """
        parts = []
        for literal, name, spec, _ in string.Formatter().parse(self.pattern):
            parts.append(re.escape(literal))
            if name == "agency":
                parts.append(f"(?P<agency>{_AGENCY})")
            elif name == "date":
                parts.append(f"(?P<date>{_date_regex(spec or '')})")
            elif name == "seq":
                parts.append(r"(?P<seq>\d+)")
        return re.compile("^" + "".join(parts) + "$")

    def matches(self, code: str) -> bool:
        """Whether ``code`` is a well-formed code of this format (see :meth:`parse`)."""
        try:
            self.parse(code)
        except DossierError:
            return False
        return True

    @property
    def max_sequence(self) -> int:
        """The largest number the pattern's ``{seq:0Nd}`` holds (9999 for the default)."""
        width = re.search(r"(\d+)d$", self._spec("seq"))
        return min(10 ** int(width.group(1)) - 1, MAX_SEQUENCE) if width else MAX_SEQUENCE

    def parse(self, code: str) -> CodeParts:
        """The parts of ``code``, if it is written exactly as this format writes codes.

        Refused (``dossiers.bad_code``, ``details["reason"]``): another shape
        (``shape``), a date that does not exist such as ``261340`` (``date``), a
        number of 0 or past :attr:`max_sequence` (``sequence``), or padded
        otherwise than the pattern pads it, ``042`` for ``0042`` (``padding``).
        """
        found = self.regex().match(code)
        if found is None:
            example = self.format(agency_id="000.00.00.H56", day=datetime(2026, 11, 20), seq=1)
            raise _bad_code(
                code,
                "shape",
                f"không đúng định dạng (ví dụ: {example})",
                f"does not have the expected form (example: {example})",
            )
        try:
            day = datetime.strptime(found["date"], self._spec("date") or "%y%m%d").date()
        except ValueError as exc:
            raise _bad_code(
                code,
                "date",
                f"có phần ngày '{found['date']}' không phải là một ngày có thật",
                f"has a date part '{found['date']}' that is not a real date",
            ) from exc
        seq = int(found["seq"])
        if not 1 <= seq <= self.max_sequence:
            raise _bad_code(
                code,
                "sequence",
                f"có số thứ tự ngoài khoảng 1–{self.max_sequence}",
                f"has a sequence number outside 1–{self.max_sequence}",
            )
        canonical = self.format(
            agency_id=found["agency"], day=datetime.combine(day, time()), seq=seq
        )
        if canonical != code:
            raise _bad_code(
                code,
                "padding",
                f"không viết đúng cách hệ thống viết mã (đúng là {canonical})",
                f"is not written the way the system writes codes (it would be {canonical})",
            )
        return CodeParts(found["agency"], day, seq)

    def _spec(self, field: str) -> str:
        return next(s for _, f, s, _ in string.Formatter().parse(self.pattern) if f == field) or ""


def _bad_code(code: str, reason: str, vi: str, en: str) -> DossierError:
    return DossierError(
        f"Mã hồ sơ '{code}' {vi}.",
        f"The dossier code '{code}' {en}.",
        code="dossiers.bad_code",
        details={"code": code, "reason": reason},
    )


def _date_regex(spec: str) -> str:
    """A regex for dates written with the strftime ``spec`` (``%y%m%d``: six digits)."""
    out, i = [], 0
    while i < len(spec):
        if spec[i] == "%" and i + 1 < len(spec):
            out.append(_DATE_DIRECTIVES.get(spec[i + 1], r".+?"))
            i += 2
        else:
            out.append(re.escape(spec[i]))
            i += 1
    return "".join(out) or r"\d{6,8}"


def allocate_code(session: Session, fmt: CodeFormat, *, agency_id: str, day: datetime) -> str:
    """The next dossier code for ``agency_id`` on the local ``day``."""
    counters = DossierCounterRow.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(counters)
        .values(agency_id=agency_id, day=day.strftime("%Y%m%d"), last=1)
        .on_conflict_do_update(
            index_elements=[counters.c.agency_id, counters.c.day],
            set_={"last": counters.c.last + 1},
        )
        .returning(counters.c.last)
    )
    seq = session.execute(statement).scalar_one()
    return fmt.format(agency_id=agency_id, day=day, seq=seq)


def reserve_code(session: Session, parts: CodeParts) -> None:
    """Make sure the counter of ``parts``' agency and day is at least its number.

    An imported (backfilled) code takes its number out of the day's sequence,
    so a dossier submitted later that day never draws the same code.
    """
    counters = DossierCounterRow.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(counters)
        .values(agency_id=parts.agency_id, day=parts.day.strftime("%Y%m%d"), last=parts.seq)
        .on_conflict_do_update(
            index_elements=[counters.c.agency_id, counters.c.day],
            set_={"last": case((counters.c.last < parts.seq, parts.seq), else_=counters.c.last)},
        )
    )
    session.execute(statement)
