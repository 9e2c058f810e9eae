"""The page layout shared by the billing's PDF documents (fpdf2): the town's header, the
title block, tables wrapped by word widths, the footer; and the Windows-1252 text of the PDF
core fonts (``_safe``). The documents themselves are laid out in pdf.py."""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

from espace_citoyen.core.money import format_cents
from espace_citoyen.core.town import TownContact

BLUE = (11, 79, 138)
GREY = (74, 79, 87)
LIGHT = (227, 238, 248)
WEEKDAYS_SHORT = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
# Latin letters that Unicode does not decompose into a base letter and a mark.
_PLAIN = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŀ": "L", "ŀ": "l",
                        "Ŧ": "T", "ŧ": "t", "\u2212": "-", "\u2264": "<=", "\u2265": ">="})


def _safe(text) -> str:
    """``text`` in what Windows-1252 can write: accents kept, others dropped, else "?"."""
    out = []
    for char in str(text or ""):
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            if char in "\u202f\u2009":
                out.append("\u00a0")
                continue
            plain = "".join(c for c in unicodedata.normalize("NFKD", char.translate(_PLAIN))
                            if not unicodedata.combining(c))
            try:
                plain.encode("cp1252")
                out.append(plain or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def _money(cents: int) -> str:
    return format_cents(cents)


def _date(day) -> str:
    return f"{day:%d/%m/%Y}"


class _Document(FPDF):
    def __init__(self, *, town: TownContact, title: str, number: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.town, self.doc_title, self.number = town, title, number
        self.set_title(_safe(f"{title} {number}"))
        self.set_author(_safe(town.name or "Mairie"))
        self.set_creator("Espace citoyen")
        self.set_lang("fr-FR")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=20)
        self.alias_nb_pages()
        self.add_page()

    def header(self):
        town = self.town
        self.set_text_color(*BLUE)
        self.set_font("Helvetica", "B", 15)
        self.cell(110, 7, _safe(f"Mairie de {town.name}" if town.name else "Mairie"), new_x="LEFT", new_y="NEXT")
        self.set_text_color(*GREY)
        self.set_font("Helvetica", size=9)
        details = [line for line in (town.address or "").splitlines() if line.strip()]
        contact = " – ".join(part for part in (f"Tél. {town.phone}" if town.phone else "", town.email) if part)
        for line in details + ([contact] if contact else []):
            self.cell(110, 4.5, _safe(line), new_x="LEFT", new_y="NEXT")
        end_y = self.get_y()
        self.set_xy(125, 15)
        self.set_text_color(*BLUE)
        title, size = _safe(self.doc_title.upper()), 18
        self.set_font("Helvetica", "B", size)
        while size > 11 and self.get_string_width(title) > 70 - 2 * self.c_margin:  # a long title fits its column
            size -= 1
            self.set_font("Helvetica", "B", size)
        self.cell(70, 9, title, align="R", new_x="LEFT", new_y="NEXT")
        self.set_font("Helvetica", "B", 11)
        self.set_text_color(0)
        self.cell(70, 6, _safe(f"N° {self.number}"), align="R", new_x="LEFT", new_y="NEXT")
        self.set_y(max(end_y, self.get_y()) + 4)
        self.set_draw_color(*BLUE)
        self.set_line_width(0.6)
        self.line(15, self.get_y(), 195, self.get_y())
        self.ln(4)
        self.set_text_color(0)

    def footer(self):
        self.set_y(-14)
        self.set_font("Helvetica", size=8)
        self.set_text_color(*GREY)
        self.cell(0, 5, _safe(f"{self.doc_title} n° {self.number} – page {self.page_no()}/{{nb}}"), align="C")

    # --- building blocks ---

    def facts(self, rows: list[tuple[str, str]], *, x: float = 125, width: float = 70) -> float:
        """Label/value pairs in a column on the right; returns the y below them."""
        top = self.get_y()
        self.set_xy(x, top)
        for label, value in rows:
            self.set_x(x)
            self.set_font("Helvetica", size=9)
            self.set_text_color(*GREY)
            self.cell(width / 2, 5.5, _safe(label))
            self.set_font("Helvetica", "B", 9)
            self.set_text_color(0)
            self.cell(width / 2, 5.5, _safe(value), align="R", new_x="LMARGIN", new_y="NEXT")
        bottom = self.get_y()
        self.set_y(top)
        return bottom

    def addressee(self, name: str, address: str) -> float:
        top = self.get_y()
        self.set_font("Helvetica", "B", 10)
        self.paragraph(name, 5.5, width=100)
        self.set_font("Helvetica", size=10)
        for line in (address or "").splitlines():
            self.cell(100, 5, _safe(line), new_x="LMARGIN", new_y="NEXT")
        bottom = self.get_y()
        self.set_y(top)
        return bottom

    def box(self, title: str, text: str, *, fill=LIGHT):
        self.set_fill_color(*fill)
        self.set_font("Helvetica", "B", 9.5)
        self.paragraph(title, 5.5, fill=fill, indent=2)
        self.set_font("Helvetica", size=9)
        self.paragraph(text, 4.8, fill=fill, indent=2)
        self.ln(3)

    def heading(self, text: str):
        self.ln(1)
        self.set_font("Helvetica", "B", 11)
        self.set_text_color(*BLUE)
        self.cell(0, 7, _safe(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)

    def ensure_space(self, height: float) -> None:
        """A new page unless ``height`` mm still fit above the bottom margin (blocks are
        never split: lines are placed by hand, not by fpdf2's automatic page break)."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def paragraph(self, text: str, line_height: float, *, width: float = 0, fill=None, indent: float = 0):
        """``text`` wrapped at ``width`` (the page's by default), from the left margin, then
        the cursor below it; on a filled background when ``fill`` is a colour."""
        width = width or self.epw
        lines = self.wrap(_safe(text), width - 2 * indent)
        self.ensure_space(len(lines) * line_height + 1)
        top = self.get_y()
        if fill:
            self.set_fill_color(*fill)
            self.rect(self.l_margin, top, width, len(lines) * line_height + 1, style="F")
        for number, line in enumerate(lines):
            self.set_xy(self.l_margin + indent, top + 0.5 + number * line_height)
            self.cell(width - 2 * indent, line_height, line)
        self.set_xy(self.l_margin, top + len(lines) * line_height + (1 if fill else 0))

    def wrap(self, text: str, width: float) -> list[str]:
        """The lines of ``text`` in a cell ``width`` wide, in the current font: greedy on
        spaces, word widths cached (a page repeats the same dates and prices). fpdf2's own
        line breaking measures every character of every line, several times over."""
        room = width - 2 * self.c_margin
        cache = self.__dict__.setdefault("_word_widths", {})
        key = (self.font_family, self.font_style, self.font_size_pt)

        def measure(word):
            if (key, word) not in cache:
                cache[(key, word)] = self.get_string_width(word)
            return cache[(key, word)]

        space = measure(" ")
        lines = []
        for paragraph in text.split("\n"):
            words = paragraph.split(" ")
            if any(measure(word) > room for word in words):  # a word wider than the cell: fpdf2 cuts it
                lines.extend(self.multi_cell(width, 4, paragraph, dry_run=True, output="LINES"))
                continue
            line, used = "", 0.0
            for word in words:
                size = measure(word)
                if line and used + space + size > room:
                    lines.append(line)
                    line, used = word, size
                else:
                    line, used = (f"{line} {word}", used + space + size) if line else (word, size)
            lines.append(line)
        return lines

    def table(self, headings: list[str], widths: list[float], rows: list[list[str]], aligns: list[str],
              *, bold_rows: set[int] = frozenset()):
        line_height = 4.8
        with self.table_context(headings, widths, aligns) as table:
            for index, row in enumerate(rows):
                self.set_font("Helvetica", "B" if index in bold_rows else "", 9)
                table.row([_safe(value) for value in row], line_height)

    def table_context(self, headings, widths, aligns):
        pdf = self

        class _Table:
            def __enter__(self):
                self.header()
                return self

            def header(self):
                pdf.set_font("Helvetica", "B", 8.5)
                pdf.set_fill_color(*LIGHT)
                for heading, width, align in zip(headings, widths, aligns):
                    pdf.cell(width, 6, _safe(heading), border="B", align=align, fill=True)
                pdf.ln(6)

            def row(self, values, line_height):
                cells = [pdf.wrap(value, width) for value, width in zip(values, widths)]
                height = max(len(lines) for lines in cells) * line_height + 1.5
                if pdf.get_y() + height > pdf.page_break_trigger:
                    pdf.add_page()
                    self.header()
                top = pdf.get_y()
                x = pdf.l_margin
                for lines, width, align in zip(cells, widths, aligns):
                    for number, line in enumerate(lines):
                        pdf.set_xy(x, top + 0.75 + number * line_height)
                        pdf.cell(width, line_height, line, align=align)
                    x += width
                pdf.set_draw_color(*LIGHT)
                pdf.set_line_width(0.2)
                pdf.line(pdf.l_margin, top + height, pdf.l_margin + sum(widths), top + height)
                pdf.set_xy(pdf.l_margin, top + height)

            def __exit__(self, *exc):
                pdf.ln(2)
                return False

        return _Table()

    def totals(self, rows: list[tuple[str, str]], *, strong_last: bool = True):
        self.ensure_space(7 * len(rows) + 3)
        for index, (label, value) in enumerate(rows):
            strong = strong_last and index == len(rows) - 1
            self.set_x(105)
            self.set_font("Helvetica", "B" if strong else "", 11 if strong else 10)
            if strong:
                self.set_fill_color(*LIGHT)
            self.cell(55, 7, _safe(label), fill=strong)
            self.cell(35, 7, _safe(value), align="R", fill=strong, new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def output_bytes(self) -> bytes:
        return bytes(self.output())
