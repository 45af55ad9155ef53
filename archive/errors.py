"""Errors of the archive package.

Each error names what went wrong and what the archivist can do, in
Vietnamese and English. Refusals that come from checking a package carry
the complete list of problems in ``details["problems"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from eforms.errors import EformsError

if TYPE_CHECKING:
    from archive.validation import Problem


class ArchiveError(EformsError):
    """Base of every archive error."""

    code = "archive.error"
    http_status = 400


class InvalidRecordError(ArchiveError):
    """A dossier record (or its JSON) lacks an item or has a malformed one."""

    code = "archive.invalid_record"


class PackageRefusedError(ArchiveError):
    """A package failed validation; ``problems`` lists every problem found."""

    code = "archive.package_refused"
    http_status = 422

    def __init__(self, problems: Sequence[Problem], *, package: str) -> None:
        lines = "; ".join(p.text_en for p in problems[:5])
        super().__init__(
            f"Gói '{package}' bị từ chối: {len(problems)} lỗi. Sửa các lỗi rồi nộp lại.",
            f"Package '{package}' was refused: {len(problems)} problem(s): {lines}. "
            "Fix them and submit it again.",
            details={"package": package, "problems": [p.to_dict() for p in problems]},
        )
        self.problems = tuple(problems)


class PackageExistsError(ArchiveError):
    """A package with this id has already been ingested."""

    code = "archive.package_exists"
    http_status = 409


class PackageNotFoundError(ArchiveError):
    """No archived package answers to the code or id given."""

    code = "archive.package_missing"
    http_status = 404


class AccessDeniedError(ArchiveError):
    """The package's access mode does not allow this person to open it."""

    code = "archive.access_denied"
    http_status = 403


class DisposalRefusedError(ArchiveError):
    """A disposal step is not allowed (not expired, held, same approver...)."""

    code = "archive.disposal_refused"
    http_status = 409


class DisposalNotPermittedError(DisposalRefusedError):
    """The person may not take this disposal step on these packages (another agency's)."""

    code = "archive.disposal_not_permitted"
    http_status = 403


class DeletionIncompleteError(ArchiveError):
    """A final deletion stopped part-way (store error); running it again finishes it."""

    code = "archive.deletion_incomplete"
    http_status = 503


class StoreWriteError(ArchiveError):
    """The object store refused part of an AIP; nothing was indexed."""

    code = "archive.store_write"
    http_status = 503
