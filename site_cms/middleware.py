"""Content Security Policy by area: django-csp's middleware sets the public site's policy
(settings.CONTENT_SECURITY_POLICY, which excludes /admin/); this subclass gives the Wagtail
admin its own (settings.ADMIN_CONTENT_SECURITY_POLICY)."""

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy, default_config
from django.conf import settings


class SiteCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        admin = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY", None)
        if (admin and request.path_info.startswith(admin["URL_PREFIX"]) and HEADER not in response
                and not getattr(response, "_csp_exempt", False)):
            # No nonce here: a nonce in script-src would make browsers ignore 'unsafe-inline',
            # which Wagtail's admin templates still need.
            response[HEADER] = build_policy(config=default_config(admin["DIRECTIVES"]))
        return super().process_response(request, response)
