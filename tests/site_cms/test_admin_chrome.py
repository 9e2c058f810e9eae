"""The Wagtail admin's chrome kept between requests (home/admin_chrome.py): the keyboard
shortcuts dialog, rendered once per process and variant, still with the key labels of the
agent's computer and the agent's choice to disable shortcuts; the scripts' configuration,
Wagtail's own without its query on every page, following a new locale at once."""

import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.admin.templatetags import wagtailadmin_tags
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from home import admin_chrome
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15"
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
TEMPLATE = "wagtailadmin/shared/keyboard_shortcuts_dialog.html"


@pytest.fixture
def agent(otp_login):
    client = Client()
    client.user = make_staff("agent.raccourcis@example.fr")
    otp_login(client, client.user)
    admin_chrome._rendered.clear()
    return client


def admin_home(client, user_agent):
    response = client.get("/admin/", HTTP_USER_AGENT=user_agent)
    assert response.status_code == 200
    text = response.content.decode()
    start = text.index('id="keyboard-shortcuts-dialog"')
    return text[start:text.index("</table>", start)], [template.name for template in response.templates]


def test_the_dialog_is_rendered_once_per_variant_and_says_the_keys_of_the_computer(agent):
    first, rendered = admin_home(agent, WINDOWS)
    assert TEMPLATE in rendered and "<kbd>Ctrl + s</kbd>" in first and "Raccourcis clavier" in first
    again, rendered = admin_home(agent, WINDOWS)
    assert again == first and TEMPLATE not in rendered  # from the process's memo
    mac, rendered = admin_home(agent, MAC)
    assert TEMPLATE in rendered and "<kbd>⌘ + s</kbd>" in mac and "Ctrl + s" not in mac


def test_an_agent_who_disabled_the_shortcuts_is_told_so(agent):
    enabled, _rendered = admin_home(agent, WINDOWS)
    assert "actuellement désactivés" not in enabled
    profile = UserProfile.get_for_user(agent.user)
    profile.keyboard_shortcuts = False
    profile.save()
    disabled, _rendered = admin_home(agent, WINDOWS)
    assert "Les raccourcis clavier sont actuellement désactivés" in disabled


