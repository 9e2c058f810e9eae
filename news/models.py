"""News (actualités) and the town services' messages to residents."""

import datetime

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager, PageQuerySet
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from home.blocks import ContentStreamBlock
from home.page_cache import CachedViewRestrictionsMixin, public

from .feeds import LatestNewsFeed
from home.choices import ChoiceLabelsMixin

NEWS_PER_PAGE = 9
MESSAGES_PER_PAGE = 10


@register_snippet
class NewsCategory(models.Model):
    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=80, unique=True, blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        verbose_name = _("catégorie d'actualité")
        verbose_name_plural = _("catégories d'actualité")
        ordering = ["name"]

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)

    def __str__(self):
        return self.name


def paginate(request, queryset, per_page):
    """A page of results; a missing or bad ?page= falls back to the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


class NewsIndexPage(CachedViewRestrictionsMixin, RoutablePageMixin, Page):
    """"Actualités": the news listing, newest first, with a category filter and an RSS feed."""

    intro = models.TextField(_("chapô"), blank=True, max_length=500)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.NewsPage"]

    class Meta:
        verbose_name = _("liste des actualités")
        verbose_name_plural = _("listes des actualités")

    def news_items(self):
        return (
            public(NewsPage.objects.live().child_of(self)).select_related("category", "cover_image")
            .order_by("-date", "-first_published_at")
        )

    @path("")
    def index_route(self, request):
        items = self.news_items()
        categories = NewsCategory.objects.filter(
            id__in=items.values("category_id")
        ).order_by("name")
        selected = None
        slug = request.GET.get("categorie")
        if slug:
            selected = categories.filter(slug=slug).first()
            items = items.filter(category=selected) if selected else items.none()
        return self.render(
            request,
            context_overrides={
                "news_page": paginate(request, items, NEWS_PER_PAGE),
                "categories": categories,
                "selected_category": selected,
                "unknown_category": bool(slug) and selected is None,
            },
        )

    @path("rss/", name="rss")
    def rss_route(self, request):
        return LatestNewsFeed(self)(request)


class NewsPage(CachedViewRestrictionsMixin, Page):
    """One news item."""

    date = models.DateField(_("date de l'actualité"), default=datetime.date.today)
    category = models.ForeignKey(
        NewsCategory, verbose_name=_("catégorie"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="news_pages",
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image de couverture"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    cover_image_alt = models.CharField(
        _("texte alternatif de l'image"), max_length=200, blank=True,
        help_text=_("Décrivez ce que montre l'image ; obligatoire si une image est choisie."),
    )
    summary = models.TextField(
        _("résumé"), max_length=300, help_text=_("Affiché dans les listes et le flux RSS (300 caractères au plus).")
    )
    body = StreamField(ContentStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("category")]),
        MultiFieldPanel([FieldPanel("cover_image"), FieldPanel("cover_image_alt")], heading=_("Image de couverture")),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("category", [index.SearchField("name")]),
    ]

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")

    def clean(self):
        super().clean()
        if self.cover_image_id and not self.cover_image_alt.strip():
            raise ValidationError(
                {"cover_image_alt": _("Indiquez un texte alternatif décrivant l'image de couverture.")}
            )


class Service(models.TextChoices):
    MAIRIE = "mairie", _("Mairie")
    POPULATION = "population", _("Relations à la population")
    SCOLAIRE = "scolaire", _("Pôle scolaire")
    REGIE = "regie", _("Régie")
    TECHNIQUE = "technique", _("Services techniques")
    COMMUNICATION = "communication", _("Communication")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Tout le monde (public, publié sur le site)")
    ACCOUNT_HOLDERS = "account_holders", _("Les citoyens ayant un espace citoyen")
    FAMILIES = "families", _("Les familles")
    ACTIVITY_FAMILIES = "activity_families", _("Les familles inscrites à une activité")


class Importance(models.TextChoices):
    NORMAL = "normal", _("Information")
    IMPORTANT = "important", _("Important")
    URGENT = "urgent", _("Urgent")


class ServiceMessageQuerySet(PageQuerySet):
    def publicly_listed(self):
        return self.filter(audience=Audience.EVERYONE)


ServiceMessageManager = PageManager.from_queryset(ServiceMessageQuerySet)


def hidden_page_ids():
    """Pages that must never appear publicly (search, site map, menus): targeted messages."""
    return ServiceMessagePage.objects.exclude(audience=Audience.EVERYONE).values("id")


class ServiceMessageIndexPage(CachedViewRestrictionsMixin, Page):
    """"Messages des services": the public messages of the town's services."""

    intro = models.TextField(_("chapô"), blank=True, max_length=500)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.ServiceMessagePage"]

    class Meta:
        verbose_name = _("liste des messages des services")
        verbose_name_plural = _("listes des messages des services")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        messages = (
            public(ServiceMessagePage.objects.live().child_of(self).publicly_listed())
            .order_by("-date", "-first_published_at")
        )
        context["messages_page"] = paginate(request, messages, MESSAGES_PER_PAGE)
        return context


class ServiceMessagePage(ChoiceLabelsMixin, CachedViewRestrictionsMixin, Page):
    """A message from a town service. Public ones are on the site; targeted ones are read
    in the citizen space only (their URL answers 404 to the public)."""

    date = models.DateField(_("date du message"), default=datetime.date.today)
    sender_service = models.CharField(_("service émetteur"), max_length=20, choices=Service.choices, default=Service.MAIRIE)
    audience = models.CharField(
        _("destinataires"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE,
        help_text=_("Seuls les messages destinés à tout le monde sont publiés sur le site public."),
    )
    audience_detail = models.CharField(
        _("activité ou école visée"), max_length=200, blank=True,
        help_text=_("Obligatoire pour un message aux familles inscrites à une activité."),
    )
    importance = models.CharField(_("importance"), max_length=10, choices=Importance.choices, default=Importance.NORMAL)
    body = StreamField(ContentStreamBlock(), verbose_name=_("message"))

    objects = ServiceMessageManager()

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("sender_service"), FieldPanel("importance")]),
        MultiFieldPanel([FieldPanel("audience"), FieldPanel("audience_detail")], heading=_("Destinataires")),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("body"),
        index.FilterField("audience"),
    ]

    parent_page_types = ["news.ServiceMessageIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("message des services")
        verbose_name_plural = _("messages des services")
        indexes = [models.Index(fields=["audience", "date"])]

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.EVERYONE

    def clean(self):
        super().clean()
        if self.audience == Audience.ACTIVITY_FAMILIES and not self.audience_detail.strip():
            raise ValidationError({"audience_detail": _("Précisez l'activité ou l'école des familles visées.")})

    def serve(self, request, *args, **kwargs):
        if not self.is_public:
            raise Http404("Ce message est réservé à ses destinataires.")
        return super().serve(request, *args, **kwargs)

    def get_sitemap_urls(self, request=None):
        return super().get_sitemap_urls(request) if self.is_public else []

    @property
    def is_recent(self) -> bool:
        return self.date >= timezone.localdate() - datetime.timedelta(days=14)
