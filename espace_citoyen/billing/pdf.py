"""PDF documents of the billing (fpdf2): the invoice, the credit note ("avoir"), the
receipt of a payment received at the desk, and the yearly « attestation de frais de garde »
(made on demand from the payments, never stored: selectors/certificates.py). Each is made once, when issued, and stored on
the private storage (services/documents.py); these functions only lay out the pages.

The town's header comes from the site settings (core.town.town_contact). Text uses the PDF
core font Helvetica in the Windows-1252 encoding (€, œ, «» and French accents included);
any other character is written without its accent, or as "?" (see ``_safe``)."""

from __future__ import annotations

from collections import OrderedDict
from itertools import groupby

from espace_citoyen.core.business_calendar import MONTHS_FR, format_day, format_month
from espace_citoyen.core.town import TownContact

from .pdf_layout import GREY, WEEKDAYS_SHORT, _date, _Document, _money, _safe

__all__ = ["render_childcare_certificate", "render_credit_note", "render_invoice", "render_receipt"]


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
