"""The attack corpus: never TOTAL_PASSED, always a stated reason; pdfsig agrees on integrity."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm
from verify_corpus import ATTACKS, add_annotation, certify, isa_replace_page_content, overlay

from signing.validation import (
    Indication,
    TrustStore,
    UnreadablePdfError,
    VerificationReport,
    verify_pdf,
)

pytestmark = pytest.mark.integration

SHADOW = {"shadow-hide", "shadow-replace", "shadow-hide-and-replace"}

# pdfsig verdicts that say something about integrity, and what they say.
PDFSIG_INTEGRITY = {
    "Signature is Valid.": True,
    "Digest Mismatch.": False,
    "Signature is Invalid.": False,
}

# Where pdfsig and we differ on integrity, and why (docs/verification.md says more).
KNOWN_DISAGREEMENTS: dict[str, str] = {}


@pytest.fixture(scope="session")
def overlay_signed(pdfa: bytes, sign_as: Callable[..., bytes]) -> bytes:
    """Signed after an overlay was added: the set-up of the shadow attacks."""
    from signing.model import PadesLevel

    return sign_as(overlay(pdfa), "leader", PadesLevel.B_T)


@pytest.fixture(scope="session")
def plain_pdf() -> bytes:
    """A one-page PDF without outlines.

    pyHanko's difference analysis refuses an updated page object that is also
    referenced from the outline (WeasyPrint makes one per heading), so the
    annotation cases use a document without headings.
    """
    import io

    import pikepdf
    from weasyprint import HTML

    source = HTML(string="<p>Quyết định cấp giấy phép số 12/QĐ-SNV.</p>").write_pdf()
    with pikepdf.open(io.BytesIO(source)) as pdf:
        # An indirect /Annots array, as viewers write it: adding an annotation
        # then changes only that array, not the page object.
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array())
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def corpus(
    signed_pdf: bytes,
    overlay_signed: bytes,
    plain_pdf: bytes,
    pyhanko_signer: Callable[[str], signers.Signer],
) -> dict[str, bytes]:
    """Every manipulated file of the corpus, by name."""
    files = {a.name: a.make(overlay_signed if a.name in SHADOW else signed_pdf) for a in ATTACKS}
    leader = pyhanko_signer("leader")
    for perm in (MDPPerm.NO_CHANGES, MDPPerm.FILL_FORMS):
        certified = certify(plain_pdf, leader, perm)
        files[f"certified-p{perm.value}-annotation"] = add_annotation(certified)
    files["certified-p2-page-content"] = isa_replace_page_content(
        certify(plain_pdf, leader, MDPPerm.FILL_FORMS)
    )
    return files


def _report(data: bytes, trust: TrustStore) -> VerificationReport | None:
    try:
        return verify_pdf(data, trust=trust)
    except UnreadablePdfError:
        return None


@pytest.mark.parametrize(
    "name",
    [a.name for a in ATTACKS]
    + ["certified-p1-annotation", "certified-p2-annotation", "certified-p2-page-content"],
)
def test_attack_never_passes_and_states_the_reason(
    corpus: dict[str, bytes], verify_trust: TrustStore, name: str
) -> None:
    report = _report(corpus[name], verify_trust)
    if report is None:
        return  # unreadable input: exit code 3, also never a pass
    assert report.indication in (Indication.TOTAL_FAILED, Indication.INDETERMINATE), name
    assert report.subindication is not None
    bad = [s for s in report.signatures if s.indication is not Indication.TOTAL_PASSED]
    assert bad and all(s.problems for s in bad)
    assert all(p.message_vi and p.message_en for s in bad for p in s.problems)


def test_annotation_even_where_p3_permits_it_is_not_passed(
    plain_pdf: bytes, pyhanko_signer: Callable[[str], signers.Signer], verify_trust: TrustStore
) -> None:
    """A known limit, on the safe side: /P 3 allows annotations, but pyHanko 0.38's
    difference analysis classifies any added annotation as OTHER, so we say
    INDETERMINATE with the reason (docs/verification.md)."""
    certified = certify(plain_pdf, pyhanko_signer("leader"), MDPPerm.ANNOTATE)
    report = verify_pdf(add_annotation(certified), trust=verify_trust)
    assert report.indication is Indication.INDETERMINATE
    assert report.signatures[0].problems[0].code == "changes"
    assert verify_pdf(certified, trust=verify_trust).indication is Indication.TOTAL_PASSED


def pdfsig_integrity(data: bytes, directory: Path) -> list[bool | None]:
    """pdfsig's integrity verdict per signature, ``None`` where it gives none."""
    path = directory / "input.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdfsig", "-nocert", str(path)], capture_output=True, text=True, timeout=60
    ).stdout
    blocks = re.split(r"^Signature #\d+:", out, flags=re.M)[1:]
    verdicts: list[bool | None] = []
    for block in blocks:
        match = re.search(r"Signature Validation: (.*)", block)
        verdicts.append(PDFSIG_INTEGRITY.get(match.group(1).strip()) if match else None)
    return verdicts


def test_pdfsig_agrees_on_integrity(
    corpus: dict[str, bytes], signed_pdf: bytes, verify_trust: TrustStore, tmp_path: Path
) -> None:
    files = {"original": signed_pdf, **corpus}
    compared, disagreements = 0, {}
    for name, data in files.items():
        theirs = pdfsig_integrity(data, tmp_path)
        report = _report(data, verify_trust)
        ours = [s.intact and s.valid for s in report.signatures] if report else []
        verdict_text = (
            f"{report.indication.value}/{report.subindication}" if report else "unreadable"
        )
        print(f"{name}: ours {verdict_text} integrity {ours}; pdfsig {theirs}")
        for index, verdict in enumerate(theirs):
            if verdict is None:
                continue
            mine = ours[index] if index < len(ours) else None
            compared += 1
            if mine is not verdict:
                disagreements[f"{name}#{index + 1}"] = (verdict, mine)
    print(f"compared {compared} verdicts; disagreements: {disagreements}")
    assert compared >= 10
    assert set(disagreements) == set(KNOWN_DISAGREEMENTS), disagreements
