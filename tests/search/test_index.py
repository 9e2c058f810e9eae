import pytest
from django.db import connection


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the expression index exists on PostgreSQL only")
def test_postgresql_has_the_gin_index_the_search_query_uses():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'wagtailsearch_indexentry' "
            "AND indexname = 'search_indexentry_title_body_gin'"
        )
        row = cursor.fetchone()
    assert row is not None
    assert "gin" in row[0].lower() and "(title || body)" in row[0]
