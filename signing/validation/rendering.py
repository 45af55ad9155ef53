"""A report as JSON, as an HTML page and as a PDF (WeasyPrint), Vietnamese with English.

The HTML is built from escaped string templates (no template engine in the
core); the portal shows the same fragment inside its own layout.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from importlib import resources
from typing import Any

from signing.validation.model import (
    CertificateInfo,
    Indication,
    SignatureKind,
    SignatureReport,
    VerificationReport,
)
from signing.validation.wording import INDICATIONS, MODIFICATIONS

SCHEMA_NAME = "verification-report.schema.json"


def report_schema() -> dict[str, Any]:
    """The JSON Schema of :func:`report_json` (``schemas/verification-report.schema.json``)."""
    text = resources.files("schemas").joinpath(SCHEMA_NAME).read_text(encoding="utf-8")
    return dict(json.loads(text))


def report_json(report: VerificationReport, *, indent: int | None = 2) -> str:
    """The report as JSON text (UTF-8, Vietnamese kept as is)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=indent)


def _t(vi: str, en: str) -> str:
    return f'{escape(vi)} <span class="en">/ {escape(en)}</span>'


def _time(value: datetime | None) -> str:
    return escape(value.isoformat()) if value else "—"


def _verdict_class(indication: Indication) -> str:
    return {
        Indication.TOTAL_PASSED: "passed",
        Indication.INDETERMINATE: "indeterminate",
        Indication.TOTAL_FAILED: "failed",
    }[indication]


def render_fragment(report: VerificationReport) -> str:
    """The report body (no ``<html>``), for the portal's pages and :func:`render_html`."""
    vi, en = INDICATIONS[report.indication]
    parts = [
        f'<section class="verification-report">'
        f'<p class="verdict {_verdict_class(report.indication)}" '
        f'data-indication="{report.indication.value}"><strong>{_t(vi, en)}</strong> '
        f"({report.indication.value}"
        f"{' / ' + report.subindication.value if report.subindication else ''})</p>",
        "<table class='summary'>",
        _row(_t("Thời điểm kiểm tra", "Verification time"), _time(report.verification_time)),
        _row(
            _t("Mã băm SHA-256 của tệp", "File SHA-256"), f"<code>{report.document_sha256}</code>"
        ),
        _row(_t("Số chữ ký", "Signatures"), str(len(report.signatures))),
        _row(
            _t("Nguồn tình trạng chứng thư", "Revocation data"),
            escape(report.revocation_policy.value),
        ),
        _row(_t("Điểm tin cậy", "Trust anchors"), "<br>".join(map(escape, report.trust_anchors))),
        "</table>",
    ]
    parts += [f"<p class='problem'>{_t(p.message_vi, p.message_en)}</p>" for p in report.problems]
    parts += [_signature_html(i + 1, sig) for i, sig in enumerate(report.signatures)]
    parts.append("</section>")
    return "\n".join(parts)


def _row(label: str, value: str) -> str:
    return f"<tr><th>{label}</th><td>{value}</td></tr>"


def _cert(cert: CertificateInfo | None) -> str:
    if cert is None:
        return "—"
    return (
        f"{escape(cert.subject)}<br><small>{_t('Số hiệu', 'Serial')}: "
        f"{escape(cert.serial_number)}; "
        f"{_t('hiệu lực', 'valid')} {_time(cert.valid_from)} → {_time(cert.valid_to)}</small>"
    )


