"""Shared fixtures: a small but complete definition document."""

from __future__ import annotations

import copy
from typing import Any

import pytest


def _text(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


SMALL_DEFINITION: dict[str, Any] = {
    "format": "eforms.form-definition/1",
    "code": "1.000001.TK01",
    "procedure": {"code": "1.000001", "name": _text("Thủ tục thử", "Test procedure")},
    "agency_id": "000.00.00.H56",
    "title": _text("Tờ khai thử", "Test declaration"),
    "version": 1,
    "status": "draft",
    "legal_basis": {
        "document": "01/2026/TT-TEST",
        "title": "Thông tư thử nghiệm",
        "issued_on": "2026-01-01",
        "effective_from": "2026-02-01",
    },
    "retention": {"code": "06"},
    "sections": [
        {
            "id": "s_applicant",
            "title": _text("Người khai", "Applicant"),
            "fields": [
                {
                    "id": "f_kind",
                    "key": "kind",
                    "type": "choice",
                    "label": _text("Loại người nộp", "Applicant kind"),
                    "required": True,
                    "options": [
                        {"code": "person", "label": _text("Cá nhân", "Person")},
                        {"code": "organisation", "label": _text("Tổ chức", "Organisation")},
                    ],
                },
                {
                    "id": "f_name",
                    "key": "full_name",
                    "type": "text",
                    "label": _text("Họ và tên", "Full name"),
                    "required": True,
                    "sensitive": True,
                    "max_length": 100,
                },
                {
                    "id": "f_birth",
                    "key": "birth_date",
                    "type": "date",
                    "label": _text("Ngày sinh", "Date of birth"),
                    "required": True,
                    "visible_when": {"==": [{"var": "kind"}, "person"]},
                },
                {
                    "id": "f_tax",
                    "key": "tax_code",
                    "type": "tax_code",
                    "label": _text("Mã số doanh nghiệp", "Enterprise code"),
                    "required": True,
                    "visible_when": {"==": [{"var": "kind"}, "organisation"]},
                },
                {
                    "id": "f_ethnicity",
                    "key": "ethnicity",
                    "type": "choice",
                    "label": _text("Dân tộc", "Ethnicity"),
                    "code_list": "ethnicities",
                },
            ],
        },
        {
            "id": "s_members",
            "title": _text("Thành viên", "Members"),
            "fields": [
                {
                    "id": "f_members",
                    "key": "members",
                    "type": "repeat",
                    "label": _text("Thành viên", "Members"),
                    "max_items": 5,
                    "fields": [
                        {
                            "id": "f_member_name",
                            "key": "name",
                            "type": "text",
                            "label": _text("Họ và tên", "Name"),
                            "required": True,
                        },
                        {
                            "id": "f_member_birth",
                            "key": "birth",
                            "type": "partial_date",
                            "label": _text("Năm sinh", "Year of birth"),
                            "precisions": ["day", "month", "year"],
                        },
                    ],
                }
            ],
        },
    ],
    "rules": [
        {
            "id": "birth_not_future",
            "check": {"<=": [{"var": "birth_date"}, {"today": []}]},
            "fields": ["birth_date"],
            "message": _text(
                "Ngày sinh không được sau hôm nay.", "Birth date cannot be in the future."
            ),
        }
    ],
    "test_cases": [
        {
            "name": "person accepted",
            "data": {"kind": "person", "full_name": "Nguyễn Văn A", "birth_date": "1990-05-17"},
            "expect": {"accepted": True},
        },
        {
            "name": "organisation without tax code",
            "data": {"kind": "organisation", "full_name": "Công ty B", "birth_date": "1990-05-17"},
            "expect": {"accepted": False, "errors": ["tax_code"]},
        },
    ],
}


@pytest.fixture
def small_doc() -> dict[str, Any]:
    """A fresh copy of the small definition document (tests may edit it)."""
    return copy.deepcopy(SMALL_DEFINITION)


@pytest.fixture(scope="session")
def small_doc_template() -> dict[str, Any]:
    """The small definition document, shared: copy it before changing it."""
    return SMALL_DEFINITION


@pytest.fixture
def database(database_url: str) -> Any:
    """A fresh database (SQLite, and PostgreSQL as integration) with every migration."""
    from storage.db import Database

    db = Database(database_url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def service(database: Any) -> Any:
    """A form service on the fresh database, with a fixed 'today'."""
    from datetime import date

    from forms_builder import FormService

    return FormService(database, today=lambda: date(2026, 11, 24))
