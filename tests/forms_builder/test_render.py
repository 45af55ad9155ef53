"""Rendering filled forms: PDF/A-3b read back with pikepdf, poppler and a QR decoder."""

from __future__ import annotations

import io
import json
import re
import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pikepdf import Name

from forms_builder.rendering import (
    VIETNAM_TZ,
    RenderedForm,
    check_pdfa,
    data_json_bytes,
    render_html,
    render_pdf,
)
from forms_builder.validation import load_definition
from tests.forms_builder.layout_samples import (
    BIRTH_DATA,
    CT01_DATA,
    GPXD_DATA,
    birth_doc,
    ct01_doc,
    gpxd_doc,
)

CODE = "000.00.00.H56-261124-0001"
BASE = "https://dichvucong.example.gov.vn"
LOOKUP = f"{BASE}/tra-cuu/{CODE}"
MEMBER_TEMPLATE = CT01_DATA["members"][0]
CREATED = datetime(2026, 11, 24, 9, 30, tzinfo=VIETNAM_TZ)


@pytest.fixture(scope="module")
def ct01() -> RenderedForm:
    return render_pdf(
        load_definition(ct01_doc()), CT01_DATA, dossier_code=CODE, base_url=BASE, created=CREATED
    )


@pytest.fixture(scope="module")
def birth() -> RenderedForm:
    return render_pdf(load_definition(birth_doc()), BIRTH_DATA, dossier_code=CODE, base_url=BASE)


