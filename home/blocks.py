"""StreamField blocks shared by every content page of the town site.

Each block carries a description and a preview value so that editors see what it does
in the block picker of the Wagtail admin.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Titre"), max_length=160)
    level = blocks.ChoiceBlock(
        label=_("Niveau"),
        choices=[("h2", _("Titre de section (niveau 2)")), ("h3", _("Sous-titre (niveau 3)"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Titre")
        template = "blocks/heading_block.html"
        description = _("Un titre de section. Le titre principal de la page est déjà affiché.")
        preview_value = {"text": "Horaires d'ouverture de la mairie", "level": "h2"}


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Texte")
        template = "blocks/paragraph_block.html"
        description = _("Du texte mis en forme : gras, italique, listes, liens.")
        preview_value = (
            "<p>La mairie vous accueille du lundi au vendredi. Retrouvez ici les "
            "<b>démarches</b> les plus fréquentes.</p>"
        )


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Légende"), required=False, max_length=255)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/image_block.html"
        description = _(
            "Une image avec son texte alternatif (obligatoire sauf image décorative) et une légende."
        )

    def get_preview_value(self):
        from wagtail.images import get_image_model

        image = get_image_model().objects.order_by("id").first()
        if image is None:
            return super().get_preview_value()
        return self.to_python(
            {
                "image": {"image": image.pk, "decorative": False, "alt_text": "Les bords de Seine à Villennes"},
                "caption": "Les bords de Seine, au printemps.",
            }
        )


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Intitulé du lien"),
        required=False,
        help_text=_("Laissez vide pour utiliser le titre du document."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Document à télécharger")
        template = "blocks/document_block.html"
        description = _("Un lien vers un document de la médiathèque, avec son format et son poids.")

    def get_preview_value(self):
        from wagtail.documents import get_document_model

        document = get_document_model().objects.order_by("id").first()
        if document is None:
            return super().get_preview_value()
        return self.to_python({"document": document.pk, "title": "Télécharger le règlement"})


class SiteURLBlock(blocks.CharBlock):
    """An http(s) address, or a path of this site such as "/espace-citoyen/" (for views
    that are not Wagtail pages)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if not value or (value.startswith("/") and not value.startswith("//")):
            return value
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError(
                _("Saisissez une adresse commençant par https:// ou un chemin du site commençant par /.")
            ) from None
        return value


class LinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("Page du site"), required=False)
    url = SiteURLBlock(
        label=_("ou adresse"), required=False,
        help_text=_("Adresse externe (https://…) ou chemin du site (/espace-citoyen/)."),
    )

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            message = _("Choisissez soit une page du site, soit une adresse externe (une seule).")
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(message), "url": ValidationError(message)}
            )
        return value

    class Meta:
        icon = "link"
        label = _("Lien")


def link_href(link_value) -> str:
    if link_value.get("page"):
        return link_value["page"].url or ""  # url_path based: no need of .specific
    return link_value.get("url") or ""


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=120)
    text = blocks.TextBlock(label=_("Texte"), required=False, max_length=400)
    button_label = blocks.CharBlock(label=_("Texte du bouton"), max_length=60)
    link = LinkBlock(label=_("Destination"))

    class Meta:
        icon = "pick"
        label = _("Appel à l'action")
        template = "blocks/cta_block.html"
        description = _("Un encadré qui invite à une démarche, avec un bouton.")
        preview_value = {
            "title": "Inscriptions scolaires 2026-2027",
            "text": "Le dossier d'inscription est à compléter avant la fin juin.",
            "button_label": "Compléter le dossier",
            "link": {"page": None, "url": "https://www.ville-villennes-sur-seine.fr"},
        }


class ContactCardBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Service ou personne"), max_length=120)
    address = blocks.TextBlock(label=_("Adresse"), required=False)
    phones = blocks.ListBlock(blocks.CharBlock(label=_("Téléphone"), max_length=30), label=_("Téléphones"))
    email = blocks.EmailBlock(label=_("Courriel"), required=False)
    opening_hours = blocks.TextBlock(label=_("Horaires"), required=False)

    class Meta:
        icon = "user"
        label = _("Fiche contact")
        template = "blocks/contact_card_block.html"
        description = _("Les coordonnées d'un service : adresse, téléphones, courriel, horaires.")
        preview_value = {
            "name": "Service Relations à la Population",
            "address": "Mairie, 1 rue de la Mairie\n78670 Villennes-sur-Seine",
            "phones": ["01 39 08 25 40", "01 39 08 25 67"],
            "email": "population@ville-villennes-sur-seine.fr",
            "opening_hours": "Du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h 30",
        }


class AccordionItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = ParagraphBlock(label=_("Réponse"))


class AccordionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre de la section"), required=False, max_length=160)
    items = blocks.ListBlock(AccordionItemBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Questions fréquentes (accordéon)")
        template = "blocks/accordion_block.html"
        description = _("Des questions et leurs réponses, repliées jusqu'au clic.")
        preview_value = {
            "title": "Questions fréquentes",
            "items": [
                {"question": "Quand la mairie est-elle ouverte ?", "answer": "<p>Du lundi au vendredi.</p>"},
                {"question": "Comment me faire recenser ?", "answer": "<p>Présentez-vous à l'accueil.</p>"},
            ],
        }


class DataTableBlock(blocks.StructBlock):
    caption = blocks.CharBlock(
        label=_("Titre du tableau"),
        max_length=200,
        help_text=_("Décrit le contenu du tableau pour les lecteurs d'écran."),
    )
    table = TableBlock(
        label=_("Tableau"),
        table_options={"startRows": 3, "startCols": 3, "language": "fr", "renderer": "text"},
    )

    class Meta:
        icon = "table"
        label = _("Tableau")
        template = "blocks/table_block.html"
        description = _("Un tableau de données avec un titre ; cochez « ligne d'en-tête » pour les titres de colonnes.")
        preview_value = {
            "caption": "Horaires d'ouverture",
            "table": {
                "data": [["Jour", "Matin", "Après-midi"], ["Lundi", "8 h 30 – 12 h", "13 h 30 – 17 h 30"]],
                "first_row_is_table_header": True,
                "first_col_is_header": True,
            },
        }


class ContentStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = CaptionedImageBlock()
    document = DocumentLinkBlock()
    call_to_action = CallToActionBlock()
    contact_card = ContactCardBlock()
    accordion = AccordionBlock()
    table = DataTableBlock()

    class Meta:
        block_counts = {}


TILE_ICONS = [
    ("espace", _("Espace citoyen")),
    ("news", _("Actualités")),
    ("demarches", _("Démarches")),
    ("contact", _("Contact")),
    ("school", _("Enfance")),
    ("town", _("Mairie")),
]


class QuickAccessTileBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=60)
    description = blocks.CharBlock(label=_("Description"), required=False, max_length=140)
    icon = blocks.ChoiceBlock(label=_("Icône"), choices=TILE_ICONS, default="town")
    link = LinkBlock(label=_("Destination"))

    class Meta:
        icon = "grip"
        label = _("Tuile d'accès rapide")
        template = "blocks/tile_block.html"
        description = _("Une tuile de la page d'accueil menant à une rubrique.")
        preview_value = {
            "title": "Mon espace citoyen",
            "description": "Réserver, inscrire, payer, mes documents",
            "icon": "espace",
            "link": {"page": None, "url": "https://www.ville-villennes-sur-seine.fr"},
        }
