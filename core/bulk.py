"""Adding many records at once, each with the first row of its history (django-simple-history).

On PostgreSQL, ``create_with_history`` takes the ids from the table's sequence and sends the rows and their history
rows with ``COPY``: a hundred thousand people, their positions and contact points in seconds rather than the minute
Django's ``bulk_create`` spends preparing every value of every field (twice, with the history). Elsewhere (SQLite)
it is simple-history's ``bulk_create_with_history``. Either way the records get their ids, no signal is sent (as
with ``bulk_create``), and the history rows are those simple-history writes: type "+", no user, no reason.
"""

from django.db import connection
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber
from simple_history.utils import bulk_create_with_history


def create_with_history(objects: list, model, *, batch_size: int = 500) -> None:
    if not objects:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(objects, model, batch_size=batch_size)
        return
    _copy(objects, model)
    _copy_history(objects, model)


def _value(value):
    if isinstance(value, PhoneNumber):
        return value.as_e164
    return value


def _copy(objects: list, model) -> None:
    meta = model._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for instance, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            setattr(instance, meta.pk.attname, pk)
            instance._state.adding = False
            instance._state.db = connection.alias
        fields = meta.concrete_fields
        columns = ", ".join(quote(field.column) for field in fields)
        with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:  # noqa: S608 (names from the model)
            for instance in objects:
                # pre_save: the value as saving would write it (auto_now dates set, the others as they are).
                copy.write_row([_value(field.pre_save(instance, True)) for field in fields])


def _copy_history(objects: list, model) -> None:
    history = model.history.model
    quote = connection.ops.quote_name
    now = timezone.now()
    fixed = {"history_date": now, "history_change_reason": "", "history_type": "+", "history_user_id": None}
    fields = [field for field in history._meta.concrete_fields if field.name != "history_id"]
    columns = ", ".join(quote(field.column) for field in fields)
    attnames = [field.attname for field in fields]
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {quote(history._meta.db_table)} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for instance in objects:
                copy.write_row([fixed[name] if name in fixed else _value(getattr(instance, name)) for name in attnames])