def config(client) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/")
    assert response.status_code == 200
    found = re.search(r'<script id="wagtail-config" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(found.group(1)), [query["sql"] for query in queries.captured_queries]


def test_the_scripts_configuration_is_wagtails_without_the_locales_query(agent, rf):
    first, _queries = config(agent)
    second, queries = config(agent)
    assert not any("wagtailcore_locale" in sql for sql in queries)  # from the shared cache
    # The same as Wagtail's own tag gives, but for the CSRF token, masked anew each time.
    request = rf.get("/admin/")
    request.user = agent.user
    expected = json.loads(json.dumps(wagtailadmin_tags.wagtail_config({"request": request})))
    for value in (first, second, expected):
        assert value.pop("CSRF_TOKEN")
    assert first == second == expected
    assert [locale["code"] for locale in second["LOCALES"]] == ["fr"] and "janvier" in second["STRINGS"]["MONTHS"]


def test_a_new_locale_shows_at_once(agent):
    config(agent)
    Locale.objects.create(language_code="en")
    value, _queries = config(agent)
    assert sorted(locale["code"] for locale in value["LOCALES"]) == ["en", "fr"]


def test_each_agent_gets_their_own_token_and_shortcut_choice(agent, otp_login):
    """The shared value was written for another agent: what is the agent's own is not in it."""
    config(agent)  # written for this agent, shortcuts on
    other = Client()
    other.user = make_staff("agent.sans.raccourcis@example.fr")
    profile = UserProfile.get_for_user(other.user)
    profile.keyboard_shortcuts = False
    profile.save()
    otp_login(other, other.user)
    for client, enabled in ((other, False), (agent, True)):
        value, queries = config(client)
        assert not any("wagtailcore_locale" in sql for sql in queries)  # the shared value
        assert value["KEYBOARD_SHORTCUTS_ENABLED"] is enabled
        secret = _unmask_cipher_token(value["CSRF_TOKEN"])
        assert secret == client.cookies[settings.CSRF_COOKIE_NAME].value


def test_the_agents_wagtail_profile_comes_with_the_agent_and_is_followed(agent):
    """Wagtail reads the agent's profile (language, time zone) on every admin page: it is
    read in the same query as the agent (accounts.backends), and still followed."""
    profile = UserProfile.get_for_user(agent.user)
    profile.preferred_language = "en"
    profile.save()
    with CaptureQueriesContext(connection) as queries:
        response = agent.get("/admin/", HTTP_USER_AGENT=WINDOWS)
    assert response.status_code == 200
    assert re.search(r'<html[^>]* lang="en"', response.content.decode())
    profile_queries = [query["sql"] for query in queries.captured_queries if "wagtailusers_userprofile" in query["sql"]]
    assert len(profile_queries) == 1 and '"accounts_user"' in profile_queries[0]  # joined to the agent's row

    profile.preferred_language = "fr"
    profile.save()
    assert re.search(r'<html[^>]* lang="fr"', agent.get("/admin/", HTTP_USER_AGENT=WINDOWS).content.decode())


# --- icons and breadcrumbs, kept once rendered ------------------------------------------------

def _render(source, **context):
    from django.template import Context, Template

    return Template("{% load wagtailadmin_tags %}" + source).render(Context(context))


def test_an_icon_is_wagtails_and_its_title_is_escaped():
    admin_chrome._kept_html.clear()
    html = _render('{% icon name="user" classname="w-w-4" title=title %}', title="<b>Agent</b>")
    assert re.sub(r"\s+", " ", html) == (
        '<svg class="icon icon-user w-w-4" aria-hidden="true"><use href="#icon-user"></use></svg>'
        '<span class="w-sr-only"> &lt;b&gt;Agent&lt;/b&gt; </span>')
    # From memory now, and another title or name is its own icon.
    assert _render('{% icon name="user" classname="w-w-4" title=title %}', title="<b>Agent</b>") == html
    assert "Parent" in _render('{% icon name="user" classname="w-w-4" title=title %}', title="Parent")
    assert "icon-tasks" in _render('{% icon name="tasks" %}')
    from django.utils.safestring import mark_safe
    assert "<b>Agent</b>" in _render('{% icon name="user" classname="w-w-4" title=title %}',
                                     title=mark_safe("<b>Agent</b>"))
    with pytest.raises(ValueError):  # Wagtail's own check still runs
        _render("{% icon %}")


def test_breadcrumbs_are_wagtails_and_follow_their_items_and_the_language():
    from django.utils import translation

    admin_chrome._kept_html.clear()
    items = [{"url": "/admin/espace-citoyen/demarches/", "label": "Démarches à traiter"},
             {"url": "", "label": "<DEM-2026-0001>"}]
    with translation.override("fr"):
        first = _render("{% breadcrumbs items icon_name='tasks' %}", items=items)
        assert 'href="/admin/espace-citoyen/demarches/"' in first and "&lt;DEM-2026-0001&gt;" in first
        assert "Fil d’Ariane" in first or "Fil d'Ariane" in first
        assert _render("{% breadcrumbs items icon_name='tasks' %}", items=items) == first
        other = _render("{% breadcrumbs items icon_name='tasks' %}", items=[*items[:1], {"url": "", "label": "DEM-2"}])
        assert "DEM-2" in other and "DEM-2026-0001" not in other
    with translation.override("en"):
        assert "Breadcrumb" in _render("{% breadcrumbs items icon_name='tasks' %}", items=items)


def test_kept_icons_and_breadcrumbs_are_bounded():
    admin_chrome._kept_html.clear()
    for number in range(600):
        _render("{% icon name='user' title=title %}", title=f"n°{number}")
    assert 0 < len(admin_chrome._kept_html) <= 512



def test_the_admins_static_urls_are_wagtails():
    from wagtail.admin.staticfiles import versioned_static

    admin_chrome._kept_html.clear()
    for path in ("wagtailadmin/js/core.js", "wagtailadmin/css/core.css"):
        expected = versioned_static(path)
        assert "?v=" in expected and path.rsplit(".", 1)[0].split("/")[-1] in expected
        assert _render("{% versioned_static path %}", path=path) == expected
        assert _render("{% versioned_static path %}", path=path) == expected  # kept


def test_only_strings_are_kept_other_values_rendered_each_time():
    """A safe label and a plain one of the same text keep their own escaping; a value that
    is not a string (here a number) is rendered by Wagtail and not kept."""
    from django.utils.safestring import mark_safe

    admin_chrome._kept_html.clear()
    plain = _render("{% breadcrumbs items %}", items=[{"url": "", "label": "<i>Bernard</i>"}])
    safe = _render("{% breadcrumbs items %}", items=[{"url": "", "label": mark_safe("<i>Bernard</i>")}])
    assert "&lt;i&gt;Bernard&lt;/i&gt;" in plain and "<i>Bernard</i>" not in plain
    assert "<i>Bernard</i>" in safe
    kept = len(admin_chrome._kept_html)
    assert "1234" in _render("{% icon name='user' title=title %}", title=1234)
    assert len(admin_chrome._kept_html) == kept