def _signature_html(number: int, sig: SignatureReport) -> str:
    kind = (
        _t("Dấu thời gian tài liệu", "Document timestamp")
        if sig.kind is SignatureKind.DOCUMENT_TIMESTAMP
        else _t("Chữ ký", "Signature")
    )
    vi, en = INDICATIONS[sig.indication]
    sub = f" / {sig.subindication.value}" if sig.subindication else ""
    rows = [
        _row(_t("Kết quả", "Result"), f"{_t(vi, en)} ({sig.indication.value}{sub})"),
        _row(_t("Người ký", "Signer"), _cert(sig.signer)),
        _row(_t("Tổ chức cấp", "Issuer"), escape(sig.signer.issuer) if sig.signer else "—"),
        _row(
            _t("Chuỗi chứng thư đến điểm tin cậy", "Chain to the trust anchor"),
            " → ".join(escape(c.subject) for c in sig.chain) or "—",
        ),
        _row(_t("Tình trạng chứng thư khi ký", "Certificate status at signing"), _status(sig)),
        _row(
            _t("Thời điểm ký", "Signing time"),
            _time(sig.signing_time)
            + " "
            + (
                _t("(có dấu thời gian xác nhận)", "(attested by a timestamp)")
                if sig.signing_time_attested
                else _t("(do người ký tự khai)", "(claimed by the signer)")
            ),
        ),
        _row(_t("Mức PAdES", "PAdES level"), escape(sig.pades_level or "—")),
        _row(_t("Phạm vi và thay đổi sau khi ký", "Coverage and later changes"), _changes(sig)),
    ]
    problems = "".join(
        f"<p class='problem'>{_t(p.message_vi, p.message_en)}</p>" for p in sig.problems
    )
    return (
        f"<h3>{kind} {number}: <code>{escape(sig.field_name)}</code></h3>"
        f"<table class='signature {_verdict_class(sig.indication)}'>{''.join(rows)}</table>"
        f"{problems}"
    )


def _status(sig: SignatureReport) -> str:
    st = sig.certificate_status
    parts = [f"{escape(st.status)} ({escape(', '.join(st.sources) or '—')})"]
    if st.checked_at is not None:
        proven = sig.signing_time_attested and st.checked_at == sig.signing_time
        label = (
            _t(
                "xét tại thời điểm ký đã được dấu thời gian chứng minh",
                "judged at the signing time the timestamp proves",
            )
            if proven
            else _t("xét tại thời điểm kiểm tra", "judged at the verification time")
        )
        parts.append(f"<small>{label}: {_time(st.checked_at)}</small>")
    if st.revocation_time is not None:
        parts.append(
            f"<small>{_t('bị thu hồi lúc', 'revoked at')}: {_time(st.revocation_time)}"
            f"{' (' + escape(st.revocation_reason) + ')' if st.revocation_reason else ''}</small>"
        )
    return "<br>".join(parts)


def _changes(sig: SignatureReport) -> str:
    ch = sig.changes
    if ch is None:
        return "—"
    if ch.coverage.value == "ENTIRE_FILE":
        scope = _t("Toàn bộ tệp", "The entire file")
    else:
        scope = (
            _t(
                f"Trọn phiên bản {ch.signed_revision}/{ch.total_revisions}",
                f"Entire revision {ch.signed_revision} of {ch.total_revisions}",
            )
            + f" ({escape(ch.coverage.value)})"
        )
    vi, en = MODIFICATIONS[ch.modification]
    allowed = {True: _t("được phép", "permitted"), False: _t("KHÔNG được phép", "NOT permitted")}
    verdict = allowed.get(ch.permitted) if ch.permitted is not None else None
    verdict = verdict or _t("không xác định", "unknown")
    return f"{scope}<br>{_t(vi, en)} — {verdict}"


STYLE = """
@page { size: A4; margin: 1.5cm; font-family: 'Liberation Serif'; }
body { font-family: 'Liberation Serif', serif; font-size: 11pt; }
.en { color: #555; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #999; padding: 3px 6px; text-align: left; vertical-align: top; }
th { width: 32%; }
.verdict { font-size: 14pt; padding: 6px; }
.passed { background: #e6f4e6; } .failed { background: #fbe3e3; }
.indeterminate { background: #fff4d6; }
.problem { color: #8a1111; }
"""


def render_html(report: VerificationReport) -> str:
    """A standalone HTML page (UTF-8) of the report."""
    return (
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
        "<title>Kết quả kiểm tra chữ ký số / Signature verification report</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{_t('Kết quả kiểm tra chữ ký số', 'Signature verification report')}</h1>"
        f"{render_fragment(report)}</body></html>"
    )


def render_pdf(report: VerificationReport) -> bytes:
    """The report as PDF (WeasyPrint; fonts embedded, Vietnamese diacritics kept)."""
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    return bytes(HTML(string=render_html(report)).write_pdf())
