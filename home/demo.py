"""Demo content of the town website. Called by `manage.py seed_demo`; idempotent:
whatever already exists (found by slug, title or e-mail) is left as it is."""

import datetime
import io
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site
from wagtail.rich_text import RichText

from news.models import (
    Audience,
    Importance,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
    Service,
    ServiceMessageIndexPage,
    ServiceMessagePage,
)

from .demo_images import landscape_jpeg, simple_pdf
from .groups import ensure_communication_group
from .models import ContactSettings, HomePage, SitemapPage, SocialMediaSettings, StandardPage


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    url: str


ADMIN = DemoLogin("Administrateur du site", "admin@ville-villennes-sur-seine.fr", "Admin-Villennes-2026", "/admin/")
EDITOR = DemoLogin(
    "Rédactrice (groupe Communication)", "communication@ville-villennes-sur-seine.fr", "Redaction-Villennes-2026", "/admin/"
)

POPULATION_PHONES = ["01 39 08 25 40", "01 39 08 25 67"]
TOWN_ADDRESS = "Hôtel de ville\n1, place de la Mairie\n78670 Villennes-sur-Seine"
OPENING_HOURS = (
    "Lundi, mardi, jeudi, vendredi : 8 h 30 – 12 h et 13 h 30 – 17 h 30\n"
    "Mercredi : 8 h 30 – 12 h\nSamedi : 9 h – 12 h (état civil, sur rendez-vous)"
)


def p(*paragraphs: str) -> RichText:
    return RichText("".join(f"<p>{text}</p>" for text in paragraphs))


def heading(text, level="h2"):
    return ("heading", {"text": text, "level": level})


def paragraph(*texts):
    return ("paragraph", p(*texts))


def population_card():
    return (
        "contact_card",
        {
            "name": "Service Relations à la Population",
            "address": TOWN_ADDRESS,
            "phones": POPULATION_PHONES,
            "email": "population@ville-villennes-sur-seine.fr",
            "opening_hours": "Du lundi au vendredi, aux heures d'ouverture de la mairie",
        },
    )


def faq(title, items):
    return ("accordion", {"title": title, "items": [{"question": q, "answer": p(a)} for q, a in items]})


# --- infrastructure -------------------------------------------------------------------


def ensure_tree_roots():
    """The Wagtail root page, locale and root collection (absent after a database flush)."""
    locale = Locale.objects.filter(language_code="fr").first() or Locale.objects.create(language_code="fr")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Racine", slug="root", locale=locale, live=True))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Racine")
    return root


LOCAL_HOSTNAMES = {"localhost", "127.0.0.1", "[::1]", "::1", "0.0.0.0"}


def served_address() -> tuple[str, int]:
    """(hostname, port) of the address the demo is served at: settings.WAGTAILADMIN_BASE_URL
    (`make run` sets it to http://HOST:PORT), which the e-mails' links use too."""
    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)


def ensure_home(root) -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title="Accueil",
            slug="accueil",
            banner_title="Bienvenue à Villennes-sur-Seine",
            banner_text="Le site officiel de la ville : actualités, démarches et votre espace citoyen.",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    hostname, port = served_address()
    if site is None:
        Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True,
                            site_name="Villennes-sur-Seine")
    elif site.hostname in LOCAL_HOSTNAMES and (site.hostname, site.port) != (hostname, port):
        # The address the demo is served at (`make run`, `make dev`): the RSS feed's and
        # sitemap.xml's absolute links point there. A real host name is never touched.
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
    if site is not None and site.root_page_id != home.id:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "Villennes-sur-Seine"
        site.save()
        # Wagtail's placeholder "Welcome" page is replaced by the town's home page.
        if type(old_root.specific) is Page and old_root.depth == 2:
            old_root.delete()
    return home


