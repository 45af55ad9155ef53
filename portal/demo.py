"""Demo data for a fresh installation: agencies, one account per role.

Idempotent: running it again changes nothing that exists. Later
capabilities (forms, PKI, dossiers) add their own demo data here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from dossiers import Procedure
from dossiers.catalog import save_procedure
from portal.accounts import Role, create_agency, create_user
from storage.db import Database
from storage.schema import UserRow

#: Password of every demo account. Demo mode only; production refuses demo data.
DEMO_PASSWORD = "Demo@2026"

#: The demo citizen's personal identification number (exists in the bundled registry).
DEMO_CITIZEN_ID = "001203012345"


@dataclass(frozen=True)
class DemoAgency:
    id: str
    name_vi: str
    name_en: str


DEMO_AGENCIES = (
    DemoAgency("000.00.00.H56", "Sở Tư pháp (tỉnh thử nghiệm)", "Department of Justice (demo)"),
    DemoAgency("000.00.01.H56", "Công an tỉnh (tỉnh thử nghiệm)", "Provincial Police (demo)"),
    DemoAgency(
        "000.00.02.H56", "Sở Xây dựng (tỉnh thử nghiệm)", "Department of Construction (demo)"
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    agency_id: str
    personal_id: str | None = None


HOME = DEMO_AGENCIES[0].id
POLICE = DEMO_AGENCIES[1].id
OTHER = DEMO_AGENCIES[2].id

#: The demo procedures and who handles them (processing times in working days).
DEMO_PROCEDURES = (
    Procedure(
        code="1.001193",
        name_vi="Đăng ký khai sinh",
        name_en="Birth registration",
        agency_id=HOME,
        processing_days=1,
        form_code="1.001193.TKKS",
        result_title_vi="Giấy khai sinh",
        result_title_en="Birth certificate",
        retention_code="01",
    ),
    Procedure(
        code="1.004222",
        name_vi="Đăng ký thường trú",
        name_en="Permanent residence registration",
        agency_id=POLICE,
        processing_days=7,
        form_code="1.004222.CT01",
        result_title_vi="Thông báo kết quả đăng ký thường trú",
        result_title_en="Notice of permanent residence registration",
        retention_code="04",
    ),
    Procedure(
        code="1.013225",
        name_vi="Cấp giấy phép xây dựng (nhà ở riêng lẻ)",
        name_en="Construction permit (individual house)",
        agency_id=OTHER,
        processing_days=15,
        form_code="1.013225.MS01",
        result_title_vi="Giấy phép xây dựng",
        result_title_en="Construction permit",
        retention_code="03",
    ),
)

DEMO_ACCOUNTS = (
    DemoAccount("admin", "Quản trị Sở Tư pháp", Role.ADMIN, HOME),
    DemoAccount("author", "Nguyễn Thị Biểu Mẫu", Role.AUTHOR, HOME),
    # The name the population registry gives DEMO_CITIZEN_ID, and the demo certificate's.
    DemoAccount("citizen", "Nguyễn Văn An", Role.CITIZEN, HOME, DEMO_CITIZEN_ID),
    DemoAccount("officer", "Lê Thị Tiếp Nhận", Role.OFFICER, HOME),
    DemoAccount("leader", "Phạm Văn Lãnh Đạo", Role.LEADER, HOME),
    DemoAccount("archivist", "Hoàng Thị Lưu Trữ", Role.ARCHIVIST, HOME),
    DemoAccount("auditor", "Vũ Văn Kiểm Tra", Role.AUDITOR, HOME),
    DemoAccount("supervisor", "Đặng Thị Giám Sát", Role.SUPERVISOR, HOME),
    # A second agency, to show that scopes hold between units.
    DemoAccount("admin2", "Quản trị Sở Xây dựng", Role.ADMIN, OTHER),
    DemoAccount("author2", "Bùi Văn Thiết Kế", Role.AUTHOR, OTHER),
    DemoAccount("officer2", "Đỗ Thị Cấp Phép", Role.OFFICER, OTHER),
    DemoAccount("leader2", "Trịnh Văn Phê Duyệt", Role.LEADER, OTHER),
    # The police unit that handles residence registration (CT01).
    DemoAccount("officer.ca", "Lý Văn Cư Trú", Role.OFFICER, POLICE),
    DemoAccount("leader.ca", "Mai Thị Thủ Trưởng", Role.LEADER, POLICE),
)


def seed_demo(db: Database) -> list[DemoAccount]:
    """Create the demo agencies and accounts that are missing; return the accounts."""
    with db.unit_of_work() as session:
        for agency in DEMO_AGENCIES:
            create_agency(
                session, agency_id=agency.id, name_vi=agency.name_vi, name_en=agency.name_en
            )
        for procedure in DEMO_PROCEDURES:
            save_procedure(session, procedure)
        existing = set(session.scalars(select(UserRow.username)))
        for demo in DEMO_ACCOUNTS:
            if demo.username in existing:
                continue
            create_user(
                session,
                actor=None,
                username=demo.username,
                full_name=demo.full_name,
                password=DEMO_PASSWORD,
                agency_id=demo.agency_id,
                roles=(demo.role,),
                personal_id=demo.personal_id,
            )
    return list(DEMO_ACCOUNTS)
