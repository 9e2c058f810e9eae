"""The Wagtail admin's keyboard shortcuts dialog (home/admin_shortcuts.py): rendered once per
process and variant, then the same HTML on every admin page; still the key labels of the
agent's computer and the agent's choice to disable shortcuts."""

import pytest
from django.test import Client
from wagtail.users.models import UserProfile

from home import admin_shortcuts
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
    admin_shortcuts._rendered.clear()
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
