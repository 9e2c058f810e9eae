"""Reads of the citizen inbox: which services' messages (news.ServiceMessagePage) a user
may read, their read/unread state and the users a targeted message is meant for.

Audience rules (the only place they live; `audience_includes` and `audience_users` are
the two directions of the same rule and are tested against each other):

- EVERYONE: every visitor; public messages are also on the website.
- ACCOUNT_HOLDERS: "account holders" are citizens with a usable space, i.e. an active
  (not staff) user whose account is validated ("Validé") *or* awaiting validation
  ("En attente de validation"): reading the town's messages is not a family feature, so a
  pending account gets them too. Accounts still to confirm, to activate (imported from the
  Portail Famille) or refused get no targeted message, nor do the town's agents (work
  accounts: staff, superusers, or anyone allowed into the Wagtail admin through a group
  or their own permissions).
- FAMILIES: account holders who are an adult of a household (family.Membership) with at
  least one child.
- ACTIVITY_FAMILIES: families with a child enrolled in the activity or school named in
  `audience_detail`. Activities do not exist yet: today the name is compared with the
  children's school, case- and accent-insensitively (exact name once normalised). When
  activities arrive, extend `AudienceFacts` (the user's activity names) and
  `audience_users` (the enrolled children) here, nowhere else.

Unread: a message counts as unread ("Non lu") when the user has not opened it and it was
first published after the user's account was created; older messages are not "new" for a
newcomer (a new account does not start with the whole backlog of notices flagged unread).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from espace_citoyen.accounts.models import AccountStatus, ContactMethod
from espace_citoyen.core.search import fold
from espace_citoyen.family.models import Child
from home.page_cache import cached_fragment, public
from news.models import Audience, NewsPage, ServiceMessagePage

from .models import MessageRead
from .unread_cache import cached_for_user

HOLDER_STATUSES = (AccountStatus.ACTIVE, AccountStatus.PENDING)
LATEST_NEWS_COUNT = 3


def normalize_name(value: str) -> str:
    """"École  élémentaire des Tilleuls" → "ecole elementaire des tilleuls"."""
    return " ".join(fold(value).split())


@dataclass(frozen=True)
class AudienceFacts:
    """What the audience rules need to know about one user."""

    is_holder: bool = False
    has_children: bool = False
    schools: frozenset[str] = field(default_factory=frozenset)  # normalised names


def _is_agent(user_ref):
    """Subquery: the user may enter the Wagtail admin (a town agent's work account)."""
    return Exists(
        Permission.objects.filter(codename="access_admin", content_type__app_label="wagtailadmin")
        .filter(Q(group__user=user_ref) | Q(user=user_ref))
    )


def _may_hold(user) -> bool:
    """Account checks that need no query (the agent check is in `audience_facts`)."""
    return bool(
        user is not None and user.is_authenticated and user.is_active and not user.is_staff
        and not user.is_superuser and user.status in HOLDER_STATUSES
    )


def audience_facts(*, user) -> AudienceFacts:
    """One query at most (agent or not, and the schools of the user's children); none
    for accounts that cannot hold a space."""
    if not _may_hold(user):
        return AudienceFacts()
    return cached_for_user(user, "facts", lambda: _read_audience_facts(user))


def _read_audience_facts(user) -> AudienceFacts:
    rows = list(
        get_user_model().objects.filter(pk=user.pk)
        .annotate(is_agent=_is_agent(OuterRef("pk")))
        .values_list("is_agent", "memberships__household__children__school")
    )
    if not rows or rows[0][0]:
        return AudienceFacts()
    schools = [school for _agent, school in rows if school is not None]
    return AudienceFacts(
        is_holder=True,
        has_children=bool(schools),
        schools=frozenset(normalize_name(school) for school in schools if school.strip()),
    )


def audience_includes(*, facts: AudienceFacts, audience: str, detail: str) -> bool:
    """The audience rule, user side: is a user with these facts meant to read the message?"""
    if audience == Audience.EVERYONE:
        return True
    if not facts.is_holder:
        return False
    if audience == Audience.ACCOUNT_HOLDERS:
        return True
    if audience == Audience.FAMILIES:
        return facts.has_children
    if audience == Audience.ACTIVITY_FAMILIES:
        target = normalize_name(detail)
        return bool(target) and target in facts.schools
    return False


def audience_users(*, page: ServiceMessagePage) -> QuerySet:
    """The audience rule, message side: the users a message is meant for (same rule as
    `audience_includes`)."""
    User = get_user_model()
    holders = User.objects.filter(
        is_active=True, is_staff=False, is_superuser=False, status__in=HOLDER_STATUSES
    ).exclude(_is_agent(OuterRef("pk")))
    if page.audience in (Audience.EVERYONE, Audience.ACCOUNT_HOLDERS):
        return holders
    if page.audience == Audience.FAMILIES:
        return holders.filter(
            Exists(Child.objects.filter(household__memberships__user=OuterRef("pk")))
        )
    if page.audience == Audience.ACTIVITY_FAMILIES:
        target = normalize_name(page.audience_detail)
        if not target:
            return holders.none()
        spellings = [
            school for school in Child.objects.exclude(school="").values_list("school", flat=True).distinct()
            if normalize_name(school) == target
        ]
        return holders.filter(
            Exists(Child.objects.filter(household__memberships__user=OuterRef("pk"), school__in=spellings))
        )
    return holders.none()


def notifiable_users(*, page: ServiceMessagePage) -> QuerySet:
    """Audience members who prefer e-mail (no profile: e-mail, the address they log in with)."""
    return audience_users(page=page).filter(
        Q(profile__isnull=True) | Q(profile__preferred_contact=ContactMethod.EMAIL)
    ).exclude(email="")


def _message_ids_for(user, queryset) -> list[int]:
    facts = audience_facts(user=user)
    rows = queryset.values_list("pk", "audience", "audience_detail")
    return [pk for pk, audience, detail in rows if audience_includes(facts=facts, audience=audience, detail=detail)]


def _read_by(user):
    return MessageRead.objects.filter(user=user, page=OuterRef("pk"))


def messages_for(*, user) -> QuerySet[ServiceMessagePage]:
    """Live messages whose audience includes the user, newest first, each annotated with
    `is_unread`. The ids of the messages meant for the user are kept like the unread count
    (unread_cache: publications, the user's children and memberships, the account), then
    the returned queryset."""
    signed_in = user is not None and user.is_authenticated
    ids = (cached_for_user(user, "ids", lambda: _message_ids_for(user, ServiceMessagePage.objects.live()))
           if signed_in else _message_ids_for(user, ServiceMessagePage.objects.live()))
    queryset = ServiceMessagePage.objects.live().filter(pk__in=ids)
    if signed_in:
        queryset = queryset.annotate(
            is_unread=Case(
                When(Q(first_published_at__gte=user.date_joined) & ~Exists(_read_by(user)), then=Value(True)),
                default=Value(False), output_field=BooleanField(),
            )
        )
    else:
        queryset = queryset.annotate(is_unread=Value(False, output_field=BooleanField()))
    return queryset.order_by("-date", "-first_published_at", "-pk")


@dataclass(frozen=True)
class InboxItem:
    """One line of the inbox: what the list shows of a message."""

    pk: int
    title: str
    date: datetime.date
    importance: str
    importance_label: str
    service_label: str
    is_unread: bool


def inbox_for(*, user) -> list[InboxItem]:
    """The inbox's lines (messages_for), kept for the signed-in user like the unread count
    (unread_cache: its key moves with a publication, the user's reads, children and
    memberships): the list costs no query while none of these changes."""
    def build():
        return [
            InboxItem(pk=message.pk, title=message.title, date=message.date, importance=message.importance,
                      importance_label=str(message.get_importance_display()),
                      service_label=str(message.get_sender_service_display()), is_unread=message.is_unread)
            for message in messages_for(user=user).only("id", "title", "date", "importance", "sender_service")
        ]

    return cached_for_user(user, "inbox", build)


def message_for(*, user, page_id: int) -> ServiceMessagePage:
    """One message meant for the user, else 404 (never a hint that it exists)."""
    return get_object_or_404(messages_for(user=user), pk=page_id)


def unread_count_for(*, user) -> int:
    """Number of unread messages meant for the user: no query for anonymous visitors, at
    most two otherwise (the user's children's schools, then the unread candidates), none
    while nothing it depends on has changed (unread_cache)."""
    if user is None or not user.is_authenticated:
        return 0
    return cached_for_user(user, "unread", lambda: _count_unread(user))


def _count_unread(user) -> int:
    candidates = (
        ServiceMessagePage.objects.live()
        .filter(first_published_at__gte=user.date_joined)
        .filter(~Exists(_read_by(user)))
    )
    return len(_message_ids_for(user, candidates))


def latest_news(*, limit: int = LATEST_NEWS_COUNT) -> list[NewsPage]:
    """The latest news of the website ("Les dernières actualités du site"): the same for
    everyone, read once per page-cache generation (a publication bumps it)."""
    return cached_fragment("latest-news", lambda: list(
        public(NewsPage.objects.live()).select_related("category").order_by("-date", "-first_published_at")[:limit]
    ), limit)
