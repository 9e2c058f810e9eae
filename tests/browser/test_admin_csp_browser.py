"""Issue 10, items 16 and 17, in Chromium:

* the Wagtail admin has a Content-Security-Policy (settings.ADMIN_CONTENT_SECURITY_POLICY)
  under which its main pages work: dashboard, page explorer, page editor, image chooser,
  a snippet listing, an Espace citoyen listing report no CSP violation;
* no page of the site or of the admin makes a request to another host (no Gravatar avatar:
  WAGTAIL_GRAVATAR_PROVIDER_URL = None).
"""

import re
from urllib.parse import urlsplit

import pytest

from espace_citoyen.accounts.demo import DEMO_TOTP_KEY_BASE32

from .test_two_factor_browser import app_code

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "admin@ville-villennes-sur-seine.fr"
ADMIN_PASSWORD = "Admin-Villennes-2026"
PARENT_EMAIL = "camille.bernard@example.org"
PARENT_PASSWORD = "Famille-Bernard-2026"

# Recorded by the page itself, from the first script on: every CSP violation event.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Recorder:
    """Every request of the browser context, and the CSP complaints of the console."""

    def __init__(self, context):
        self.requests, self.console = [], []
        context.on("request", lambda request: self.requests.append(request.url))
        context.add_init_script(RECORD_VIOLATIONS)

    def watch(self, page):
        page.on("console", lambda message: self.console.append(message.text)
                if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)

    def violations(self, page) -> list[str]:
        return page.evaluate("window.__cspViolations || []") + self.console

    def third_party(self, base_url: str) -> list[str]:
        host = urlsplit(base_url).netloc
        return [url for url in self.requests
                if urlsplit(url).scheme in {"http", "https", "ws", "wss"} and urlsplit(url).netloc != host]


@pytest.fixture
def recorded_page(chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    recorder = Recorder(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    recorder.watch(page)
    yield page, recorder
    context.close()


def _admin_login(page, base_url):
    page.goto(base_url + "/admin/login/")
    page.locator("input[name=username]").fill(ADMIN_EMAIL)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/double-authentification/verifier/"))
    page.locator("input[name=code]").fill(app_code(DEMO_TOTP_KEY_BASE32))
    page.get_by_role("button", name="Valider le code").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def _visit(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_admin_pages_work_under_their_csp_and_stay_on_this_site(live_site, recorded_page):
    from news.models import NewsPage

    page, recorder = recorded_page
    base = live_site.url
    news = NewsPage.objects.live().exclude(cover_image=None).order_by("pk").first() \
        or NewsPage.objects.live().order_by("pk").first()
    _admin_login(page, base)
    response = page.goto(base + "/admin/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "object-src 'none'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    for path in (f"/admin/pages/{news.get_parent().pk}/", f"/admin/pages/{news.pk}/edit/",
                 "/admin/snippets/news/newscategory/", "/admin/images/",
                 "/admin/espace-citoyen/jours-activite/", "/admin/users/"):
        _visit(page, base + path)
        assert page.locator("main").count() == 1, path
        assert not recorder.violations(page), (path, recorder.violations(page))
    # The image chooser, opened from the page editor (a modal loaded by script).
    _visit(page, base + f"/admin/pages/{news.pk}/edit/")
    # The cover image's chooser: its "choose" button sits in the widget's menu once an image
    # is chosen, so it is clicked by an event rather than by the pointer.
    page.locator("[data-chooser-action-choose]").first.dispatch_event("click")
    page.locator(".modal-content").wait_for()
    page.locator(".modal-content a, .modal-content img").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert not recorder.violations(page), recorder.violations(page)
    # The account menu shows the avatar, from this site.
    avatars = page.locator("img[src*='avatar']")
    assert avatars.count() >= 1
    assert not recorder.third_party(base), recorder.third_party(base)


def test_public_and_citizen_pages_make_no_third_party_request(live_site, recorded_page):
    page, recorder = recorded_page
    base = live_site.url
    for path in ("/", "/actualites/", "/recherche/?q=conseil", "/plan-du-site/", "/espace-citoyen/connexion/"):
        _visit(page, base + path)
    page.get_by_label("Identifiant (adresse e-mail)").fill(PARENT_EMAIL)
    page.get_by_label("Mot de passe").fill(PARENT_PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))
    for path in ("/espace-citoyen/famille/", "/espace-citoyen/documents/", "/espace-citoyen/messages/"):
        _visit(page, base + path)
        assert not recorder.violations(page), (path, recorder.violations(page))
    assert not recorder.third_party(base), recorder.third_party(base)
