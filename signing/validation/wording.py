"""Plain Vietnamese and English for verdicts, reasons and report labels.

Written for a citizen reading the report, not for a PKI specialist: each
reason says what it means for the document.
"""

from __future__ import annotations

from signing.validation.model import Indication, Modification, Problem

_PROBLEMS: dict[str, tuple[str, str]] = {
    "hash": (
        "Nội dung đã ký bị thay đổi: dữ liệu không còn khớp với chữ ký.",
        "The signed content was altered: the data no longer matches the signature.",
    ),
    "crypto": (
        "Giá trị chữ ký không hợp lệ (không khớp với khóa công khai của người ký).",
        "The signature value is invalid (it does not match the signer's public key).",
    ),
    "coverage": (
        "Chữ ký không bao trùm trọn một phiên bản của tệp (vùng ký /ByteRange bất thường).",
        "The signature does not cover a whole revision of the file (unusual /ByteRange).",
    ),
    "changes": (
        "Tài liệu đã bị sửa sau khi ký theo cách chữ ký không cho phép.",
        "The document was changed after signing in a way the signature does not permit.",
    ),
    "changes_unknown": (
        "Không xác định được những thay đổi sau khi ký.",
        "The changes made after signing could not be determined.",
    ),
    "timestamp": (
        "Dấu thời gian của chữ ký không hợp lệ hoặc không được tin cậy.",
        "The signature's timestamp is invalid or not trusted.",
    ),
    "revoked": (
        "Chứng thư số của người ký đã bị thu hồi trước thời điểm ký.",
        "The signer's certificate was revoked before the signing time.",
    ),
    "revoked_later": (
        "Chứng thư số đã bị thu hồi; không có bằng chứng chữ ký được tạo trước khi thu hồi.",
        "The certificate is revoked; there is no proof the signature was made before that.",
    ),
    "expired": (
        "Chứng thư số của người ký đã hết hạn và không có bằng chứng ký trong thời hạn.",
        "The signer's certificate has expired and there is no proof of signing while valid.",
    ),
    "no_chain": (
        "Chứng thư số không được cấp bởi tổ chức được tin cậy (không tìm thấy chuỗi tin cậy).",
        "The certificate was not issued by a trusted authority (no chain to a trust anchor).",
    ),
    "try_later": (
        "Chưa lấy được tình trạng thu hồi của chứng thư số; hãy kiểm tra lại sau.",
        "The certificate's revocation status could not be obtained; try again later.",
    ),
    "try_later_at_signing": (
        "Không xác định được tình trạng chứng thư số tại thời điểm ký đã được dấu thời gian "
        "chứng minh: tài liệu không mang dữ liệu trạng thái (OCSP/CRL) của thời điểm đó.",
        "The certificate's status at the signing time the timestamp proves cannot be "
        "established: the document carries no status data (OCSP/CRL) from that time.",
    ),
    "untrusted": (
        "Chứng thư số không đạt yêu cầu tin cậy.",
        "The certificate does not meet the trust requirements.",
    ),
    "format": (
        "Chữ ký bị hỏng hoặc sai định dạng, không kiểm tra được.",
        "The signature is damaged or malformed and cannot be checked.",
    ),
    "error": (
        "Lỗi khi kiểm tra chữ ký; kết quả không thể coi là hợp lệ.",
        "An error occurred while checking the signature; it cannot be taken as valid.",
    ),
    "damaged": (
        "Tệp PDF bị hỏng (bảng tham chiếu sai) và chỉ đọc được sau khi sửa tạm; "
        "không thể coi là nguyên vẹn.",
        "The PDF is damaged (broken cross-reference) and was read only by repairing it; "
        "it cannot be taken as unchanged.",
    ),
    "no_signature": (
        "Tệp PDF không có chữ ký số nào.",
        "The PDF has no digital signature.",
    ),
    "too_many": (
        "Tệp có quá nhiều chữ ký để kiểm tra trong giới hạn cho phép.",
        "The file has more signatures than the verifier accepts.",
    ),
}

INDICATIONS: dict[Indication, tuple[str, str]] = {
    Indication.TOTAL_PASSED: ("HỢP LỆ", "VALID"),
    Indication.INDETERMINATE: ("CHƯA XÁC ĐỊNH", "INDETERMINATE"),
    Indication.TOTAL_FAILED: ("KHÔNG HỢP LỆ", "INVALID"),
}

MODIFICATIONS: dict[Modification, tuple[str, str]] = {
    Modification.NONE: ("Không có thay đổi nào", "No change"),
    Modification.LTA_UPDATES: (
        "Chỉ thêm dữ liệu kiểm tra và dấu thời gian",
        "Only validation data and timestamps added",
    ),
    Modification.FORM_FILLING: (
        "Điền biểu mẫu hoặc thêm chữ ký",
        "Form filling or further signatures",
    ),
    Modification.ANNOTATIONS: ("Thêm hoặc sửa ghi chú", "Annotations added or changed"),
    Modification.OTHER: (
        "Thay đổi khác (nội dung, cấu trúc)",
        "Other changes (content, structure)",
    ),
    Modification.UNKNOWN: ("Không xác định", "Unknown"),
}


def problem(key: str, detail: str | None = None) -> Problem:
    """The problem ``key`` in both languages, with an optional technical detail."""
    vi, en = _PROBLEMS[key]
    if detail:
        vi, en = f"{vi} ({detail})", f"{en} ({detail})"
    return Problem(code=key, message_vi=vi, message_en=en)
