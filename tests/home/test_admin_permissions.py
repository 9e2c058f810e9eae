"""Editorial permissions, checked through the real Wagtail admin views.

The Communication group (home/groups.py) may create, publish, schedule and review pages,
but must not reach users, groups or site settings; the page tree rules of the models are
enforced by the admin; the news form refuses a cover image without alternative text.
"""

import datetime
import html
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Site, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.blocks import RICH_TEXT_FEATURES
from home.groups import COMMUNICATION_GROUP, COMMUNICATION_WORKFLOW
from home.models import ContactSettings, HomePage, SocialMediaSettings, StandardPage
from news.models import NewsIndexPage, NewsPage

ALT_TEXT_ERROR = "Indiquez un texte alternatif décrivant l'image de couverture."


# --- helpers ---------------------------------------------------------------------------


def news_form_data(title, slug, **fields):
    """POST data of the NewsPage admin form, with a heading and a paragraph in the body."""
    data = {
        "title": title,
        "slug": slug,
        "date": "2027-01-15",
        "category": "",
        "cover_image": "",
        "cover_image_alt": "",
        "summary": f"Résumé de « {title} ».",
        "body": streamfield(
            [
                ("heading", {"text": "Ce qui change", "level": "h2"}),
                (
                    "paragraph",
                    rich_text("<p>Le chantier dure <b>trois semaines</b>.</p>", features=RICH_TEXT_FEATURES),
                ),
            ]
        ),
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(fields)
    return nested_form_data(data)


def add_url(model, parent):
    return reverse("wagtailadmin_pages:add", args=(model._meta.app_label, model._meta.model_name, parent.pk))


def assert_admin_denied(response):
    """Wagtail answers a forbidden admin view with a redirect to the admin home (or 403)."""
    if response.status_code == 403:
        return
    assert response.status_code == 302, response.status_code
    assert response.url == reverse("wagtailadmin_home")


def public_get(path):
    """GET as an anonymous visitor."""
    return Client().get(path)


@pytest.fixture
def news_index(page_by_path):
    index = page_by_path("/actualites/")
    assert isinstance(index, NewsIndexPage)
    return index


@pytest.fixture
def editor_client(client, editor, otp_login):
    assert not editor.is_superuser
    assert editor.groups.filter(name=COMMUNICATION_GROUP).exists()
    otp_login(client, editor)
    return client


# --- 1. create and publish ---------------------------------------------------------------


@pytest.mark.django_db
def test_editor_creates_and_publishes_news_page(editor_client, editor, news_index):
    title = "Fermeture exceptionnelle de la mairie"
    response = editor_client.post(
        add_url(NewsPage, news_index),
        news_form_data(title, "fermeture-exceptionnelle", **{"action-publish": "publish"}),
    )
    # A successful publication leaves the form for the explorer of the parent page.
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_explore", args=(news_index.pk,))

    page = NewsPage.objects.child_of(news_index).get(slug="fermeture-exceptionnelle")
    assert page.title == title
    assert page.live
    assert page.owner == editor
    assert page.summary == f"Résumé de « {title} »."
    assert [block.block_type for block in page.body] == ["heading", "paragraph"]

    public = public_get(page.url)
    assert public.status_code == 200
    assert title in html.unescape(public.content.decode())


# --- 2. draft and preview ----------------------------------------------------------------


@pytest.mark.django_db
def test_editor_saves_draft_that_stays_private_but_can_be_previewed(editor_client, news_index):
    title = "Brocante d'automne : inscriptions ouvertes"
    data = news_form_data(title, "brocante-automne")  # no action-publish: a plain save
    response = editor_client.post(add_url(NewsPage, news_index), data)

    page = NewsPage.objects.child_of(news_index).get(slug="brocante-automne")
    # A draft keeps the editor on its edit view.
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=(page.pk,))
    assert not page.live
    assert page.latest_revision is not None
    assert public_get(page.url).status_code == 404

    # The preview panel first posts the form state, then renders it in an iframe (GET).
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(page.pk,))
    state = editor_client.post(preview_url, data)
    assert state.status_code == 200
    assert state.json() == {"is_valid": True, "is_available": True}
    preview = editor_client.get(preview_url)
    assert preview.status_code == 200
    assert title in html.unescape(preview.content.decode())

    # "View draft" from the editor shows the saved revision too.
    draft = editor_client.get(reverse("wagtailadmin_pages:view_draft", args=(page.pk,)))
    assert draft.status_code == 200
    assert title in html.unescape(draft.content.decode())

    # The admin previews are for staff: an anonymous visitor is sent to the login.
    assert public_get(preview_url).status_code == 302


# --- 3. scheduled publishing -------------------------------------------------------------


