"""Milliseconds per page: our CT01 render next to bare WeasyPrint on the same HTML.

Run from the repository root: ``.venv/bin/python benchmarks/render_pdf.py [ROUNDS]``.
Both sides are measured in the same run, interleaved, after a warm-up; the
figure is the median per page. "Ours" is the whole path a submission takes
(HTML from the definition, QR code, PDF/A-3b with data.json, metadata);
"bare" is ``HTML(string=same_html).write_pdf()``. Goal: ratio within 1.3.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weasyprint import HTML  # noqa: E402

from forms_builder.rendering import render_html, render_pdf  # noqa: E402
from forms_builder.validation import load_definition  # noqa: E402
from tests.forms_builder.layout_samples import CT01_DATA, ct01_doc  # noqa: E402

CODE = "000.00.00.H56-261124-0001"
BASE = "https://dichvucong.example.gov.vn"


def main(rounds: int) -> None:
    definition = load_definition(ct01_doc())
    html = render_html(definition, CT01_DATA, dossier_code=CODE, base_url=BASE)

    def ours() -> int:
        return render_pdf(definition, CT01_DATA, dossier_code=CODE, base_url=BASE).pages

    def bare() -> int:
        document = HTML(string=html).render()
        document.write_pdf()
        return len(document.pages)

    def bare_pdfa() -> int:
        document = HTML(string=html).render()
        document.write_pdf(pdf_variant="pdf/a-3b")
        return len(document.pages)

    cases = {
        "ours (PDF/A-3b + data.json)": ours,
        "bare write_pdf": bare,
        "bare pdf/a-3b": bare_pdfa,
    }
    for run in cases.values():
        run()  # warm-up: fonts, caches
    timings: dict[str, list[float]] = {name: [] for name in cases}
    pages = {}
    names = list(cases)
    for index in range(rounds):
        # Rotate the order each round so that load from other processes falls on all sides.
        for name in names[index % len(names) :] + names[: index % len(names)]:
            run = cases[name]
            start = time.perf_counter()
            pages[name] = run()
            timings[name].append((time.perf_counter() - start) * 1000 / pages[name])
    print(f"CT01, {pages['bare write_pdf']} page(s), {rounds} rounds, median ms per page")
    for name, values in timings.items():
        print(f"  {name:<30} {statistics.median(values):8.1f} ms/page")
    ratio = statistics.median(timings["ours (PDF/A-3b + data.json)"]) / statistics.median(
        timings["bare write_pdf"]
    )
    print(f"  ratio ours / bare write_pdf     {ratio:8.2f}  (goal <= 1.30)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
