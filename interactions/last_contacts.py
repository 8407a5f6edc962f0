"""The date each person and organisation was last in touch, kept in ``PersonLastContact`` and
``OrganisationLastContact``: refreshed from the interactions when one is logged, changed or deleted (``signals``),
rebuilt in one statement after a bulk write (``rebuild_last_contacts``)."""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Max

from .models import InteractionOrganisation, InteractionPerson, OrganisationLastContact, PersonLastContact


def _refresh(link_model, summary_model, key: str, ids: set[int]) -> None:
    if not ids:
        return
    latest = dict(
        link_model.objects.filter(**{f"{key}__in": ids})
        .values_list(key)
        .annotate(latest=Max("interaction__occurred_at"))
        .values_list(key, "latest")
    )
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