def child(parent, model, slug, **fields):
    """The live child page `slug` of `parent`, created and published if absent."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def ensure_image(title: str, alt: str, seed: int):
    Image = get_image_model()
    image = Image.objects.filter(title=title).first()
    if image is None:
        content = ImageFile(io.BytesIO(landscape_jpeg(title[:34], seed)), name=f"demo-{seed:02d}.jpg")
        image = Image.objects.create(title=title, description=alt, file=content)
    return image


def ensure_document(title: str, filename: str, lines: list[str]):
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document.objects.create(title=title, file=ContentFile(simple_pdf(title, lines), name=filename))
    return document


def ensure_user(login: DemoLogin, *, first_name: str, last_name: str, superuser: bool = False):
    User = get_user_model()
    user = User.objects.filter(email__iexact=login.email).first()
    if user is None:
        if superuser:
            user = User.objects.create_superuser(login.email, login.password, first_name=first_name, last_name=last_name)
        else:
            user = User.objects.create_user(login.email, login.password, first_name=first_name, last_name=last_name)
    return user


# --- content --------------------------------------------------------------------------


def seed_sections(home):
    vie = child(home, StandardPage, "vie-municipale", title="Vie municipale", show_in_menus=True,
                intro="Le conseil municipal, les élus et les services de la mairie à votre écoute.",
                body=[
                    paragraph("Villennes-sur-Seine compte environ 5 000 habitants, entre la Seine et la forêt. "
                              "La mairie vous accueille pour l'état civil, l'urbanisme, la vie scolaire et "
                              "toutes vos démarches."),
                    heading("Les séances du conseil municipal"),
                    paragraph("Le conseil municipal se réunit au moins une fois par trimestre, en séance publique, "
                              "dans la salle du conseil de l'hôtel de ville. Les comptes rendus sont publiés sur ce site "
                              "dans la semaine qui suit."),
                ])
    child(vie, StandardPage, "conseil-municipal", title="Le conseil municipal",
          intro="Le maire, les adjoints et les conseillers municipaux élus pour six ans.",
          body=[paragraph("Le conseil municipal règle par ses délibérations les affaires de la commune : budget, "
                          "écoles, voirie, urbanisme, associations."),
                ("table", {"caption": "Prochaines séances du conseil municipal",
                           "table": {"data": [["Date", "Heure", "Lieu"],
                                              ["Jeudi 17 décembre 2026", "20 h 30", "Salle du conseil"],
                                              ["Jeudi 11 février 2027", "20 h 30", "Salle du conseil"]],
                                     "first_row_is_table_header": True, "first_col_is_header": False}})])
    child(vie, StandardPage, "services-de-la-mairie", title="Les services de la mairie",
          intro="Qui fait quoi à la mairie, et comment les joindre.",
          body=[paragraph("Accueil et état civil, Relations à la population, Pôle scolaire, Régie, Urbanisme, "
                          "Services techniques : chaque service vous répond aux heures d'ouverture."),
                population_card()])

    enfance = child(home, StandardPage, "enfance-et-scolarite", title="Enfance et scolarité", show_in_menus=True,
                    intro="Écoles, restauration scolaire, accueils périscolaires et de loisirs.",
                    body=[paragraph("La ville accueille les enfants dans deux groupes scolaires, maternelle et "
                                    "élémentaire. Les inscriptions aux activités et les réservations se font dans "
                                    "l'espace citoyen."),
                          ("call_to_action", {"title": "Inscriptions pour l'année 2027-2028",
                                              "text": "Le dossier d'inscription de chaque enfant est à compléter "
                                                      "dans l'espace citoyen avant la fin juin.",
                                              "button_label": "Lire le mode d'emploi de l'espace citoyen",
                                              "link": {"page": None, "url": "/espace-citoyen-mode-d-emploi/"}})])
    reglement = ensure_document("Règlement de la restauration scolaire", "reglement-restauration-scolaire.pdf", [
        "La restauration scolaire accueille les enfants scolarisés à Villennes-sur-Seine les lundis, mardis, "
        "jeudis et vendredis.",
        "Les repas se réservent dans l'espace citoyen au plus tard deux jours ouvrés avant, avant 10 heures.",
        "Tout repas réservé et non annulé dans les délais est facturé, sauf absence justifiée par un certificat médical.",
    ])
    child(enfance, StandardPage, "restauration-scolaire", title="Restauration scolaire",
          intro="Des repas équilibrés, préparés chaque jour pour les écoliers.",
          body=[paragraph("Les menus sont élaborés avec une diététicienne et affichés à l'entrée des écoles."),
                ("document", {"document": reglement, "title": "Télécharger le règlement de la restauration scolaire"}),
                faq("Questions fréquentes", [
                    ("Jusqu'à quand puis-je réserver ou annuler un repas ?",
                     "Jusqu'à deux jours ouvrés avant le repas, avant 10 heures, depuis l'espace citoyen."),
                    ("Mon enfant a une allergie alimentaire : que faire ?",
                     "Un projet d'accueil individualisé (PAI) est établi avec le médecin scolaire ; "
                     "contactez le Pôle scolaire."),
                ])])
    child(enfance, StandardPage, "accueils-periscolaires", title="Accueils périscolaires et de loisirs",
          intro="Accueil du matin, du soir, étude surveillée, mercredis et vacances.",
          body=[("table", {"caption": "Horaires des accueils périscolaires",
                           "table": {"data": [["Accueil", "Jours", "Horaires"],
                                              ["Accueil du matin", "Lundi, mardi, jeudi, vendredi", "7 h 30 – 8 h 20"],
                                              ["Accueil du soir", "Lundi, mardi, jeudi, vendredi", "16 h 30 – 19 h"],
                                              ["Étude surveillée", "Lundi, mardi, jeudi", "16 h 30 – 18 h"],
                                              ["Accueil de loisirs", "Mercredi et vacances", "7 h 30 – 19 h"]],
                                     "first_row_is_table_header": True, "first_col_is_header": True}})])
    return vie, enfance


def seed_demarches(home):
    return child(home, StandardPage, "demarches", title="Démarches", show_in_menus=True,
                 intro="Les démarches les plus fréquentes, en ligne ou à la mairie.",
                 body=[faq("État civil et citoyenneté", [
                     ("Obtenir un acte de naissance, de mariage ou de décès",
                      "Adressez votre demande à la mairie du lieu de l'événement, en ligne ou par courrier."),
                     ("Se faire recenser à 16 ans",
                      "Présentez-vous à l'accueil de la mairie avec une pièce d'identité et le livret de famille."),
                     ("S'inscrire sur les listes électorales",
                      "En ligne sur le site du service public ou à l'accueil de la mairie, avec un justificatif de domicile."),
                 ]),
                     faq("Enfance", [
                         ("Inscrire mon enfant à l'école, à la cantine, aux accueils",
                          "Tout se fait dans l'espace citoyen : créez votre espace, puis complétez le dossier "
                          "d'inscription de chaque enfant."),
                     ]),
                     population_card()])


def seed_guide(home):
    guide = child(home, StandardPage, "espace-citoyen-mode-d-emploi", title="Espace citoyen – mode d'emploi",
                  show_in_menus=True,
                  intro="Votre espace personnel en ligne : vos démarches, les activités de vos enfants, "
                        "vos factures et vos documents, au même endroit.",
                  body=[paragraph("Deux cas se présentent : vous utilisiez l'ancien Portail Famille, et votre espace "
                                  "a été préparé pour vous ; ou vous êtes un nouvel usager, et vous créez votre espace "
                                  "vous-même."),
                        ("call_to_action", {"title": "Besoin d'aide pour créer votre espace ?",
                                            "text": "Le Service Relations à la Population vous accompagne au "
                                                    "01 39 08 25 40 ou au 01 39 08 25 67.",
                                            "button_label": "Contacter la mairie",
                                            "link": {"page": None, "url": "/contact/"}})])
    sections = [
        ("acceder-a-mon-espace-portail-famille", "Accéder à mon espace si j'avais un compte Portail Famille",
         "Votre espace personnel a été créé par nos services à partir de votre ancien compte famille.",
         [paragraph("Si vous utilisiez l'ancien Portail Famille, nos services ont créé votre espace personnel. "
                    "Il remplace l'ancien compte commun à toute la famille : désormais, chaque parent a son propre "
                    "compte, avec sa propre adresse électronique."),
          paragraph("Un courriel d'activation vous a été envoyé. Suivez le lien qu'il contient pour choisir votre "
                    "mot de passe : ce lien ne sert qu'une fois et expire au bout de quelques jours."),
          heading("Vous n'avez pas reçu le courriel d'activation ?"),
          paragraph("Si vous aviez donné une adresse électronique à la mairie, appelez le Pôle scolaire au "
                    "01 39 08 25 67 : un agent vérifiera votre adresse et vous renverra le courriel d'activation."),
          paragraph("Si vous n'aviez pas donné d'adresse, ou si vous n'utilisiez pas le Portail Famille, créez "
                    "votre espace à la rubrique « Je n'ai pas d'espace »."),
          population_card()]),
        ("creer-mon-espace", "Créer mon espace",
         "Nouvel usager : créez votre espace en trois étapes, puis attendez sa validation.",
         [paragraph("Depuis la page de connexion, choisissez « Je n'ai pas d'espace », puis « Créer mon espace »."),
          ("table", {"caption": "Les trois étapes de la création d'un espace",
                     "table": {"data": [["Étape", "Ce que l'on vous demande"],
                                        ["1. Identité", "Civilité, nom, prénoms, date et lieu de naissance, photo (facultative)"],
                                        ["2. Coordonnées", "Adresse, téléphones, courriel, moyen de contact préféré"],
                                        ["3. Mot de passe", "Un mot de passe d'au moins 12 caractères, saisi deux fois"]],
                               "first_row_is_table_header": True, "first_col_is_header": True}}),
          paragraph("Les champs précédés d'un astérisque sont obligatoires. Vous pourrez modifier ces informations "
                    "plus tard, depuis votre espace."),
          paragraph("Nos services valident ensuite votre espace dans un délai de 48 heures ouvrées. Tant qu'il n'est "
                    "pas validé, vous ne pouvez pas encore inscrire vos enfants, réserver ni payer.")]),
        ("fonctionnalites-de-mon-espace", "Les fonctionnalités de mon espace",
         "Ce que vous pouvez faire une fois votre espace activé.",
         [paragraph("Depuis votre tableau de bord, vous pouvez :"),
          ("paragraph", RichText(
              "<ol><li>gérer les activités de vos enfants : réserver, annuler, inscrire ;</li>"
              "<li>consulter l'historique de vos démarches ;</li>"
              "<li>lire les actualités et les messages des services de la mairie ;</li>"
              "<li>payer vos factures en ligne ;</li>"
              "<li>ranger vos documents dans un espace de stockage que vous seul pouvez consulter ;</li>"
              "<li>modifier vos coordonnées.</li></ol>")),
          paragraph("Cliquez sur l'icône d'un enfant pour ouvrir l'agenda de ses activités, modifier ses "
                    "réservations et compléter son dossier d'inscription.")]),
        ("ajouter-des-membres-a-ma-famille", "Ajouter des membres à ma famille",
         "Déclarez vos enfants et invitez l'autre parent.",
         [paragraph("Dans la rubrique « Ma famille », ajoutez chaque enfant : nom, prénom, date de naissance, école et "
                    "classe, informations de santé et personnes autorisées à venir le chercher."),
          paragraph("L'autre parent peut avoir son propre compte et rejoindre le même foyer : invitez-le depuis "
                    "votre espace avec son adresse électronique.")]),
        ("modifier-mon-mot-de-passe", "Modifier mon mot de passe",
         "Changer de mot de passe, ou en choisir un nouveau si vous l'avez oublié.",
         [paragraph("Dans votre espace, ouvrez « Mot de passe », saisissez votre mot de passe actuel puis le nouveau, "
                    "deux fois. Un courriel vous confirme le changement."),
          paragraph("Mot de passe oublié ? Sur la page de connexion, choisissez « J'ai oublié mon mot de passe » : "
                    "vous recevrez un lien pour en choisir un nouveau.")]),
    ]
    for slug, title, intro, body in sections:
        child(guide, StandardPage, slug, title=title, intro=intro, body=body)
    return guide


NEWS = [
    ("conseil-municipal-du-10-decembre", "Conseil municipal : le budget 2027 en débat", "Vie municipale", 2,
     "Le débat d'orientation budgétaire aura lieu en séance publique dans la salle du conseil.",
     "Les élus débattront des grandes orientations du budget 2027 : rénovation énergétique de l'école, "
     "entretien de la voirie et soutien aux associations. La séance est publique et retransmise en direct."),
    ("marche-de-noel", "Le marché de Noël revient sur la place de l'église", "Culture et loisirs", 5,
     "Artisans, producteurs locaux et animations pour les enfants pendant tout un week-end.",
     "Une trentaine d'exposants, un atelier de décorations pour les enfants et la visite du père Noël le "
     "dimanche après-midi. Vin chaud et chocolat au profit du comité des fêtes."),
    ("inscriptions-accueil-de-loisirs-vacances-hiver", "Vacances d'hiver : inscriptions à l'accueil de loisirs",
     "Enfance et jeunesse", 8,
     "Les réservations pour les vacances d'hiver ouvrent dans l'espace citoyen.",
     "Les familles peuvent réserver les journées d'accueil de loisirs des vacances d'hiver depuis l'espace "
     "citoyen, dans la limite des places disponibles. Le programme des sorties sera affiché à l'accueil."),
    ("travaux-rue-de-poissy", "Travaux de réfection de la rue de Poissy", "Travaux", 12,
     "La chaussée et les trottoirs seront refaits pendant trois semaines, avec une circulation alternée.",
     "Les travaux commencent lundi et dureront trois semaines. La circulation sera alternée par feux entre "
     "8 heures et 17 heures ; l'accès aux riverains est maintenu en permanence."),
    ("collecte-des-sapins", "Collecte des sapins après les fêtes", "Environnement", 16,
     "Déposez votre sapin naturel, sans décoration, dans l'un des points de collecte de la ville.",
     "Les sapins collectés seront broyés et transformés en paillage pour les espaces verts de la commune. "
     "Retirez pied, sac et décorations avant de le déposer."),
    ("bibliotheque-nouveaux-horaires", "La bibliothèque ouvre le samedi après-midi", "Culture et loisirs", 21,
     "À partir du mois prochain, la bibliothèque municipale vous accueille aussi le samedi de 14 h à 17 h.",
     "Ces nouveaux horaires répondent à la demande des familles. Le prêt de livres, de bandes dessinées et de "
     "jeux reste gratuit pour les Villennois."),
    ("recensement-citoyen", "Jeunes de 16 ans : pensez au recensement", "Vie municipale", 27,
     "Le recensement citoyen est obligatoire dans les trois mois qui suivent le seizième anniversaire.",
     "Présentez-vous à l'accueil de la mairie avec votre pièce d'identité et le livret de famille. L'attestation "
     "remise est demandée pour les examens et le permis de conduire."),
    ("semaine-du-gout-a-la-cantine", "La semaine du goût à la restauration scolaire", "Enfance et jeunesse", 33,
     "Cinq menus pour découvrir des saveurs d'ici et d'ailleurs, préparés avec des produits de saison.",
     "Chaque jour, les écoliers ont goûté un produit local : pommes du Vexin, fromage de chèvre, miel de la "
     "commune. Un grand merci à l'équipe de la cuisine centrale."),
    ("nettoyage-des-berges", "Nettoyage des berges de la Seine", "Environnement", 40,
     "Rendez-vous samedi matin au bord de l'eau pour une opération citoyenne de ramassage des déchets.",
     "Gants et sacs sont fournis. L'opération est ouverte à tous, les enfants accompagnés de leurs parents "
     "sont les bienvenus. Un café est offert aux participants."),
    ("vaccination-grippe", "Campagne de vaccination contre la grippe", "Santé", 46,
     "Les pharmacies de la commune vaccinent sans rendez-vous les personnes de plus de 65 ans.",
     "La vaccination est prise en charge à 100 % pour les personnes de plus de 65 ans et celles atteintes de "
     "certaines maladies chroniques. Munissez-vous de votre carte Vitale."),
]

MESSAGES = [
    ("fermeture-mairie-11-novembre", "Fermeture exceptionnelle de la mairie", Service.MAIRIE, Importance.IMPORTANT,
     Audience.EVERYONE, "", 3,
     "La mairie sera exceptionnellement fermée le vendredi qui suit le jour férié. Une permanence "
     "téléphonique est assurée pour les urgences d'état civil au 01 39 08 25 40."),
    ("coupure-eau-quartier-gare", "Coupure d'eau dans le quartier de la gare", Service.TECHNIQUE, Importance.URGENT,
     Audience.EVERYONE, "", 1,
     "Une intervention sur le réseau entraînera une coupure d'eau mardi de 9 heures à 12 heures, rue de la "
     "Gare et avenue des Tilleuls."),
    ("encombrants-decembre", "Collecte des encombrants", Service.TECHNIQUE, Importance.NORMAL,
     Audience.EVERYONE, "", 6,
     "La prochaine collecte des encombrants a lieu le deuxième mercredi du mois. Sortez vos objets la veille "
     "au soir, sans gêner le passage des piétons."),
    ("menus-restauration-scolaire-decembre", "Menus de la restauration scolaire de décembre", Service.SCOLAIRE,
     Importance.NORMAL, Audience.FAMILIES, "", 2,
     "Les menus de décembre sont disponibles ; le repas de Noël sera servi le jeudi avant les vacances."),
]


def seed_news(home):
    index = child(home, NewsIndexPage, "actualites", title="Actualités", show_in_menus=True,
                  intro="Toute l'actualité de Villennes-sur-Seine.")
    today = timezone.localdate()
    for number, (slug, title, category_name, days_ago, summary, text) in enumerate(NEWS):
        if index.get_children().filter(slug=slug).exists():
            continue
        category, _created = NewsCategory.objects.get_or_create(name=category_name)
        image = ensure_image(f"Actualité – {title}", f"Illustration : {title.lower()}", number)
        child(index, NewsPage, slug, title=title, date=today - datetime.timedelta(days=days_ago),
              category=category, cover_image=image, cover_image_alt=f"Illustration : {title.lower()}",
              summary=summary, body=[paragraph(text)])
    return index


def seed_messages(home):
    index = child(home, ServiceMessageIndexPage, "messages-des-services", title="Messages des services",
                  show_in_menus=True, intro="Les informations pratiques des services de la mairie.")
    today = timezone.localdate()
    for slug, title, service, importance, audience, detail, days_ago, text in MESSAGES:
        child(index, ServiceMessagePage, slug, title=title, sender_service=service, importance=importance,
              audience=audience, audience_detail=detail, date=today - datetime.timedelta(days=days_ago),
              body=[paragraph(text)])
    return index


def seed_footer_pages(home):
    contact = child(home, StandardPage, "contact", title="Contact", show_in_menus=True,
                    intro="Joindre la mairie et ses services.",
                    body=[population_card(),
                          ("contact_card", {"name": "Accueil de la mairie", "address": TOWN_ADDRESS,
                                            "phones": ["01 39 08 25 40"],
                                            "email": "mairie@ville-villennes-sur-seine.fr",
                                            "opening_hours": OPENING_HOURS}),
                          faq("Questions fréquentes", [
                              ("Je n'ai pas reçu le courriel d'activation de mon espace citoyen",
                               "Appelez le Pôle scolaire au 01 39 08 25 67 : un agent vérifiera votre adresse "
                               "et vous renverra le courriel."),
                              ("Comment signaler un problème sur la voie publique ?",
                               "Appelez l'accueil de la mairie ou écrivez aux services techniques."),
                          ])])
    legal = child(home, StandardPage, "mentions-legales", title="Mentions légales",
                  body=[heading("Éditeur du site"),
                        paragraph("Mairie de Villennes-sur-Seine, hôtel de ville, 1, place de la Mairie, "
                                  "78670 Villennes-sur-Seine. Directeur de la publication : le maire."),
                        heading("Données personnelles"),
                        paragraph("Les données de l'espace citoyen sont traitées par la commune pour la gestion des "
                                  "services à la population (restauration scolaire, accueils, facturation). Vous "
                                  "pouvez exercer vos droits d'accès, de rectification et d'effacement auprès de la "
                                  "mairie."),
                        heading("Cookies"),
                        paragraph("Ce site n'utilise qu'un cookie de session, nécessaire à la connexion, et aucun "
                                  "cookie de mesure d'audience ni de publicité.")])
    accessibility = child(home, StandardPage, "accessibilite", title="Déclaration d'accessibilité",
                          body=[paragraph("La commune de Villennes-sur-Seine s'engage à rendre son site internet "
                                          "accessible, conformément à l'article 47 de la loi n° 2005-102 du "
                                          "11 février 2005."),
                                heading("État de conformité"),
                                paragraph("Le site est en conformité partielle avec le référentiel général "
                                          "d'amélioration de l'accessibilité (RGAA), version 4.1. Un audit complet "
                                          "est prévu."),
                                heading("Retour d'information et contact"),
                                paragraph("Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez la "
                                          "mairie au 01 39 08 25 40 pour être orienté vers une alternative accessible."),
                                heading("Voies de recours"),
                                paragraph("Si vous constatez un défaut d'accessibilité qui vous empêche d'accéder à un "
                                          "contenu et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez "
                                          "saisir le Défenseur des droits.")])
    sitemap = child(home, SitemapPage, "plan-du-site", title="Plan du site",
                    intro="Toutes les pages du site, rubrique par rubrique.")
    return contact, legal, accessibility, sitemap


def seed_home(home, guide, demarches, news, contact):
    changed = False
    if not home.banner_image_id:
        home.banner_image = ensure_image("Bandeau – Villennes-sur-Seine, les bords de Seine",
                                         "Les bords de Seine à Villennes", 42)
        changed = True
    if not home.tiles:
        home.tiles = [
            ("tile", {"title": "Mon espace citoyen", "description": "Réserver, inscrire, payer, mes documents",
                      "icon": "espace", "link": {"page": None, "url": "/espace-citoyen/"}}),
            ("tile", {"title": "Actualités", "description": "Ce qui se passe à Villennes",
                      "icon": "news", "link": {"page": news, "url": ""}}),
            ("tile", {"title": "Démarches", "description": "État civil, école, inscriptions",
                      "icon": "demarches", "link": {"page": demarches, "url": ""}}),
            ("tile", {"title": "Contact", "description": "Horaires, téléphones, courriel",
                      "icon": "contact", "link": {"page": contact, "url": ""}}),
        ]
        changed = True
    if changed:
        home.save_revision().publish()


def seed_settings(site, contact, legal, accessibility, sitemap):
    settings = ContactSettings.for_site(site)
    if not settings.address:
        settings.town_name = "Villennes-sur-Seine"
        settings.address = TOWN_ADDRESS
        settings.phone, settings.phone_secondary = POPULATION_PHONES
        settings.email = "mairie@ville-villennes-sur-seine.fr"
        settings.opening_hours = OPENING_HOURS
        settings.contact_page = contact
        settings.legal_notice_page = legal
        settings.accessibility_page = accessibility
        settings.sitemap_page = sitemap
        settings.save()
    socials = SocialMediaSettings.for_site(site)
    if not socials.facebook:
        socials.facebook = "https://www.facebook.com/mairiedevillennessurseine"
        socials.x_twitter = "https://x.com/VilleVillennesS"
        socials.save()


def seed(*, stdout):
    root = ensure_tree_roots()
    home = ensure_home(root)
    seed_sections(home)
    demarches = seed_demarches(home)
    guide = seed_guide(home)
    news = seed_news(home)
    seed_messages(home)
    contact, legal, accessibility, sitemap = seed_footer_pages(home)
    seed_home(home, guide, demarches, news, contact)
    site = Site.objects.get(is_default_site=True)
    seed_settings(site, contact, legal, accessibility, sitemap)

    communication = ensure_communication_group(home_page=home)
    ensure_user(ADMIN, first_name="Administrateur", last_name="Site", superuser=True)
    editor = ensure_user(EDITOR, first_name="Nadia", last_name="Langlois")
    if not editor.groups.filter(pk=communication.pk).exists():
        editor.groups.add(communication)
    stdout.write("Site de la ville : pages, actualités et messages prêts.")
    return [ADMIN, EDITOR]
