"""Definitions that use the shipped print layouts (CT01, birth registration).

They stand in for the forms library until it ships the official
definitions; the field ids are ours, the places are the layouts' own.
"""

from __future__ import annotations

from typing import Any


def _t(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def _f(fid: str, ftype: str, vi: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"id": fid, "key": fid, "type": ftype, "label": _t(vi, en), **extra}


def _head(code: str, title: str, document: str, template: str) -> dict[str, Any]:
    return {
        "format": "eforms.form-definition/1",
        "code": code,
        "procedure": {"code": code.rsplit(".", 1)[0], "name": _t(title, title)},
        "agency_id": "000.00.00.H56",
        "title": _t(title, title),
        "version": 1,
        "status": "draft",
        "legal_basis": {
            "document": document,
            "title": f"Thông tư {document}",
            "issued_on": "2026-06-29",
            "effective_from": "2026-07-01",
        },
        "print_layout": {"template": template, "places": []},
    }


def _places(doc: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    doc["print_layout"]["places"] = [{"field": f, "place": p} for p, f in mapping.items()]
    return doc


MEMBERS = [
    {
        "name": "Trần Thị Bích Ngọc",
        "birth": "1992-08-30",
        "sex": "female",
        "pid": "001192008765",
        "relation": "wife",
    },
    {
        "name": "Nguyễn Đức Huỳnh",
        "birth": "2018-01-05",
        "sex": "male",
        "pid": "001218000321",
        "relation": "child",
    },
]

CT01_DATA: dict[str, Any] = {
    "agency": "Công an phường Ba Đình, thành phố Hà Nội",
    "full_name": "Nguyễn Văn Hưởng",
    "birth_date": "1990-05-17",
    "sex": "male",
    "pid": "001090012345",
    "phone": "0912345678",
    "email": "huong.nguyen@example.vn",
    "head_name": "Nguyễn Văn Hưởng",
    "head_relation": "self",
    "head_pid": "001090012345",
    "request": "Đăng ký thường trú tại số 12 phố Điện Biên Phủ, phường Ba Đình, "
    "thành phố Hà Nội.\nChỗ ở hợp pháp thuộc sở hữu của bản thân.",
    "members": MEMBERS,
}


def ct01_doc(template: str = "ct01-2026") -> dict[str, Any]:
    """A CT01 definition on the ``template`` layout, with one accepted test case."""
    doc = _head("1.004222.CT01", "Tờ khai thay đổi thông tin cư trú", "116/2026/TT-BCA", template)
    member_fields = [
        _f("name", "text", "Họ, chữ đệm và tên", "Full name", required=True),
        _f("birth", "date", "Ngày, tháng, năm sinh", "Date of birth"),
        _f("sex", "choice", "Giới tính", "Sex", code_list="sexes"),
        _f("pid", "personal_id", "Số định danh cá nhân", "Personal ID"),
        _f("relation", "choice", "Mối quan hệ với chủ hộ", "Relation", code_list="relations"),
    ]
    member_fields = [{**m, "id": f"m_{m['id']}"} for m in member_fields]
    doc["sections"] = [
        {
            "id": "declarant",
            "title": _t("Người kê khai", "Declarant"),
            "fields": [
                _f("agency", "text", "Kính gửi", "To", required=True),
                _f("full_name", "text", "Họ, chữ đệm và tên khai sinh", "Birth name",
                   required=True),
                _f("birth_date", "date", "Ngày, tháng, năm sinh", "Date of birth", required=True),
                _f("sex", "choice", "Giới tính", "Sex", code_list="sexes", required=True),
                _f("pid", "personal_id", "Số định danh cá nhân", "Personal ID", required=True),
                _f("phone", "phone", "Số điện thoại liên hệ", "Phone"),
                _f("email", "email", "Email", "Email"),
                _f("head_name", "text", "Họ, chữ đệm và tên chủ hộ", "Head of household"),
                _f("head_relation", "choice", "Mối quan hệ với chủ hộ", "Relation to head",
                   code_list="relations"),
                _f("head_pid", "personal_id", "Số định danh cá nhân của chủ hộ", "Head's ID"),
                _f("request", "long_text", "Nội dung đề nghị", "Request", required=True),
                _f("members", "repeat", "Những thành viên trong hộ gia đình cùng thay đổi",
                   "Household members changing too", fields=member_fields, max_items=20),
            ],
        }
    ]  # fmt: skip
    doc["test_cases"] = [
        {"name": "household of three", "data": CT01_DATA, "expect": {"accepted": True}}
    ]
    return _places(
        doc,
        {
            "addressee": "agency",
            "item-1": "full_name",
            "item-2": "birth_date",
            "item-3": "sex",
            "item-4": "pid",
            "item-5": "phone",
            "item-6": "email",
            "item-7": "head_name",
            "item-8": "head_relation",
            "item-9": "head_pid",
            "item-10": "request",
            "table-11": "members",
            "table-11.col-2": "m_name",
            "table-11.col-3": "m_birth",
            "table-11.col-4": "m_sex",
            "table-11.col-5": "m_pid",
            "table-11.col-6": "m_relation",
        },
    )


BIRTH_DATA: dict[str, Any] = {
    "agency": "Ủy ban nhân dân phường Hoàn Kiếm, thành phố Hà Nội",
    "requester_name": "Lê Thị Thu Hương",
    "requester_residence": "Số 5 phố Hàng Bạc, phường Hoàn Kiếm, thành phố Hà Nội",
    "requester_id": "Căn cước số 001190004321",
    "requester_relation": "Mẹ",
    "child_name": "Phạm Minh Khôi",
    "child_birth": "2026-11-02",
    "child_sex": "male",
    "child_ethnicity": "01",
    "child_nationality": "VN",
    "child_birthplace": "Bệnh viện Phụ sản Hà Nội, phường Láng, thành phố Hà Nội",
    "child_origin": "Xã Đông Hưng, tỉnh Hưng Yên",
    "mother_name": "Lê Thị Thu Hương",
    "mother_year": "1990",
    "father_name": "Phạm Quốc Việt",
    "father_year": "1988",
    "copies": True,
    "copies_count": 2,
}


def birth_doc() -> dict[str, Any]:
    """A birth-registration definition on the ``khai-sinh-2024`` layout."""
    doc = _head("1.001193.TKKS", "Tờ khai đăng ký khai sinh", "04/2024/TT-BTP", "khai-sinh-2024")
    doc["sections"] = [
        {
            "id": "main",
            "title": _t("Tờ khai", "Declaration"),
            "fields": [
                _f("agency", "text", "Kính gửi", "To", required=True),
                _f("requester_name", "text", "Họ, chữ đệm, tên người yêu cầu", "Requester"),
                _f("requester_residence", "text", "Nơi cư trú", "Residence"),
                _f("requester_id", "text", "Giấy tờ tùy thân", "ID document"),
                _f("requester_relation", "text", "Quan hệ với người được khai sinh", "Relation"),
                _f("child_name", "text", "Họ, chữ đệm, tên", "Child's name", required=True),
                _f("child_birth", "date", "Ngày, tháng, năm sinh", "Date of birth", required=True),
                _f("child_sex", "choice", "Giới tính", "Sex", code_list="sexes"),
                _f("child_ethnicity", "choice", "Dân tộc", "Ethnicity", code_list="ethnicities"),
                _f("child_nationality", "choice", "Quốc tịch", "Nationality",
                   code_list="nationalities"),
                _f("child_birthplace", "text", "Nơi sinh", "Place of birth"),
                _f("child_origin", "text", "Quê quán", "Home town"),
                _f("mother_name", "text", "Họ, chữ đệm, tên người mẹ", "Mother"),
                _f("mother_year", "partial_date", "Năm sinh", "Year of birth",
                   precisions=["day", "month", "year"]),
                _f("father_name", "text", "Họ, chữ đệm, tên người cha", "Father"),
                _f("father_year", "partial_date", "Năm sinh", "Year of birth",
                   precisions=["day", "month", "year"]),
                _f("copies", "yes_no", "Đề nghị cấp bản sao", "Certified copies"),
                _f("copies_count", "number", "Số lượng", "How many", integer=True, minimum=0),
            ],
        }
    ]  # fmt: skip
    doc["test_cases"] = [{"name": "newborn", "data": BIRTH_DATA, "expect": {"accepted": True}}]
    return _places(
        doc,
        {
            "addressee": "agency",
            "requester-name": "requester_name",
            "requester-residence": "requester_residence",
            "requester-id-document": "requester_id",
            "requester-relation": "requester_relation",
            "child-name": "child_name",
            "child-birth": "child_birth",
            "child-sex": "child_sex",
            "child-ethnicity": "child_ethnicity",
            "child-nationality": "child_nationality",
            "child-birthplace": "child_birthplace",
            "child-origin": "child_origin",
            "mother-name": "mother_name",
            "mother-birth-year": "mother_year",
            "father-name": "father_name",
            "father-birth-year": "father_year",
            "copies-requested": "copies",
            "copies-count": "copies_count",
        },
    )


GPXD_DATA: dict[str, Any] = {
    "agency": "Ủy ban nhân dân phường Cầu Giấy, thành phố Hà Nội",
    "investor": "Hoàng Thị Lụa",
    "investor_id": "001185006789",
    "phone": "0987654321",
    "lot": "LK-12",
    "area": 85.5,
    "site": "Ngõ 68 đường Cầu Giấy, phường Cầu Giấy, thành phố Hà Nội",
    "storeys": "4 tầng và 1 tum",
    "months": 10,
}


def gpxd_doc() -> dict[str, Any]:
    """A construction-permit definition on the ``gpxd-01-2024`` layout."""
    doc = _head(
        "1.013225.GPXD01", "Đơn đề nghị cấp giấy phép xây dựng", "175/2024/NĐ-CP", "gpxd-01"
    )
    doc["sections"] = [
        {
            "id": "main",
            "title": _t("Đơn", "Application"),
            "fields": [
                _f("agency", "text", "Kính gửi", "To", required=True),
                _f("investor", "text", "Tên chủ đầu tư", "Investor", required=True),
                _f("investor_id", "personal_id", "Số định danh cá nhân", "Personal ID"),
                _f("phone", "phone", "Số điện thoại", "Phone"),
                _f("lot", "text", "Lô đất số", "Lot"),
                _f("area", "number", "Diện tích", "Area", minimum=0),
                _f("site", "text", "Địa điểm", "Site"),
                _f("storeys", "text", "Số tầng", "Storeys"),
                _f("months", "number", "Thời gian hoàn thành", "Months", integer=True),
            ],
        }
    ]
    doc["test_cases"] = [{"name": "house", "data": GPXD_DATA, "expect": {"accepted": True}}]
    return _places(
        doc,
        {
            "addressee": "agency",
            "investor-name": "investor",
            "investor-id": "investor_id",
            "investor-phone": "phone",
            "site-lot": "lot",
            "site-area": "area",
            "site-address": "site",
            "works-storeys": "storeys",
            "duration-months": "months",
        },
    )