@pytest.mark.django_db
def test_scheduled_publication_goes_live_with_publish_scheduled(editor_client, news_index):
    go_live_at = timezone.localtime() + datetime.timedelta(days=2)
    response = editor_client.post(
        add_url(NewsPage, news_index),
        news_form_data(
            "Vœux du maire 2027",
            "voeux-du-maire-2027",
            go_live_at=go_live_at.strftime("%Y-%m-%d %H:%M"),
            **{"action-publish": "publish"},
        ),
    )
    assert response.status_code == 302

    page = NewsPage.objects.child_of(news_index).get(slug="voeux-du-maire-2027")
    assert not page.live
    assert page.go_live_at is not None and page.go_live_at > timezone.now()
    scheduled = page.scheduled_revision
    assert scheduled is not None
    assert scheduled.approved_go_live_at == page.go_live_at
    assert public_get(page.url).status_code == 404

    # Too early: the command leaves the page alone.
    call_command("publish_scheduled", stdout=mock.Mock())
    page.refresh_from_db()
    assert not page.live

    # Move the clock past the go-live time and run the command again.
    later = page.go_live_at + datetime.timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled", stdout=mock.Mock())

    page = NewsPage.objects.get(pk=page.pk)  # fresh instance: scheduled_revision is cached
    assert page.live
    assert page.live_revision_id == scheduled.pk
    assert page.scheduled_revision is None
    public = public_get(page.url)
    assert public.status_code == 200
    assert "Vœux du maire 2027" in html.unescape(public.content.decode())


# --- 4. moderation workflow --------------------------------------------------------------


@pytest.mark.django_db
def test_submitted_page_is_published_when_a_second_member_approves(client, editor, news_index, otp_login):
    otp_login(client, editor)
    title = "Nouveaux horaires de la médiathèque"
    response = client.post(
        add_url(NewsPage, news_index),
        news_form_data(title, "horaires-mediatheque", **{"action-submit": "submit"}),
    )
    assert response.status_code == 302

    page = NewsPage.objects.child_of(news_index).get(slug="horaires-mediatheque")
    assert not page.live
    workflow_state = WorkflowState.objects.for_instance(page).get()
    assert workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert workflow_state.workflow.name == COMMUNICATION_WORKFLOW
    assert workflow_state.requested_by == editor
    task_state = workflow_state.current_task_state
    assert task_state.task.name == "Validation par la Communication"
    assert public_get(page.url).status_code == 404

    # A colleague of the Communication group approves the task from the admin.
    reviewer = get_user_model().objects.create_user("relecture@ville-villennes-sur-seine.fr", "mot-de-passe-test")
    reviewer.groups.add(Group.objects.get(name=COMMUNICATION_GROUP))
    reviewer_client = Client()
    otp_login(reviewer_client, reviewer)
    approve_url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))
    response = reviewer_client.post(approve_url, {"comment": "Relu, c'est bon."})
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=(page.pk,))

    workflow_state.refresh_from_db()
    assert workflow_state.status == WorkflowState.STATUS_APPROVED
    page.refresh_from_db()
    assert page.live
    public = public_get(page.url)
    assert public.status_code == 200
    assert title in html.unescape(public.content.decode())


# --- 5. users, groups and site settings are out of reach --------------------------------


def settings_edit_url(model):
    site = Site.objects.get(is_default_site=True)
    return reverse("wagtailsettings:edit", args=(model._meta.app_label, model._meta.model_name, site.pk))


def restricted_urls():
    """Admin views kept for the superuser, each with the URL it finally renders."""
    return [
        (reverse("wagtailusers_users:index"), reverse("wagtailusers_users:index")),
        (reverse("wagtailusers_groups:index"), reverse("wagtailusers_groups:index")),
        # The settings menu links to the URL without a site, which redirects to the site's form.
        (reverse("wagtailsettings:edit", args=("home", "contactsettings")), settings_edit_url(ContactSettings)),
        (settings_edit_url(ContactSettings), settings_edit_url(ContactSettings)),
        (reverse("wagtailsettings:edit", args=("home", "socialmediasettings")), settings_edit_url(SocialMediaSettings)),
        (settings_edit_url(SocialMediaSettings), settings_edit_url(SocialMediaSettings)),
    ]


@pytest.mark.django_db
def test_editor_cannot_open_users_groups_or_site_settings(editor_client):
    for url, _final_url in restricted_urls():
        response = editor_client.get(url)
        assert response.status_code != 200, url
        assert_admin_denied(response)


