"""Pages and settings of the town website."""

import functools

from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import ContentStreamBlock, QuickAccessTileBlock
from .page_cache import CachedViewRestrictionsMixin, cached_fragment, public

LATEST_NEWS_ON_HOME = 3
LATEST_MESSAGES_ON_HOME = 3


class HomePage(CachedViewRestrictionsMixin, Page):
    """The town's home page: banner, quick-access tiles, latest news and messages."""

    banner_title = models.CharField(_("titre du bandeau"), max_length=120)
    banner_text = models.TextField(_("texte du bandeau"), blank=True, max_length=400)
    banner_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image du bandeau"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    banner_image_alt = models.CharField(
        _("texte alternatif de l'image du bandeau"),
        max_length=200,
        blank=True,
        help_text=_("Laissez vide si l'image est purement décorative."),
    )
    tiles = StreamField(
        [("tile", QuickAccessTileBlock())],
        verbose_name=_("tuiles d'accès rapide"),
        blank=True,
        max_num=8,
    )
    body = StreamField(ContentStreamBlock(), verbose_name=_("contenu complémentaire"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("banner_title"),
                FieldPanel("banner_text"),
                FieldPanel("banner_image"),
                FieldPanel("banner_image_alt"),
            ],
            heading=_("Bandeau d'accueil"),
        ),
        FieldPanel("tiles"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("banner_text"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.StandardPage", "home.SitemapPage", "news.NewsIndexPage", "news.ServiceMessageIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")
        verbose_name_plural = _("pages d'accueil")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read only if the template renders them: the page body is a cached fragment
        # ({% pagefragment %}), rendered once per page-cache generation.
        listings = functools.cache(self._listings)
        for name in ("latest_news", "latest_messages", "news_index", "messages_index"):
            context[name] = SimpleLazyObject(lambda name=name: listings()[name])
        return context

    def _listings(self):
        from news.models import NewsPage, ServiceMessagePage

        latest_news = list(
            public(NewsPage.objects.live().descendant_of(self)).select_related("category", "cover_image")
            .order_by("-date", "-first_published_at")[:LATEST_NEWS_ON_HOME]
        )
        latest_messages = list(
            public(ServiceMessagePage.objects.live().descendant_of(self).publicly_listed())
            .order_by("-date", "-first_published_at")[:LATEST_MESSAGES_ON_HOME]
        )
        # Their two listing pages in one query (the "Toutes les actualités" links).
        parents = {item.path[: -Page.steplen] for item in latest_news[:1] + latest_messages[:1]}
        indexes = {page.path: page for page in Page.objects.filter(path__in=parents)} if parents else {}
        return {
            "latest_news": latest_news,
            "latest_messages": latest_messages,
            "news_index": indexes.get(latest_news[0].path[: -Page.steplen]) if latest_news else None,
            "messages_index": indexes.get(latest_messages[0].path[: -Page.steplen]) if latest_messages else None,
        }

    def route(self, request, path_components):
        """One query for the page instead of two per level of the tree: the live page whose
        url_path is the requested one; routable pages' sub-routes (/actualites/rss/) and
        unknown paths fall back to Wagtail's walk down the tree."""
        if path_components:
            url_path = self.url_path + "/".join(path_components) + "/"
            # Read once per page-cache generation (a publication, a move... bumps it); unknown
            # paths are not stored (no key per mistyped URL).
            page = cached_fragment("route", lambda: _specific_page_at(url_path), url_path)
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)


class StandardPage(CachedViewRestrictionsMixin, Page):
    """Any content page of the site, built from the shared blocks."""

    intro = models.TextField(_("chapô"), blank=True, max_length=500, help_text=_("Une ou deux phrases d'introduction."))
    body = StreamField(ContentStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("page de contenu")
        verbose_name_plural = _("pages de contenu")


class SitemapPage(CachedViewRestrictionsMixin, Page):
    """The human-readable site map ("Plan du site"), built from the page tree."""

    intro = models.TextField(_("chapô"), blank=True, max_length=500)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("plan du site")
        verbose_name_plural = _("plans du site")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Built only if the template renders it (the body is a cached {% pagefragment %}).
        context["sitemap_tree"] = SimpleLazyObject(self._sitemap_tree)
        return context

    def _sitemap_tree(self):
        from news.models import NewsPage, ServiceMessagePage

        home = self.get_parent()
        # News items and messages are many and dated: their listing pages stand for them.
        pages = list(
            public(home.get_descendants(inclusive=True).live()).not_type(NewsPage, ServiceMessagePage)
            .only("id", "title", "url_path", "depth", "path").order_by("path")
        )
        return build_tree(pages)


def _specific_page_at(url_path):
    page = Page.objects.filter(url_path=url_path).first()
    return page.specific if page is not None else None


def build_tree(pages):
    """Nest pages (ordered by tree path) into [{"page":…, "children":[…]}]."""
    roots, stack = [], []
    for page in pages:
        node = {"page": page, "children": []}
        while stack and not page.path.startswith(stack[-1]["page"].path):
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(node)
        stack.append(node)
    return roots


class CachedSiteSetting(BaseSiteSetting):
    """A site setting read once per cache generation (every page shows the contact details
    and socials in its chrome); saving a setting bumps the generation (home/page_cache.py)."""

    class Meta:
        abstract = True

    @classmethod
    def for_site(cls, site):
        parent = super(CachedSiteSetting, cls).for_site
        if site is None:
            return parent(site)
        return cached_fragment(f"setting-{cls._meta.label_lower}", lambda: parent(site), site.pk)


@register_setting(icon="site")
class ContactSettings(CachedSiteSetting):
    """The town hall's contact details and the footer's fixed links."""

    town_name = models.CharField(_("nom de la commune"), max_length=120, default="Villennes-sur-Seine")
    address = models.TextField(_("adresse postale"), blank=True)
    phone = models.CharField(_("téléphone principal"), max_length=30, blank=True)
    phone_secondary = models.CharField(_("autre téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("courriel de contact"), blank=True)
    opening_hours = models.TextField(_("horaires d'ouverture"), blank=True)
    contact_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page contact"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    legal_notice_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page des mentions légales"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("déclaration d'accessibilité"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    sitemap_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("plan du site"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    select_related = ["contact_page", "legal_notice_page", "accessibility_page", "sitemap_page"]

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("town_name"),
                FieldPanel("address"),
                FieldPanel("phone"),
                FieldPanel("phone_secondary"),
                FieldPanel("email"),
                FieldPanel("opening_hours"),
            ],
            heading=_("Coordonnées de la mairie"),
        ),
        MultiFieldPanel(
            [
                PageChooserPanel("contact_page"),
                PageChooserPanel("legal_notice_page"),
                PageChooserPanel("accessibility_page"),
                PageChooserPanel("sitemap_page"),
            ],
            heading=_("Liens du pied de page"),
        ),
    ]

    class Meta:
        verbose_name = _("coordonnées de la mairie")

    def footer_links(self):
        return [
            page
            for page in (self.contact_page, self.legal_notice_page, self.accessibility_page, self.sitemap_page)
            if page is not None and page.live
        ]


@register_setting(icon="globe")
class SocialMediaSettings(CachedSiteSetting):
    facebook = models.URLField(_("page Facebook"), blank=True)
    x_twitter = models.URLField(_("compte X (Twitter)"), blank=True)
    instagram = models.URLField(_("compte Instagram"), blank=True)
    youtube = models.URLField(_("chaîne YouTube"), blank=True)

    class Meta:
        verbose_name = _("réseaux sociaux")

    def links(self):
        labels = [
            ("facebook", "Facebook"),
            ("x_twitter", "X (Twitter)"),
            ("instagram", "Instagram"),
            ("youtube", "YouTube"),
        ]
        return [(label, getattr(self, field)) for field, label in labels if getattr(self, field)]
