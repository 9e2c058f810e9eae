"""What the rows of one Portail Famille import look up (accounts by legacy key and by
address, households, children, reconciliations, profiles, memberships), read in a few
queries before the loop and kept up to date by the rows (services/families.py)."""

from __future__ import annotations

from django.db.models.functions import Lower

from espace_citoyen.accounts.models import Profile, User
from espace_citoyen.core.search import fold, strip_accents
from espace_citoyen.family.models import Child, Household, Membership

from ..models import FamilyReconciliation
from ..selectors import account_for_email, accented_accounts

_IN_CHUNK = 500  # values per "IN (…)": well under SQLite's limit of bound parameters


def _chunks(values) -> list:
    values = sorted(values)
    return [values[i:i + _IN_CHUNK] for i in range(0, len(values), _IN_CHUNK)]


class _ImportIndex:
    """What the rows of one import look up, read in a few queries before the loop instead of
    several per row: accounts by legacy key and by address, households, children and
    "Familles à rapprocher" by legacy id, profiles and memberships of those accounts. Rows
    later in the file see what earlier rows created or changed: the import registers each
    object it writes here. A failed row (savepoint rolled back) makes the index re-read."""

    def __init__(self, rows):
        self.rows = rows
        self.load()

    def load(self) -> None:
        rows = self.rows
        self.accented = accented_accounts()
        self.users: dict[int, User] = {}  # one instance per account, shared by the maps below
        keys = {f"{row.legacy_id}-{parent.index}" for row in rows for parent in row.parents if parent.email}
        self.by_key: dict[str, User] = {}
        for chunk in _chunks(keys):
            for user in User.objects.filter(legacy_key__in=chunk):
                self.by_key[user.legacy_key] = self._one(user)
        self.by_email: dict[str, User] = {}
        self.emails_read: set[str] = set()
        self._read_emails({parent.email for row in rows for parent in row.parents if parent.email})
        legacy_ids = {row.legacy_id for row in rows}
        self.households: dict[str, Household] = {}
        self.reconciliations: dict[str, FamilyReconciliation] = {}
        for chunk in _chunks(legacy_ids):
            self.households.update((h.legacy_id, h) for h in Household.objects.filter(legacy_id__in=chunk))
            self.reconciliations.update(
                (r.legacy_id, r) for r in FamilyReconciliation.objects.select_related("account", "household")
                .filter(legacy_id__in=chunk)
            )
        self.children: dict[str, Child] = {}
        for chunk in _chunks({f"{row.legacy_id}-{child.index}" for row in rows for child in row.children}):
            self.children.update((c.legacy_id, c) for c in Child.objects.filter(legacy_id__in=chunk))
        self.profiles: dict[int, Profile] = {}
        self.memberships: set[tuple[int, int]] = set()
        for chunk in _chunks(self.users):
            self.profiles.update((p.user_id, p) for p in Profile.objects.filter(user_id__in=chunk))
            self.memberships.update(Membership.objects.filter(user_id__in=chunk).values_list("household_id", "user_id"))

    def _one(self, user: User) -> User:
        return self.users.setdefault(user.pk, user)

    @staticmethod
    def _email_keys(email: str) -> tuple[str, ...]:
        email = email.strip()
        return (email.lower(), strip_accents(email).lower())

    def _read_emails(self, emails) -> None:
        """The accounts whose login is one of `emails` (plain ASCII ones: compared as
        account_for_email() does; the rare others are looked up one by one)."""
        wanted = {key for email in emails if email.strip().isascii() for key in self._email_keys(email)}
        wanted -= self.emails_read
        for chunk in _chunks(wanted):
            for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=chunk):
                self.by_email.setdefault(user.email.lower(), self._one(user))
        self.emails_read |= wanted

    def for_email(self, email: str) -> User | None:
        """account_for_email(), without a query for the file's addresses."""
        email = (email or "").strip()
        if not email:
            return None
        keys = self._email_keys(email)
        if not email.isascii() or not self.emails_read.issuperset(keys):
            user = account_for_email(email, accented=self.accented)
            return None if user is None else self._one(user)
        found = [self.by_email[key] for key in keys if key in self.by_email]
        if found:
            return min(found, key=lambda user: user.pk)
        pk = self.accented.get(fold(email))
        if pk is None:
            return None
        if pk not in self.users:
            user = User.objects.filter(pk=pk).first()
            return None if user is None else self._one(user)
        return self.users[pk]

    def account_created(self, user: User) -> None:
        self._one(user)
        self.by_key[user.legacy_key] = user
        self.by_email[user.email.lower()] = user

    def email_changed(self, user: User, old_email: str) -> None:
        if self.by_email.get(old_email.lower()) is user:
            del self.by_email[old_email.lower()]
        self.by_email[user.email.lower()] = user

    def household(self, legacy_id: str) -> tuple[Household, bool]:
        household = self.households.get(legacy_id)
        if household is not None:
            return household, False
        household = self.households[legacy_id] = Household.objects.create(legacy_id=legacy_id)
        return household, True

    def join(self, household: Household, user: User) -> None:
        """Membership.objects.get_or_create(), without a query when it is known to exist."""
        if (household.pk, user.pk) not in self.memberships:
            Membership.objects.get_or_create(household=household, user=user)
            self.memberships.add((household.pk, user.pk))

    def profile(self, user: User) -> Profile:
        profile = self.profiles.get(user.pk)
        if profile is None:
            profile = self.profiles[user.pk] = Profile.objects.get_or_create(user=user)[0]
        return profile


class _RowAccounts:
    """The accounts a row's parents designate: by legacy key, by address (from the index)."""

    def __init__(self, row, index: _ImportIndex):
        self.index = index
        self.by_key = {
            parent.index: index.by_key.get(f"{row.legacy_id}-{parent.index}")
            for parent in row.parents if parent.email
        }

    def for_email(self, email: str) -> User | None:
        return self.index.for_email(email)
