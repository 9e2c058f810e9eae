import re

import pytest
from django.utils.html import escape

from espace_citoyen.family.models import Child, Household
from espace_citoyen.messaging.models import MessageRead
from news.models import NewsPage

from .conftest import TILLEULS, make_user, publish_message

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_inbox_requires_login(client):
    response = client.get("/espace-citoyen/messages/")
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/connexion/?next=/espace-citoyen/messages/"
    response = client.get("/espace-citoyen/messages/1/")
    assert response.status_code == 302 and response.url.startswith("/espace-citoyen/connexion/")


def test_inbox_lists_the_users_messages_newest_first_with_unread_marker_and_news(client, people, messages):
    client.force_login(people["parent_tilleuls"])
    MessageRead.objects.create(user=people["parent_tilleuls"], page=messages["holders"])
    response = client.get("/espace-citoyen/messages/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and "Actualités et messages</h1>" in html
    body = text(response)
    positions = [body.index(messages[name].title) for name in ("tilleuls", "families", "holders", "everyone")]
    assert positions == sorted(positions)
    # Unread marker in text, not by colour only; the read message has none.
    assert f"Non lu Information Mairie {messages['tilleuls'].title}" in body
    assert f"Non lu Information Mairie {messages['families'].title}" in body
    assert f"Information Mairie {messages['holders'].title}" in body
    assert f"Non lu Information Mairie {messages['holders'].title}" not in body
    assert f'href="/espace-citoyen/messages/{messages["tilleuls"].pk}/"' in html
    # The latest news of the site.
    assert "Les dernières actualités du site" in body
    latest = NewsPage.objects.live().order_by("-date", "-first_published_at")[:3]
    for news in latest:
        assert escape(news.title) in body


def test_inbox_news_follow_a_publication_and_an_unpublication_at_once(client, people):
    client.force_login(people["holder"])
    assert client.get("/espace-citoyen/messages/").status_code == 200  # the news list is now cached
    news = NewsPage.objects.live().order_by("-date", "-first_published_at").first()
    news.title = "Ouverture de la nouvelle médiathèque"
    news.save_revision().publish()
    assert "Ouverture de la nouvelle médiathèque" in text(client.get("/espace-citoyen/messages/"))
    news.unpublish()
    assert "Ouverture de la nouvelle médiathèque" not in text(client.get("/espace-citoyen/messages/"))


def test_inbox_hides_other_audiences(client, people, messages):
    client.force_login(people["parent_parc"])
    body = text(client.get("/espace-citoyen/messages/"))
    assert messages["families"].title in body
    assert messages["tilleuls"].title not in body
    client.force_login(people["holder"])
    body = text(client.get("/espace-citoyen/messages/"))
    assert messages["holders"].title in body
    assert messages["families"].title not in body


def test_inbox_empty_state(client, db):
    from news.models import ServiceMessagePage

    for page in ServiceMessagePage.objects.live():
        page.unpublish()
    user = make_user("nouveau@example.fr")
    client.force_login(user)
    body = text(client.get("/espace-citoyen/messages/"))
    assert "Vous n'avez aucun message pour le moment." in body


def test_inbox_pagination(client, people):
    for number in range(12):
        publish_message(f"test-page-{number:02d}", audience="account_holders", title=f"Avis numéro {number:02d}",
                        days_ago=number)
    client.force_login(people["holder"])
    first = text(client.get("/espace-citoyen/messages/"))
    assert "Page 1 sur 2" in first
    assert "Avis numéro 00" in first and "Avis numéro 11" not in first
    second = client.get("/espace-citoyen/messages/?page=2")
    assert second.status_code == 200 and "Page 2 sur 2" in text(second)
    # A bad page number falls back to a valid page.
    assert client.get("/espace-citoyen/messages/?page=abc").status_code == 200


def test_inbox_query_count_is_bounded(client, people, messages, django_assert_max_num_queries):
    client.force_login(people["parent_tilleuls"])
    client.get("/espace-citoyen/messages/")  # warm caches (site, settings)
    with django_assert_max_num_queries(24) as few:
        client.get("/espace-citoyen/messages/")
    bound = len(few.captured_queries)  # before another request resets the query log
    for number in range(8):
        publish_message(f"test-volume-{number}", audience="families")
    # Publishing bumps the page cache's generation: the next page reads the site chrome
    # (menu, settings) once again, then from the cache (home/page_cache.py).
    client.get("/espace-citoyen/messages/")
    with django_assert_max_num_queries(bound):
        response = client.get("/espace-citoyen/messages/")
    assert "Message test-volume-7" in text(response)


def test_the_inbox_list_is_kept_and_follows_reads_and_new_children_at_once(client, people, messages,
                                                                          django_assert_num_queries):
    parent = people["parent_parc"]
    client.force_login(parent)
    title = messages["families"].title
    assert f"Non lu Information Mairie {title}" in text(client.get("/espace-citoyen/messages/"))
    with django_assert_num_queries(2):  # the session and the user; the list, its count and the news are kept
        assert f"Non lu Information Mairie {title}" in text(client.get("/espace-citoyen/messages/"))

    assert client.get(f"/espace-citoyen/messages/{messages['families'].pk}/").status_code == 200
    body = text(client.get("/espace-citoyen/messages/"))
    assert f"Information Mairie {title}" in body and f"Non lu Information Mairie {title}" not in body

    assert messages["tilleuls"].title not in body
    household = Household.objects.get(memberships__user=parent)
    Child.objects.create(household=household, first_name="Léa", last_name="Test", school=TILLEULS)
    assert f"Non lu Information Mairie {messages['tilleuls'].title}" in text(client.get("/espace-citoyen/messages/"))


def test_detail_renders_the_message_and_marks_it_read(client, people, messages):
    parent = people["parent_tilleuls"]
    client.force_login(parent)
    page = messages["tilleuls"]
    response = client.get(f"/espace-citoyen/messages/{page.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and f"<h1>{page.title}</h1>" in html
    assert "Contenu du message test-tilleuls." in html
    assert "Mairie" in html and "Information" in html
    assert MessageRead.objects.filter(user=parent, page=page).count() == 1
    client.get(f"/espace-citoyen/messages/{page.pk}/")
    assert MessageRead.objects.filter(user=parent, page=page).count() == 1


@pytest.mark.parametrize("who, message", [
    ("parent_parc", "tilleuls"),  # a family of another school
    ("holder", "families"),  # an account holder without a family
    ("holder", "tilleuls"),
    ("childless", "families"),  # a household without children
    ("agent", "holders"),
])
def test_detail_of_a_message_not_meant_for_the_user_is_404(client, people, messages, who, message):
    client.force_login(people[who])
    response = client.get(f"/espace-citoyen/messages/{messages[message].pk}/")
    assert response.status_code == 404
    assert not MessageRead.objects.filter(user=people[who]).exists()


def test_detail_404_for_other_pages_and_unpublished_messages(client, people, messages):
    client.force_login(people["parent_tilleuls"])
    news = NewsPage.objects.live().first()
    assert client.get(f"/espace-citoyen/messages/{news.pk}/").status_code == 404
    assert client.get("/espace-citoyen/messages/999999/").status_code == 404
    messages["tilleuls"].unpublish()
    assert client.get(f"/espace-citoyen/messages/{messages['tilleuls'].pk}/").status_code == 404


def test_pending_account_reads_account_holder_messages(client, people, messages):
    client.force_login(people["pending"])
    assert client.get(f"/espace-citoyen/messages/{messages['holders'].pk}/").status_code == 200
    assert client.get(f"/espace-citoyen/messages/{messages['families'].pk}/").status_code == 404


def test_header_shows_the_unread_count(client, people, messages):
    parent = people["parent_tilleuls"]
    client.force_login(parent)
    html = client.get("/").content.decode()
    assert 'Mon espace citoyen <span class="site-account__unread">(4 messages non lus)</span></a>' in html
    client.get(f"/espace-citoyen/messages/{messages['tilleuls'].pk}/")
    client.get(f"/espace-citoyen/messages/{messages['families'].pk}/")
    client.get(f"/espace-citoyen/messages/{messages['holders'].pk}/")
    html = client.get("/").content.decode()
    assert "(1 message non lu)</span></a>" in html
    client.get(f"/espace-citoyen/messages/{messages['everyone'].pk}/")
    html = client.get("/").content.decode()
    assert '<a href="/espace-citoyen/">Mon espace citoyen</a>' in html
    assert "non lu" not in html


def test_header_for_anonymous_visitors_has_no_count_and_no_query(rf, db, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from espace_citoyen.messaging.context_processors import unread_messages

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_messages(request) == {}


def test_header_count_costs_at_most_two_queries(rf, people, messages, django_assert_max_num_queries):
    from espace_citoyen.messaging.context_processors import unread_messages

    request = rf.get("/")
    request.user = type(people["parent_tilleuls"]).objects.get(pk=people["parent_tilleuls"].pk)
    counter = unread_messages(request)["messaging_unread_count"]
    with django_assert_max_num_queries(2):
        assert counter() == 4
        assert counter() == 4  # computed once per request
