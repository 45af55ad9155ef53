"""Metadata filled from a dossier record, archivist corrections, retention rules."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from archive.codes import VN_TZ, RetentionCode, iso, retention_expiry
from archive.demo import render_pdfa
from archive.errors import InvalidRecordError
from archive.metadata import complete, describe
from archive.record import DossierRecord, load_record


@pytest.mark.parametrize(
    ("code", "years", "expected"),
    [
        (RetentionCode.YEARS_10, None, date(2037, 1, 1)),
        (RetentionCode.YEARS_70, None, date(2097, 1, 1)),
        (RetentionCode.OTHER, 5, date(2032, 1, 1)),
        (RetentionCode.PERMANENT, None, None),
    ],
)
def test_retention_counts_from_the_year_after_closing(
    code: RetentionCode, years: int | None, expected: date | None
) -> None:
    expiry = retention_expiry(date(2026, 11, 22), code, years)
    assert (expiry.date() if expiry else None) == expected
    if expiry:
        assert iso(expiry).endswith("+07:00")


def test_other_retention_needs_years() -> None:
    with pytest.raises(InvalidRecordError):
        retention_expiry(date(2026, 1, 1), RetentionCode.OTHER)


def test_describe_fills_every_item_and_counts_pages(record: DossierRecord) -> None:
    meta = describe(record)
    assert meta.dossier.archive_code == record.dossier_code
    assert meta.dossier.document_count == 3
    assert meta.dossier.page_count == sum(d.page_count for d in meta.documents)
    assert [d.identifier for d in meta.documents][0] == f"{record.dossier_code}.001"
    result = meta.documents[2]
    assert result.format == "application/pdf; PDF/A-3B"
    assert result.signer_position == "GIÁM ĐỐC" and len(result.sha256) == 64
    assert meta.dossier.end_date == date(2026, 11, 22)


def test_archivist_corrections_are_applied_and_checked(record: DossierRecord) -> None:
    meta = describe(record)
    fixed = complete(
        meta,
        dossier={"title": "Hồ sơ đăng ký thường trú", "access": "03", "keywords": ["cư trú"]},
        documents={2: {"summary": "Bản quét sổ đỏ", "issued": "2020-01-02"}},
    )
    assert fixed.dossier.title == "Hồ sơ đăng ký thường trú"
    assert fixed.dossier.access.value == "03" and fixed.dossier.keywords == ("cư trú",)
    assert fixed.documents[1].issued == date(2020, 1, 2)
    with pytest.raises(InvalidRecordError) as unknown:
        complete(meta, dossier={"colour": "blue"})
    assert unknown.value.details["unknown"] == ["colour"]
    with pytest.raises(InvalidRecordError):
        complete(meta, documents={1: {"sha256": "0" * 64}})
    with pytest.raises(InvalidRecordError):
        complete(meta, documents={9: {"summary": "x"}})


def test_a_record_loads_from_json_with_relative_files(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "form.pdf").write_bytes(render_pdfa("TỜ KHAI", ["Dòng 1"]))
    closed = datetime(2026, 11, 22, 9, 30, tzinfo=VN_TZ)
    raw = {
        "dossier_code": "000.00.00.H56-261122-0007",
        "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh",
        "agency_id": "000.00.00.H56",
        "agency_name": "UBND xã Demo",
        "applicant_id": "001203012345",
        "applicant_name": "Nguyễn Văn An",
        "submitted": "2026-11-20T08:00:00+07:00",
        "closed": closed.isoformat(),
        "retention": "01",
        "history": [{"status": "closed", "at": closed.isoformat(), "officer": "Lê Thị Hoa"}],
        "documents": [{"role": "form", "title": "Tờ khai", "file": "docs/form.pdf"}],
    }
    (tmp_path / "record.json").write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    loaded = load_record(tmp_path / "record.json")
    assert loaded.documents[0].read_bytes().startswith(b"%PDF")
    assert describe(loaded).documents[0].page_count == 1
    raw["retention"] = "9"
    raw["colour"] = "blue"
    (tmp_path / "record.json").write_text(json.dumps(raw), "utf-8")
    with pytest.raises(InvalidRecordError) as schema_errors:
        load_record(tmp_path / "record.json")
    assert len(schema_errors.value.details["problems"]) == 2
    del raw["colour"]
    raw["retention"] = "01"
    raw["documents"][0]["file"] = "docs/missing.pdf"
    (tmp_path / "record.json").write_text(json.dumps(raw), "utf-8")
    with pytest.raises(InvalidRecordError) as caught:
        load_record(tmp_path / "record.json")
    assert caught.value.details["item"] == "documents[1].file"
