"""The Times-New-Roman-metric font used in stamps: Liberation Serif.

Decree 30/2020 asks for Times New Roman; Liberation Serif has the same
metrics, covers Vietnamese and is free to embed (Debian ``fonts-liberation2``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

from signing.errors import SigningError

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/local/share/fonts"),
)


def font_path(*, bold: bool = False, search: tuple[Path, ...] = FONT_DIRS) -> Path:
    """The Liberation Serif file (regular or bold) found in ``search``."""
    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    for directory in search:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    raise SigningError(
        f"Không tìm thấy phông {name}. Cài gói fonts-liberation2.",
        f"Font {name} not found. Install the Debian package fonts-liberation2.",
        code="signing.font_missing",
    )


def stamp_font_path(*, bold: bool = False, cache_dir: Path | None = None) -> Path:
    """Liberation Serif rescaled to 1000 units per em, for pyHanko stamps.

    pyHanko 0.38 writes a CID font's ``/W`` widths in font units, which PDF
    reads as thousandths of an em: right only for 1000-unit fonts. Liberation
    has 2048 units, so glyphs came out spread apart; rescaling the font
    (same metrics, proportionally) fixes it. Cached on disk after first use.
    """
    source = font_path(bold=bold)
    directory = cache_dir or Path(tempfile.gettempdir()) / "eforms-fonts"
    target = directory / f"{source.stem}-upem1000.ttf"
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    font = TTFont(str(source))
    if "FFTM" in font:
        del font["FFTM"]  # FontForge's timestamp table: the subsetter only warns about it
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".ttf")
    os.close(fd)
    font.save(tmp)
    os.replace(tmp, target)
    return target
