"""Django's caches, able to find and delete the values that say something: an erasure (GDPR) removes the
cached values that name the person erased, such as an import waiting for its confirmation."""

import base64
import pickle
from collections.abc import Callable

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache
from django.db import connections, router


class DatabaseCache(DjangoDatabaseCache):
    """The database cache (production): every server shares it."""

    def delete_matching(self, matches: Callable[[object], bool]) -> int:
        """Delete every value for which ``matches(value)`` holds, expired or not. Returns how many."""
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        doomed = []
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT cache_key, value FROM {table}")  # noqa: S608 (the table's name, quoted)
            for key, value in cursor.fetchall():
                value = connection.ops.process_clob(value)
                try:
                    decoded = pickle.loads(base64.b64decode(value.encode()))  # noqa: S301 (written by this cache)
                except Exception:  # noqa: BLE001 (unreadable: deleted, it could hold anything)
                    decoded = value
                if matches(decoded):
                    doomed.append(key)
            for start in range(0, len(doomed), 500):
                keys = doomed[start : start + 500]
                placeholders = ", ".join(["%s"] * len(keys))
                cursor.execute(f"DELETE FROM {table} WHERE cache_key IN ({placeholders})", keys)  # noqa: S608
        return len(doomed)


class LocMemCache(DjangoLocMemCache):
    """The local-memory cache (development, one process)."""

    def delete_matching(self, matches: Callable[[object], bool]) -> int:
        """Delete every value of this process's cache for which ``matches(value)`` holds. Returns how many."""
        with self._lock:
            doomed = [key for key, value in self._cache.items() if matches(pickle.loads(value))]  # noqa: S301
            for key in doomed:
                self._delete(key)
        return len(doomed)
