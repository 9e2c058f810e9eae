import pytest
from bs4 import BeautifulSoup

PAGES = [
    ("/", "home.HomePage", "Bienvenue à Villennes-sur-Seine"),
    ("/vie-municipale/", "home.StandardPage", "Vie municipale"),
    ("/vie-municipale/conseil-municipal/", "home.StandardPage", "Le conseil municipal"),
    ("/plan-du-site/", "home.SitemapPage", "Plan du site"),
    ("/actualites/", "news.NewsIndexPage", "Actualités"),
    ("/actualites/travaux-rue-de-poissy/", "news.NewsPage", "Travaux de réfection de la rue de Poissy"),
    ("/messages-des-services/", "news.ServiceMessageIndexPage", "Messages des services"),
    ("/messages-des-services/encombrants-decembre/", "news.ServiceMessagePage", "Collecte des encombrants"),
    ("/contact/", "home.StandardPage", "Contact"),
    ("/espace-citoyen-mode-d-emploi/", "home.StandardPage", "Espace citoyen – mode d'emploi"),
]


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "page_type", "h1"), PAGES)
def test_every_page_type_renders_with_one_h1_and_landmarks(client, page_by_path, path, page_type, h1):
    page = page_by_path(path)
    assert f"{page._meta.app_label}.{type(page).__name__}" == page_type
    response = client.get(path)
    assert response.status_code == 200
    html = soup(response)
    assert html.html["lang"] == "fr"
    assert [tag.get_text(strip=True) for tag in html.find_all("h1")] == [h1]
    assert html.find("a", class_="skip-link")["href"] == "#contenu"
    assert html.find("main", id="contenu") is not None
    assert html.find("header", role="banner") is not None
    assert html.find("footer", role="contentinfo") is not None
    assert html.find("nav", attrs={"aria-label": "Menu principal"}) is not None
    for img in html.find_all("img"):
        assert img.has_attr("alt"), f"image without alt on {path}: {img}"


@pytest.mark.django_db
def test_home_page_shows_tiles_latest_news_messages_and_contact(client):
    html = soup(client.get("/"))
    tiles = [t.get_text(strip=True) for t in html.select(".tile__title")]
    assert tiles == ["Mon espace citoyen", "Actualités", "Démarches", "Contact"]
    hrefs = [a["href"] for a in html.select("a.tile")]
    assert hrefs == ["/espace-citoyen/", "/actualites/", "/demarches/", "/contact/"]
    news_titles = [a.get_text(strip=True) for a in html.select("#latest-news-title ~ .cards .card__title a")]
    assert news_titles[0] == "Conseil municipal : le budget 2027 en débat"
    assert len(news_titles) == 3
    messages = [a.get_text(strip=True) for a in html.select(".messages .message__title a")]
    assert "Coupure d'eau dans le quartier de la gare" in messages
    assert "Menus de la restauration scolaire de décembre" not in messages  # targeted: not public
    contact = html.select_one(".contact-box").get_text(" ", strip=True)
    assert "01 39 08 25 40" in contact and "01 39 08 25 67" in contact


@pytest.mark.django_db
def test_banner_uses_responsive_webp_renditions(client):
    html = soup(client.get("/"))
    picture = html.select_one(".banner picture")
    webp = picture.find("source", type="image/webp")
    assert webp is not None and webp["srcset"].count(".webp") == 3
    assert picture.find("img")["alt"] == ""  # decorative unless the editor gave an alt text


@pytest.mark.django_db
def test_header_menu_and_footer_come_from_tree_and_settings(client):
    html = soup(client.get("/contact/"))
    menu = [a.get_text(strip=True) for a in html.select(".main-nav a")]
    assert menu == [
        "Vie municipale", "Enfance et scolarité", "Démarches", "Espace citoyen – mode d'emploi",
        "Actualités", "Messages des services", "Contact",
    ]
    assert html.select_one('.main-nav a[aria-current="page"]').get_text(strip=True) == "Contact"
    assert html.select_one(".main-nav a")["href"] == "/vie-municipale/"
    assert html.select(".main-nav a")[-1]["href"] == "/contact/"
    footer_links = [a.get_text(strip=True) for a in html.select(".site-footer__links a")]
    assert footer_links == ["Contact", "Mentions légales", "Déclaration d'accessibilité", "Plan du site"]
    footer = html.find("footer").get_text(" ", strip=True)
    assert "78670 Villennes-sur-Seine" in footer and "Facebook" in footer


@pytest.mark.django_db
def test_breadcrumbs_lead_back_home(client):
    html = soup(client.get("/vie-municipale/conseil-municipal/"))
    crumbs = [li.get_text(strip=True) for li in html.select(".breadcrumbs li")]
    assert crumbs == ["Accueil", "Vie municipale", "Le conseil municipal"]
    assert html.select_one('.breadcrumbs [aria-current="page"]').get_text() == "Le conseil municipal"


@pytest.mark.django_db
def test_blocks_render_table_accordion_contact_card_and_document(client):
    html = soup(client.get("/enfance-et-scolarite/restauration-scolaire/"))
    assert html.select_one(".accordion details summary").get_text(strip=True).startswith("Jusqu'à quand")
    link = html.select_one(".block-document a")
    assert "(PDF" in link.get_text(" ", strip=True)
    assert client.get(link["href"]).status_code == 200
    table_page = soup(client.get("/enfance-et-scolarite/accueils-periscolaires/"))
    table = table_page.select_one("table")
    assert table.caption.get_text(strip=True) == "Horaires des accueils périscolaires"
    assert [th.get_text() for th in table.select("thead th")] == ["Accueil", "Jours", "Horaires"]
    assert table.select_one("tbody th[scope=row]").get_text() == "Accueil du matin"
    contact = soup(client.get("/contact/")).select_one(".contact-card")
    assert "Service Relations à la Population" in contact.get_text()


@pytest.mark.django_db
def test_sitemap_page_lists_the_tree_with_listings_standing_for_news_and_messages(client):
    html = soup(client.get("/plan-du-site/"))
    titles = [a.get_text(strip=True) for a in html.select(".sitemap a")]
    assert "Créer mon espace" in titles and "Le conseil municipal" in titles
    assert "Actualités" in titles and "Messages des services" in titles
    assert "Collecte des encombrants" not in titles  # a message: its listing stands for it
    assert "Menus de la restauration scolaire de décembre" not in titles  # targeted: never public
    assert "Travaux de réfection de la rue de Poissy" not in titles


@pytest.mark.django_db
def test_unknown_url_gives_french_404(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.django_db
def test_server_error_page_is_french():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Le site rencontre un problème" in html and 'lang="fr"' in html


@pytest.mark.django_db
def test_guide_has_the_five_sections(client, page_by_path):
    guide = page_by_path("/espace-citoyen-mode-d-emploi/")
    assert [p.title for p in guide.get_children().live()] == [
        "Accéder à mon espace si j'avais un compte Portail Famille",
        "Créer mon espace",
        "Les fonctionnalités de mon espace",
        "Ajouter des membres à ma famille",
        "Modifier mon mot de passe",
    ]


@pytest.mark.django_db
def test_home_page_query_count_is_bounded(client, django_assert_max_num_queries):
    client.get("/")  # warm caches (site root, settings)
    with django_assert_max_num_queries(30):
        assert client.get("/").status_code == 200