def _text(pdf: bytes, tmp_path: Path) -> str:
    """The text poppler extracts, whitespace collapsed (columns wrap titles)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return " ".join(out.split())


def _open(pdf: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(pdf))


@pytest.mark.parametrize("which", ["ct01", "birth"])
def test_documents_pass_our_pdfa_checks(which: str, request: pytest.FixtureRequest) -> None:
    rendered: RenderedForm = request.getfixturevalue(which)
    assert check_pdfa(rendered.pdf, data_json=rendered.data_json) == []


def test_xmp_declares_pdfa_3b_and_matches_info_without_producer(ct01: RenderedForm) -> None:
    with _open(ct01.pdf) as pdf:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False)
        assert meta["pdfaid:part"] == "3"
        assert meta["pdfaid:conformance"] == "B"
        assert "/Filter" not in pdf.Root.Metadata
        info = pdf.docinfo
        assert "/Producer" not in info and "pdf:Producer" not in meta
        assert str(info.Title) == meta["dc:title"] == f"Tờ khai thay đổi thông tin cư trú - {CODE}"
        assert str(info.Creator) == meta["xmp:CreatorTool"]
        assert str(info.CreationDate) == "D:20261124093000+07'00'"
        assert meta["xmp:CreateDate"] == "2026-11-24T09:30:00+07:00"


def test_srgb_output_intent(ct01: RenderedForm) -> None:
    with _open(ct01.pdf) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == Name.GTS_PDFA1
        profile = intent.DestOutputProfile
        assert profile.N == 3 and b"sRGB" in profile.read_bytes()[:2048]


def test_every_font_is_embedded_liberation_serif(ct01: RenderedForm) -> None:
    with _open(ct01.pdf) as pdf:
        fonts = [f for page in pdf.pages for f in page.Resources.Font.values()]
        assert fonts
        for font in fonts:
            assert "Liberation-Serif" in str(font.BaseFont)
            for part in font.get("/DescendantFonts", [font]):
                assert "/FontFile2" in part.FontDescriptor or "/FontFile3" in part.FontDescriptor


def test_no_encryption_no_javascript(ct01: RenderedForm) -> None:
    with _open(ct01.pdf) as pdf:
        assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer
        assert "/JavaScript" not in pdf.Root.get("/Names", {})
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        raw = ct01.pdf
        assert b"/JavaScript" not in raw and b"/JS" not in raw


def test_data_json_is_an_associated_file_equal_to_the_submission(ct01: RenderedForm) -> None:
    with _open(ct01.pdf) as pdf:
        (spec,) = pdf.Root.AF
        assert str(spec.UF) == "data.json"
        assert spec.AFRelationship == Name.Data
        stream = spec.EF.F
        assert stream.Subtype == Name("/application/json")
        payload = stream.read_bytes()
        assert "data.json" in pdf.attachments
    assert payload == ct01.data_json == data_json_bytes(CT01_DATA)
    assert json.loads(payload) == CT01_DATA


def test_given_data_json_bytes_are_embedded_verbatim() -> None:
    d = load_definition(birth_doc())
    stored = json.dumps(BIRTH_DATA, ensure_ascii=False, indent=2).encode()
    rendered = render_pdf(d, BIRTH_DATA, data_json=stored)
    assert check_pdfa(rendered.pdf, data_json=stored) == []
    assert [p.code for p in check_pdfa(rendered.pdf, data_json=b"{}")] == ["data.mismatch"]


def test_pages_are_a4(ct01: RenderedForm) -> None:
    with _open(ct01.pdf) as pdf:
        assert len(pdf.pages) == ct01.pages >= 1
        for page in pdf.pages:
            width, height = (float(v) for v in page.MediaBox[2:])
            assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1


def test_pdftotext_reads_the_vietnamese_of_ct01(ct01: RenderedForm, tmp_path: Path) -> None:
    text = _text(ct01.pdf, tmp_path)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Mẫu CT01 ban hành kèm theo Thông tư số 116/2026/TT-BCA",
        "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ",
        "Công an phường Ba Đình, thành phố Hà Nội",
        "1. Họ, chữ đệm và tên khai sinh:",
        "Nguyễn Văn Hưởng",
        "17",
        "1990",
        "Nam",
        "huong.nguyen@example.vn",
        "Đăng ký thường trú tại số 12 phố Điện Biên Phủ",
        "11. Những thành viên trong hộ gia đình cùng thay đổi:",
        "Trần Thị Bích Ngọc",
        "30/08/1992",
        "001218000321",
        "Ý KIẾN CỦA CHỦ HỘ",
        "NGƯỜI KÊ KHAI",
        "Chú thích:",
        "ứng dụng định danh quốc gia",
    ):
        assert expected in text, expected
    # The twelve digit boxes hold one digit each.
    assert "0 0 1 0 9 0 0 1 2 3 4 5" in text


def test_pdftotext_reads_the_birth_form(birth: RenderedForm, tmp_path: Path) -> None:
    text = _text(birth.pdf, tmp_path)
    for expected in (
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Họ, chữ đệm, tên người yêu cầu: Lê Thị Thu Hương",
        "Phạm Minh Khôi",
        "Ngày mùng hai tháng mười một năm hai nghìn không trăm hai mươi sáu",
        "Kinh",
        "Việt Nam",
        "Người yêu cầu",
        "(Ký, ghi rõ họ, chữ đệm, tên)",
        "Đề nghị đánh dấu X vào ô",
    ):
        assert expected in text, expected
    assert "Số lượng: 2 bản" in text


def test_birth_form_ticks_the_yes_box_only() -> None:
    html = render_html(load_definition(birth_doc()), BIRTH_DATA)
    boxes = re.findall(r'(Có|Không) <span class="box">(X?)</span>', html)
    assert boxes == [("Có", "X"), ("Không", "")]
    html = render_html(load_definition(birth_doc()), {**BIRTH_DATA, "copies": False})
    boxes = re.findall(r'(Có|Không) <span class="box">(X?)</span>', html)
    assert boxes == [("Có", ""), ("Không", "X")]


def test_qr_code_decodes_to_the_lookup_url(ct01: RenderedForm, tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    (tmp_path / "doc.pdf").write_bytes(ct01.pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "doc.pdf", "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page*.png")
    found = zxingcpp.read_barcodes(Image.open(png))
    assert [b.text for b in found] == [LOOKUP]
    assert ct01.lookup_url == LOOKUP


def test_qr_is_also_a_link_annotation(ct01: RenderedForm) -> None:
    with _open(ct01.pdf) as pdf:
        uris = {
            str(a.A.URI)
            for a in pdf.pages[0].get("/Annots", [])
            if a.Subtype == Name.Link and "/A" in a
        }
    assert uris == {LOOKUP}


def test_without_dossier_code_there_is_no_qr_and_dates_stay_blank(tmp_path: Path) -> None:
    rendered = render_pdf(load_definition(ct01_doc()), CT01_DATA)
    assert rendered.lookup_url is None
    with _open(rendered.pdf) as pdf:
        assert "/Annots" not in pdf.pages[0]
    assert "ngày 24 tháng 11" not in _text(rendered.pdf, tmp_path)


def test_empty_form_prints_dotted_leaders_and_digit_boxes(tmp_path: Path) -> None:
    rendered = render_pdf(load_definition(ct01_doc()), {})
    assert check_pdfa(rendered.pdf, data_json=b"{}") == []
    text = _text(rendered.pdf, tmp_path)
    assert "4. Số định danh cá nhân:" in text and "Nguyễn" not in text


def test_ct01_2025_layout_uses_circular_53(tmp_path: Path) -> None:
    rendered = render_pdf(load_definition(ct01_doc("ct01-2025")), CT01_DATA)
    text = _text(rendered.pdf, tmp_path)
    assert "Thông tư số 53/2025/TT-BCA" in text
    assert "CHA, MẸ HOẶC NGƯỜI GIÁM HỘ" in text
    assert "ứng dụng VNeID" in text


def test_generic_layout_prints_any_definition(small_doc: dict[str, Any], tmp_path: Path) -> None:
    data = {
        "kind": "person",
        "full_name": "Đỗ Thị Ánh",
        "birth_date": "1985-12-01",
        "ethnicity": "05",
        "members": [{"name": "Đỗ Văn Bình", "birth": "2010"}],
    }
    rendered = render_pdf(load_definition(small_doc), data)
    assert check_pdfa(rendered.pdf, data_json=data_json_bytes(data)) == []
    text = _text(rendered.pdf, tmp_path)
    for expected in ("TỜ KHAI THỬ", "Họ và tên: Đỗ Thị Ánh", "01/12/1985", "Dân tộc: Khơ-me",
                     "Đỗ Văn Bình", "2010", "Cá nhân"):  # fmt: skip
        assert expected in text, expected


def test_construction_permit_layout(tmp_path: Path) -> None:
    rendered = render_pdf(load_definition(gpxd_doc()), GPXD_DATA)
    assert check_pdfa(rendered.pdf, data_json=data_json_bytes(GPXD_DATA)) == []
    text = _text(rendered.pdf, tmp_path)
    for expected in (
        "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG",
        "Tên chủ đầu tư (tên chủ hộ): Hoàng Thị Lụa",
        "Lô đất số: LK-12",
        "85,5",
        "NGƯỜI LÀM ĐƠN/ĐẠI DIỆN CHỦ ĐẦU TƯ",
    ):
        assert expected in text, expected


def test_qpdf_finds_no_structural_problem(ct01: RenderedForm, tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(ct01.pdf)
    result = subprocess.run(
        ["qpdf", "--check", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


VIETNAMESE_LETTERS = "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴ"


@pytest.mark.parametrize("letters", [VIETNAMESE_LETTERS, VIETNAMESE_LETTERS.lower()])
def test_every_vietnamese_letter_survives_in_the_text_layer(letters: str, tmp_path: Path) -> None:
    letters = " ".join(letters[i : i + 6] for i in range(0, len(letters), 6))  # name-like words
    data = {**CT01_DATA, "full_name": letters, "request": f"Nội dung {letters}"}
    rendered = render_pdf(load_definition(ct01_doc()), data)
    text = unicodedata.normalize("NFC", _text(rendered.pdf, tmp_path))
    assert letters in text
    assert f"Nội dung {letters}" in text


def test_a_long_unbroken_value_wraps_instead_of_running_off_the_page(tmp_path: Path) -> None:
    email = "nguyen.van.huong.phong.quan.ly.cu.tru." * 2 + "@congan.example.gov.vn"
    rendered = render_pdf(load_definition(ct01_doc()), {**CT01_DATA, "email": email})
    assert email in _text(rendered.pdf, tmp_path).replace(" ", "")


def test_a_long_household_table_continues_on_the_next_page(tmp_path: Path) -> None:
    members = [
        {**MEMBER_TEMPLATE, "name": f"Nguyễn Thị Thành Viên Số {i}", "pid": f"0011920{i:05d}"}
        for i in range(1, 21)
    ]
    rendered = render_pdf(load_definition(ct01_doc()), {**CT01_DATA, "members": members})
    assert rendered.pages >= 2
    text = _text(rendered.pdf, tmp_path)
    assert all(f"Nguyễn Thị Thành Viên Số {i}" in text for i in range(1, 21))
    assert check_pdfa(rendered.pdf, data_json=rendered.data_json) == []


def test_a_place_marked_date_in_words_prints_the_date_in_words() -> None:
    doc = birth_doc()
    doc["print_layout"]["places"].append(
        {"field": "mother_year", "place": "B2.words", "render": "date_in_words"}
    )
    html = render_html(load_definition(doc), BIRTH_DATA)
    assert 'ghi bằng chữ:</span><span class="fill ">Năm một nghìn chín trăm chín mươi' in html
