"""``eforms prefill``: what the prefill sources return for a person or an enterprise.

Exit status: 0 found, 1 not found, 2 malformed identifier (usage error),
3 source unavailable. Every lookup is written to the audit trail before
anything is shown (personal data access is logged, DOMAIN.md requirement 12).
"""

from __future__ import annotations

import getpass
import json
from typing import Any

import click
from flask import Flask

from forms_builder.identifiers import (
    InvalidIdentifierError,
    mask_identifier,
    parse_enterprise_code,
    parse_personal_id,
)
from forms_builder.prefill import (
    DEMO_CITIZEN_ID,
    DEMO_ENTERPRISE_BRANCH_CODE,
    DEMO_ENTERPRISE_CODE,
    DEMO_HOUSEHOLD_HEAD_ID,
    DEMO_HOUSEHOLD_IDS,
    EnterpriseRecord,
    LookupResult,
    LookupStatus,
    PersonRecord,
    RegistryService,
)
from portal.cli.context import with_app
from portal.services import services
from storage.audit import AuditEntry, Outcome, record_event

EXIT_NOT_FOUND = 1
EXIT_UNAVAILABLE = 3
_STATUS_VI = {
    LookupStatus.FOUND: "tìm thấy / found",
    LookupStatus.NOT_FOUND: "không tìm thấy / not found",
    LookupStatus.UNAVAILABLE: "nguồn không phản hồi / source unavailable",
}


class _IdentifierType(click.ParamType):
    """A click parameter checked with the national identifier rules, errors in both languages."""

    def __init__(self, name: str, parse: Any) -> None:
        self.name = name
        self._parse = parse

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return self._parse(str(value)).value
        except InvalidIdentifierError as exc:
            self.fail(f"{exc.message_vi}\n{exc.message_en}", param, ctx)


PERSONAL_ID = _IdentifierType("PERSONAL_ID", parse_personal_id)
ENTERPRISE_CODE = _IdentifierType("ENTERPRISE_CODE", parse_enterprise_code)


@click.group("prefill")
def prefill_group() -> None:
    """Dữ liệu điền sẵn / Prefill sources (population, enterprise, citizen store)."""


@prefill_group.command("person")
@click.argument("personal_id", type=PERSONAL_ID)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@with_app
def person(app: Flask, personal_id: str, as_json: bool) -> None:
    """Show what the population source and the citizen store hold for PERSONAL_ID (12 digits)."""
    prefill = services(app).prefill
    population = prefill.population.lookup(personal_id)
    store = prefill.citizen_store.lookup(personal_id)
    _audit(app, "person", personal_id, population, store)
    if as_json:
        stored = store.to_dict()
        # The full records with their provenance, not only what bindings see.
        stored["record"] = [r.to_dict() for r in store.record.records] if store.record else None
        _echo_json({"population": population.to_dict(), "citizen_store": stored})
    else:
        _echo_header(population)
        if population.record is not None:
            _echo_person(population.record)
        _echo_header(store)
        for record in store.record.records if store.record else ():
            click.echo(
                f"  {record.name}: hồ sơ / dossier {record.dossier_code}, "
                f"cấp / issued {record.issued_at.isoformat()}"
            )
            click.echo(f"    {json.dumps(dict(record.data), ensure_ascii=False)}")
    _exit_for(population)


@prefill_group.command("enterprise")
@click.argument("code", type=ENTERPRISE_CODE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@with_app
def enterprise(app: Flask, code: str, as_json: bool) -> None:
    """Show what the enterprise source holds for CODE (10 digits, or 10-3 for a branch)."""
    result = services(app).prefill.enterprise.lookup(code)
    _audit(app, "enterprise", code, result)
    if as_json:
        _echo_json({"enterprise": result.to_dict()})
    else:
        _echo_header(result)
        if result.record is not None:
            _echo_enterprise(result.record)
    _exit_for(result)


@prefill_group.command("demo-ids")
def demo_ids() -> None:
    """List the fixed demo identifiers that exist in the bundled registry whatever the seed."""
    click.echo(f"Công dân mẫu / demo citizen: {DEMO_CITIZEN_ID}")
    click.echo(f"Chủ hộ / head of household: {DEMO_HOUSEHOLD_HEAD_ID}")
    click.echo(f"Hộ gia đình / household: {', '.join(DEMO_HOUSEHOLD_IDS)}")
    click.echo(f"Doanh nghiệp mẫu / demo enterprise: {DEMO_ENTERPRISE_CODE}")
    click.echo(f"Chi nhánh / branch: {DEMO_ENTERPRISE_BRANCH_CODE}")


@prefill_group.command("serve-registry")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=int, default=8765, show_default=True, help="Port to listen on.")
@click.option("--token", default="", help="Require this bearer token (default: none).")
@with_app
def serve_registry(app: Flask, host: str, port: int, token: str) -> None:
    """Serve the bundled registry over the data-sharing HTTP protocol (demo of the HTTP path).

    Point EFORMS_PREFILL_POPULATION_URL and EFORMS_PREFILL_ENTERPRISE_URL at
    http://HOST:PORT to make the app use its HTTP adapters.
    """
    from werkzeug.serving import run_simple

    service = RegistryService(services(app).prefill.registry, token=token)
    click.echo(f"Dữ liệu tham chiếu tại / reference registry at http://{host}:{port}/")
    run_simple(
        host,
        port,
        service,
        threaded=True,
        use_reloader=False,
        request_handler=_masked_request_handler(),
    )


