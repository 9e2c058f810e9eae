import pytest
from django.urls import reverse

from home.blocks import ContentStreamBlock, QuickAccessTileBlock, link_href


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(ContentStreamBlock.base_blocks.keys()) + ["tile"])
def test_every_block_has_description_and_renders_a_preview(client, superuser, name, otp_login):
    block = QuickAccessTileBlock() if name == "tile" else ContentStreamBlock().child_blocks[name]
    assert str(block.meta.description).strip()
    assert block.is_previewable
    otp_login(client, superuser)
    response = client.get(reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix})
    assert response.status_code == 200
    html = response.content.decode()
    assert "css/site.css" in html
    value = block.get_preview_value()
    rendered = block.render(value)
    assert rendered.strip() and rendered.strip()[:40] in html


def test_link_block_requires_exactly_one_destination():
    from wagtail.blocks import StructBlockValidationError

    block = QuickAccessTileBlock().child_blocks["link"]
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"page": None, "url": ""}))
    assert "soit une page du site, soit une adresse externe" in str(error.value.block_errors["url"])
    assert link_href(block.to_python({"page": None, "url": "https://example.org/"})) == "https://example.org/"


@pytest.mark.parametrize(
    ("url", "valid"),
    [("/espace-citoyen/", True), ("https://www.service-public.fr/", True), ("//evil.example", False),
     ("javascript:alert(1)", False), ("espace-citoyen", False)],
)
def test_link_block_accepts_site_paths_and_http_urls_only(url, valid):
    from wagtail.blocks import StructBlockValidationError

    block = QuickAccessTileBlock().child_blocks["link"]
    value = block.to_python({"page": None, "url": url})
    if valid:
        assert block.clean(value)["url"] == url
    else:
        with pytest.raises(StructBlockValidationError) as error:
            block.clean(value)
        assert "https://" in str(error.value.block_errors["url"])
