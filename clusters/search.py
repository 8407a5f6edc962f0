"""The organisations' search: every folded word of the query in ``Organisation.search_text``.

It holds, folded (see ``core.search``): the organisation's name, acronym, slug, city and region, and its other
names (former names, other spellings). ``Organisation.save()`` writes it; saving or deleting an other name
rewrites it (``clusters.signals``). On PostgreSQL a trigram index serves it, as people's.
"""

from django.db import connection

from core.search import build_search_text, filter_words_first


def search_organisations(queryset, query: str):
    """Organisations whose name, acronym, other names, slug, city or region hold every word of ``query``."""
    return filter_words_first(queryset, (query or "").strip()[:200])


def search_text_of(*, name: str, acronym: str, slug: str, city: str, region: str, other_names) -> str:
    return build_search_text(name, acronym, slug, city, region, *other_names)


def organisation_search_text(organisation, other_names=None) -> str:
    """What ``search_text`` holds for ``organisation``; its other names are read unless given."""
    if other_names is None:
        other_names = organisation.other_names.values_list("name", flat=True) if organisation.pk else []
    return search_text_of(
        name=organisation.name,
        acronym=organisation.acronym,
        slug=organisation.slug,
        city=organisation.city,
        region=organisation.region,
        other_names=other_names,
    )


def refresh_search_text(organisation_ids) -> None:
    """Recompute ``search_text`` for these organisations (ids of organisations that do not exist are ignored)."""
    from .models import Organisation

    organisations = (
        Organisation.objects.filter(pk__in=set(organisation_ids))
        .only("pk", "name", "acronym", "slug", "city", "region")
        .prefetch_related("other_names")
    )
    rows = []
    for organisation in organisations:
        other_names = [other.name for other in organisation.other_names.all()]
        rows.append((organisation_search_text(organisation, other_names), organisation.pk))
    # A plain UPDATE, not save() nor the versioned update(): a derived column is no new version of the record.
    table = connection.ops.quote_name(Organisation._meta.db_table)
    column = connection.ops.quote_name(Organisation._meta.get_field("search_text").column)
    key = connection.ops.quote_name(Organisation._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {key} = %s", rows)  # noqa: S608 (names from the model)


def create_trigram_index(apps, schema_editor):
    """On PostgreSQL, a trigram index serves the organisations' ``LIKE '%word%'`` searches (clusters' migration
    0007; and the test database, built from the models)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS organisation_search_trgm ON clusters_organisation "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS organisation_search_trgm")
