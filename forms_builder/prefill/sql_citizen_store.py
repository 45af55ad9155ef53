"""The citizen's data store over the ``citizen_records`` table (SQLite or PostgreSQL).

Results of earlier procedures (a birth certificate's data, a residence
confirmation...) are kept per person with their provenance, so that a later
form prefills them instead of asking again (DOMAIN.md, requirement 4).
The dossier capability writes with :meth:`SqlCitizenDataStore.put_record`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from forms_builder.identifiers import mask_identifier, parse_personal_id
from forms_builder.prefill.errors import CitizenRecordConflictError, PrefillError
from forms_builder.prefill.model import (
    CitizenRecord,
    CitizenRecords,
    LookupResult,
    LookupStatus,
    utc_now,
)
from storage.db import Database
from storage.errors import StorageError
from storage.schema.prefill import CitizenRecordRow

__all__ = ["SqlCitizenDataStore"]

log = logging.getLogger(__name__)
_RECORD_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


class SqlCitizenDataStore:
    """:class:`~forms_builder.prefill.ports.CitizenDataStore` over the database."""

    def __init__(
        self,
        db: Database,
        *,
        name: str = "citizen_store",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._db = db
        self._name = name
        self._clock = clock

    @property
    def name(self) -> str:
        return self._name

    def lookup(self, subject_id: str) -> LookupResult[CitizenRecords]:
        personal_id = parse_personal_id(subject_id).value
        try:
            with self._db.unit_of_work() as session:
                rows = session.scalars(
                    select(CitizenRecordRow)
                    .where(CitizenRecordRow.personal_id == personal_id)
                    .order_by(CitizenRecordRow.issued_at, CitizenRecordRow.id)
                ).all()
                records = tuple(_to_record(row) for row in rows)
        except (StorageError, SQLAlchemyError) as exc:
            log.warning(
                "citizen store lookup failed for subject %s: %s",
                mask_identifier(personal_id),
                type(exc).__name__,
            )
            return LookupResult(
                self._name, LookupStatus.UNAVAILABLE, self._clock(), reason=type(exc).__name__
            )
        return LookupResult(
            self._name, LookupStatus.FOUND, self._clock(), CitizenRecords(personal_id, records)
        )

    def put_record(
        self,
        *,
        personal_id: str,
        name: str,
        data: Mapping[str, Any],
        dossier_code: str,
        issued_at: datetime,
    ) -> CitizenRecord:
        record = _checked(personal_id, name, data, dossier_code, issued_at)
        try:
            with self._db.unit_of_work() as session:
                existing = self._find(session, record)
                if existing is None:
                    session.add(
                        CitizenRecordRow(
                            personal_id=record.personal_id,
                            name=record.name,
                            data=dict(record.data),
                            dossier_code=record.dossier_code,
                            issued_at=record.issued_at,
                            recorded_at=self._clock(),
                        )
                    )
                    return record
                stored = _to_record(existing)
        except IntegrityError:
            # A concurrent writer stored the same key first: compare with what it stored.
            with self._db.unit_of_work() as session:
                stored = _to_record(self._find(session, record))  # type: ignore[arg-type]
        if _canonical(stored.data) != _canonical(record.data):
            raise CitizenRecordConflictError(
                f"Hồ sơ {dossier_code} đã lưu kết quả '{name}' với nội dung khác.",
                f"Dossier {dossier_code} already stored the result '{name}' with other content.",
                details={"name": name, "dossier_code": dossier_code},
            )
        return stored

    @staticmethod
    def _find(session: Any, record: CitizenRecord) -> CitizenRecordRow | None:
        return session.scalars(
            select(CitizenRecordRow).where(
                CitizenRecordRow.personal_id == record.personal_id,
                CitizenRecordRow.name == record.name,
                CitizenRecordRow.dossier_code == record.dossier_code,
            )
        ).one_or_none()


def _checked(
    personal_id: str,
    name: str,
    data: Mapping[str, Any],
    dossier_code: str,
    issued_at: datetime,
) -> CitizenRecord:
    pid = parse_personal_id(personal_id).value
    problem = None
    if not _RECORD_NAME.fullmatch(name):
        problem = ("tên kết quả phải là chữ thường, số, '_'", "the record name must be snake_case")
    elif not dossier_code or len(dossier_code) > 64:
        problem = ("thiếu mã hồ sơ", "the dossier code is missing or too long")
    elif issued_at.tzinfo is None:
        problem = ("thời điểm cấp thiếu múi giờ", "issued_at must be timezone-aware")
    elif not isinstance(data, Mapping):
        problem = ("nội dung phải là một đối tượng JSON", "the data must be a JSON object")
    else:
        try:
            json.dumps(dict(data))
        except (TypeError, ValueError):
            problem = ("nội dung không chuyển được sang JSON", "the data is not JSON-serialisable")
    if problem:
        raise PrefillError(
            f"Không lưu được kết quả vào kho dữ liệu công dân: {problem[0]}.",
            f"Cannot keep the result in the citizen data store: {problem[1]}.",
            code="prefill.citizen_record_invalid",
        )
    return CitizenRecord(pid, name, dict(data), dossier_code, issued_at)


def _to_record(row: CitizenRecordRow) -> CitizenRecord:
    return CitizenRecord(row.personal_id, row.name, dict(row.data), row.dossier_code, row.issued_at)


def _canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)
