"""Optional BagIt wrapping of a package for transfer (``bagit`` library).

The bag is made on a copy: ``bagit.make_bag`` moves a folder's content into
``data/`` in place, and the package folder itself must stay a valid CSIP
package.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import bagit

from archive.errors import ArchiveError
from eforms import __version__


def wrap_bag(package: Path, bag_dir: Path) -> Path:
    """Copy ``package`` into ``bag_dir/data/<package name>/`` and make it a bag (SHA-256)."""
    if bag_dir.exists():
        raise ArchiveError(
            f"Thư mục {bag_dir} đã tồn tại.",
            f"The folder {bag_dir} already exists.",
            code="archive.target_exists",
        )
    shutil.copytree(package, bag_dir / package.name)
    bagit.make_bag(
        str(bag_dir),
        {
            "Source-Organization": "eforms",
            "External-Identifier": package.name,
            "Bag-Software-Agent": f"eforms {__version__}",
        },
        checksums=["sha256"],
    )
    return bag_dir


def check_bag(bag_dir: Path) -> list[str]:
    """Problems of a bag (empty when valid)."""
    try:
        bagit.Bag(str(bag_dir)).validate()
    except bagit.BagValidationError as exc:
        return [str(d) for d in exc.details] or [str(exc)]
    except bagit.BagError as exc:
        return [str(exc)]
    return []
