"""The session-with-user query, compiled once per database connection.

Every request with a session cookie runs the same query: the session row
by key, joined with its user (``select_related``). Building it with the ORM
on each request (queryset, lookups, joins, SQL compilation) costs more CPU
than running it. Here the ORM compiles it once per connection and keeps
the SQL, the column converters and the row-to-object mapping; each request
only executes it with its key. The SQL, the values' conversion and the
model instances (``from_db``) are the ORM's own, as ``.get()`` makes them.
"""

import threading

from django.db import connections, router
from django.db.models.query import get_related_populators

_PLACEHOLDER = "session-key"
_compiled = threading.local()


class _Lookup:
    """One connection's compiled query for ``queryset.filter(session_key=...)``."""

    def __init__(self, queryset, connection):
        self.connection = connection
        compiler = queryset.filter(session_key=_PLACEHOLDER).query.get_compiler(
            connection=connection
        )
        self.sql, params = compiler.as_sql()
        # The key is the only parameter; the ORM passes it through as is.
        self.key_index = list(params).index(_PLACEHOLDER)
        self.params = list(params)
        select, klass_info = compiler.select, compiler.klass_info
        self.compiler = compiler
        self.converters = compiler.get_converters([column for column, _, _ in select])
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.model = klass_info["model"]
        self.init_list = [
            column.target.attname for column, _, _ in select[self.start : self.end]
        ]
        self.populators = get_related_populators(klass_info, select, connection.alias)

    def get(self, session_key):
        params = list(self.params)
        params[self.key_index] = session_key
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        obj = self.model.from_db(
            self.connection.alias, self.init_list, row[self.start : self.end]
        )
        for populator in self.populators:
            populator.populate(row, obj)
        return obj


def get_with_user(model, session_key):
    """``model.objects.select_related("user").get(session_key=session_key)``."""
    using = router.db_for_read(model)
    connection = connections[using]
    lookups = getattr(_compiled, "lookups", None)
    if lookups is None:
        lookups = _compiled.lookups = {}
    lookup = lookups.get((model, using))
    if lookup is None or lookup.connection is not connection:
        lookup = lookups[model, using] = _Lookup(
            model.objects.select_related("user"), connection
        )
    return lookup.get(session_key)
