"""Database routing of the production settings without Redis: the database cache
(``django_cache``) uses its own connection to the same database, so that what it writes
(rate-limit counters, the progress of a background import) is committed at once, never
held or rolled back by the transaction of the request or of the import."""

CACHE_ALIAS = "cache"


class CacheConnectionRouter:
    @staticmethod
    def _is_cache(model) -> bool:
        return model._meta.app_label == "django_cache"

    def db_for_read(self, model, **hints):
        return CACHE_ALIAS if self._is_cache(model) else None

    def db_for_write(self, model, **hints):
        return CACHE_ALIAS if self._is_cache(model) else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "django_cache":
            return db == CACHE_ALIAS
        return db != CACHE_ALIAS and None
