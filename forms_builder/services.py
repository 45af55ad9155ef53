"""Form services: create, edit, test, publish, retire, copy, import, export, list.

Every change runs in one unit of work with its audit event, so nothing is
half-stored. Authors act for their own agency: forms of other agencies are
read-only to them (refusals are audited as ``denied``). The ``system``
author (command line, library loading) acts for every agency.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from forms_builder import repository as repo
from forms_builder.casebook import CaseResult, publish_gate, run_test_cases
from forms_builder.codelists import CodeLists, default_code_lists
from forms_builder.document import definition_to_document
from forms_builder.errors import DefinitionInvalid, FormError, NotOwner, Problem
from forms_builder.exchange import export_definition, import_definition
from forms_builder.model import FormDefinition, Status
from forms_builder.ports import RenderCheck
from forms_builder.submission import CompiledForm, compile_form
from forms_builder.validation import load_definition
from forms_builder.versions import (
    AffectedDraft,
    FieldToReenter,
    VersionDiff,
    affected_drafts,
    check_transition,
    diff_definitions,
    ensure_editable,
    fields_to_re_enter,
    version_in_force,
)
from forms_builder.wtforms_form import local_today
from storage.audit import AuditEntry, Outcome, record_event
from storage.db import Database
from storage.schema.forms import FormDefinitionRow

__all__ = ["SYSTEM", "Author", "FormService", "FormSummary", "PublishReport"]


@dataclass(frozen=True)
class Author:
    """Who acts: a username, the agency they act for, their role."""

    username: str
    agency_id: str | None
    """``None`` only for the system (every agency)."""
    role: str = "author"


SYSTEM = Author("system", None, "system")


@dataclass(frozen=True)
class FormSummary:
    """One version as lists show it."""

    code: str
    version: int
    status: Status
    agency_id: str
    title_vi: str
    title_en: str
    legal_basis: str
    in_force_from: date
    checksum: str


@dataclass(frozen=True)
class PublishReport:
    """What publishing a version does (shown before the author confirms)."""

    ref: str
    previous: str | None
    """The published version compared with, if any."""
    diff: VersionDiff | None
    results: tuple[CaseResult, ...]
    open_drafts: int
    """Citizens' drafts of earlier versions not yet submitted (they keep their version)."""
    affected: tuple[AffectedDraft, ...]
    """Those of them that would have to re-enter answers if moved to this version."""
    published: bool
    drafts_by_version: tuple[tuple[int, int], ...] = ()
    """``(version, open drafts)`` for each earlier version that has some."""
    re_enter: tuple[FieldToReenter, ...] = ()
    """The fields whose answers would not carry over, with how many drafts each."""


def _last_published(rows: Mapping[int, FormDefinitionRow]) -> FormDefinition | None:
    """The highest published version among ``rows`` (by version number)."""
    published = [v for v, r in rows.items() if r.status == Status.PUBLISHED]
    return repo.row_to_definition(rows[max(published)]) if published else None


def _summary(row: FormDefinitionRow) -> FormSummary:
    return FormSummary(
        row.code,
        row.version,
        Status(row.status),
        row.agency_id,
        row.title_vi,
        row.title_en,
        row.legal_basis,
        row.in_force_from,
        row.checksum,
    )


