"""Fast rules without servers: algorithm policy, Decree 30 geometry, field names, caches."""

from __future__ import annotations

import pytest

from signing import appearance as appearances
from signing.document import ExistingField, choose_field_name
from signing.errors import FieldAlreadySignedError, UnknownIdentityError, WeakAlgorithmError
from signing.model import AppearanceKind, DigestAlgorithm
from signing.policy import check_digest, check_key


@pytest.mark.parametrize("name", ["sha1", "md5", "sha224", "ripemd160"])
def test_weak_digests_are_refused(name):
    with pytest.raises(WeakAlgorithmError) as caught:
        check_digest(name)
    assert caught.value.message_vi != caught.value.message_en


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sha256", DigestAlgorithm.SHA256),
        ("SHA-384", DigestAlgorithm.SHA384),
        ("sha3_256", DigestAlgorithm.SHA3_256),
        ("sha3-512", DigestAlgorithm.SHA3_512),
    ],
)
def test_strong_digests_are_allowed(name, expected):
    assert check_digest(name) is expected


def test_key_policy(pki):
    check_key(pki.certificate("leader"))  # RSA 2048
    check_key(pki.certificate("officer"))  # ECDSA P-256
    with pytest.raises(WeakAlgorithmError) as caught:
        check_key(pki.certificate("weak"))  # RSA 1024
    assert caught.value.details == {"algorithm": "rsa", "bits": 1024}


def test_seal_covers_left_third_of_signature_image():
    leader = appearances.place(
        appearances.leader(name="A", title="B", signature_png=b""),
        page_size=(595, 842),
        leader_box=None,
    )
    seal = appearances.seal_box(leader)
    image = appearances.leader_image_box(leader)

    assert (seal.x2 - image.x1) / image.width == pytest.approx(1 / 3)
    assert seal.width == seal.height == pytest.approx(36 * 72 / 25.4, abs=0.1)
    assert leader.x2 == pytest.approx(595 - appearances.PAGE_MARGIN)


def test_attachment_goes_top_right_with_iso_time():
    from datetime import datetime, timedelta, timezone

    stamp = appearances.attachment(
        agency_name="Sở Nội vụ",
        when=datetime(2026, 11, 22, 9, 30, tzinfo=timezone(timedelta(hours=7))),
    )
    box = appearances.place(stamp, page_size=(595, 842), leader_box=None)

    assert stamp.text == "Sở Nội vụ\n2026-11-22T09:30:00+07:00"
    assert stamp.page == 0
    assert box.x2 == pytest.approx(595 - appearances.PAGE_MARGIN) and box.y2 > 800


def test_field_names():
    fields = [ExistingField("leader_1", True, 0, None), ExistingField("empty", False, 0, None)]

    assert choose_field_name(fields, None, AppearanceKind.LEADER) == "leader_2"
    assert choose_field_name(fields, None, AppearanceKind.NONE) == "signature_1"
    assert choose_field_name(fields, "empty", AppearanceKind.NONE) == "empty"
    with pytest.raises(FieldAlreadySignedError):
        choose_field_name(fields, "leader_1", AppearanceKind.LEADER)


def test_unknown_identity_lists_known_ones():
    from signing.demo_pki import identity

    with pytest.raises(UnknownIdentityError) as caught:
        identity("nobody")
    assert "000.00.00.H56" in caught.value.message_en


def test_demo_pki_is_stable_across_loads(pki):
    from signing.demo_pki import DemoPKI

    again = DemoPKI.load_or_create(pki.directory.parent)
    assert again.certificate("leader").dump() == pki.certificate("leader").dump()
    assert again.root_pem() == pki.root_pem()
    assert again.port == pki.port
