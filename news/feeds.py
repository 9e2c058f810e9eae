import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed

FEED_ITEMS = 20  # items in the RSS feed


class LatestNewsFeed(Feed):
    """RSS 2.0 feed of the latest news of one NewsIndexPage.

    Every link is absolute from the Wagtail Site record (hostname, port), not from the host
    the request came by: a feed reader keeps the links, they must point to the public site
    (the demo seeds the Site with the address `make run` serves; production sets it, see
    docs/deployment.md, and a system check warns when it is not among ALLOWED_HOSTS)."""

    feed_type = Rss201rev2Feed
    language = "fr"

    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return self.index_page

    def title(self, obj):
        return f"{obj.title} – Villennes-sur-Seine"

    def link(self, obj):
        return obj.get_full_url(request=self.request)

    def feed_url(self, obj):
        return obj.get_full_url(request=self.request) + obj.reverse_subpage("rss")

    def description(self, obj):
        return obj.intro or "Les dernières actualités de la ville de Villennes-sur-Seine."

    def items(self, obj):
        return obj.news_items()[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_full_url(request=self.request)

    def item_guid(self, item):
        return item.get_full_url(request=self.request)

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time(8, 0)))

    def item_categories(self, item):
        return [item.category.name] if item.category_id else []
