"""Visible signature appearances following Decree 30/2020/NĐ-CP, appendix I.

- Leader: the title on top, the signature image (blue, transparent PNG)
  centred between the title and the name, the name at the bottom.
- Seal: the agency's red seal image at real size (about 36 mm), overlapping
  about one third of the leader's signature image on its left.
- Attachment: the agency name and the signing time in ISO 8601
  (``2026-11-22T09:30:00+07:00``) top right of page 1, Times New Roman
  metrics (Liberation Serif), 10 pt.

Text is set in Liberation Serif embedded as a subset (pyHanko's OpenType
support), never a standard-14 font, so the signed file stays PDF/A.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import BaseStampStyle, StaticStampStyle, TextStampStyle

from signing.fonts import stamp_font_path
from signing.model import VIETNAM_TIME, AppearanceKind

POINTS_PER_MM = 72 / 25.4
LEADER_WIDTH = 180.0
"""Width of the leader block and of its signature image (points)."""
LEADER_TEXT_BAND = 24.0
"""Height of the title band (top) and of the name band (bottom)."""
LEADER_IMAGE_HEIGHT = 72.0
SEAL_DIAMETER = round(36 * POINTS_PER_MM, 1)
"""A round seal of 36 mm, a usual real size for agency seals."""
ATTACHMENT_SIZE = (230.0, 34.0)
PAGE_MARGIN = 56.7
"""2 cm, the right margin of Decree 30 layouts."""


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF user space (points, origin bottom left)."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (round(self.x1), round(self.y1), round(self.x2), round(self.y2))


@dataclass(frozen=True)
class Appearance:
    """What a visible signature shows and where; build with the functions below."""

    kind: AppearanceKind
    text: str = ""
    """Text of the stamp (leader: title and name; attachment: agency and time)."""
    image_png: bytes | None = None
    """Signature image (leader) or seal image (seal), PNG with transparency."""
    page: int = -1
    """Page index; negative counts from the end (-1: last page)."""
    box: Box | None = None
    """Where on the page; ``None`` lets :func:`place` choose the Decree 30 spot."""


def leader(
    *, name: str, title: str, signature_png: bytes, page: int = -1, box: Box | None = None
) -> Appearance:
    """The leader's block: title, blue signature image, name."""
    return Appearance(
        AppearanceKind.LEADER,
        text=f"{title}\n\n\n\n\n{name}",
        image_png=signature_png,
        page=page,
        box=box,
    )


def seal(*, seal_png: bytes, page: int = -1, box: Box | None = None) -> Appearance:
    """The agency seal; placed over the leader's signature when one is on the page."""
    return Appearance(AppearanceKind.SEAL, image_png=seal_png, page=page, box=box)


def attachment(*, agency_name: str, when: datetime | None = None) -> Appearance:
    """The agency name and signing time (default now), Vietnam time to the second, top right
    of page 1."""
    when = (when or datetime.now(VIETNAM_TIME)).astimezone(VIETNAM_TIME).replace(microsecond=0)
    stamp = when.isoformat(timespec="seconds")
    return Appearance(AppearanceKind.ATTACHMENT, text=f"{agency_name}\n{stamp}", page=0)


def place(appearance: Appearance, *, page_size: tuple[float, float], leader_box: Box | None) -> Box:
    """The rectangle of ``appearance`` on a page of ``page_size`` (width, height).

    ``leader_box`` is the rectangle of a leader signature already on that page,
    which a seal overlaps.
    """
    if appearance.box is not None:
        return appearance.box
    width, height = page_size
    if appearance.kind is AppearanceKind.ATTACHMENT:
        w, h = ATTACHMENT_SIZE
        return Box(width - PAGE_MARGIN - w, height - 28 - h, width - PAGE_MARGIN, height - 28)
    leader_default = Box(
        width - PAGE_MARGIN - LEADER_WIDTH,
        90,
        width - PAGE_MARGIN,
        90 + LEADER_IMAGE_HEIGHT + 2 * LEADER_TEXT_BAND,
    )
    if appearance.kind is AppearanceKind.LEADER:
        return leader_default
    return seal_box(leader_box or leader_default)


