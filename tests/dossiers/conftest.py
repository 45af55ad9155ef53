"""Fixtures for the dossier core: a migrated database with agencies and procedures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from dossiers import Applicant, ApplicantKind, Procedure, Submission
from dossiers.catalog import save_procedure
from portal.accounts import Role, create_agency, create_user
from storage.db import Database

HOME = "000.00.00.H56"
OTHER = "000.00.02.H56"
# A Monday morning in Vietnam (01:30 UTC = 08:30 +07:00).
MONDAY = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
CITIZEN_ID = 1


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.upgrade()
    with database.unit_of_work() as session:
        create_agency(session, agency_id=HOME, name_vi="Sở Tư pháp", name_en="Justice")
        create_agency(session, agency_id=OTHER, name_vi="Sở Xây dựng", name_en="Construction")
        save_procedure(
            session,
            Procedure(
                code="1.001193",
                name_vi="Đăng ký khai sinh",
                name_en="Birth registration",
                agency_id=HOME,
                processing_days=3,
            ),
        )
        citizen = create_user(
            session,
            actor=None,
            username="citizen",
            full_name="Trần Văn An",
            password=None,
            agency_id=HOME,
            roles=(Role.CITIZEN,),
        )
        assert citizen.id == CITIZEN_ID
    yield database
    database.dispose()


def birth_submission(key: str | None = "k-1", user_id: int | None = CITIZEN_ID) -> Submission:
    return Submission(
        procedure_code="1.001193",
        applicant=Applicant(ApplicantKind.PERSON, "001203012345", "Trần Văn An", user_id),
        data={"child": {"full_name": "Trần Thị Bé"}},
        form_code="1.001193.TKKS",
        form_version="1",
        idempotency_key=key,
    )