@pytest.mark.django_db
def test_editor_cannot_change_users_groups_or_site_settings(editor_client):
    User = get_user_model()
    site = Site.objects.get(is_default_site=True)
    phone_before = ContactSettings.for_site(site).phone
    facebook_before = SocialMediaSettings.for_site(site).facebook
    users_before, groups_before = User.objects.count(), Group.objects.count()

    assert_admin_denied(
        editor_client.post(
            reverse("wagtailusers_users:add"),
            {
                "email": "intrus@example.fr",
                "first_name": "In",
                "last_name": "Trus",
                "password1": "Un-mot-de-passe-solide-42",
                "password2": "Un-mot-de-passe-solide-42",
                "is_superuser": "on",
                "is_active": "on",
            },
        )
    )
    assert_admin_denied(editor_client.post(reverse("wagtailusers_groups:add"), {"name": "Pirates"}))
    assert_admin_denied(
        editor_client.post(settings_edit_url(ContactSettings), {"town_name": "Piratville", "phone": "00 00 00 00 00"})
    )
    assert_admin_denied(
        editor_client.post(settings_edit_url(SocialMediaSettings), {"facebook": "https://example.com/pirate"})
    )

    assert User.objects.count() == users_before
    assert not User.objects.filter(email="intrus@example.fr").exists()
    assert Group.objects.count() == groups_before
    assert ContactSettings.for_site(site).phone == phone_before
    assert ContactSettings.for_site(site).town_name == "Villennes-sur-Seine"
    assert SocialMediaSettings.for_site(site).facebook == facebook_before


@pytest.mark.django_db
def test_superuser_can_open_users_groups_and_site_settings(client, superuser, otp_login):
    otp_login(client, superuser)
    for url, final_url in restricted_urls():
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert response.request["PATH_INFO"] == final_url


# --- 6. no group, no admin ----------------------------------------------------------------


@pytest.mark.django_db
def test_user_without_group_is_sent_to_admin_login(client):
    user = get_user_model().objects.create_user("habitant@example.fr", "mot-de-passe-test")
    assert not user.is_staff and not user.groups.exists()
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('wagtailadmin_login')}?next={reverse('wagtailadmin_home')}"


# --- 7. page tree rules ------------------------------------------------------------------


def test_page_type_rules():
    assert NewsPage.allowed_parent_page_models() == [NewsIndexPage]
    assert NewsIndexPage.allowed_subpage_models() == [NewsPage]


@pytest.mark.django_db
def test_models_refuse_pages_in_the_wrong_place(home, news_index):
    assert NewsPage.can_create_at(news_index)  # control: the right place is allowed
    assert not NewsPage.can_create_at(home)
    assert StandardPage.can_create_at(home)
    assert not StandardPage.can_create_at(news_index)
    assert not HomePage.can_create_at(home.get_parent())  # max_count = 1, and it exists


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "parent_path", "slug"),
    [(NewsPage, "/", "actualite-hors-liste"), (StandardPage, "/actualites/", "page-dans-les-actualites")],
)
def test_admin_refuses_pages_in_the_wrong_place(editor_client, page_by_path, model, parent_path, slug):
    parent = page_by_path(parent_path)
    url = add_url(model, parent)
    assert_admin_denied(editor_client.get(url))

    data = news_form_data("Hors de sa place", slug, intro="", **{"action-publish": "publish"})
    assert_admin_denied(editor_client.post(url, data))
    assert not Page.objects.filter(slug=slug).exists()


@pytest.mark.django_db
def test_admin_refuses_a_second_home_page(client, superuser, home, otp_login):
    # Even the superuser cannot create a second HomePage at the tree root.
    otp_login(client, superuser)
    assert_admin_denied(client.get(add_url(HomePage, home.get_parent())))


# --- 8. cover image needs an alternative text --------------------------------------------


@pytest.mark.django_db
def test_cover_image_without_alt_text_is_refused(editor_client, news_index):
    image = get_image_model().objects.first()
    assert image is not None, "the demo content should provide images"

    response = editor_client.post(
        add_url(NewsPage, news_index),
        news_form_data(
            "Concert de l'harmonie",
            "concert-harmonie",
            cover_image=str(image.pk),
            cover_image_alt="",
            **{"action-publish": "publish"},
        ),
    )
    # The form is displayed again with the French error next to the field.
    assert response.status_code == 200
    assert response.context["form"].errors["cover_image_alt"] == [ALT_TEXT_ERROR]
    assert ALT_TEXT_ERROR in html.unescape(response.content.decode())
    assert not NewsPage.objects.filter(slug="concert-harmonie").exists()

    # Control: the same page with an alternative text is accepted.
    response = editor_client.post(
        add_url(NewsPage, news_index),
        news_form_data(
            "Concert de l'harmonie",
            "concert-harmonie",
            cover_image=str(image.pk),
            cover_image_alt="Les musiciens de l'harmonie sur le parvis de l'église",
            **{"action-publish": "publish"},
        ),
    )
    assert response.status_code == 302
    page = NewsPage.objects.get(slug="concert-harmonie")
    assert page.live and page.cover_image_id == image.pk
