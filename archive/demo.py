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
from datetime import datetime, timedelta
from html import escape

from archive.codes import VN_TZ, AccessMode, DocumentRole, RetentionCode
from archive.record import AuditEvent, DocumentRecord, DossierRecord, StatusChange

DEMO_AGENCY_ID = "000.00.00.H56"
DEMO_AGENCY = "Sở Nội vụ tỉnh Demo"


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


def _doc(role: DocumentRole, title: str, name: str, data: bytes, **items: object) -> DocumentRecord:
    mime = "image/png" if name.endswith(".png") else "application/pdf"
    return DocumentRecord(role, title, name, mime, read_bytes=lambda: data, **items)  # type: ignore[arg-type]


def demo_record(
    *,
    dossier_code: str = f"{DEMO_AGENCY_ID}-261122-0001",
    sign: Callable[[bytes], bytes] | None = None,
    closed: datetime | None = None,
    retention: RetentionCode = RetentionCode.YEARS_10,
    access: AccessMode = AccessMode.RESTRICTED,
    scan_bytes: int = 0,
) -> DossierRecord:
    """A closed permanent-residence dossier with a form, an attachment and a result."""
    closed = closed or datetime(2026, 11, 22, 9, 30, tzinfo=VN_TZ)
    submitted = closed - timedelta(days=5)
    applicant = ("001203012345", "Nguyễn Văn An")
    form = render_pdfa(
        "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ (CT01)",
        [
            f"Họ và tên: {applicant[1]}",
            f"Số định danh cá nhân: {applicant[0]}",
            "Nội dung đề nghị: đăng ký thường trú tại phường Demo.",
        ],
    )
    result = render_pdfa(
        "XÁC NHẬN ĐĂNG KÝ THƯỜNG TRÚ",
        [f"Công dân {applicant[1]} đã được đăng ký thường trú.", f"Mã hồ sơ: {dossier_code}"],
    )
    if sign is not None:
        result = sign(result)
    documents = [
        _doc(
            DocumentRole.FORM,
            "Tờ khai CT01",
            "to-khai-CT01.pdf",
            form,
            document_type="Tờ khai",
            issued=submitted.date(),
            summary="Tờ khai đăng ký thường trú",
            signer_name=applicant[1],
        ),
        _doc(
            DocumentRole.RESULT,
            "Xác nhận đăng ký thường trú",
            "ket-qua.pdf",
            result,
            document_type="Giấy xác nhận",
            number_symbol="125/XN-CA",
            issued=closed.date(),
            issuing_agency=DEMO_AGENCY,
            summary="Xác nhận đăng ký thường trú",
            signer_name="Trần Quốc Bình",
            signer_position="GIÁM ĐỐC",
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
        procedure_code="1.004222",
        procedure_name="Đăng ký thường trú",
        agency_id=DEMO_AGENCY_ID,
        agency_name=DEMO_AGENCY,
        applicant_kind="person",
        applicant_id=applicant[0],
        applicant_name=applicant[1],
        submitted=submitted,
        closed=closed,
        retention=retention,
        access=access,
        keywords=("thường trú", "cư trú"),
        history=(
            StatusChange("submitted", submitted, "", ""),
            StatusChange(
                "received",
                submitted + timedelta(hours=2),
                "Lê Thị Hoa",
                "Hồ sơ đầy đủ, chuyển xử lý.",
            ),
            StatusChange("approved", closed - timedelta(hours=1), "Trần Quốc Bình", "Đồng ý."),
            StatusChange("closed", closed, "Lê Thị Hoa", "Đã trả kết quả."),
        ),
        documents=tuple(documents),
        audit_events=(
            AuditEvent("dossier.submit", submitted, "citizen"),
            AuditEvent("dossier.approve", closed - timedelta(hours=1), "leader"),
            AuditEvent("dossier.close", closed, "officer"),
        ),
    )
