"""Reads of the Portail Famille migration: the import's back office (runs and their progress)
and the "Familles à rapprocher" queue (the accounts a family line matches, the children the
agent compares)."""

import re

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404

from espace_citoyen.accounts.models import User
from espace_citoyen.core.agents import is_agent_account_expr
from espace_citoyen.core.search import fold, strip_accents, words_match
from espace_citoyen.family.models import Child, Membership

from .models import FamilyReconciliation, LegacyImportRun, LegacyImportStatus, ReconciliationStatus
from .parsing import FamilyRow


def legacy_import_progress_key(run_id: int) -> str:
    """Cache key of a run's progress, (done, total): legacy_import() runs in one transaction,
    so progress written to the database would stay invisible to other connections until the end."""
    return f"legacy-import-progress-{run_id}"


def legacy_import_runs(*, limit: int = 10) -> list:
    """The last runs of the Portail Famille import (back office history), newest first."""
    return list(LegacyImportRun.objects.select_related("created_by").order_by("-created_at", "-id")[:limit])


def legacy_import_progress(run) -> tuple[int, int]:
    """(done, total) of a run: live from the cache while it runs, else from the run itself."""
    if run.status in (LegacyImportStatus.QUEUED, LegacyImportStatus.RUNNING):
        cached = cache.get(legacy_import_progress_key(run.pk))
        if cached:
            done, total = cached
            return int(done), int(total)
    return run.done_rows, run.total_rows


def legacy_import_run_get(*, pk: int):
    """One run of the Portail Famille import, or None (back office: any agent with the
    import permission may follow any run)."""
    return LegacyImportRun.objects.select_related("created_by").filter(pk=pk).first()


# --- Matching a family line with the accounts and children already there ------------------


def accented_accounts() -> dict[str, int]:
    """fold(address) → id of the accounts whose e-mail address is not plain ASCII (rare: an
    internationalised domain). Read once per import, so that account_for_email() compares
    without accents without running UNACCENT() over every account for every parent."""
    return {
        fold(email): pk for pk, email in User.objects.values_list("pk", "email").iterator() if not email.isascii()
    }


def account_for_email(email: str, *, accented: dict[str, int] | None = None) -> User | None:
    """The account whose login is `email`, compared without case nor accents ("Hélène@…"
    and "helene@…" are one address), or None. `accented`: accented_accounts(), if already read."""
    email = (email or "").strip()
    if not email:
        return None
    user = (
        User.objects.filter(Q(email__iexact=email) | Q(email__iexact=strip_accents(email))).order_by("pk").first()
    )
    if user is None:
        pk = (accented_accounts() if accented is None else accented).get(fold(email))
        if pk is not None:
            user = User.objects.filter(pk=pk).first()
    return user


def _name_key(name: str) -> str:
    """"Jean-Éric" and "jean eric" alike: folded, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", fold(name))


def matching_child(child_row, children):
    """The child among `children` (already in the household) that the legacy child is: same
    first name (without case, accents, spaces nor hyphens) and same birth date; or None."""
    for child in children:
        if child.birth_date == child_row.birth_date and _name_key(child.first_name) == _name_key(child_row.first_name):
            return child
    return None


# --- The "Familles à rapprocher" queue -------------------------------------------------------


def reconciliations_for_staff(*, user, status: str = ReconciliationStatus.PENDING, query: str = "") -> QuerySet:
    """The queue as `user` (an agent who may import the Portail Famille) sees it: lines matching
    a citizen's account – those matching an agent's account are for superusers only –, the
    oldest first; `status` "" for every decision. Search: famille id, names, address."""
    queryset = FamilyReconciliation.objects.select_related("account", "decided_by")
    if not user.is_superuser:
        queryset = queryset.exclude(is_agent_account_expr("account"))
    if status:
        queryset = queryset.filter(status=status)
    query = " ".join((query or "").split())
    if query:
        queryset = queryset.filter(
            Q(legacy_id__iexact=query) | Q(account__email__icontains=query)
            | words_match(query, "label", "account__last_name", "account__first_name")
        )
    return queryset.order_by("created_at", "id") if status == ReconciliationStatus.PENDING else queryset.order_by(
        "-decided_at", "-id")


def reconciliation_for_staff(*, user, pk: int) -> FamilyReconciliation:
    """One line of the queue, as reconciliations_for_staff() scopes it; else 404."""
    reconciliation = (
        reconciliations_for_staff(user=user, status="").select_related("account__profile", "household")
        .filter(pk=pk).first()
    )
    if reconciliation is None:
        raise Http404
    return reconciliation


def reconciliations_pending_count(*, user) -> int:
    """How many lines wait in the queue for `user` (admin home "À traiter")."""
    return reconciliations_for_staff(user=user).count()


def reconciliation_of_family(legacy_id: str) -> FamilyReconciliation | None:
    """The queue's line of a famille id, whatever its state (the bookings import asks whether
    a child's family waits for an agent or was set aside)."""
    return FamilyReconciliation.objects.filter(legacy_id=legacy_id).first()


def reconciliation_family_row(reconciliation: FamilyReconciliation) -> FamilyRow:
    """The family line of a queue entry, as the import read it."""
    return FamilyRow.from_dict({**reconciliation.row, "line": reconciliation.line})


def _address_key(lines) -> str:
    return _name_key(" ".join(lines))


def reconciliation_comparison(reconciliation: FamilyReconciliation) -> dict:
    """What the agent compares, side by side: the family line and the account it matched,
    that account's household (adults, children) and, for each child of the line, the child
    of the household it would be merged with. A fixed number of queries."""
    row = reconciliation_family_row(reconciliation)
    account = reconciliation.account
    profile = getattr(account, "profile", None) if account is not None else None
    parent = next((p for p in row.parents if p.index == reconciliation.parent_index), None)
    membership = (
        Membership.objects.filter(user=account).select_related("household").order_by("joined_at").first()
        if account is not None else None
    )
    household = reconciliation.household if not reconciliation.is_pending else (
        membership.household if membership else None)
    adults = list(Membership.objects.filter(household=household).select_related("user").order_by("joined_at")) \
        if household else []
    children = list(Child.objects.filter(household=household).order_by("birth_date", "first_name")) if household else []
    legacy_ids = [f"{row.legacy_id}-{child.index}" for child in row.children]
    candidates = [child for child in children if child.legacy_id is None or child.legacy_id in legacy_ids]
    child_rows, taken = [], set()
    for child_row in row.children:
        match = matching_child(child_row, [c for c in candidates if c.pk not in taken])
        if match is not None:
            taken.add(match.pk)
        child_rows.append({"legacy": child_row, "match": match})
    account_address = profile.address_lines if profile else []
    same = {
        "name": bool(parent and account) and _name_key(parent.last_name + parent.first_name)
        == _name_key(account.last_name + account.first_name),
        "address": bool(row.address_lines) and _address_key(row.address_lines) == _address_key(account_address),
        "phone": bool(parent and profile) and bool(
            {parent.phone_home, parent.phone_mobile, parent.phone_work} - {""}
            & {profile.phone_home, profile.phone_mobile, profile.phone_work}),
    }
    return {
        "row": row, "parent": parent, "other_parents": [p for p in row.parents if p is not parent],
        "account": account, "profile": profile, "account_address": account_address,
        "household": household, "adults": adults, "children": children, "child_rows": child_rows,
        "unmatched_children": [c for c in children if c.pk not in taken], "same": same,
        "other_household": bool(household and household.legacy_id and household.legacy_id != row.legacy_id),
    }
