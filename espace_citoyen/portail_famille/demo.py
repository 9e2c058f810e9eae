"""Demo of the Portail Famille migration, for `manage.py seed_demo` (idempotent; runs after
the accounts and activities demos):

- a family imported from the former Portail Famille, whose two accounts await activation;
- a few 2025-2026 bookings of Chloé and Nathan Bernard, imported as the Portail Famille
  exported them, so that their history shows them;
- the Moreau family of the Portail Famille, whose parent Thomas Moreau already created his
  account with the wizard (still awaiting validation): the import leaves it in "Familles à
  rapprocher" for the Relations population, and its bookings wait for the decision (a later
  `make run` imports them once an agent has attached the family).
"""

from datetime import date

from espace_citoyen.accounts.demo import AGENT
from espace_citoyen.accounts.models import User
from espace_citoyen.family.models import Child
from home.demo import DemoLogin

from .models import FamilyReconciliation
from .services.bookings import import_reservations
from .services.families import legacy_import_file

IMPORTED_FAMILY_CSV = (
    "famille_id;parent1_civilite;parent1_nom;parent1_prenom;parent1_email;parent1_tel_domicile;parent1_tel_mobile;"
    "parent1_tel_pro;parent2_civilite;parent2_nom;parent2_prenom;parent2_email;parent2_tel_domicile;"
    "parent2_tel_mobile;parent2_tel_pro;adresse_numero;adresse_voie;adresse_complement;code_postal;commune;"
    "enfant1_prenom;enfant1_nom;enfant1_sexe;enfant1_naissance;enfant1_ecole;enfant1_classe\n"
    "2001;Mme;Lefebvre;Marie;marie.lefebvre@example.org;01 39 75 40 40;06 20 30 40 50;;M.;Lefebvre;Antoine;"
    "antoine.lefebvre@example.org;;06 70 80 90 10;;8;rue de la Forêt;;78670;Villennes-sur-Seine;"
    "Zoé;Lefebvre;F;12/04/2018;École élémentaire des Tilleuls;CP\n"
)


# Exported with only some of the optional columns, as a town's agent may save it from Excel.
RECONCILED_FAMILY_CSV = (
    "famille_id;parent1_civilite;parent1_nom;parent1_prenom;parent1_email;parent1_tel_mobile;"
    "parent2_civilite;parent2_nom;parent2_prenom;parent2_email;adresse_numero;adresse_voie;code_postal;commune;"
    "enfant1_prenom;enfant1_sexe;enfant1_naissance;enfant1_ecole;enfant1_classe;"
    "enfant2_prenom;enfant2_sexe;enfant2_naissance;enfant2_ecole;enfant2_classe\n"
    "2002;M.;Moreau;Thomas;Thomas.Moreau@example.org;06 12 12 12 12;Mme;Moreau;Sarah;sarah.moreau@example.org;"
    "14;rue de Poissy;78670;Villennes-sur-Seine;"
    "Léo;M;14/06/2015;École élémentaire des Tilleuls;CM2;Jade;F;02/02/2021;École maternelle du Parc;PS\n"
)
# Bookings of Léo Moreau in the Portail Famille export (2019 onwards).
MOREAU_BOOKING_LINES = [
    "DEMO-PF-200;2002-1;Restauration scolaire;2019-2020;03/09/2019;réservé",
    "DEMO-PF-201;2002-1;Restauration scolaire;2025-2026;01/09/2025;réservé",
    "DEMO-PF-202;2002-1;Restauration scolaire;2025-2026;02/09/2025;réservé",
    "DEMO-PF-203;2002-1;Restauration scolaire;2025-2026;04/09/2025;annulé",
]


def seed_imported_family(agent):
    report = legacy_import_file(data=IMPORTED_FAMILY_CSV, actor=agent)
    if report.errors:
        raise RuntimeError(f"Import de démonstration refusé : {report.errors}")
    return list(User.objects.filter(legacy_key__startswith="2001-").order_by("legacy_key"))


def seed_family_to_reconcile(agent) -> FamilyReconciliation | None:
    """The Moreau family: Thomas Moreau's account exists (pending), so the line waits in
    "Familles à rapprocher"; its bookings wait too until an agent decides."""
    if not User.objects.filter(email__iexact="thomas.moreau@example.org").exists():
        return None
    report = legacy_import_file(data=RECONCILED_FAMILY_CSV, actor=agent)
    if report.errors:
        raise RuntimeError(f"Import de démonstration refusé : {report.errors}")
    import_reservations(["reservation;enfant;activite;annee;date;statut", *MOREAU_BOOKING_LINES])
    return FamilyReconciliation.objects.filter(legacy_id="2002").first()


LEGACY_CHILD_IDS = {"Chloé": "PF-DEMO-2317-1", "Nathan": "PF-DEMO-2317-2"}


def _legacy_history(chloe: Child, nathan: Child) -> int:
    """Bookings of 2025-2026 as if imported from the Portail Famille (through the real import,
    idempotent by reservation id), so that the children's history shows them."""
    for child in (chloe, nathan):
        if not child.legacy_id:
            child.legacy_id = LEGACY_CHILD_IDS[child.first_name]
            child.save(update_fields=["legacy_id"])
    lines = ["reservation;enfant;activite;annee;date;statut"]
    days = [date(2025, 9, d) for d in (1, 2, 4, 5, 8, 9, 11, 12)]
    for number, day in enumerate(days, start=1):
        status = "annulé" if day == date(2025, 9, 12) else "réservé"
        lines.append(f"DEMO-PF-{number:03d};{chloe.legacy_id};Restauration scolaire;2025-2026;{day:%d/%m/%Y};{status}")
        if day.weekday() in (0, 3):
            lines.append(f"DEMO-PF-{100 + number:03d};{nathan.legacy_id};Accueil du matin;2025-2026;"
                         f"{day:%d/%m/%Y};réservé")
    report = import_reservations(lines)
    return report.created


def seed(*, stdout):
    agent = User.objects.filter(email__iexact=AGENT.email).first()
    imported = seed_imported_family(agent)
    seed_family_to_reconcile(agent)
    chloe = Child.objects.filter(first_name="Chloé", last_name="Bernard").first()
    nathan = Child.objects.filter(first_name="Nathan", last_name="Bernard").first()
    if chloe is not None and nathan is not None:
        _legacy_history(chloe, nathan)
    stdout.write("Portail Famille : famille importée, réservations 2025-2026 reprises, famille Moreau à rapprocher.")
    state = "à activer : lien dans le courriel d'activation (console)"
    return [DemoLogin("Parent importé du Portail Famille", user.email, state, "/espace-citoyen/") for user in imported]
