"""The filesystem store's earlier two-file layout, as real installations have it.

``OLD_STORE`` is a store written by the code of that time (commit 331d703,
captured byte for byte); :func:`to_old_layout` turns a store of today into
that layout, for tests that need an old installation or an old backup set.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from storage import fs_records

OLD_STORE: dict[str, bytes] = {
    "meta/dossiers/2026/G01.000.pdf.json": (
        b'{"blob": "af0b5dcb153a51c8b1b34d8cecfe5b0d", "content_type": "application/pdf", '
        b'"created": "2026-11-24T08:58:30.454844+00:00", "key": "dossiers/2026/G01.000.pdf", '
        b'"legal_hold": true, "retention": {"mode": "COMPLIANCE", "until": '
        b'"2046-01-01T00:00:00+00:00"}, "sha256": '
        b'"1f704c04333d533762917aa3ef693f4831b10384190ae1473d97f46e0ea86958", "size": 16}'
    ),
    "blobs/af/af0b5dcb153a51c8b1b34d8cecfe5b0d": b"%PDF-1.7 ket qua",
    "meta/drafts/to-khai.json.json": (
        b'{"blob": "28f77c0f96ef02cdc906128585ce3959", "content_type": "application/json", '
        b'"created": "2026-11-24T08:58:30.461873+00:00", "key": "drafts/to-khai.json", '
        b'"legal_hold": false, "retention": null, "sha256": '
        b'"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2}'
    ),
    "blobs/28/28f77c0f96ef02cdc906128585ce3959": b"{}",
    ".lock": b"",
}
"""Path under the store's root -> bytes."""


def write_old_store(root: Path) -> Path:
    """Write :data:`OLD_STORE` under ``root``; return ``root``."""
    for name, data in OLD_STORE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def to_old_layout(root: Path) -> None:
    """Move every object of the store at ``root`` into the earlier two-file layout.

    The record keeps the old fields only, with the lock state of a lock file
    folded in, and is written the way the old store wrote it.
    """
    keys = root / "keys"
    for path in sorted(keys.rglob("*#obj")):
        with open(path, "rb") as fh:
            framed = fs_records.read_framed(fh.fileno(), "?")
            content = fh.read(framed.content_size)
        record = dict(framed.record)
        lock_file = path.with_name(path.name[: -len("#obj")] + "#lock")
        if lock_file.exists():
            with open(lock_file, "rb") as fh:
                lock = fs_records.read_framed(fh.fileno(), "?").record
            if lock["generation"] == record["generation"]:
                record.update(retention=lock["retention"], legal_hold=lock["legal_hold"])
            lock_file.unlink()
        token = secrets.token_hex(16)
        blob = root / "blobs" / token[:2] / token
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(content)
        old = {k: record[k] for k in ("content_type", "created", "key", "legal_hold")}
        old.update(blob=token, retention=record["retention"], sha256=record["sha256"])
        old["size"] = record["size"]
        meta = root / "meta" / f"{record['key']}.json"
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps(old, sort_keys=True))
        path.unlink()
