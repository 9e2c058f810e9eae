"""PDF documents of the billing (fpdf2): the invoice, the credit note ("avoir"), the
receipt of a payment received at the desk, and the yearly « attestation de frais de garde »
(made on demand from the payments, never stored: selectors/certificates.py). Each is made once, when issued, and stored on
the private storage (services/documents.py); these functions only lay out the pages.

The town's header comes from the site settings (core.town.town_contact). Text uses the PDF
core font Helvetica in the Windows-1252 encoding (€, œ, «» and French accents included);
any other character is written without its accent, or as "?" (see ``_safe``)."""

from __future__ import annotations

import unicodedata
from collections import OrderedDict
from itertools import groupby

from fpdf import FPDF

from espace_citoyen.core.business_calendar import MONTHS_FR, format_day, format_month
from espace_citoyen.core.money import format_cents
from espace_citoyen.core.town import TownContact

__all__ = ["render_childcare_certificate", "render_credit_note", "render_invoice", "render_receipt"]

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


def _days_text(days: list) -> str:
    """ "lun. 2, mar. 3, jeu. 5 novembre" – grouped by month."""
    parts = []
    for (year, month), month_days in groupby(sorted(days), key=lambda d: (d.year, d.month)):
        numbers = ", ".join(f"{WEEKDAYS_SHORT[d.weekday()]} {'1er' if d.day == 1 else d.day}" for d in month_days)
        parts.append(f"{numbers} {MONTHS_FR[month - 1]} {year}")
    return " ; ".join(parts)


NOTES = {"absent": "absence non justifiée", "late_cancel": "annulation hors délai"}


def _grouped_rows(lines) -> list[list[str]]:
    """Rows of the lines table: by child, by activity, then one row per price (and note:
    unjustified absence, late cancellation, regularisation) with its days listed. The
    bracket is written on the rows only when the invoice has more than one."""
    rows = []
    several_labels = len({line.bracket_label for line in lines}) > 1
    by_child: OrderedDict = OrderedDict()
    for line in lines:
        by_child.setdefault(line.child_name, OrderedDict()).setdefault(line.activity_name, []).append(line)
    for child_name, activities in by_child.items():
        for activity_name, activity_lines in activities.items():
            groups: OrderedDict = OrderedDict()
            for line in activity_lines:
                key = (line.unit_price_cents, line.surcharge_cents, NOTES.get(line.reason, ""), line.is_regularisation,
                       line.bracket_label if several_labels else "")
                groups.setdefault(key, []).append(line)
            for (unit, surcharge, note, regularisation, label), group in groups.items():
                notes = [text for text in ("régularisation" if regularisation else "", note, label) if text]
                if surcharge:
                    notes.append(f"dont majoration pour réservation tardive : {_money(surcharge)} par jour")
                detail = _days_text([line.date for line in group]) + ("\n" + " – ".join(notes) if notes else "")
                rows.append([f"{child_name}\n{activity_name}", detail, str(len(group)), _money(unit + surcharge),
                             _money(sum(line.amount_cents for line in group))])
    return rows


