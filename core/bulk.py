"""Adding many records at once, each with the first row of its history (django-simple-history).

On PostgreSQL, ``create_with_history`` takes the ids from the table's sequence and sends the rows and their history
rows with ``COPY``: a hundred thousand people, their positions and contact points in seconds rather than the minute
Django's ``bulk_create`` spends preparing every value of every field (twice, with the history). Elsewhere (SQLite)
it is simple-history's ``bulk_create_with_history``. Either way the records get their ids, no signal is sent (as
with ``bulk_create``), and the history rows are those simple-history writes: type "+", no user, no reason.
"""

from contextlib import contextmanager

from django.db import connection
from django.db.models import Field, ForeignKey, Lookup, Q
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber
from simple_history.utils import bulk_create_with_history


def create_with_history(objects: list, model, *, batch_size: int = 500) -> None:
    """Add ``objects`` (unsaved instances of ``model``), each with its first history row; they get their ids."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(objects, model, batch_size=batch_size)
        return
    fields = model._meta.concrete_fields
    for instance, pk in zip(objects, _new_ids(model, len(objects)), strict=True):
        setattr(instance, model._meta.pk.attname, pk)
        instance._state.adding = False
        instance._state.db = connection.alias
    # pre_save: the value as saving would write it (auto_now dates set, the others as they are).
    _copy_with_history(model, [[_value(field.pre_save(instance, True)) for field in fields] for instance in objects])


def create_rows_with_history(model, rows: list[dict], *, batch_size: int = 500) -> None:
    """Add records of ``model`` given as their values (attribute name → value; the fields' defaults for the
    others), each with its first history row, without building a model instance for each: for the many
    positions and contact points of an import."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history([model(**row) for row in rows], model, batch_size=batch_size)
        return
    now = timezone.now()
    fields = model._meta.concrete_fields
    defaults = {
        field.attname: now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else None
        for field in fields
    }
    for field in fields:
        if defaults[field.attname] is None and not field.primary_key:
            defaults[field.attname] = field.get_default()
    pk = model._meta.pk.attname
    ids = iter(_new_ids(model, len(rows)))
    _copy_with_history(
        model,
        [
            [
                next(ids) if field.attname == pk else _value(row.get(field.attname, defaults[field.attname]))
                for field in fields
            ]
            for row in rows
        ],
    )


def _value(value):
    if isinstance(value, PhoneNumber):
        return value.as_e164
    return value


def _new_ids(model, count: int) -> list[int]:
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _copy_with_history(model, rows: list[list]) -> None:
    """``COPY`` the ``rows`` (the values of ``model``'s concrete fields, in their order) and their history rows."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    history = model.history.model
    position = {field.attname: index for index, field in enumerate(fields)}
    fixed = {"history_date": timezone.now(), "history_change_reason": "", "history_type": "+", "history_user_id": None}
    history_fields = [field for field in history._meta.concrete_fields if field.name != "history_id"]
    # Each history column: a value fixed for all, or the index of the record's value it copies.
    sources = [
        (fixed[field.attname], None) if field.attname in fixed else (None, position[field.attname])
        for field in history_fields
    ]
    with connection.cursor() as cursor:
        columns = ", ".join(quote(field.column) for field in fields)
        with cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:  # noqa: S608 (names from the model)
            for row in rows:
                copy.write_row(row)
        columns = ", ".join(quote(field.column) for field in history_fields)
        with cursor.copy(f"COPY {quote(history._meta.db_table)} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for row in rows:
                copy.write_row([value if index is None else row[index] for value, index in sources])


class AnyOf(Lookup):
    """``column = ANY(%s)``: the values as one array parameter (PostgreSQL), where ``__in`` sends one parameter
    per value — thousands of them, which psycopg and Django spend longer preparing than the server answering."""

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [[_value(item) for item in value]]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


Field.register_lookup(AnyOf)
ForeignKey.register_lookup(AnyOf)


def any_of(field: str, values) -> Q:
    """Rows whose ``field`` is one of ``values``: ``= ANY(array)`` on PostgreSQL, ``IN`` elsewhere."""
    lookup = "any" if connection.vendor == "postgresql" else "in"
    return Q(**{f"{field}__{lookup}": list(values)})


@contextmanager
def through_indexes():
    """Within it, PostgreSQL reads tables through their indexes whenever it can. For lookups of many values at
    once (``any_of``) in a table that the same transaction is filling: the planner's statistics still describe
    the table as it was before the transaction (autovacuum cannot see rows not yet committed), and even fresh ones
    count the empty addresses of phone rows as matches, so it reads a hundred thousand contact points whole to
    find none of a thousand addresses (45 ms a lookup, against 1 ms through the index)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        (before,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])
