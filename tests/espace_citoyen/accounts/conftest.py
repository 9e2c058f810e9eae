import pytest
from django.contrib.auth import get_user_model

PASSWORD = "Un-mot-de-passe-solide-42"


@pytest.fixture
def citizen(db):
    return get_user_model().objects.create_user(
        "camille.martin@example.fr", PASSWORD, first_name="Camille", last_name="Martin"
    )
