"""Dissemination packages: the AIP as an E-ARK DIP, with its history since ingest.

The AIP's files are read back (each checked against its indexed SHA-256),
PREMIS gains the events recorded after ingest (fixity checks, accesses,
disposal steps), and both METS files are rewritten with
``OAISPACKAGETYPE="DIP"``. Documents and descriptive metadata are the
archived bytes unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from archive.builder import software_agent
from archive.codes import VN_TZ
from archive.mets import read_context, write_representation_mets, write_root_mets
from archive.premis import PremisEvent, add_events
from eforms import __version__
from storage.schema.archive import ArchiveEventRow, ArchiveFileRow

PREMIS_PATH = "metadata/preservation/PREMIS.xml"


def _events(rows: Sequence[ArchiveEventRow]) -> list[PremisEvent]:
    agent = software_agent().identifier
    return [
        PremisEvent(
            f"event-db-{row.id}",
            row.event_type,
            row.occurred_at,
            row.outcome,
            detail=f"actor: {row.actor}",
            outcome_detail=dict(row.detail or {}),
            agents=(agent,),
        )
        for row in rows
    ]


def write_dip(
    package_id: str,
    files: Sequence[ArchiveFileRow],
    events: Sequence[ArchiveEventRow],
    read: Callable[[ArchiveFileRow], bytes],
    out: Path,
) -> dict[str, str]:
    """Write the DIP zip to ``out``; return path -> SHA-256 of every file in it."""
    now = datetime.now(VN_TZ)
    with tempfile.TemporaryDirectory(prefix="eforms-dip-") as tmp:
        root = Path(tmp) / package_id
        for f in files:
            target = root / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(read(f))
        premis = root / PREMIS_PATH
        if premis.is_file() and events:
            premis.write_bytes(add_events(premis.read_bytes(), _events(events), [software_agent()]))
        ctx = read_context(root / "METS.xml", package_type="DIP", created=now)
        ctx = dataclasses.replace(ctx, software_version=__version__)
        for rep in sorted(p for p in (root / "representations").iterdir() if p.is_dir()):
            write_representation_mets(rep, ctx)
        write_root_mets(root, ctx)
        checksums = {}
        partial = Path(out).with_name(Path(out).name + ".part")
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    rel = path.relative_to(root).as_posix()
                    data = path.read_bytes()
                    archive.writestr(f"{package_id}/{rel}", data)
                    checksums[rel] = hashlib.sha256(data).hexdigest()
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
    return checksums
