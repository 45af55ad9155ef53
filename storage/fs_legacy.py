"""The filesystem store's earlier layout, kept readable for installations that have it.

Before single-file objects, :mod:`storage.fs_store` kept each object in two files::

    meta/<key>.json      the record: key, size, sha256, content_type, created,
                         retention, legal_hold, and the blob's name
    blobs/<xx>/<token>   the bytes, under a random name per put

Nothing writes this layout any more. Its objects are read, locked (through
lock files, like new objects) and deleted in place; a put over one writes
the new layout, then removes the old record and blob. OSErrors other than
a missing file propagate: the store turns them into its own errors.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from storage.fs_records import fsync_dir, keys_under


class LegacyLayout:
    """``meta/`` and ``blobs/`` under a store's root."""

    def __init__(self, root: Path) -> None:
        self.meta = root / "meta"
        self.blobs = root / "blobs"

    def present(self) -> bool:
        """Whether the store has (or had) objects in this layout."""
        return self.meta.is_dir()

    def record_path(self, key: str) -> Path:
        """Where the record of ``key`` is."""
        return self.meta / f"{key}.json"

    def blob_path(self, token: str) -> Path:
        """Where the blob named ``token`` is."""
        return self.blobs / token[:2] / token

    def read(self, key: str, *, open_blob: bool) -> tuple[dict[str, Any], BinaryIO | None] | None:
        """The record of ``key`` and, if asked, its blob opened; None if absent."""
        for _attempt in range(3):
            try:
                record: dict[str, Any] = json.loads(self.record_path(key).read_text())
            except FileNotFoundError:
                return None
            if not open_blob:
                return record, None
            try:
                return record, open(self.blob_path(record["blob"]), "rb", buffering=0)  # noqa: SIM115
            except FileNotFoundError:
                continue  # replaced between reading the record and opening: retry
        return None

    def keys(self, directory: str) -> Iterator[str]:
        """Keys of the records under ``directory`` (a key prefix ending before a '/')."""
        return keys_under(self.meta, directory, ".json")

    def remove_record(self, key: str) -> str | None:
        """Remove the record of ``key`` durably; return its blob's name (None if absent).

        Durably, because a record that came back after a crash would bring a
        deleted object back.
        """
        path = self.record_path(key)
        try:
            blob = str(json.loads(path.read_text())["blob"])
            path.unlink()
        except FileNotFoundError:
            return None
        fsync_dir(path.parent)
        return blob

    def recover(self, *, older_than: float, shadowed: Callable[[str], bool]) -> list[str]:
        """Remove records a newer object ``shadowed``, and blobs no record names.

        Blobs touched within ``older_than`` seconds are spared (an older
        version of the service may still be writing). Run under the commit lock.
        """
        limit = time.time() - older_than
        removed, referenced = [], set()
        for path in self.meta.rglob("*.json"):
            record = json.loads(path.read_text())
            if shadowed(record["key"]):
                path.unlink()  # a put replaced it and was killed before removing it
                removed.append(path.name)
            else:
                referenced.add(record["blob"])
        for blob in self.blobs.rglob("*"):
            if blob.name in referenced or not blob.is_file():
                continue
            try:
                if older_than and blob.stat().st_mtime >= limit:
                    continue
                blob.unlink()
            except FileNotFoundError:
                continue
            removed.append(blob.name)
        return removed
