"""HTTP rules shared by every view of the citizen space and of the back office."""

from django.conf import settings

PRIVATE_CACHE_CONTROL = "private, no-store"


class PrivateNoStoreMiddleware:
    """Every response under the private prefixes (settings.PRIVATE_PATH_PREFIXES: the
    citizen space and the admin) is ``Cache-Control: private, no-store``: no browser,
    proxy or shared cache keeps a copy of a page that shows someone's data — one rule
    here instead of a header set view by view."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.PRIVATE_PATH_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefixes):
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response
