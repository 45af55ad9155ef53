"""Versions of a form: life cycle, diff, drafts in progress, version in force.

A published version never changes; editing makes a new draft version
(:func:`ensure_editable`, :func:`check_transition`). :mod:`.diff` compares
two versions (fields by stable id, sections, rules, legal basis, print
layout) and classifies each change as compatible or not; :mod:`.drafts`
moves drafts' data between versions and finds what they would re-enter.

The version in force on a date is the published version with the latest
``in_force_from`` not after that date (legal-basis scheduling).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from forms_builder.errors import DefinitionImmutable, InvalidTransition, NoVersionInForce
from forms_builder.model import EDITABLE_STATUSES, FormDefinition, Status
from forms_builder.versions.diff import (
    ChangeKind,
    FieldChange,
    Part,
    PartChange,
    VersionDiff,
    diff_definitions,
)
from forms_builder.versions.drafts import (
    AffectedDraft,
    FieldToReenter,
    OpenDraft,
    affected_drafts,
    fields_to_re_enter,
    migrate_data,
)

__all__ = [
    "AffectedDraft",
    "ChangeKind",
    "FieldChange",
    "FieldToReenter",
    "OpenDraft",
    "Part",
    "PartChange",
    "VersionDiff",
    "affected_drafts",
    "check_transition",
    "diff_definitions",
    "ensure_editable",
    "fields_to_re_enter",
    "migrate_data",
    "next_draft",
    "version_in_force",
]


_ALLOWED = {
    Status.DRAFT: {Status.TESTING, Status.PUBLISHED},
    Status.TESTING: {Status.DRAFT, Status.PUBLISHED},
    Status.PUBLISHED: {Status.RETIRED},
    Status.RETIRED: set(),
}


def check_transition(current: Status, target: Status) -> None:
    """Refuse a status change the life cycle does not allow."""
    if target not in _ALLOWED[current]:
        raise InvalidTransition(
            f"Không thể chuyển trạng thái từ '{current}' sang '{target}'.",
            f"Cannot change the status from '{current}' to '{target}'.",
            details={"from": str(current), "to": str(target)},
        )


def ensure_editable(d: FormDefinition) -> None:
    """Refuse to edit a published or retired version."""
    if d.status not in EDITABLE_STATUSES:
        raise DefinitionImmutable(
            f"Phiên bản {d.ref} đã {'ban hành' if d.status == Status.PUBLISHED else 'ngừng'} "
            "và không thể sửa; hãy tạo phiên bản nháp mới.",
            f"Version {d.ref} is {d.status} and cannot be changed; create a new draft version.",
            details={"code": d.code, "version": d.version, "status": str(d.status)},
        )


def next_draft(d: FormDefinition, *, version: int) -> FormDefinition:
    """A new draft ``version`` with the content of ``d`` (the way to edit a published form)."""
    return replace(d, version=version, status=Status.DRAFT)


def version_in_force(versions: Iterable[FormDefinition], on: date) -> FormDefinition:
    """The published version in force ``on`` that date (latest start not after it)."""
    candidates = [v for v in versions if v.status == Status.PUBLISHED and v.in_force_from <= on]
    if not candidates:
        raise NoVersionInForce(
            f"Không có phiên bản nào của biểu mẫu có hiệu lực vào ngày {on:%d/%m/%Y}.",
            f"No published version of the form is in force on {on.isoformat()}.",
            details={"date": on.isoformat()},
        )
    return max(candidates, key=lambda v: (v.in_force_from, v.version))
