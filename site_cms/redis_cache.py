"""Django's Redis cache backend, keeping one client per connection pool.

django.core.cache.backends.redis builds a new `redis.Redis` client for every cache call; with
redis-py 5+ each construction fills a table of several thousand response callbacks, which
made the two dozen cache calls of an uncached page cost about 7 ms (cProfile, 2 December
2026). A `redis.Redis` client is thread-safe and its pool reconnects after a fork, so one per
pool is enough. Everything else (serialisation, pools, options) is Django's."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # a random replica for reads, if several
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