def _masked_request_handler() -> type:
    """A werkzeug request handler whose access log masks the identifier in the path."""
    from werkzeug.serving import WSGIRequestHandler

    class MaskedHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            parts = self.path.rsplit("/", 1)
            shown = f"{parts[0]}/{mask_identifier(parts[1])}" if len(parts) == 2 else "-"
            self.log("info", '"%s %s" %s %s', self.command, shown, code, size)

    return MaskedHandler


def _audit(app: Flask, kind: str, subject: str, *results: LookupResult[Any]) -> None:
    """Record who looked up whom, and what each source answered (no record content)."""
    if not services(app).db.has_schema():
        raise click.ClickException(
            "Chưa ghi được nhật ký truy cập vì cơ sở dữ liệu chưa được khởi tạo; "
            "hãy chạy 'eforms db upgrade'.\n"
            "Cannot write the audit trail: the database has no schema yet; "
            "run 'eforms db upgrade'."
        )
    entry = AuditEntry(
        actor=f"cli:{getpass.getuser()}",
        action="prefill.lookup",
        outcome=Outcome.SUCCESS if results[0].found else Outcome.FAILURE,
        object_type=kind,
        object_id=subject,
        details={"sources": {r.source: r.status.value for r in results}},
    )
    with services(app).db.unit_of_work() as session:
        record_event(session, entry)


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _echo_header(result: LookupResult[Any]) -> None:
    click.echo(f"[{result.source}] {_STATUS_VI[result.status]}, {result.fetched_at.isoformat()}")
    if result.reason:
        click.echo(f"  lý do / reason: {result.reason}")


def _echo_person(p: PersonRecord) -> None:
    rows = [
        ("Họ và tên / Full name", p.full_name),
        ("Số định danh / Personal ID", p.personal_id),
        ("Ngày sinh / Date of birth", p.date_of_birth.isoformat()),
        ("Giới tính / Sex", p.sex.label_vi),
        ("Dân tộc / Ethnicity", p.ethnicity),
        ("Quốc tịch / Nationality", p.nationality),
        ("Nơi sinh / Place of birth", p.place_of_birth),
        ("Thường trú / Permanent residence", p.permanent_residence.text),
        ("Nơi ở hiện tại / Current residence", p.current_residence.text),
    ]
    for label, value in rows:
        click.echo(f"  {label}: {value}")
    if p.household is None:
        return
    h = p.household
    click.echo(
        f"  Hộ gia đình / Household {h.household_id}: chủ hộ / head {h.head_name} "
        f"({h.head_id}), quan hệ / relation: {h.relation_to_head}"
    )
    for number, m in enumerate(h.members, start=1):
        click.echo(
            f"    {number}. {m.full_name}, {m.date_of_birth.isoformat()}, {m.sex.label_vi}, "
            f"{m.personal_id}, {m.relation_to_head}"
        )


def _echo_enterprise(e: EnterpriseRecord) -> None:
    rep = e.legal_representative
    click.echo(f"  Tên / Name: {e.name}")
    click.echo(f"  Mã số / Code: {e.enterprise_code}")
    if e.parent_code:
        click.echo(f"  Thuộc doanh nghiệp / Branch of: {e.parent_code}")
    click.echo(f"  Địa chỉ / Address: {e.address.text}")
    click.echo(
        f"  Người đại diện / Legal representative: {rep.full_name} ({rep.personal_id}), "
        f"{rep.position}"
    )
    click.echo(f"  Tình trạng / Status: {e.status.label_vi} ({e.status.value})")
    click.echo(f"  Ngày đăng ký / Registered on: {e.registered_on.isoformat()}")
    for line in e.business_lines:
        main = " (chính / main)" if line.main else ""
        click.echo(f"    {line.code} {line.name}{main}")


class NotFound(click.ClickException):
    """The source answered that it holds nothing: message on stderr, exit status 1."""

    exit_code = EXIT_NOT_FOUND


class Unavailable(click.ClickException):
    """The source did not answer usefully: message on stderr, exit status 3."""

    exit_code = EXIT_UNAVAILABLE


def _exit_for(result: LookupResult[Any]) -> None:
    if result.status is LookupStatus.NOT_FOUND:
        raise NotFound(f"{result.source}: không tìm thấy / not found.")
    if result.status is LookupStatus.UNAVAILABLE:
        raise Unavailable(
            f"{result.source}: nguồn dữ liệu không phản hồi, thử lại sau / "
            "the source is unavailable, try again later."
        )


def register(cli: click.Group) -> None:
    cli.add_command(prefill_group)
