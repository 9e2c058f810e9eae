"""Families of the Portail Famille whose parent already has an account: the import leaves the
line in "Familles à rapprocher" (nothing half-imported), the agent's decisions (attach,
separate household, reject) with their history and e-mails, the bookings that wait for the
decision, and re-runs that change nothing (services/families.py, services/reconciliation.py,
services/bookings.py)."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction

from espace_citoyen.accounts.models import AccountEvent, AccountEventKind, AccountStatus, Profile, User
from espace_citoyen.activities.models import Occurrence, Reservation, ReservationSource, ReservationStatus
from espace_citoyen.family.models import Child, Household, Membership
from espace_citoyen.portail_famille.models import FamilyReconciliation, ReconciliationStatus
from espace_citoyen.portail_famille.services import families
from espace_citoyen.portail_famille.services import reconciliation as services
from espace_citoyen.portail_famille.services.bookings import import_reservations
from tests.factories import ChildFactory, make_citizen, make_staff

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE = DATA / "portail_famille_sample.csv"
BOOKINGS = DATA / "portail_famille_reservations_sample.csv"


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8-sig")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(data=…, dry_run=False): the families import with its e-mails sent at commit."""

    def run_import(data=None, *, dry_run=False, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            return families.legacy_import_file(data=SAMPLE.read_bytes() if data is None else data,
                                               actor=actor, dry_run=dry_run)

    return run_import


@pytest.fixture
def decide(django_capture_on_commit_callbacks):
    """decide(service, **kwargs): a decision with its e-mails sent at commit."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


@pytest.fixture
def agent(db):
    return make_staff("agent.rapprochement@ville-villennes-sur-seine.fr", "import_portail_famille",
                      "validate_account")


@pytest.fixture
def claire(db):
    """Claire Martin created her space with the wizard before the import (validated), and
    declared Léa herself – without school."""
    user = make_citizen("claire.martin@example.org", first_name="Claire", last_name="Martin",
                        profile={"street_number": "12", "street": "rue du Général-de-Gaulle", "postcode": "78670",
                                 "city": "Villennes-sur-Seine"})
    household = Membership.objects.get(user=user).household
    ChildFactory(household=household, first_name="Lea", last_name="Martin", birth_date=datetime.date(2016, 3, 14),
                 school="", school_class="", allergies="Gluten")
    return user


def family_state():
    """Everything the import and the decisions may write, to compare before and after."""
    return (
        list(Household.objects.order_by("pk").values_list("pk", "legacy_id", "updated_at")),
        list(Child.objects.order_by("pk").values_list("pk", "household_id", "legacy_id", "first_name",
                                                        "school", "school_class", "updated_at")),
        list(User.objects.order_by("pk").values_list("pk", "legacy_key", "email", "status")),
        list(Membership.objects.order_by("pk").values_list("household_id", "user_id")),
        list(FamilyReconciliation.objects.order_by("pk").values_list("legacy_id", "status", "row", "line")),
        AccountEvent.objects.count(),
        list(Reservation.objects.order_by("pk").values_list("legacy_id", "child_id", "status")),
    )


def mailed_to(address):
    return [message for message in mail.outbox if address in message.to]


# --- the import puts the line in the queue ---------------------------------------------------


def test_a_line_matching_a_validated_account_waits_and_nothing_is_half_imported(claire, run):
    report = run()

    assert (report.created, report.queued, report.failed) == (3, 1, 1)
    assert [(e.line, e.column) for e in report.errors] == [(4, "enfant1_naissance")]  # no error for 1042
    assert report.queued_lines == [
        "ligne 2 (famille 1042) : l'adresse claire.martin@example.org est celle du compte de Claire Martin "
        "(validé) – à rapprocher (nouvelle)"]
    assert any("À rapprocher : 1 famille(s)" in line for line in report.summary_lines())
    # Neither a household without adult, nor a copy of Léa, nor Julien's account.
    assert not Household.objects.filter(legacy_id="1042").exists()
    assert not Child.objects.filter(legacy_id__startswith="1042-").exists()
    assert not User.objects.filter(legacy_key__startswith="1042-").exists()
    assert mailed_to("julien.martin@example.org") == [] and mailed_to("claire.martin@example.org") == []

    entry = FamilyReconciliation.objects.get(legacy_id="1042")
    assert (entry.status, entry.account, entry.parent_index, entry.line) == ("pending", claire, 2, 2)
    assert entry.label == "Julien Martin / Claire Martin"
    assert [child["first_name"] for child in entry.row["children"]] == ["Léa", "Hugo"]
    event = claire.account_events.get(kind=AccountEventKind.LEGACY_MATCHED)
    assert "Famille 1042" in event.comment and "parent 2" in event.comment
    claire.refresh_from_db()
    assert claire.legacy_key is None and claire.status == AccountStatus.ACTIVE


def test_a_pending_account_is_matched_too(run):
    pending = make_citizen("anne.petit@example.org", first_name="Anne", last_name="Petit",
                           status=AccountStatus.PENDING, household=False)
    report = run()
    assert report.queued == 1
    entry = FamilyReconciliation.objects.get(legacy_id="1045")
    assert entry.account == pending and entry.parent_index == 1
    assert "(en attente de validation)" in report.queued_lines[0]
    assert not Household.objects.filter(legacy_id="1045").exists()


@pytest.mark.parametrize(("in_file", "account"), [
    ("Claire.Martin@Example.org", "claire.martin@example.org"),  # case (the sample's own spelling)
    ("claire.martin@éxample.org", "claire.martin@example.org"),  # accents in the file
    ("claire.martin@creche.fr", "claire.martin@crèche.fr"),  # accents in the account
])
def test_addresses_are_compared_without_case_nor_accents(run, in_file, account):
    user = make_citizen("placeholder@example.org", first_name="Claire")
    User.objects.filter(pk=user.pk).update(email=account)
    run(sample_text().replace("Claire.Martin@example.org", in_file))
    assert FamilyReconciliation.objects.get(legacy_id="1042").account_id == user.pk


def test_an_accented_address_matching_nothing_is_refused_for_that_parent(run):
    report = run(sample_text().replace("julien.martin@example.org", "jülien.martin@example.org"))
    assert [(e.line, e.column) for e in report.errors if e.line == 2] == [(2, "parent1_email")]
    assert "pas d'accent" in report.errors[0].message
    assert Household.objects.filter(legacy_id="1042").exists()  # the rest of the family is imported


def test_dry_run_lists_the_lines_that_would_go_to_the_queue(claire, run, capsys):
    before = family_state()
    report = run(dry_run=True)
    assert report.queued == 1 and "famille 1042" in report.queued_lines[0]
    assert family_state() == before and mail.outbox == []

    out = StringIO()
    with pytest.raises(Exception):  # line 4 is wrong in the sample: exit code 1
        call_command("import_portail_famille", str(SAMPLE), "--dry-run", stdout=out, stderr=StringIO())
    assert "Familles qui iraient dans « Familles à rapprocher » (1) :" in out.getvalue()
    assert "ligne 2 (famille 1042) : l'adresse claire.martin@example.org" in out.getvalue()
    assert not FamilyReconciliation.objects.filter(legacy_id="1042").exists()


def test_re_running_while_waiting_changes_nothing(claire, run):
    run()
    before = family_state()
    mail.outbox.clear()
    report = run()
    assert report.queued == 1 and "(déjà en attente)" in report.queued_lines[0]
    assert report.changes == [] and family_state() == before and mail.outbox == []


# --- attach ------------------------------------------------------------------------------------


def test_attach_merges_the_children_and_imports_the_other_parent(claire, agent, run, decide):
    run()
    mail.outbox.clear()
    entry = FamilyReconciliation.objects.get(legacy_id="1042")
    household = Membership.objects.get(user=claire).household
    lea = household.children.get()

    decide(services.reconciliation_attach, reconciliation=entry, actor=agent)

    entry.refresh_from_db()
    assert (entry.status, entry.household, entry.decided_by) == ("attached", household, agent)
    assert entry.merged_children == ["1042-1"]
    household.refresh_from_db()
    assert household.legacy_id == "1042"
    # Léa is one child: the parent's data kept, the Portail Famille's filling the blanks.
    lea.refresh_from_db()
    assert (lea.first_name, lea.legacy_id, lea.allergies) == ("Lea", "1042-1", "Gluten")
    assert (lea.school, lea.school_class) == ("École élémentaire des Tilleuls", "CE2")
    hugo = household.children.get(legacy_id="1042-2")
    assert (hugo.first_name, hugo.birth_date) == ("Hugo", datetime.date(2019, 9, 2))
    assert household.children.count() == 2
    # The other parent: an account "à activer" in the household, with its activation e-mail.
    julien = User.objects.get(legacy_key="1042-1")
    assert julien.status == AccountStatus.TO_ACTIVATE and Membership.objects.filter(household=household, user=julien)
    assert len(mailed_to("julien.martin@example.org")) == 1
    claire.refresh_from_db()
    assert claire.legacy_key == "1042-2" and claire.status == AccountStatus.ACTIVE
    assert not Household.objects.filter(legacy_id="1042").exclude(pk=household.pk).exists()
    # History and e-mail of the account's owner.
    event = claire.account_events.get(kind=AccountEventKind.LEGACY_ATTACHED)
    assert event.actor == agent and f"foyer n° {household.pk}" in event.comment
    assert "Lea (né(e) le 14/03/2016) : reconnu(e) parmi les enfants déjà déclarés" in event.comment
    assert "Hugo (né(e) le 02/09/2019) : ajouté(e) au foyer" in event.comment
    assert "Julien Martin : compte créé (julien.martin@example.org)" in event.comment
    [message] = mailed_to("claire.martin@example.org")
    assert "rattachée" in message.subject and "n° 1042" in message.body
    assert "Hugo (né(e) le 02/09/2019) : ajouté(e) au foyer" in message.body
    assert "/espace-citoyen/famille/" in message.body and "depuis septembre 2019" in message.body

    with pytest.raises(ValueError, match="déjà été traitée"):
        services.reconciliation_attach(reconciliation=entry, actor=agent)


def test_after_attach_a_re_run_changes_nothing(claire, agent, run, decide):
    run()
    decide(services.reconciliation_attach, reconciliation=FamilyReconciliation.objects.get(legacy_id="1042"),
           actor=agent)
    before = family_state()
    mail.outbox.clear()

    report = run()

    assert (report.created, report.updated, report.queued, report.failed) == (0, 0, 0, 1)
    assert report.unchanged == 4 and report.changes == [] and report.errors[0].line == 4
    assert family_state() == before and mail.outbox == []

    # A new export: the added child follows it, the merged one stays the parent's.
    changed = sample_text().replace("CE2;Hugo", "CM1;Hugo").replace("02/09/2019;École maternelle du Parc;MS",
                                                                       "02/09/2019;École maternelle du Parc;GS")
    report = run(changed)
    assert report.updated == 1 and report.children_updated == 1
    assert Child.objects.get(legacy_id="1042-1").school_class == "CE2"
    assert Child.objects.get(legacy_id="1042-2").school_class == "GS"


def test_attach_gathers_what_an_earlier_import_left_in_a_household_of_its_own(claire, agent, decide):
    """Before this queue, the import made a household without adult and a copy of Léa, and the
    bookings import attached her 2019 bookings to the copy: they follow the real Léa."""
    orphan = Household.objects.create(legacy_id="1042")
    copy = Child.objects.create(household=orphan, first_name="Léa", last_name="Martin", legacy_id="1042-1",
                                birth_date=datetime.date(2016, 3, 14))
    import_reservations(BOOKINGS.read_text(encoding="utf-8-sig").splitlines()[:3])  # two canteen days of 1042-1
    assert Reservation.objects.filter(child=copy).count() == 2
    entry = FamilyReconciliation.objects.create(legacy_id="1042", row=families_row("1042"), line=2,
                                                account=claire, parent_index=2)

    decide(services.reconciliation_attach, reconciliation=entry, actor=agent)

    lea = Child.objects.get(legacy_id="1042-1")
    assert lea.household == Membership.objects.get(user=claire).household and lea.first_name == "Lea"
    assert not Child.objects.filter(pk=copy.pk).exists() and not Household.objects.filter(pk=orphan.pk).exists()
    assert Reservation.objects.filter(child=lea, source=ReservationSource.LEGACY).count() == 2
    assert lea.household.legacy_id == "1042"


def families_row(legacy_id):
    from espace_citoyen.portail_famille.parsing import parse_portail_famille

    row = next(row for row in parse_portail_famille(SAMPLE.read_bytes()).rows if row.legacy_id == legacy_id)
    data = row.to_dict()
    data.pop("line")
    return data


# --- separate household, reject ------------------------------------------------------------------


@pytest.fixture
def lucie(db):
    """Another person with Luc Bernard's address: Lucie, at the same postal address, in her
    own household with her own child."""
    user = make_citizen("luc.bernard@example.org", first_name="Lucie", last_name="Bernard",
                        profile={"street_number": "1", "street": "place de l'Église", "postcode": "78670",
                                 "city": "Villennes-sur-Seine"})
    ChildFactory(household=Membership.objects.get(user=user).household, first_name="Sacha",
                 birth_date=datetime.date(2012, 5, 1))
    return user


def test_separate_household_for_another_person_at_the_same_address(lucie, agent, run, decide):
    run()
    mail.outbox.clear()
    entry = FamilyReconciliation.objects.get(legacy_id="1046")
    own_household = Membership.objects.get(user=lucie).household

    decide(services.reconciliation_import_separately, reconciliation=entry, actor=agent,
           email="Luc.Bernard.Pere@example.org")

    entry.refresh_from_db()
    household = Household.objects.get(legacy_id="1046")
    assert entry.status == "separate" and entry.household == household and household != own_household
    assert sorted(household.children.values_list("first_name", flat=True)) == ["Chloé", "Emma", "Nathan"]
    luc = User.objects.get(legacy_key="1046-1")
    assert (luc.email, luc.first_name, luc.status) == ("luc.bernard.pere@example.org", "Luc", "to_activate")
    assert list(household.memberships.values_list("user", flat=True)) == [luc.pk]
    assert len(mailed_to("luc.bernard.pere@example.org")) == 1  # activation
    # Lucie's space has not changed; she is told, and her history says so.
    assert list(own_household.children.values_list("first_name", flat=True)) == ["Sacha"]
    lucie.refresh_from_db()
    assert lucie.legacy_key is None
    event = lucie.account_events.get(kind=AccountEventKind.LEGACY_SEPARATE)
    assert "foyer à part" in event.comment and event.actor == agent
    [message] = mailed_to("luc.bernard@example.org")
    assert "n'est pas rattachée" in message.subject and "Emma" not in message.body

    before = family_state()
    mail.outbox.clear()
    report = run()
    assert report.changes == [] and family_state() == before and mail.outbox == []


def test_separate_household_without_another_address(lucie, agent, run, decide):
    run()
    entry = FamilyReconciliation.objects.get(legacy_id="1046")
    decide(services.reconciliation_import_separately, reconciliation=entry, actor=agent)
    household = Household.objects.get(legacy_id="1046")
    assert household.children.count() == 3 and not household.memberships.exists()
    assert "pas de compte" in FamilyReconciliation.objects.get(legacy_id="1046").outcome
    before = family_state()
    report = run()
    assert report.changes == [] and report.errors[0].line == 4 and len(report.errors) == 1
    assert family_state() == before


def test_separate_refuses_an_address_already_used(lucie, agent, run):
    run()
    entry = FamilyReconciliation.objects.get(legacy_id="1046")
    with pytest.raises(ValueError, match="déjà utilisée"):
        services.reconciliation_import_separately(reconciliation=entry, actor=agent, email="LUC.bernard@example.org")
    assert FamilyReconciliation.objects.get(legacy_id="1046").status == "pending"


def test_reject_with_a_reason(claire, agent, run, decide):
    run()
    mail.outbox.clear()
    entry = FamilyReconciliation.objects.get(legacy_id="1042")
    with pytest.raises(ValueError):
        services.reconciliation_reject(reconciliation=entry, actor=agent, reason="  ")

    decide(services.reconciliation_reject, reconciliation=entry, actor=agent,
           reason="Famille partie de la commune en 2021.")

    entry.refresh_from_db()
    assert (entry.status, entry.reason, entry.household) == ("rejected", "Famille partie de la commune en 2021.", None)
    event = claire.account_events.get(kind=AccountEventKind.LEGACY_REJECTED)
    assert "Famille partie de la commune en 2021." in event.comment
    [message] = mailed_to("claire.martin@example.org")
    assert "Famille partie de la commune en 2021." in message.body
    before = family_state()
    report = run()
    assert report.set_aside == 1 and report.queued == 0 and family_state() == before
    assert not Household.objects.filter(legacy_id="1042").exists()
    # Its bookings are refused with the reason, not attached to anyone.
    bookings = import_reservations(BOOKINGS.read_text(encoding="utf-8-sig").splitlines())
    assert any("écartée" in error for error in bookings.errors)
    assert bookings.waiting == []


def test_the_database_refuses_a_rejection_without_reason(claire, run):
    run()
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilyReconciliation.objects.filter(legacy_id="1042").update(status=ReconciliationStatus.REJECTED,
                                                                     decided_at=datetime.datetime.now(datetime.UTC))


# --- bookings ------------------------------------------------------------------------------------


def test_bookings_wait_for_the_reconciliation_then_follow_the_child(claire, agent, run, decide):
    run()
    lines = BOOKINGS.read_text(encoding="utf-8-sig").splitlines()

    before = import_reservations(lines)

    # 1043 was imported: its booking is; those of 1042 wait, attached to nobody.
    assert before.created == 1 and before.errors == []
    assert len(before.waiting) == 4 and "la famille 1042 attend son rapprochement" in before.waiting[0]
    assert not Reservation.objects.filter(legacy_id__in=["PF-R-000101", "PF-R-000104"]).exists()

    out = StringIO()
    call_command("import_portail_famille_reservations", str(BOOKINGS), stdout=out, stderr=StringIO())
    assert "4 en attente d'une famille à rapprocher" in out.getvalue()
    assert "Fichier lu en UTF-8." in out.getvalue()

    decide(services.reconciliation_attach, reconciliation=FamilyReconciliation.objects.get(legacy_id="1042"),
           actor=agent)
    after = import_reservations(lines)

    assert (after.created, after.unchanged, after.waiting, after.errors) == (4, 1, [], [])
    lea = Child.objects.get(legacy_id="1042-1")
    assert lea.first_name == "Lea" and lea.household.memberships.filter(user=claire).exists()
    assert set(lea.reservations.values_list("legacy_id", "status")) == {
        ("PF-R-000101", ReservationStatus.BOOKED), ("PF-R-000102", ReservationStatus.BOOKED),
        ("PF-R-000103", ReservationStatus.CANCELLED)}
    assert Reservation.objects.get(legacy_id="PF-R-000104").child.first_name == "Hugo"
    assert Occurrence.objects.get(activity__name="Restauration scolaire", date=datetime.date(2019, 9, 2)).booked_count == 1
    assert import_reservations(lines).unchanged == 5  # and idempotent


def test_profile_of_an_attached_pending_account_is_left_alone(agent, run, decide):
    pending = make_citizen("anne.petit@example.org", first_name="Anne", last_name="Petit",
                           status=AccountStatus.PENDING, household=False, profile={"phone_mobile": "06 00 00 00 01"})
    run()
    decide(services.reconciliation_attach, reconciliation=FamilyReconciliation.objects.get(legacy_id="1045"),
           actor=agent)
    household = Membership.objects.get(user=pending).household
    assert household.legacy_id == "1045" and household.children.get().legacy_id == "1045-1"
    assert Profile.objects.get(user=pending).phone_mobile == "06 00 00 00 01"
    pending.refresh_from_db()
    assert pending.status == AccountStatus.PENDING  # validating is a decision of its own
    report = run()
    assert report.changes == [] and report.unchanged == 4
