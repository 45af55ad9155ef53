"""Reading a backfill bundle: a directory or a zip with ``dossier.json`` and its files.

Nothing is trusted before it is checked: member names (no ``..``, absolute
paths, backslashes or control characters), the number and the declared
sizes of the members (so a zip bomb is refused before a byte is inflated),
links in a directory, and the manifest's encoding (UTF-8, with or without a
byte order mark). A zip made by zipping a folder (``bundle/dossier.json``)
is read as if the folder were the root.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from dossiers.errors import BackfillError

MANIFEST = "dossier.json"
#: Files operating systems leave behind; never part of a bundle, never refused.
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
IGNORED_DIRS = frozenset({"__MACOSX"})


@dataclass(frozen=True)
class BundleLimits:
    """How much a bundle may hold; past any of these it is refused unread."""

    max_file_bytes: int = 50 * 1024 * 1024
    """One document."""
    max_total_bytes: int = 100 * 1024 * 1024
    """Every member together, as declared (uncompressed)."""
    max_manifest_bytes: int = 1024 * 1024
    max_members: int = 200


@dataclass(frozen=True)
class BackfillBundle:
    """A read, not yet validated, backfill bundle."""

    manifest: Mapping[str, Any]
    files: Mapping[str, bytes] = field(default_factory=dict)
    """Member path (``files/to-khai.pdf``) to its bytes; ``dossier.json`` excluded."""


def problem(vi: str, en: str, **details: Any) -> BackfillError:
    """A refusal of the bundle, in both languages."""
    return BackfillError(
        f"Tệp nhập bù không hợp lệ: {vi}", f"Invalid backfill file: {en}", details=details
    )


def read_bundle(
    source: Path | BinaryIO, *, limits: BundleLimits = BundleLimits()
) -> BackfillBundle:
    """Read a bundle from a directory, a zip file, or an open zip stream (an upload)."""
    if isinstance(source, Path) and source.is_dir():
        raw, files = _read_directory(source, limits)
    elif isinstance(source, Path) and source.name == MANIFEST:
        raise problem(
            f"hãy đưa thư mục chứa {MANIFEST} hoặc tệp zip, không phải chính {MANIFEST}.",
            f"give the folder that holds {MANIFEST}, or the zip, not {MANIFEST} itself.",
        )
    else:
        raw, files = _read_zip(source, limits)
    return BackfillBundle(_manifest(raw), files)


def safe_member_name(name: str) -> bool:
    """Whether ``name`` is a relative path that stays inside the bundle."""
    if not name or "\\" in name or name.startswith("/") or ":" in name.split("/", 1)[0]:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _ignored(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return parts[-1] in IGNORED_NAMES or any(p in IGNORED_DIRS for p in parts[:-1])


def _read_directory(folder: Path, limits: BundleLimits) -> tuple[bytes, dict[str, bytes]]:
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise problem(f"thiếu {MANIFEST} trong thư mục.", f"{MANIFEST} is missing.")
    paths = []
    for path in sorted(folder.rglob("*")):
        name = str(PurePosixPath(path.relative_to(folder)))
        if path.is_symlink():
            raise problem(
                f"'{name}' là liên kết; hãy chép chính tệp vào thư mục.",
                f"'{name}' is a link; copy the file itself into the folder.",
                file=name,
            )
        if path.is_file() and not _ignored(name):
            paths.append((name, path))
    sizes = {name: path.stat().st_size for name, path in paths}
    _check_sizes(sizes, limits)
    files = {name: path.read_bytes() for name, path in paths if name != MANIFEST}
    return manifest_path.read_bytes(), files


def _read_zip(source: Path | BinaryIO, limits: BundleLimits) -> tuple[bytes, dict[str, bytes]]:
    try:
        with zipfile.ZipFile(source) as archive:
            members = _members(archive, limits)
            return archive.read(members.pop(MANIFEST)), {
                name: archive.read(info) for name, info in members.items()
            }
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise problem(
            "không phải thư mục hay tệp zip đọc được (tệp hỏng hoặc không phải zip).",
            "not a readable directory or zip file (damaged, or not a zip).",
        ) from exc
    except NotImplementedError as exc:
        raise problem(
            "tệp zip dùng kiểu nén không hỗ trợ; hãy nén lại bằng kiểu Deflate thông thường.",
            "the zip uses an unsupported compression method; zip it again with plain Deflate.",
        ) from exc


def _members(archive: zipfile.ZipFile, limits: BundleLimits) -> dict[str, zipfile.ZipInfo]:
    """The members by name (after the checks), the common top folder taken away."""
    infos = [i for i in archive.infolist() if not i.is_dir()]
    for info in infos:
        if not safe_member_name(info.filename):
            raise problem(
                f"tên tệp không an toàn trong gói: {info.filename!r}.",
                f"unsafe file name in the bundle: {info.filename!r}.",
                file=info.filename,
            )
        if info.flag_bits & 0x1:
            raise problem(
                f"'{info.filename}' được đặt mật khẩu; hãy nén lại không mật khẩu.",
                f"'{info.filename}' is password-protected; zip it again without a password.",
                file=info.filename,
            )
    infos = [i for i in infos if not _ignored(i.filename)]
    prefix = _common_folder([i.filename for i in infos])
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename[len(prefix) :]
        if name in members:
            raise problem(
                f"gói có hai tệp cùng tên '{name}'.",
                f"the bundle holds two files named '{name}'.",
                file=name,
            )
        members[name] = info
    if MANIFEST not in members:
        raise problem(f"thiếu {MANIFEST} trong tệp zip.", f"{MANIFEST} is missing from the zip.")
    _check_sizes({n: i.file_size for n, i in members.items()}, limits)
    return members


def _common_folder(names: list[str]) -> str:
    """``bundle/`` when every name is under that one folder with ``bundle/dossier.json``."""
    if MANIFEST in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and all("/" in n for n in names):
        prefix = f"{tops.pop()}/"
        if f"{prefix}{MANIFEST}" in names:
            return prefix
    return ""


def _check_sizes(sizes: Mapping[str, int], limits: BundleLimits) -> None:
    mb = 1024 * 1024
    if len(sizes) > limits.max_members:
        raise problem(
            f"gói có {len(sizes)} tệp, quá giới hạn {limits.max_members}.",
            f"the bundle holds {len(sizes)} files, more than {limits.max_members}.",
        )
    for name, size in sizes.items():
        cap = limits.max_manifest_bytes if name == MANIFEST else limits.max_file_bytes
        if size > cap:
            raise problem(
                f"'{name}' quá lớn ({size / mb:.1f} MB, tối đa {cap / mb:g} MB).",
                f"'{name}' is too large ({size / mb:.1f} MB, at most {cap / mb:g} MB).",
                file=name,
            )
    total = sum(sizes.values())
    if total > limits.max_total_bytes:
        raise problem(
            f"gói quá lớn khi giải nén ({total / mb:.1f} MB, tối đa "
            f"{limits.max_total_bytes / mb:g} MB).",
            f"the bundle is too large once unpacked ({total / mb:.1f} MB, at most "
            f"{limits.max_total_bytes / mb:g} MB).",
        )


def _manifest(raw: bytes) -> Mapping[str, Any]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise problem(
            f"{MANIFEST} không phải văn bản UTF-8 (byte thứ {exc.start}); hãy lưu lại với "
            "mã hoá UTF-8.",
            f"{MANIFEST} is not UTF-8 text (byte {exc.start}); save it again as UTF-8.",
        ) from exc
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise problem(
            f"{MANIFEST} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}: {exc.msg}).",
            f"{MANIFEST} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
        ) from exc
    except RecursionError as exc:
        raise problem(
            f"{MANIFEST} lồng nhau quá sâu.", f"{MANIFEST} is nested too deeply."
        ) from exc
    if not isinstance(manifest, dict):
        raise problem(
            f"{MANIFEST} phải là một đối tượng JSON ({{...}}), không phải "
            f"{type(manifest).__name__}.",
            f"{MANIFEST} must be a JSON object ({{...}}), not a {type(manifest).__name__}.",
        )
    return manifest
