"""The PDF rendering of a report: write one (demo, tests) and read its text back (email intake)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from fpdf import FPDF

# A Unicode font when the machine has one (Debian's fonts-dejavu-core); else Latin-1 Helvetica.
UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


class UnreadablePdf(ValueError):
    pass


def render_pdf(text: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    if UNICODE_FONT.exists():
        pdf.add_font("body", fname=str(UNICODE_FONT))
        pdf.set_font("body", size=9)
    else:
        pdf.set_font("Helvetica", size=9)
        text = text.encode("latin-1", "replace").decode("latin-1")
    for line in text.split("\n"):
        pdf.multi_cell(0, 4.5, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_text(data: bytes, max_pages: int = 50) -> str:
    """All the text of a PDF, page by page. Raises UnreadablePdf for corrupt or locked files."""
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise UnreadablePdf(f"not a readable PDF ({exc})") from exc
    try:
        if len(document) > max_pages:
            raise UnreadablePdf(f"{len(document)} pages; the limit is {max_pages}")
        pages = []
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            pages.append(text_page.get_text_range())
            text_page.close()
            page.close()
    finally:
        document.close()
    # PDFium marks a hyphen that ends a line as U+FFFE and joins the lines: it is a real "-"
    # (a reference number, a postcode range) and the line break is where the next field starts.
    text = "\n".join(pages).replace("\u00a0", " ").replace("\r\n", "\n")
    return text.replace("\ufffe", "-\n")
