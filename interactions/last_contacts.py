"""The date each person and organisation was last in touch, kept in ``PersonLastContact`` and
``OrganisationLastContact``: refreshed from the interactions when one is logged, changed or deleted (``signals``),
rebuilt in one statement after a bulk write (``rebuild_last_contacts``).

Two interactions of the same person committed at the same moment each refresh the person's last contact after
their commit. Each refresh locks the records it refreshes before it reads their interactions: the one that waits
reads once the other has committed, so it sees both interactions, and the later date is the one kept (without
the lock, a refresh that read before the other's commit could write the older date over the newer one).
PostgreSQL's ``FOR NO KEY UPDATE`` blocks no one adding an interaction or a position to the record; SQLite writes
one transaction at a time anyway."""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Max

from .models import InteractionOrganisation, InteractionPerson, OrganisationLastContact, PersonLastContact


def _latest(link_model, key: str, ids: set[int]) -> dict[int, object]:
    """The date of the latest interaction of each of ``ids`` that has one."""
    return dict(
        link_model.objects.filter(**{f"{key}__in": ids})
        .values_list(key)
        .annotate(latest=Max("interaction__occurred_at"))
        .values_list(key, "latest")
    )


def _refresh(link_model, summary_model, key: str, ids: set[int]) -> None:
    if not ids:
        return
    record_model = summary_model._meta.get_field(key.removesuffix("_id")).related_model
    # In the order of their keys, so that two refreshes never wait for each other's locks.
    list(record_model.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=True).values_list("pk"))
    latest = _latest(link_model, key, ids)
    summary_model.objects.filter(**{f"{key}__in": ids - latest.keys()}).delete()
    summary_model.objects.bulk_create(
        [summary_model(**{key: pk, "occurred_at": when}) for pk, when in latest.items()],
        update_conflicts=True,
        unique_fields=[key],
        update_fields=["occurred_at"],
    )


def refresh_last_contacts(*, people: Iterable[int] = (), organisations: Iterable[int] = ()) -> None:
    """Set the last contact of ``people`` and ``organisations`` (record numbers) from their interactions."""
    with transaction.atomic():
        _refresh(InteractionPerson, PersonLastContact, "person_id", set(people))
        _refresh(InteractionOrganisation, OrganisationLastContact, "organisation_id", set(organisations))


def rebuild_last_contacts() -> None:
    """Every last contact computed again from the interactions, in one statement per table (after a bulk write
    that sent no signal: demo data, a restore)."""
    tables = [
        (PersonLastContact, InteractionPerson, "person_id"),
        (OrganisationLastContact, InteractionOrganisation, "organisation_id"),
    ]
    interactions = InteractionPerson._meta.get_field("interaction").related_model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for summary, link, key in tables:
            cursor.execute(f"DELETE FROM {summary._meta.db_table}")  # noqa: S608 (table names from the models)
            cursor.execute(
                f"INSERT INTO {summary._meta.db_table} ({key}, occurred_at) "  # noqa: S608
                f"SELECT link.{key}, MAX(interaction.occurred_at) FROM {link._meta.db_table} link "
                f"JOIN {interactions} interaction ON interaction.id = link.interaction_id GROUP BY link.{key}"
            )
