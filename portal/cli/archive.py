"""``eforms archive``: build, validate, ingest, retrieve, audit and dispose of packages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask

from archive.access import Requester, retrieve_dip, retrieve_document, search
from archive.bagit_wrap import wrap_bag
from archive.builder import build_package
from archive.demo import DEMO_PROCEDURES, demo_record
from archive.disposal import (
    approve_disposal,
    disposal_list,
    final_delete,
    lift_hold,
    place_hold,
    propose_disposal,
    restore_from_bin,
)
from archive.errors import ArchiveError
from archive.ingest import ingest
from archive.metadata import complete, describe
from archive.record import DossierRecord, load_record
from archive.validation import errors_only, validate_package
from portal.accounts import Role
from portal.archive_records import archive_pending, dossier_record, pending_dossiers
from portal.archivist import clearance_of
from portal.cli.context import Step, acting_account, signature_checks, with_app
from portal.ops.instrumented import sign_document
from portal.services import archive_verifier, demo_signing, services
from signing.demo_pki import DEMO_PIN
from signing.pkcs12_signer import Pkcs12Signer

ACTOR = click.option(
    "--actor",
    required=True,
    metavar="USERNAME",
    help="Your account: it must exist, be active and hold the role the step needs "
    "(archivist; a leader of the packages' agency to approve a disposal). "
    "Recorded in the audit trail.",
)

SEE_PROBLEMS = ("kết quả đã nêu ở các dòng [signature]", "the outcome is in the [signature] lines")
SEE_VALIDATE = (
    "xem kết quả bằng 'eforms archive validate'",
    "see the outcome with 'eforms archive validate'",
)
INGEST: Step = ("nộp lưu hồ sơ", "ingest packages")
RETRIEVE: Step = ("khai thác hồ sơ lưu trữ", "open archived packages")
AUDIT: Step = ("kiểm tra toàn vẹn kho lưu trữ", "run fixity audits")
DISPOSE: Step = ("đề xuất, khôi phục hoặc hủy hồ sơ", "propose, restore or delete packages")
APPROVE: Step = ("phê duyệt hủy hồ sơ", "approve a disposal")
HOLD: Step = ("đặt hoặc gỡ lệnh giữ", "place or lift legal holds")


@click.group("archive")
def archive_group() -> None:
    """Lưu trữ hồ sơ / Archival packages (E-ARK, Circular 13/2023)."""


@contextmanager
def _demo_pki(app: Flask, *, wanted: bool) -> Iterator[None]:
    """Serve the demo PKI (OCSP, CRL, TSA) for the whole block when ``wanted``.

    A demo dossier's seal is checked while the package is built; with the
    responder down the check is INDETERMINATE and PREMIS would record a
    failed signature validation. Services this process already served stay up.
    """
    if not wanted:
        yield
        return
    signing = demo_signing(services(app))
    started_here = not signing.serving
    signing.start()
    try:
        yield
    finally:
        if started_here:
            signing.stop()


def _demo(app: Flask, dossier_code: str, procedure: str) -> DossierRecord:
    """A demo dossier sealed by the demo agency; the demo PKI must be served (``_demo_pki``)."""
    pki = demo_signing(services(app)).pki
    agency = services(app).settings.home_agency_id
    signer = Pkcs12Signer(pki.pkcs12_path(agency), DEMO_PIN)
    return demo_record(
        dossier_code=dossier_code,
        procedure=procedure,
        sign=lambda pdf: sign_document(pdf, signer=signer, trust=pki.trust()).pdf,
    )


def _parse_overrides(pairs: tuple[str, ...]) -> dict[str, dict]:
    dossier: dict[str, object] = {}
    documents: dict[int, dict[str, object]] = {}
    for pair in pairs:
        item, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r}: use ITEM=VALUE", param_hint="--set")
        parsed: object = value.split(",") if item.endswith("keywords") else value
        head, dot, name = item.partition(".")
        if dot and head.startswith("doc") and head[3:].isdigit():
            documents.setdefault(int(head[3:]), {})[name] = parsed
        else:
            dossier[item] = parsed
    return {"dossier": dossier, "documents": documents}


@archive_group.command("build")
@click.argument("dossier_code")
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder to write the package folder into.",
)
@click.option(
    "--from-json",
    "json_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Dossier record as JSON (default: the demo dossier).",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Package a demo dossier under DOSSIER_CODE instead of the dossier in the database.",
)
@click.option(
    "--procedure",
    type=click.Choice(sorted(DEMO_PROCEDURES)),
    default="1.004222",
    show_default=True,
    help="Procedure of the --demo dossier.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="ITEM=VALUE",
    help="Correct a metadata item before packaging: 'title=...' for the dossier, "
    "'doc2.summary=...' for document 2; lists are comma-separated (keywords=a,b).",
)
@click.option("--bagit", is_flag=True, help="Also write a BagIt bag <DIR>/<code>.bag for transfer.")
@with_app
def build(
    app: Flask,
    dossier_code: str,
    out_dir: Path,
    json_file: Path | None,
    demo: bool,
    procedure: str,
    overrides: tuple[str, ...],
    bagit: bool,
) -> None:
    """Build the SIP of DOSSIER_CODE into DIR.

    The closed dossier is read from the database and the object store, unless
    --from-json or --demo says otherwise.
    """
    with _demo_pki(app, wanted=demo and not json_file):
        if json_file:
            record = load_record(json_file)
        elif demo:
            record = _demo(app, dossier_code, procedure)
        else:
            record = dossier_record(services(app), dossier_code)
        if record.dossier_code != dossier_code:
            raise ArchiveError(
                f"Tệp JSON là hồ sơ {record.dossier_code}, không phải {dossier_code}.",
                f"The JSON file holds dossier {record.dossier_code}, not {dossier_code}.",
            )
        metadata = complete(describe(record), **_parse_overrides(overrides))
        with signature_checks(SEE_VALIDATE):
            built = build_package(
                record,
                out_dir=out_dir,
                verifier=archive_verifier(services(app)),
                metadata=metadata,
            )
    click.echo(
        f"Package {built.package_id}: {built.documents} documents, {built.files} files "
        f"-> {built.path}"
    )
    if bagit:
        bag = wrap_bag(built.path, out_dir / f"{built.path.name}.bag")
        click.echo(f"BagIt bag -> {bag}")


@archive_group.command("validate")
@click.argument("package", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_app
def validate(app: Flask, package: Path) -> None:
    """Check PACKAGE completely; exit 1 listing every problem."""
    with signature_checks(SEE_PROBLEMS):
        problems = validate_package(package, verifier=archive_verifier(services(app)))
    for p in problems:
        click.echo(
            f"  {p.severity.upper()} [{p.code}] {p.path}: {p.text_vi} / {p.text_en}", err=True
        )
    errors = errors_only(problems)
    click.echo(f"{package.name}: {'OK' if not errors else f'{len(errors)} problem(s)'}")
    if errors:
        raise SystemExit(1)


@archive_group.command("ingest")
@click.argument("package", type=click.Path(exists=True, file_okay=False, path_type=Path))
@ACTOR
@with_app
def ingest_command(app: Flask, package: Path, actor: str) -> None:
    """Validate PACKAGE and store it as an AIP under its retention lock."""
    account = acting_account(app, actor, INGEST, Role.ARCHIVIST)
    built = services(app)
    try:
        with signature_checks(SEE_PROBLEMS):
            result = ingest(
                package,
                db=built.db,
                store=built.object_store,
                verifier=archive_verifier(built),
                actor=account.username,
            )
    except ArchiveError as exc:
        for p in exc.details.get("problems", []):
            click.echo(
                f"  [{p['code']}] {p['path']}: {p['message_vi']} / {p['message_en']}", err=True
            )
        raise
    for warning in result.warnings:
        click.echo(f"  WARNING {warning}", err=True)
    expires = result.expires_at.isoformat() if result.expires_at else "permanent"
    click.echo(
        f"Ingested {result.package_id}: {result.files} files, {result.size} bytes, "
        f"locked until {expires} -> {result.store_prefix}"
    )


@archive_group.command("queue")
@click.option("--process", is_flag=True, help="Package and ingest the pending dossiers.")
@click.option("--limit", type=int, help="At most N dossiers.")
@click.option(
    "--actor", metavar="USERNAME", help="With --process: your archivist account (see ingest)."
)
@with_app
def queue(app: Flask, process: bool, limit: int | None, actor: str | None) -> None:
    """Closed dossiers waiting for the archive; --process packages and ingests them."""
    built = services(app)
    if not process:
        pending = pending_dossiers(built)
        for code in pending:
            click.echo(code)
        click.echo(f"{len(pending)} dossier(s) pending")
        return
    if actor is None:
        raise click.UsageError("--process needs --actor (your archivist account).")
    account = acting_account(app, actor, INGEST, Role.ARCHIVIST)
    outcomes = archive_pending(built, archive_verifier(built), actor=account.username, limit=limit)
    for code, outcome in outcomes:
        click.echo(f"{code}: {outcome}")
    if any(outcome != "ingested" for _, outcome in outcomes):
        raise SystemExit(1)


@archive_group.command("search")
@click.option("--dossier-code")
@click.option("--procedure", help="TTHC code or part of the procedure name.")
@click.option("--applicant", "applicant_id", help="Personal id or enterprise code.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--keyword")
@with_app
def search_command(
    app: Flask,
    dossier_code: str | None,
    procedure: str | None,
    applicant_id: str | None,
    date_from: object,
    date_to: object,
    keyword: str | None,
) -> None:
    """Find archived packages."""
    found = search(
        services(app).db,
        dossier_code=dossier_code,
        procedure=procedure,
        applicant_id=applicant_id,
        keyword=keyword,
        date_from=date_from.date() if date_from else None,  # type: ignore[attr-defined]
        date_to=date_to.date() if date_to else None,
    )  # type: ignore[attr-defined]
    for p in found:
        click.echo(
            f"{p.package_id}  {p.procedure_code}  {p.applicant_id}  {p.end_date}  "
            f"access {p.access_mode}  expires {p.expires_at}  {p.title}"
        )
    click.echo(f"{len(found)} package(s)")


@archive_group.command("retrieve")
@click.argument("dossier_code")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Zip file (DIP) or, with --document, the document file.",
)
@click.option("--reason", required=True, help="Why the package is opened (logged).")
@click.option("--document", type=int, help="Only document N (order in the dossier).")
@ACTOR
@with_app
def retrieve(
    app: Flask,
    dossier_code: str,
    output: Path,
    reason: str,
    document: int | None,
    actor: str,
) -> None:
    """Hand out DOSSIER_CODE as a DIP zip (or one document); the access is logged.

    The clearance is the account's: an archivist opens public and restricted
    packages, a leader also confidential ones.
    """
    account = acting_account(app, actor, RETRIEVE, Role.ARCHIVIST, Role.LEADER)
    granted = clearance_of(account)
    assert granted is not None  # both roles _actor accepts give a clearance
    clearance, role = granted
    built = services(app)
    who = Requester(account.username, clearance, reason, role=str(role))
    if document:
        name, data = retrieve_document(
            dossier_code, document, db=built.db, store=built.object_store, who=who
        )
        output.write_bytes(data)
        click.echo(f"{name} -> {output}")
        return
    checksums = retrieve_dip(dossier_code, output, db=built.db, store=built.object_store, who=who)
    click.echo(f"DIP of {dossier_code}: {len(checksums)} files, checksums verified -> {output}")


@archive_group.command("audit")
@click.option(
    "--sample",
    type=int,
    default=0,
    help="Audit N packages (least recently audited first); 0: a share so that all "
    "are checked within EFORMS_ARCHIVE_FIXITY_PERIOD_DAYS; --all for everything.",
)
@click.option("--all", "everything", is_flag=True, help="Audit every package.")
@ACTOR
@with_app
def audit(app: Flask, sample: int, everything: bool, actor: str) -> None:
    """Kiểm tra toàn vẹn / Fixity audit through the job queue, with progress."""
    from archive.fixity import scheduled_share

    account = acting_account(app, actor, AUDIT, Role.ARCHIVIST)
    built = services(app)
    if not sample and not everything:
        sample = scheduled_share(built.db, period_days=built.settings.archive_fixity_period_days)
    job_id = built.jobs.submit(
        "archive.fixity_audit",
        {"sample": 0 if everything else sample, "actor": account.username},
    )
    shown = ""
    while not (job := built.jobs.progress(job_id)).state.finished:
        line = f"  {job.done}/{job.total or '?'} {job.message}"
        if line != shown:
            click.echo(line, err=True)
            shown = line
        time.sleep(0.2)
    if job.error_message:
        raise ArchiveError(job.error_message, job.error_message, code="archive.audit_failed")
    result = job.result or {}
    totals = result.get("totals", {})
    click.echo(
        f"Fixity run {result.get('run_id')} ({result.get('scope')}): "
        + ", ".join(f"{k} {v}" for k, v in totals.items())
    )
    for failure in result.get("failures", []):
        click.echo(
            f"  {failure.get('outcome')}: {failure.get('package')}/{failure.get('path')} "
            f"(key {failure.get('key')}; expected {failure.get('expected')}, "
            f"computed {failure.get('computed')})",
            err=True,
        )
    if result.get("failures_not_listed"):
        click.echo(
            f"  ... {result['failures_not_listed']} more not listed / "
            f"và {result['failures_not_listed']} tệp khác",
            err=True,
        )
    if any(v for k, v in totals.items() if k != "ok"):
        raise SystemExit(1)


@archive_group.group("dispose")
def dispose() -> None:
    """Hủy tài liệu hết giá trị / Disposal: list, propose, approve, restore, delete, holds."""


@dispose.command("list")
@with_app
def dispose_list(app: Flask) -> None:
    """Packages whose retention has ended."""
    for c in disposal_list(services(app).db):
        state = "eligible" if c.eligible else ("HELD" if c.held else c.action)
        click.echo(f"{c.package_id}  expired {c.expires_at.date()}  {state}  {c.title}")


@dispose.command("propose")
@click.argument("dossier_codes", nargs=-1, required=True)
@ACTOR
@with_app
def dispose_propose(app: Flask, dossier_codes: tuple[str, ...], actor: str) -> None:
    """Propose destroying DOSSIER_CODES (expired, schedule 'destroy', not held)."""
    account = acting_account(app, actor, DISPOSE, Role.ARCHIVIST, confirm_password=True)
    proposal = propose_disposal(services(app).db, list(dossier_codes), actor=account.username)
    click.echo(f"Proposal {proposal}")


@dispose.command("approve")
@click.argument("proposal", type=int)
@click.option("--decision", required=True, help="Reference of the disposal decision.")
@ACTOR
@with_app
def dispose_approve(app: Flask, proposal: int, decision: str, actor: str) -> None:
    """Approve PROPOSAL (a leader of the agency owning its packages, not the proposer);
    the packages go to the disposal bin."""
    account = acting_account(app, actor, APPROVE, Role.LEADER, confirm_password=True)
    moved = approve_disposal(
        services(app).db,
        proposal,
        actor=account.username,
        decision_ref=decision,
        approver_agencies=account.agencies_for(Role.LEADER),
    )
    click.echo(f"In the disposal bin: {', '.join(moved)}")


@dispose.command("restore")
@click.argument("dossier_code")
@click.option("--reason", required=True)
@ACTOR
@with_app
def dispose_restore(app: Flask, dossier_code: str, reason: str, actor: str) -> None:
    """Take DOSSIER_CODE out of the disposal bin."""
    account = acting_account(app, actor, DISPOSE, Role.ARCHIVIST, confirm_password=True)
    restore_from_bin(services(app).db, dossier_code, actor=account.username, reason=reason)
    click.echo(f"Restored {dossier_code}")


@dispose.command("delete")
@click.argument("dossier_code")
@ACTOR
@with_app
def dispose_delete(app: Flask, dossier_code: str, actor: str) -> None:
    """Finally delete a binned package; a tombstone record stays forever.

    Run it again after an interrupted deletion: it finishes the job.
    """
    account = acting_account(app, actor, DISPOSE, Role.ARCHIVIST, confirm_password=True)
    built = services(app)
    final_delete(built.db, built.object_store, dossier_code, actor=account.username)
    click.echo(f"Deleted {dossier_code}; tombstone kept")


@dispose.command("hold")
@click.argument("dossier_codes", nargs=-1, required=True)
@click.option("--title", required=True)
@click.option("--mandate", required=True, help="Legal basis (court order, inspection...).")
@ACTOR
@with_app
def dispose_hold(
    app: Flask, dossier_codes: tuple[str, ...], title: str, mandate: str, actor: str
) -> None:
    """Put a legal hold on DOSSIER_CODES; blocks disposal and deletion."""
    account = acting_account(app, actor, HOLD, Role.ARCHIVIST)
    built = services(app)
    hold = place_hold(
        built.db,
        built.object_store,
        title=title,
        mandate=mandate,
        package_ids=list(dossier_codes),
        actor=account.username,
    )
    click.echo(f"Hold {hold} on {', '.join(dossier_codes)}")


@dispose.command("unhold")
@click.argument("hold_id", type=int)
@ACTOR
@with_app
def dispose_unhold(app: Flask, hold_id: int, actor: str) -> None:
    """Lift legal hold HOLD_ID."""
    account = acting_account(app, actor, HOLD, Role.ARCHIVIST)
    built = services(app)
    lift_hold(built.db, built.object_store, hold_id, actor=account.username)
    click.echo(f"Hold {hold_id} lifted")


def register(cli: click.Group) -> None:
    cli.add_command(archive_group)


__all__ = ["register"]
