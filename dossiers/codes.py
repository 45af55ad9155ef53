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
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dossiers.errors import DossierError
from storage.schema.dossiers import DossierCounterRow

DEFAULT_PATTERN = "{agency}-{date:%y%m%d}-{seq:04d}"
_FIELDS = {"agency", "date", "seq"}


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
        """A pattern that recognises codes of this format (for lookups and imports)."""
        parts = []
        for literal, name, _spec, _ in string.Formatter().parse(self.pattern):
            parts.append(re.escape(literal))
            if name == "agency":
                parts.append(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}")
            elif name == "date":
                parts.append(r"\d{6,8}")
            elif name == "seq":
                parts.append(r"\d{4,}")
        return re.compile("^" + "".join(parts) + "$")

    def matches(self, code: str) -> bool:
        return bool(self.regex().match(code))


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
