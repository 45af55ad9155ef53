"""A demo closed dossier, so a fresh installation can build a package at once.

Documents are real PDF/A-3b files rendered by WeasyPrint; the result can be
signed by a callback (the portal passes the demo PKI's agency seal). An
optional scanned attachment (PNG at 300 dpi) makes packages as large as a
benchmark needs. Until the dossier package exists (issue 6), this is also
what ``eforms archive build`` uses without ``--from-json``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from archive.codes import VN_TZ, AccessMode, DocumentRole, RetentionCode
from archive.record import AuditEvent, DocumentRecord, DossierRecord, StatusChange
from signing.demo_identities import AGENCY_NAME, identity

DEMO_AGENCY_ID = "000.00.00.H56"
DEMO_AGENCY = AGENCY_NAME
"""The agency whose demo seal signs the result (the same names as the demo PKI)."""
LEADER = identity("leader")
OFFICER = identity("officer").common_name


def render_pdfa(title: str, lines: list[str]) -> bytes:
    """A small PDF/A-3b document in Liberation Serif."""
    from weasyprint import HTML

    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (
        "<html lang='vi'><head><style>@page { size: A4; margin: 2cm; font-family: "
        "'Liberation Serif'; } body { font-family: 'Liberation Serif'; font-size: 13pt; }"
        f"</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")


def scanned_png(size_bytes: int) -> bytes:
    """An incompressible PNG of about ``size_bytes`` at 300 dpi (a 'scan')."""
    from PIL import Image

    side = max(64, int((size_bytes / 3) ** 0.5))
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300), compress_level=0)
    return out.getvalue()


@dataclass(frozen=True)
class DemoProcedure:
    """What differs between the demo procedures' dossiers."""

    code: str
    name: str
    form_title: str
    form_symbol: str
    request: str
    result_title: str
    result_type: str
    result_number: str
    applicant_kind: str
    applicant_id: str
    applicant_name: str
    keywords: tuple[str, ...]
    retention: RetentionCode


DEMO_PROCEDURES: dict[str, DemoProcedure] = {
    p.code: p
    for p in (
        DemoProcedure(
            "1.001193",
            "Đăng ký khai sinh",
            "TỜ KHAI ĐĂNG KÝ KHAI SINH",
            "TK-KS",
            "Đề nghị đăng ký khai sinh cho con: Nguyễn Minh Khang, sinh ngày 01/11/2026.",
            "GIẤY KHAI SINH",
            "Giấy khai sinh",
            "312/KS",
            "person",
            "001203012345",
            "Nguyễn Văn An",
            ("khai sinh", "hộ tịch"),
            RetentionCode.PERMANENT,
        ),
        DemoProcedure(
            "1.004222",
            "Đăng ký thường trú",
            "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ (CT01)",
            "CT01",
            "Nội dung đề nghị: đăng ký thường trú tại phường Demo.",
            "XÁC NHẬN ĐĂNG KÝ THƯỜNG TRÚ",
            "Giấy xác nhận",
            "125/XN-CA",
            "person",
            "001203012345",
            "Nguyễn Văn An",
            ("thường trú", "cư trú"),
            RetentionCode.YEARS_10,
        ),
        DemoProcedure(
            "1.013225",
            "Cấp giấy phép xây dựng",
            "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG",
            "MAU01",
            "Công trình: nhà xưởng 2 tầng, lô C3, tờ bản đồ số 12, diện tích 850 m².",
            "GIẤY PHÉP XÂY DỰNG",
            "Giấy phép",
            "57/GPXD",
            "organisation",
            "0101234567",
            "Công ty TNHH Xây dựng Demo",
            ("giấy phép xây dựng", "xây dựng"),
            RetentionCode.YEARS_50,
        ),
    )
}
"""One closed dossier per demo procedure (DOMAIN.md), so every procedure can be packaged."""


def _doc(role: DocumentRole, title: str, name: str, data: bytes, **items: object) -> DocumentRecord:
    mime = "image/png" if name.endswith(".png") else "application/pdf"
    return DocumentRecord(role, title, name, mime, read_bytes=lambda: data, **items)  # type: ignore[arg-type]


def demo_record(
    *,
    dossier_code: str = f"{DEMO_AGENCY_ID}-261122-0001",
    procedure: str = "1.004222",
    sign: Callable[[bytes], bytes] | None = None,
    closed: datetime | None = None,
    retention: RetentionCode | None = None,
    access: AccessMode = AccessMode.RESTRICTED,
    scan_bytes: int = 0,
) -> DossierRecord:
    """A closed dossier of a demo procedure: its form, optionally a scan, and the result."""
    demo = DEMO_PROCEDURES[procedure]
    closed = closed or datetime(2026, 11, 22, 9, 30, tzinfo=VN_TZ)
    submitted = closed - timedelta(days=5)
    applicant = (demo.applicant_id, demo.applicant_name)
    form = render_pdfa(
        demo.form_title,
        [f"Người yêu cầu: {applicant[1]}", f"Số định danh / mã số: {applicant[0]}", demo.request],
    )
    result = render_pdfa(
        demo.result_title,
        [f"Cấp cho: {applicant[1]} ({applicant[0]}).", f"Mã hồ sơ: {dossier_code}"],
    )
    if sign is not None:
        result = sign(result)
    documents = [
        _doc(
            DocumentRole.FORM,
            f"Tờ khai {demo.form_symbol}",
            f"to-khai-{demo.form_symbol}.pdf",
            form,
            document_type="Tờ khai",
            issued=submitted.date(),
            summary=f"Tờ khai {demo.name.lower()}",
            signer_name=applicant[1],
        ),
        _doc(
            DocumentRole.RESULT,
            demo.result_type,
            "ket-qua.pdf",
            result,
            document_type=demo.result_type,
            number_symbol=demo.result_number,
            issued=closed.date(),
            issuing_agency=DEMO_AGENCY,
            summary=f"{demo.result_type}: {demo.name.lower()}",
            signer_name=LEADER.common_name,
            signer_position=LEADER.title,
        ),
    ]
    if scan_bytes:
        documents.insert(
            1,
            _doc(
                DocumentRole.ATTACHMENT,
                "Bản quét giấy tờ nhà",
                "ban-quet.png",
                scanned_png(scan_bytes),
                document_type="Bản quét",
            ),
        )
    return DossierRecord(
        dossier_code=dossier_code,
        procedure_code=demo.code,
        procedure_name=demo.name,
        agency_id=DEMO_AGENCY_ID,
        agency_name=DEMO_AGENCY,
        applicant_kind=demo.applicant_kind,
        applicant_id=applicant[0],
        applicant_name=applicant[1],
        submitted=submitted,
        closed=closed,
        retention=retention or demo.retention,
        access=access,
        keywords=demo.keywords,
        history=(
            StatusChange("submitted", submitted, "", ""),
            StatusChange(
                "received",
                submitted + timedelta(hours=2),
                OFFICER,
                "Hồ sơ đầy đủ, chuyển xử lý.",
            ),
            StatusChange("approved", closed - timedelta(hours=1), LEADER.common_name, "Đồng ý."),
            StatusChange("closed", closed, OFFICER, "Đã trả kết quả."),
        ),
        documents=tuple(documents),
        audit_events=(
            AuditEvent("dossier.submit", submitted, "citizen"),
            AuditEvent("dossier.approve", closed - timedelta(hours=1), "leader"),
            AuditEvent("dossier.close", closed, "officer"),
        ),
    )
