from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
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
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving catches everything else: keep it last.
urlpatterns += [path("", include(wagtail_urls))]
