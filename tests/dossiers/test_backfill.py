"""Offline backfill: a bundle is checked whole before anything is stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dossiers import BackfillError, DossierPolicy, Status, get_dossier
from dossiers.backfill import import_backfill, read_bundle
from dossiers.queries import statistics
from storage.db import Database
from storage.fs_store import FsObjectStore
from storage.schema import DossierRow
from tests.dossiers.conftest import HOME

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _bundle(tmp_path: Path, **changes: object) -> Path:
    manifest = {
        "code": f"{HOME}-261120-0042",
        "procedure_code": "1.001193",
        "applicant": {"kind": "person", "identifier": "001203012345", "name": "Trần Văn An"},
        "data": {"child": "Trần Thị Bé"},
        "submitted_at": "2026-11-20T08:00:00+07:00",
        "history": [
            {"action": "receive", "at": "2026-11-20T08:30:00+07:00", "actor": "officer"},
            {"action": "start_processing", "at": "2026-11-20T09:00:00+07:00", "actor": "officer"},
        ],
        "documents": [
            {
                "kind": "form",
                "title": "Tờ khai",
                "file": "files/to-khai.pdf",
                "media_type": "application/pdf",
            },
        ],
    }
    manifest.update(changes)
    folder = tmp_path / "bundle"
    (folder / "files").mkdir(parents=True, exist_ok=True)
    (folder / "files" / "to-khai.pdf").write_bytes(PDF)
    (folder / "dossier.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return folder


def _store(tmp_path: Path) -> FsObjectStore:
    return FsObjectStore(tmp_path / "objects")


def test_backfill_is_imported_and_marked(db: Database, tmp_path: Path) -> None:
    store = _store(tmp_path)
    with db.unit_of_work() as s:
        dossier = import_backfill(
            s,
            store,
            read_bundle(_bundle(tmp_path)),
            policy=DossierPolicy(),
            actor="officer",
            now=NOW,
        )
    assert dossier.backfilled and dossier.status is Status.IN_PROCESSING
    with db.unit_of_work() as s:
        loaded = get_dossier(s, dossier.code)
        figures = statistics(s, start=datetime(2026, 11, 1, tzinfo=UTC), end=NOW, now=NOW).total()
    assert all(h.backfilled for h in loaded.history)
    assert loaded.history[1].occurred_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    [doc] = loaded.documents
    assert store.get(doc.object_key).read() == PDF
    assert figures.received_backfilled == 1


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"code": "HS-khong-hop-le"}, "malformed"),
        ({"code": "000.00.02.H56-261120-0042"}, "not of 000.00.00.H56"),
        ({"submitted_at": "2027-01-01T08:00:00+07:00"}, "in the future"),
        ({"submitted_at": "2026-11-20T08:00:00"}, "no offset"),
        ({"history": [{"action": "approve", "at": "2026-11-20T09:00:00+07:00"}]}, "cannot"),
        ({"history": [{"action": "receive", "at": "2026-11-19T09:00:00+07:00"}]}, "earlier"),
        ({"documents": [{"file": "files/nope.pdf", "media_type": "application/pdf"}]}, "missing"),
        (
            {
                "documents": [
                    {"file": "files/to-khai.pdf", "media_type": "application/x-msdownload"}
                ]
            },
            "not accepted",
        ),
    ],
)
def test_bad_bundles_change_nothing(
    db: Database, tmp_path: Path, changes: dict[str, object], needle: str
) -> None:
    store = _store(tmp_path)
    with pytest.raises(BackfillError) as info, db.unit_of_work() as s:
        import_backfill(
            s,
            store,
            read_bundle(_bundle(tmp_path, **changes)),
            policy=DossierPolicy(),
            actor="officer",
            now=NOW,
        )
    assert needle in info.value.message_en
    assert info.value.message_vi.startswith("Tệp nhập bù không hợp lệ")
    with db.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(DossierRow)) == 0
    assert list(store.list("")) == []


def test_duplicate_code_is_refused(db: Database, tmp_path: Path) -> None:
    store = _store(tmp_path)
    bundle = read_bundle(_bundle(tmp_path))
    with db.unit_of_work() as s:
        import_backfill(s, store, bundle, policy=DossierPolicy(), actor="officer", now=NOW)
    with pytest.raises(BackfillError, match="already exists"), db.unit_of_work() as s:
        import_backfill(s, store, bundle, policy=DossierPolicy(), actor="officer", now=NOW)


def test_not_json_or_not_a_bundle(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "dossier.json").write_text("{nope")
    with pytest.raises(BackfillError, match="not JSON"):
        read_bundle(folder)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"MZ\x90\x00 not a zip")
    with pytest.raises(BackfillError, match="zip"):
        read_bundle(junk)