class FormService:
    """The form builder's use cases over one database."""

    def __init__(
        self,
        db: Database,
        *,
        code_lists: CodeLists | None = None,
        render_check: RenderCheck | None = None,
        today: Callable[[], date] = local_today,
    ) -> None:
        self.db = db
        self.code_lists = code_lists or default_code_lists()
        self.render_check = render_check
        self.today = today

    # -- reading ---------------------------------------------------------

    def list_forms(self, *, agency_id: str | None = None) -> list[FormSummary]:
        """Every version of every form, or one agency's."""
        with self.db.unit_of_work() as session:
            return [_summary(r) for r in repo.list_rows(session, agency_id=agency_id)]

    def get(self, code: str, version: int | None = None) -> FormDefinition:
        """One version (the newest when ``version`` is ``None``)."""
        with self.db.unit_of_work() as session:
            return repo.row_to_definition(repo.get_row(session, code, version))

    def versions(self, code: str) -> list[FormDefinition]:
        """Every version of ``code``, oldest first."""
        with self.db.unit_of_work() as session:
            return [repo.row_to_definition(r) for r in repo.versions_of(session, code)]

    def in_force(self, code: str, on: date | None = None) -> FormDefinition:
        """The published version in force on ``on`` (default today)."""
        return version_in_force(self.versions(code), on or self.today())

    def compile(self, code: str, version: int | None = None) -> CompiledForm:
        """The compiled form of one version."""
        return compile_form(self.get(code, version), code_lists=self.code_lists)

    def run_tests(self, code: str, version: int | None = None) -> list[CaseResult]:
        """Run the test cases of one version."""
        return run_test_cases(self.compile(code, version), today=self.today())

    def diff(self, code: str, before: int, after: int) -> VersionDiff:
        """Field-by-field changes between two versions."""
        return diff_definitions(self.get(code, before), self.get(code, after))

    def export_file(self, code: str, version: int | None = None) -> bytes:
        """The export file (JSON with checksum) of one version."""
        return export_definition(self.get(code, version))

    # -- changing --------------------------------------------------------

    def create_draft(self, doc: Mapping[str, Any], author: Author) -> FormDefinition:
        """Store ``doc`` as a new draft: version 1, or the next version of its code."""
        d = self._load(doc)
        self._check_owner(author, d.agency_id, "forms.create_draft", d.code)
        with self.db.unit_of_work() as session:
            existing = repo.find_row(session, d.code)
            if existing is not None:
                self._check_owner(author, existing.agency_id, "forms.create_draft", d.code)
            number = repo.latest_version_number(session, d.code) + 1
            d = replace(d, version=number, status=Status.DRAFT)
            repo.add_version(session, d, actor=author.username)
            self._audit(session, author, "forms.create_draft", d)
        return d

    def update_draft(
        self, code: str, version: int, doc: Mapping[str, Any], author: Author
    ) -> FormDefinition:
        """Replace the content of a draft (or testing) version; published ones refuse."""
        d = self._load(doc)
        with self.db.unit_of_work() as session:
            row = repo.get_row(session, code, version, for_update=True)
            self._check_owner(author, row.agency_id, "forms.update_draft", f"{code}@{version}")
            current = repo.row_to_definition(row)
            self._guard(ensure_editable, current, author, "forms.update_draft")
            d = replace(
                d, code=code, version=version, status=current.status, agency_id=current.agency_id
            )
            repo.save_definition(session, row, d, actor=author.username)
            self._audit(session, author, "forms.update_draft", d)
        return d

    def new_version(self, code: str, author: Author) -> FormDefinition:
        """A new draft version copied from the newest version (how published forms are edited)."""
        with self.db.unit_of_work() as session:
            latest = repo.get_row(session, code)
            self._check_owner(author, latest.agency_id, "forms.new_version", code)
            d = replace(
                repo.row_to_definition(latest), version=latest.version + 1, status=Status.DRAFT
            )
            repo.add_version(session, d, actor=author.username)
            self._audit(session, author, "forms.new_version", d)
        return d

    def copy_form(
        self, code: str, version: int | None, author: Author, *, new_code: str
    ) -> FormDefinition:
        """A draft copy of any readable form under ``new_code``, owned by the author's agency."""
        source = self.get(code, version)
        doc = definition_to_document(source)
        doc.update(code=new_code, version=1, status="draft")
        doc["procedure"]["code"] = new_code.rsplit(".", 1)[0]
        doc["agency_id"] = author.agency_id or source.agency_id
        return self.create_draft(doc, author)

    def set_status(self, code: str, version: int, target: Status, author: Author) -> None:
        """Move a version between draft and testing, or retire a published one."""
        if target == Status.PUBLISHED:
            raise ValueError("use publish(), which runs the gate")
        action = "forms.retire" if target == Status.RETIRED else "forms.set_status"
        with self.db.unit_of_work() as session:
            row = repo.get_row(session, code, version, for_update=True)
            self._check_owner(author, row.agency_id, action, f"{code}@{version}")
            current = repo.row_to_definition(row)
            self._guard(lambda d: check_transition(d.status, target), current, author, action)
            d = replace(current, status=target)
            repo.save_definition(session, row, d, actor=author.username)
            self._audit(session, author, action, d, details={"from": str(current.status)})

    def retire(self, code: str, version: int, author: Author) -> None:
        """Retire a published version: no new submissions with it."""
        self.set_status(code, version, Status.RETIRED, author)

    def preview_publish(self, code: str, version: int) -> PublishReport:
        """What publishing would do, without doing it (runs the gate)."""
        return self._publish(code, version, None, confirm=False)

    def publish(self, code: str, version: int, author: Author) -> PublishReport:
        """Publish after the gate; the report counts the open drafts of earlier versions."""
        return self._publish(code, version, author, confirm=True)

    def _publish(
        self, code: str, version: int, author: Author | None, *, confirm: bool
    ) -> PublishReport:
        with self.db.unit_of_work() as session:
            row = repo.get_row(session, code, version, for_update=confirm)
            if author is not None:
                self._check_owner(author, row.agency_id, "forms.publish", f"{code}@{version}")
            d = repo.row_to_definition(row)
            check_transition(d.status, Status.PUBLISHED)
            compiled = compile_form(d, code_lists=self.code_lists)
            results = publish_gate(compiled, today=self.today(), render_check=self.render_check)
            earlier = {r.version: r for r in repo.versions_of(session, code) if r.version < version}
            previous = _last_published(earlier)
            diff = diff_definitions(previous, d) if previous else None
            counts = repo.count_open_drafts(session, code, before=version)
            affected = self._affected(session, compiled, earlier, counts)
            if confirm and author is not None:
                done = replace(d, status=Status.PUBLISHED)
                repo.save_definition(session, row, done, actor=author.username)
                self._audit(
                    session,
                    author,
                    "forms.publish",
                    done,
                    details={
                        "previous": previous.ref if previous else None,
                        "compatible": diff.compatible if diff else True,
                        "open_drafts": sum(counts.values()),
                        "affected_drafts": len(affected),
                    },
                )
        return PublishReport(
            d.ref,
            previous.ref if previous else None,
            diff,
            tuple(results),
            sum(counts.values()),
            tuple(affected),
            confirm,
            drafts_by_version=tuple(sorted(counts.items())),
            re_enter=fields_to_re_enter(affected, d),
        )

    def _affected(
        self,
        session: Session,
        compiled: CompiledForm,
        earlier: Mapping[int, FormDefinitionRow],
        counts: Mapping[int, int],
    ) -> list[AffectedDraft]:
        """Open drafts of earlier versions that would re-enter fields in ``compiled``."""
        after = compiled.definition
        affected: list[AffectedDraft] = []
        for version in sorted(counts):
            if version not in earlier:
                continue
            before = repo.row_to_definition(earlier[version])
            diff = diff_definitions(before, after)
            if diff.compatible:
                continue  # nothing to validate: every draft of this version carries over
            drafts = repo.open_drafts(session, after.code, version)
            found = affected_drafts(
                diff, before, compiled, [o.data for o in drafts], today=self.today()
            )
            affected += [
                replace(a, draft_id=drafts[a.index].id, from_version=version) for a in found
            ]
        return affected

    def import_file(
        self, raw: bytes, author: Author, *, require_checksum: bool = True
    ) -> FormDefinition:
        """Import an export file as a new draft version of its code."""
        d = import_definition(raw, code_lists=self.code_lists, require_checksum=require_checksum)
        return self.create_draft(definition_to_document(d), author)

    def install(self, doc: Mapping[str, Any], author: Author = SYSTEM) -> FormDefinition | None:
        """Store a library definition as it is (its version and status) unless present.

        A ``published`` document goes through the publishing gate first.
        Returns ``None`` when that code and version are already installed.
        """
        d = self._load(doc)
        if d.status == Status.PUBLISHED:
            publish_gate(
                compile_form(d, code_lists=self.code_lists),
                today=self.today(),
                render_check=self.render_check,
            )
        with self.db.unit_of_work() as session:
            if repo.find_row(session, d.code, d.version) is not None:
                return None
            repo.add_version(session, d, actor=author.username)
            self._audit(session, author, "forms.install", d)
        return d

    # -- helpers ---------------------------------------------------------

    def _load(self, doc: Mapping[str, Any]) -> FormDefinition:
        if not isinstance(doc, Mapping):
            raise DefinitionInvalid(
                [
                    Problem(
                        "",
                        "json.not_object",
                        "Định nghĩa phải là một đối tượng JSON.",
                        "A definition must be a JSON object.",
                    )
                ]
            )
        return load_definition(doc, code_lists=self.code_lists)

    def _check_owner(self, author: Author, agency_id: str, action: str, ref: str) -> None:
        if author.agency_id is None or author.agency_id == agency_id:
            return
        error = NotOwner(
            f"Biểu mẫu {ref} thuộc cơ quan {agency_id}; tài khoản của cơ quan "
            f"{author.agency_id} chỉ được xem.",
            f"Form {ref} belongs to agency {agency_id}; accounts of agency "
            f"{author.agency_id} may only read it.",
            details={"form": ref, "owner": agency_id},
        )
        self._denied(author, action, ref, error)
        raise error

    def _guard(
        self,
        check: Callable[[FormDefinition], None],
        d: FormDefinition,
        author: Author,
        action: str,
    ) -> None:
        try:
            check(d)
        except FormError as exc:
            self._denied(author, action, d.ref, exc)
            raise

    def _denied(self, author: Author, action: str, ref: str, error: FormError) -> None:
        with self.db.unit_of_work() as session:
            record_event(
                session,
                AuditEntry(
                    actor=author.username,
                    action=action,
                    outcome=Outcome.DENIED,
                    role=author.role,
                    agency_id=author.agency_id,
                    object_type="form_definition",
                    object_id=ref,
                    details={"code": error.code},
                ),
            )

    def _audit(
        self,
        session: Session,
        author: Author,
        action: str,
        d: FormDefinition,
        *,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        record_event(
            session,
            AuditEntry(
                actor=author.username,
                action=action,
                role=author.role,
                agency_id=d.agency_id,
                object_type="form_definition",
                object_id=d.ref,
                details={"status": str(d.status), **(details or {})},
            ),
        )