def signing_block(region: Box) -> tuple[Box, Box]:
    """The leader's and the seal's rectangles inside ``region``, the signing block of a
    document ("THỦ TRƯỞNG CƠ QUAN (Ký số, đóng dấu)"), for empty fields made in advance.

    The leader block hangs from the top of ``region``; the seal overlaps the left third
    of its signature image (:func:`seal_box`); the pair is centred across ``region``.
    The leader block narrows (never below half its width) when ``region`` cannot hold
    both at full size.
    """
    # The pair spans the seal plus two thirds of the leader block; 2 pt of air on each
    # side keeps the rounded field rectangles inside the region.
    inner = region.width - 4
    width = max(LEADER_WIDTH / 2, min(LEADER_WIDTH, 1.5 * (inner - SEAL_DIAMETER)))
    span = SEAL_DIAMETER + 2 * width / 3
    x1 = region.x1 + (region.width - span) / 2 + SEAL_DIAMETER - width / 3
    top = region.y2 - 2
    leader_box = Box(x1, top - LEADER_IMAGE_HEIGHT - 2 * LEADER_TEXT_BAND, x1 + width, top)
    return leader_box, seal_box(leader_box)


def seal_box(leader_box: Box) -> Box:
    """The seal's rectangle: its right edge a third into the leader's image, centred on it."""
    image = leader_image_box(leader_box)
    right = image.x1 + image.width / 3
    centre_y = (image.y1 + image.y2) / 2
    r = SEAL_DIAMETER / 2
    return Box(right - SEAL_DIAMETER, centre_y - r, right, centre_y + r)


def leader_image_box(leader_box: Box) -> Box:
    """Where the signature image sits inside a leader block (between title and name)."""
    return Box(
        leader_box.x1,
        leader_box.y1 + LEADER_TEXT_BAND,
        leader_box.x2,
        leader_box.y2 - LEADER_TEXT_BAND,
    )


def stamp_style(appearance: Appearance, box: Box) -> BaseStampStyle:
    """The pyHanko stamp style drawing ``appearance`` in ``box``."""
    if appearance.kind is AppearanceKind.SEAL:
        assert appearance.image_png is not None
        return StaticStampStyle(
            border_width=0,
            background=_image(appearance.image_png, box.width, box.height),
            background_layout=_centred(0),
            background_opacity=1.0,
        )
    bold = appearance.kind is AppearanceKind.LEADER
    size = 11 if bold else 10
    text_style = TextBoxStyle(
        font=GlyphAccumulatorFactory(str(stamp_font_path(bold=bold)), font_size=size),
        font_size=size,
        leading=round(size * 1.35),
        box_layout_rule=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID if bold else layout.AxisAlignment.ALIGN_MAX,
            y_align=layout.AxisAlignment.ALIGN_MID,
        ),
    )
    background = None
    if appearance.kind is AppearanceKind.LEADER:
        assert appearance.image_png is not None
        background = _image(appearance.image_png, box.width, box.height - 2 * LEADER_TEXT_BAND)
    return TextStampStyle(
        stamp_text="%(text)s",
        text_box_style=text_style,
        border_width=0,
        background=background,
        background_layout=_centred(0),
        background_opacity=1.0,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID if bold else layout.AxisAlignment.ALIGN_MAX,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.NO_SCALING,
        ),
    )


def _centred(margin: int) -> layout.SimpleBoxLayoutRule:
    return layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MID,
        y_align=layout.AxisAlignment.ALIGN_MID,
        margins=layout.Margins.uniform(margin),
        inner_content_scaling=layout.InnerScaling.STRETCH_FILL,
    )


def _image(png: bytes, width: float, height: float) -> PdfImage:
    image = Image.open(io.BytesIO(png))
    image.load()
    return PdfImage(image, box=layout.BoxConstraints(width, height))
