"""System check of the Wagtail Site record: the RSS feed and sitemap.xml give absolute links
built from the default Site's hostname and port. When that hostname is not among
ALLOWED_HOSTS, every such link points to an address this server refuses (or to somebody
else's). Tagged "database": it runs with `manage.py migrate` and
`manage.py check --database default` (docs/deployment.md), not at every start."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django.http.request import validate_host


@register(Tags.database)
def default_site_hostname_allowed(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from wagtail.models import Site

    try:
        site = Site.objects.filter(is_default_site=True).first()
    except DatabaseError:  # not migrated yet
        return []
    if site is None or validate_host(site.hostname, settings.ALLOWED_HOSTS):
        return []
    return [Warning(
        f"Le site Wagtail par défaut a pour nom d'hôte « {site.hostname} », absent de ALLOWED_HOSTS "
        f"({', '.join(settings.ALLOWED_HOSTS) or 'vide'}) : les liens absolus du flux RSS et de sitemap.xml "
        "pointent vers une adresse que ce serveur refuse.",
        hint="Corrigez le site dans l'administration (Paramètres → Sites : nom d'hôte public et port 443) "
             "ou ajoutez ce nom à ALLOWED_HOSTS.",
        id="home.W001",
    )]