def render_invoice(*, invoice, lines, town: TownContact, site_url: str, online_payment: bool) -> bytes:
    pdf = _Document(town=town, title="Facture", number=invoice.number)
    bottom = pdf.addressee(invoice.addressee, invoice.address)
    month_label = format_month(invoice.month.year, invoice.month.month)
    bottom = max(bottom, pdf.facts([
        ("Date", _date(invoice.issue_date)), ("Période", month_label), ("À payer avant le", _date(invoice.due_date)),
    ]))
    pdf.set_y(bottom + 4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, _safe(f"Activités périscolaires et de loisirs – {month_label}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    if invoice.no_quotient:
        pdf.box("Tarif maximal : quotient non transmis",
                "Aucun quotient familial valable n'a été transmis pour cette année scolaire : le tarif de la tranche "
                "la plus haute est appliqué. Pour bénéficier du tarif de votre tranche, transmettez votre attestation "
                "CAF de quotient familial (ou votre avis d'imposition) au service Régie depuis votre espace citoyen, "
                f"rubrique « Mes documents » ({site_url}/espace-citoyen/documents/), ou au guichet de la mairie. "
                "Le nouveau tarif s'appliquera aux factures suivantes.", fill=(250, 236, 214))
    else:
        pdf.box("Tarif appliqué", invoice.pricing_note)
    pdf.table(["Enfant, activité", "Jours", "Qté", "Prix / jour", "Montant"], [40, 82, 12, 23, 23],
              _grouped_rows(lines), ["L", "L", "R", "R", "R"])
    totals = [("Total de la facture", _money(invoice.total_cents))]
    if invoice.credited_cents:
        totals.append(("Avoirs", _money(-invoice.credited_cents)))
    totals += [("Déjà payé", _money(invoice.paid_cents)), ("Reste à payer", _money(invoice.balance_cents))]
    pdf.totals(totals)
    pdf.ensure_space(50)  # the heading stays with what follows
    pdf.heading(f"Comment payer avant le {_date(invoice.due_date)}")
    online = (f"En ligne, par carte bancaire : {site_url}/espace-citoyen/factures/" if online_payment else
              f"En ligne : depuis votre espace citoyen ({site_url}/espace-citoyen/factures/), dès l'ouverture du "
              "paiement en ligne.")
    desk = "Au guichet de la mairie, aux heures d'ouverture : espèces, carte bancaire ou chèque."
    if pdf.town.address:
        desk += " " + pdf.town.address.replace("\n", ", ") + "."
    cheque = (f"Par chèque à l'ordre du Trésor public, en indiquant au dos le numéro de facture {invoice.number}, "
              "remis ou envoyé à la mairie.")
    pdf.set_font("Helvetica", size=9.5)
    for text in (online, desk, cheque):
        pdf.paragraph(f"- {text}", 5)
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 8.5)
    pdf.set_text_color(*GREY)
    pdf.paragraph((
        "Après la date d'échéance, une facture impayée est transmise au Trésor public, qui en assure le "
        "recouvrement. Une question sur cette facture : contactez le service Régie de la mairie"
        + (f" ({pdf.town.phone}" + (f", {pdf.town.email})" if pdf.town.email else ")") if pdf.town.phone else ".")
    ), 4.5)
    return pdf.output_bytes()


def render_credit_note(*, credit_note, invoice, lines, balance_after: int, town: TownContact) -> bytes:
    pdf = _Document(town=town, title="Avoir", number=credit_note.number)
    bottom = pdf.addressee(invoice.addressee, invoice.address)
    bottom = max(bottom, pdf.facts([("Date", _date(credit_note.issue_date)), ("Sur la facture", invoice.number),
                                    ("Facture émise le", _date(invoice.issue_date))]))
    pdf.set_y(bottom + 4)
    pdf.box("Motif de l'avoir", credit_note.reason)
    rows = [[f"{line.invoice_line.child_name}\n{line.invoice_line.activity_name}",
             format_day(line.invoice_line.date), _money(line.invoice_line.amount_cents), _money(line.amount_cents)]
            for line in lines]
    pdf.table(["Enfant, activité", "Jour", "Facturé", "Avoir"], [55, 65, 30, 30], rows, ["L", "L", "R", "R"])
    pdf.totals([("Total de l'avoir", _money(credit_note.total_cents)),
                ("Reste à payer sur la facture", _money(max(balance_after, 0)))], strong_last=False)
    pdf.set_font("Helvetica", size=9.5)
    text = (f"Cet avoir est déduit de la facture {invoice.number}. "
            + ("Le montant déjà payé dépasse désormais le montant dû : la différence vous sera remboursée par le "
               "Trésor public." if balance_after < 0 else
               "Si la facture est déjà réglée, la différence vous sera remboursée." if balance_after == 0 else ""))
    pdf.paragraph(text.strip(), 5)
    return pdf.output_bytes()


def render_receipt(*, payment, invoice, balance_after: int, town: TownContact) -> bytes:
    pdf = _Document(town=town, title="Reçu de paiement", number=payment.receipt_number)
    bottom = pdf.addressee(invoice.addressee, invoice.address)
    bottom = max(bottom, pdf.facts([("Reçu le", _date(payment.received_on)), ("Facture", invoice.number)]))
    pdf.set_y(bottom + 6)
    method = payment.get_method_display()
    if payment.cheque_number:
        method += f" n° {payment.cheque_number}"
    if payment.bank:
        method += f" ({payment.bank})"
    if payment.reference:
        method += f" – réf. {payment.reference}"
    pdf.table(["Objet", "Moyen de paiement", "Montant"], [70, 80, 30],
              [[f"Facture {invoice.number} – {format_month(invoice.month.year, invoice.month.month)}", method,
                _money(payment.amount_cents)]], ["L", "L", "R"])
    pdf.totals([("Montant reçu", _money(payment.amount_cents)),
                ("Reste à payer sur la facture", _money(max(balance_after, 0)))], strong_last=False)
    pdf.set_font("Helvetica", size=9.5)
    pdf.paragraph((
        "La mairie atteste avoir reçu ce paiement au guichet de la régie."
        + (" La facture est entièrement réglée." if balance_after <= 0 else "")), 5)
    return pdf.output_bytes()


CHILDCARE_FOOTNOTE = (
    "Montants retenus : les sommes reçues par la régie de la commune du 1er janvier au 31 décembre {year} "
    "(au guichet ou en ligne), quel que soit le mois facturé, pour les activités de garde d'enfants "
    "(accueils périscolaires du matin et du soir, accueils de loisirs) des enfants nés à compter du 1er janvier "
    "{born}, c'est-à-dire âgés de moins de 6 ans au 1er janvier {year}. Les repas (restauration scolaire) sont "
    "exclus. Les avoirs sont déduits. Lorsqu'une facture a été payée en partie, ou porte aussi sur d'autres "
    "activités, le paiement est réparti entre ses lignes au prorata de leur montant. Cette attestation ne tient "
    "pas compte des aides que vous avez perçues (complément de libre choix du mode de garde de la CAF, aides de "
    "l'employeur) : déduisez-les du montant déclaré."
)


class _Certificate(_Document):
    """Certificates of several households in one file: each page's header and footer name
    its own certificate."""

    _first_page_used = False
    _footer_number = ""

    def start(self, number: str) -> None:
        """Begin a child's page of the certificate ``number`` (the first page exists already)."""
        if not self._first_page_used:
            self._first_page_used = True
            return
        self._footer_number, self.number = self.number, number  # the page ending keeps its number
        self.add_page()
        self._footer_number = ""

    def footer(self):
        current = self.number
        self.number = self._footer_number or current
        super().footer()
        self.number = current


def render_childcare_certificate(*, certificates, town: TownContact, issued_on) -> bytes:
    """One page per child of each certificate (selectors.certificates.ChildcareCertificate):
    who paid, for which child, how much in the year, invoice by invoice; date, place and the
    mayor's signature line; the rule applied in a footnote."""
    title = "Attestation de frais de garde"
    pdf = None
    place = town.name or "la mairie"
    for certificate in certificates:
        year = certificate.year
        for child in certificate.children:
            if pdf is None:
                pdf = _Certificate(town=town, title=title, number=certificate.reference)
            pdf.start(certificate.reference)
            parents = " et ".join(certificate.parents) or f"Foyer n° {certificate.household_id}"
            bottom = pdf.addressee(parents, certificate.address)
            bottom = max(bottom, pdf.facts([("Année", str(year)), ("Date", _date(issued_on)),
                                            ("Référence", certificate.reference)]))
            pdf.set_y(bottom + 4)
            pdf.set_font("Helvetica", "B", 12)
            pdf.paragraph(f"Frais de garde des enfants de moins de 6 ans – année {year}", 6.5)
            pdf.ln(2)
            pdf.set_font("Helvetica", size=10)
            pdf.paragraph((
                f"Le Maire de {place} atteste que {parents} "
                f"{'ont' if len(certificate.parents) > 1 else 'a'} payé à la commune, du 1er janvier au "
                f"31 décembre {year}, pour la garde de l'enfant ci-dessous, la somme de "
                f"{_money(child.amount_cents)}."), 5.5)
            pdf.ln(2)
            pdf.table(["Enfant", "Date de naissance", f"Frais de garde payés en {year}"], [80, 45, 55],
                      [[child.full_name, format_day(child.birth_date, weekday=False), _money(child.amount_cents)]],
                      ["L", "L", "R"])
            pdf.heading("Détail par facture")
            pdf.table(["Facture", "Mois facturé", f"Payé en {year} pour la garde"], [60, 65, 55],
                      [[row.invoice_number, row.month_label, _money(row.amount_cents)] for row in child.rows],
                      ["L", "L", "R"])
            pdf.totals([(f"Total payé en {year}", _money(child.amount_cents))])
            pdf.box("Pour votre déclaration de revenus",
                    f"Montant à reporter dans la rubrique « Frais de garde des enfants de moins de 6 ans » "
                    f"(cases 7GA à 7GC, ou 7GE à 7GG en cas de résidence alternée) de la déclaration des revenus "
                    f"{year}, déduction faite des aides perçues. Conservez cette attestation : elle peut vous être "
                    "demandée par l'administration fiscale.")
            pdf.ensure_space(40)
            pdf.set_font("Helvetica", size=10)
            pdf.ln(2)
            pdf.set_x(110)
            pdf.cell(85, 6, _safe(f"Fait à {place}, le {format_day(issued_on, weekday=False)}"),
                     new_x="LMARGIN", new_y="NEXT")
            pdf.set_x(110)
            pdf.set_font("Helvetica", "B", 10)
            pdf.cell(85, 6, _safe("Le Maire / Pour le Maire,"), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(18)
            pdf.set_font("Helvetica", "I", 8)
            pdf.set_text_color(*GREY)
            pdf.paragraph(CHILDCARE_FOOTNOTE.format(year=year, born=year - 6), 4)
            pdf.set_text_color(0)
    if pdf is None:
        raise ValueError("Nothing to certify.")
    return pdf.output_bytes()
