"""`{% object_url %}`: the same URL as `{% url %}` for each row of a back-office list."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from espace_citoyen.core.templatetags.core_urls import object_url


@pytest.mark.parametrize("name", ["accounts_validation:review", "reservations_admin:child",
                                  "demarches_admin:detail", "activities_attendance:sheet"])
@pytest.mark.parametrize("pk", [1, 42, 7302119, 98765432109])
def test_same_url_as_reverse(name, pk):
    assert object_url(name, pk) == reverse(name, args=[pk])


def test_in_a_template():
    rendered = Template("{% load core_urls %}{% for pk in pks %}{% object_url 'demarches_admin:detail' pk %} {% endfor %}"
                        ).render(Context({"pks": [3, 12]}))
    assert rendered == f"{reverse('demarches_admin:detail', args=[3])} {reverse('demarches_admin:detail', args=[12])} "


def test_follows_the_script_prefix():
    """A site served under a sub-path (SCRIPT_NAME) gets its prefix, as reverse() does."""
    try:
        set_script_prefix("/ville/")
        assert object_url("demarches_admin:detail", 5) == reverse("demarches_admin:detail", args=[5])
        assert object_url("demarches_admin:detail", 5).startswith("/ville/admin/")
    finally:
        set_script_prefix("/")
    assert object_url("demarches_admin:detail", 5).startswith("/admin/")


def test_refuses_what_reverse_refuses():
    with pytest.raises(NoReverseMatch):
        object_url("demarches_admin:nope", 1)
    with pytest.raises((TypeError, ValueError)):
        object_url("demarches_admin:detail", None)
