import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError
from django.test import RequestFactory


@pytest.mark.django_db
def test_email_is_the_login_and_is_case_insensitive():
    User = get_user_model()
    user = User.objects.create_user("Parent.Exemple@Gmail.COM ", "un-mot-de-passe-solide")
    assert user.email == "parent.exemple@gmail.com"
    # django-axes (first authentication backend) needs the request to count attempts.
    request = RequestFactory().post("/")
    assert authenticate(request=request, username="PARENT.exemple@gmail.com", password="un-mot-de-passe-solide") == user
    assert authenticate(request=request, username="parent.exemple@gmail.com", password="mauvais") is None


@pytest.mark.django_db
def test_email_unique_whatever_the_case_in_database():
    User = get_user_model()
    User.objects.create_user("parent@example.fr", "un-mot-de-passe-solide")
    with pytest.raises(IntegrityError):
        # Bypass save() normalisation: the database constraint itself refuses it.
        User.objects.bulk_create([User(email="PARENT@example.fr")])
