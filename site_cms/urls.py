from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from health_check.views import HealthCheckView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from search import views as search_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("recherche/", search_views.search, name="search"),
    path("espace-citoyen/", include("espace_citoyen.portal.urls")),
    path("sitemap.xml", sitemap, name="sitemap"),
    path(
        "sante/",
        HealthCheckView.as_view(checks=["health_check.checks.Database", "health_check.checks.Cache",
                                         "site_cms.health.TaskWorker"]),
        name="health",
    ),
]

if getattr(settings, "SERVE_MEDIA", False):
    # Development, tests and the demo of `make run` (DEBUG off, where Django's static() helper
    # would serve nothing); in production the web server serves MEDIA_ROOT.
    urlpatterns += [re_path(r"^%s(?P<path>.*)$" % settings.MEDIA_URL.lstrip("/"), serve,
                            {"document_root": settings.MEDIA_ROOT})]

# Wagtail's page serving catches everything else: keep it last.
urlpatterns += [path("", include(wagtail_urls))]
