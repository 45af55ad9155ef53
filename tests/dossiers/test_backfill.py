"""Offline backfill: a bundle is checked whole before anything is stored, and a refused or
failed import leaves nothing behind (no dossier, no object, no audit or outbox event, no
counter)."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from sqlalchemy import func, select, text

from dossiers import (
    BackfillError,
    DossierPermissionError,
    DossierPolicy,
    Status,
    get_dossier,
    submit,
)
from dossiers.backfill import BundleLimits, import_backfill, read_bundle
from dossiers.queries import statistics
from storage.db import Database
from storage.errors import StoreFullError
from storage.fs_store import FsObjectStore
from storage.ports import ObjectInfo
from storage.schema import DossierRow
from storage.schema.audit import AuditEventRow
from storage.schema.dossiers import DossierCounterRow, OutboxEventRow
from tests.dossiers.conftest import HOME, OTHER, birth_submission

# Tuesday 24 November 2026, 10:00 in Vietnam.
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TODAY = "2026-11-24T08:00:00+07:00"
DROP = object()
"""As a change: remove the field from the manifest."""


def _manifest(**changes: object) -> dict[str, Any]:
    manifest: dict[str, Any] = {
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
    for key, value in changes.items():
        if value is DROP:
            manifest.pop(key)
        else:
            manifest[key] = value
    return manifest


def _bundle(tmp_path: Path, files: dict[str, bytes] | None = None, **changes: object) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir(exist_ok=True)
    for name, data in (files or {"files/to-khai.pdf": PDF}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "dossier.json").write_text(json.dumps(_manifest(**changes), ensure_ascii=False))
    return folder


def _zip(members: dict[str, bytes] | list[tuple[str, bytes]]) -> io.BytesIO:
    out = io.BytesIO()
    items = members.items() if isinstance(members, dict) else members
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # duplicate names are the point of one test
        for name, data in items:
            archive.writestr(name, data)
    out.seek(0)
    return out


def _encrypted(upload: io.BytesIO) -> io.BytesIO:
    """``upload`` with every member marked as encrypted (zipfile cannot write such zips)."""
    data = bytearray(upload.getvalue())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            data[at + flag_at] |= 0x1
            at = data.find(signature, at + 4)
    return io.BytesIO(bytes(data))


def _import(db: Database, store: Any, path: Path | BinaryIO, **kwargs: Any) -> Any:
    return import_backfill(
        db,
        store,
        read_bundle(path),
        policy=DossierPolicy(),
        actor="officer",
        now=kwargs.pop("now", NOW),
        **kwargs,
    )


def _count(db: Database, model: type) -> int:
    with db.unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def store(tmp_path: Path) -> FsObjectStore:
    return FsObjectStore(tmp_path / "objects")


@pytest.fixture
def unchanged(db: Database, store: FsObjectStore) -> Iterator[None]:
    """Asserts, after the test, that nothing at all was written."""
    before = [_count(db, m) for m in (AuditEventRow, OutboxEventRow, DossierCounterRow)]
    yield
    assert _count(db, DossierRow) == 0
    assert [_count(db, m) for m in (AuditEventRow, OutboxEventRow, DossierCounterRow)] == before
    assert list(store.list("")) == []


def test_backfill_is_imported_and_marked(
    db: Database, store: FsObjectStore, tmp_path: Path
) -> None:
    dossier = _import(db, store, _bundle(tmp_path))
    assert dossier.backfilled and dossier.status is Status.IN_PROCESSING
    with db.unit_of_work() as s:
        loaded = get_dossier(s, dossier.code)
        figures = statistics(s, start=datetime(2026, 11, 1, tzinfo=UTC), end=NOW, now=NOW).total()
        events = s.scalars(
            select(AuditEventRow).where(AuditEventRow.object_id == dossier.code)
        ).all()
    assert all(h.backfilled for h in loaded.history)
    assert loaded.history[1].occurred_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    [doc] = loaded.documents
    assert doc.file_name == "to-khai.pdf" and store.get(doc.object_key).read() == PDF
    assert figures.received_backfilled == 1
    assert [e.action for e in events] == [
        "dossier.submit",
        "dossier.receive",
        "dossier.start_processing",
        "dossier.backfill",
    ]
    assert all(e.details.get("backfilled") for e in events[:3])


def test_a_zip_of_the_folder_with_vietnamese_names_is_imported(
    db: Database, store: FsObjectStore, tmp_path: Path
) -> None:
    """Zipping the folder (``bundle/dossier.json``) works; object keys stay ASCII."""
    documents = [{"file": "tệp/Tờ khai gốc.pdf", "media_type": "application/pdf"}]
    upload = _zip(
        {
            "bundle/dossier.json": json.dumps(_manifest(documents=documents)).encode(),
            "bundle/tệp/Tờ khai gốc.pdf": PDF,
            "__MACOSX/bundle/._dossier.json": b"junk",
        }
    )
    saved = tmp_path / "ho-so.zip"
    saved.write_bytes(upload.getvalue())
    assert read_bundle(saved) == read_bundle(upload)
    dossier = _import(db, store, saved)
    [doc] = dossier.documents
    assert doc.file_name == "Tờ khai gốc.pdf" and doc.object_key.endswith("01-To-khai-goc.pdf")


def test_utc_times_are_placed_on_the_vietnamese_day(
    db: Database, store: FsObjectStore, tmp_path: Path
) -> None:
    """17:30 UTC on the 19th is 00:30 on the 20th in Vietnam: the code of the 20th fits."""
    history = [{"action": "receive", "at": "2026-11-19T18:00:00Z"}]
    dossier = _import(
        db, store, _bundle(tmp_path, submitted_at="2026-11-19T17:30:00Z", history=history)
    )
    assert dossier.submitted_at == datetime(2026, 11, 19, 17, 30, tzinfo=UTC)


def _step(action: str, at: str, **more: object) -> dict[str, object]:
    return {"action": action, "at": at, **more}


def _doc(file: str, media_type: str = "application/pdf", **more: object) -> dict[str, object]:
    return {"file": file, "media_type": media_type, **more}


TO_APPROVAL = [
    _step("receive", "2026-11-20T09:00:00+07:00"),
    _step("start_processing", "2026-11-20T10:00:00+07:00"),
    _step("submit_for_approval", "2026-11-20T11:00:00+07:00"),
]
BAD_MANIFESTS = {
    # the dossier code
    "malformed code": ({"code": "HS-khong-hop-le"}, "does not have the expected form"),
    "agency part": ({"code": "H56-261120-0042"}, "does not have the expected form"),
    "impossible date part": ({"code": f"{HOME}-261340-0042"}, "not a real date"),
    "date part of another day": ({"code": f"{HOME}-261119-0042"}, "carries the day 19/11/2026"),
    "sequence overflow": ({"code": f"{HOME}-261120-10000"}, "outside 1–9999"),
    "sequence zero": ({"code": f"{HOME}-261120-0000"}, "outside 1–9999"),
    "huge sequence": ({"code": f"{HOME}-261120-{'9' * 30}"}, "outside 1–9999"),
    "sequence padding": ({"code": f"{HOME}-261120-042"}, "it would be"),
    "code of another agency": ({"code": f"{OTHER}-261120-0042"}, f"is of agency {OTHER}"),
    "code not a string": ({"code": 42}, "'code' must be a non-empty string"),
    # dates
    "future": ({"submitted_at": "2027-01-01T08:00:00+07:00"}, "in the future"),
    "today, later hour": (
        {"code": f"{HOME}-261124-0001", "submitted_at": "2026-11-24T15:00:00+07:00"},
        "in the future (it is now 24/11/2026 10:00",
    ),
    "future step": (
        {"history": [_step("receive", "2026-11-24T10:30:00+07:00")]},
        "'history[0].at' (2026-11-24T10:30:00+07:00) is in the future",
    ),
    "no offset": ({"submitted_at": "2026-11-20T08:00:00"}, "no offset"),
    "date only": ({"submitted_at": "2026-11-20"}, "no offset"),
    "impossible date": ({"submitted_at": "2026-02-30T08:00:00+07:00"}, "not a real ISO 8601"),
    "date not a string": ({"submitted_at": 20261120}, "not a real ISO 8601"),
    "before 2000": (
        {"code": f"{HOME}-991120-0042", "submitted_at": "1999-11-20T08:00:00+07:00"},
        "before 2000",
    ),
    "step before submission": (
        {"history": [_step("receive", "2026-11-19T09:00:00+07:00")]},
        "earlier than 'submitted_at'",
    ),
    "closed before it was received": (
        {
            "history": [
                _step("receive", "2026-11-20T09:00:00+07:00"),
                _step("reject", "2026-11-20T08:59:00+07:00", note="Sai"),
            ]
        },
        "earlier than 'history[0].at'",
    ),
    # steps
    "illegal transition": ({"history": [_step("approve", "2026-11-20T09:00:00+07:00")]}, "cannot"),
    "unknown action": ({"history": [_step("delete", "2026-11-20T09:00:00+07:00")]}, "unknown"),
    "rejection without a reason": (
        {"history": [_step("reject", "2026-11-20T09:00:00+07:00")]},
        "needs a reason",
    ),
    "approval without a result": ({"history": TO_APPROVAL}, "needs the drafted result"),
    "issue without the result": (
        {
            "history": [
                *TO_APPROVAL,
                _step("approve", "2026-11-20T12:00:00+07:00"),
                _step("issue_result", "2026-11-20T13:00:00+07:00"),
            ],
            "documents": [_doc("files/to-khai.pdf", kind="result_draft")],
        },
        "issuing needs the result document",
    ),
    # fields
    "missing field": ({"applicant": DROP}, "lacks the field(s) applicant"),
    "extra field": ({"submited_at": "2026-11-20T08:00:00+07:00"}, "unknown field(s) submited_at"),
    "extra step field": (
        {"history": [_step("receive", "2026-11-20T09:00:00+07:00", by="x")]},
        "history[0] has unknown field(s) by",
    ),
    "history not a list": ({"history": "receive"}, "'history' must be a JSON list"),
    "history item not an object": ({"history": ["receive"]}, "history[0] must be a JSON object"),
    "applicant not an object": ({"applicant": "Trần Văn An"}, "applicant must be a JSON object"),
    "applicant identifier too long": (
        {"applicant": {"identifier": "1" * 40, "name": "An"}},
        "'identifier' must be a non-empty string of at most 32",
    ),
    "applicant kind": (
        {"applicant": {"kind": "robot", "identifier": "1", "name": "An"}},
        "unknown kind 'robot'",
    ),
    "data not an object": ({"data": ["a"]}, "data must be a JSON object"),
    "unknown procedure": ({"procedure_code": "1.999999"}, "no active procedure with code"),
    # documents
    "document missing": ({"documents": [_doc("files/nope.pdf")]}, "missing from the bundle"),
    "document listed twice": (
        {"documents": [_doc("files/to-khai.pdf"), _doc("files/to-khai.pdf")]},
        "listed twice",
    ),
    "path traversal": ({"documents": [_doc("../to-khai.pdf")]}, "unsafe file path"),
    "absolute path": ({"documents": [_doc("/etc/passwd")]}, "unsafe file path"),
    "document not listed": ({"documents": []}, "not listed in 'documents': files/to-khai.pdf"),
    "type not accepted": (
        {"documents": [_doc("files/to-khai.pdf", "application/x-msdownload")]},
        "not accepted",
    ),
    "content of another type": (
        {"documents": [_doc("files/to-khai.pdf", "image/png")]},
        "content is not image/png",
    ),
    "signed not a boolean": (
        {"documents": [_doc("files/to-khai.pdf", signed="yes")]},
        "'signed' must be true or false",
    ),
    "document kind": ({"documents": [_doc("files/to-khai.pdf", kind="x")]}, "unknown kind 'x'"),
}


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("changes", "needle"), BAD_MANIFESTS.values(), ids=BAD_MANIFESTS.keys())
def test_bad_manifests_change_nothing(
    db: Database, store: FsObjectStore, tmp_path: Path, changes: dict[str, object], needle: str
) -> None:
    with pytest.raises(BackfillError) as info:
        _import(db, store, _bundle(tmp_path, **changes))
    assert needle in info.value.message_en
    assert info.value.message_vi.startswith("Tệp nhập bù không hợp lệ")
    assert info.value.message_vi != info.value.message_en


BAD_ZIPS = {
    "traversal member": ({"dossier.json": b"{}", "../evil.pdf": PDF}, "unsafe file name"),
    "absolute member": ({"dossier.json": b"{}", "/tmp/evil.pdf": PDF}, "unsafe file name"),
    "backslash member": ({"dossier.json": b"{}", "..\\evil.pdf": PDF}, "unsafe file name"),
    "no manifest": ({"files/a.pdf": PDF}, "dossier.json is missing"),
    "duplicate members": (
        [("dossier.json", b"{}"), ("a.pdf", PDF), ("a.pdf", PDF)],
        "two files named 'a.pdf'",
    ),
    "not UTF-8": ({"dossier.json": '{"code": "Café"}'.encode("latin-1")}, "not UTF-8"),
    "not JSON": ({"dossier.json": b"{nope"}, "not valid JSON (line 1, column 2"),
    "JSON but a list": ({"dossier.json": b"[1, 2]"}, "must be a JSON object ({...}), not a list"),
    "JSON but a string": ({"dossier.json": b'"x"'}, "not a str"),
}


@pytest.mark.parametrize(("members", "needle"), BAD_ZIPS.values(), ids=BAD_ZIPS.keys())
def test_bad_zips_are_refused_unread(members: Any, needle: str) -> None:
    with pytest.raises(BackfillError) as info:
        read_bundle(_zip(members))
    assert needle in info.value.message_en


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    bomb = _zip({"dossier.json": b"{}", "files/a.pdf": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb.getvalue()) < 200_000
    with pytest.raises(BackfillError, match=r"'files/a.pdf' is too large \(60.0 MB, at most 50"):
        read_bundle(bomb)
    many = _zip({"dossier.json": b"{}", **{f"f{i}.pdf": PDF for i in range(5)}})
    with pytest.raises(BackfillError, match="holds 6 files, more than 4"):
        read_bundle(many, limits=BundleLimits(max_members=4))
    with pytest.raises(BackfillError, match="too large once unpacked"):
        read_bundle(many, limits=BundleLimits(max_total_bytes=100))


def test_encrypted_damaged_or_foreign_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BackfillError, match="password-protected"):
        read_bundle(_encrypted(_zip({"dossier.json": b"{}"})))
    manifest = json.dumps(_manifest()).encode()
    damaged = bytearray(_zip({"dossier.json": manifest}).getvalue())
    damaged[50:80] = b"\xff" * 30  # inside the compressed manifest
    with pytest.raises(BackfillError, match="not a readable directory or zip"):
        read_bundle(io.BytesIO(bytes(damaged)))
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"MZ\x90\x00 not a zip")
    with pytest.raises(BackfillError, match="not a readable directory or zip"):
        read_bundle(junk)
    folder = _bundle(tmp_path)
    with pytest.raises(BackfillError, match="not dossier.json itself"):
        read_bundle(folder / "dossier.json")
    (folder / "link.pdf").symlink_to("/etc/passwd")
    with pytest.raises(BackfillError, match="'link.pdf' is a link"):
        read_bundle(folder)


def test_a_manifest_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    bundle = read_bundle(_zip({"dossier.json": b"\xef\xbb\xbf" + json.dumps(_manifest()).encode()}))
    assert bundle.manifest["code"] == f"{HOME}-261120-0042"


@pytest.mark.usefixtures("unchanged")
def test_an_officer_may_only_backfill_for_their_agency(
    db: Database, store: FsObjectStore, tmp_path: Path
) -> None:
    with pytest.raises(DossierPermissionError, match="you may only backfill dossiers of your"):
        _import(db, store, _bundle(tmp_path), agency_ids=frozenset({OTHER}))


def test_existing_code_is_refused_and_an_imported_code_is_never_drawn_again(
    db: Database, store: FsObjectStore, tmp_path: Path
) -> None:
    live = tmp_path / "live"
    live.mkdir()
    with db.unit_of_work() as s:
        first = submit(s, birth_submission("k-1"), policy=DossierPolicy(), actor="c", now=NOW)
    assert first.code == f"{HOME}-261124-0001"
    with pytest.raises(BackfillError, match="already exists"):
        _import(db, store, _bundle(live, code=first.code, submitted_at=TODAY, history=[]))
    # A paper dossier of this morning, numbered 0042: the next online one is 0043.
    _import(
        db,
        store,
        _bundle(tmp_path, code=f"{HOME}-261124-0042", submitted_at=TODAY, history=[]),
    )
    with db.unit_of_work() as s:
        after = submit(s, birth_submission("k-2"), policy=DossierPolicy(), actor="c", now=NOW)
    assert after.code == f"{HOME}-261124-0043"
    with pytest.raises(BackfillError, match="already exists"):
        _import(
            db,
            store,
            _bundle(tmp_path, code=f"{HOME}-261124-0042", submitted_at=TODAY, history=[]),
        )
    assert len(list(store.list(""))) == 1


class FailingStore:
    """The filesystem store, full after ``puts`` successful puts (a disk that fills up)."""

    def __init__(self, store: FsObjectStore, puts: int) -> None:
        self.store, self.left = store, puts

    def put(self, key: str, data: BinaryIO, **kwargs: Any) -> ObjectInfo:
        if self.left == 0:
            raise StoreFullError("Kho đầy.", "The store is full.")
        self.left -= 1
        return self.store.put(key, data, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.mark.usefixtures("unchanged")
def test_a_store_failure_removes_the_files_already_stored(
    db: Database, store: FsObjectStore, tmp_path: Path
) -> None:
    documents = [_doc("files/to-khai.pdf"), _doc("files/anh.png", "image/png")]
    folder = _bundle(
        tmp_path, {"files/to-khai.pdf": PDF, "files/anh.png": PNG}, documents=documents
    )
    with pytest.raises(StoreFullError):
        _import(db, FailingStore(store, puts=1), folder)


@pytest.mark.usefixtures("unchanged")
def test_a_database_failure_removes_the_stored_files(
    db: Database, store: FsObjectStore, tmp_path: Path
) -> None:
    """The documents' insert fails after the files are stored: the files go again."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER no_documents BEFORE INSERT ON dossier_documents "
                    "BEGIN SELECT RAISE(ABORT, 'disk I/O'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION no_documents() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'disk I/O'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER no_documents BEFORE INSERT ON dossier_documents "
                    "FOR EACH ROW EXECUTE FUNCTION no_documents()"
                )
            )
    with pytest.raises(Exception, match="disk I/O"):
        _import(db, store, _bundle(tmp_path))
