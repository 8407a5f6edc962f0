"""People are searched by every name of their organisations: their ``search_text`` now holds the organisations'
other names ("Polepharma-GIPSO", "Basque Biocluster") and the names agreements write them by. Only the people of
organisations that have such names have a different text: theirs is rebuilt here, as
``contacts.search.person_search_text`` builds it."""

from django.db import migrations

BATCH = 500


def add_other_names(apps, schema_editor):
    from contacts.search import phone_digits, search_text_of

    OrganisationName = apps.get_model("clusters", "OrganisationName")
    AgreementParty = apps.get_model("agreements", "AgreementParty")
    Person = apps.get_model("contacts", "Person")
    Position = apps.get_model("contacts", "Position")
    PressContact = apps.get_model("contacts", "PressContact")
    ContactPoint = apps.get_model("contacts", "ContactPoint")
    other_names = {}
    for organisation_id, name in OrganisationName.objects.values_list("organisation_id", "name"):
        other_names.setdefault(organisation_id, []).append(name)
    written = AgreementParty.objects.exclude(name_as_written="").values_list("organisation_id", "name_as_written")
    for organisation_id, name in written:
        other_names.setdefault(organisation_id, []).append(name)
    if not other_names:
        return
    people = set(Position.objects.filter(organisation__in=other_names).values_list("person_id", flat=True))
    people |= set(PressContact.objects.filter(organisation__in=other_names).values_list("person_id", flat=True))
    ids = sorted(people)

    def names(organisation):
        return (organisation.name, organisation.acronym, *other_names.get(organisation.pk, []))

    connection = schema_editor.connection
    table = connection.ops.quote_name(Person._meta.db_table)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        positions, roles, values = {}, {}, {}
        for position in Position.objects.filter(person__in=batch).select_related("organisation"):
            positions.setdefault(position.person_id, []).append(position)
        for role in PressContact.objects.filter(person__in=batch).select_related("organisation"):
            roles.setdefault(role.person_id, []).append(role)
        for point in ContactPoint.objects.filter(person__in=batch):
            found = values.setdefault(point.person_id, [])
            if point.email:
                found.append(point.email)
            found += phone_digits(point.phone)
        rows = []
        for person in Person.objects.filter(pk__in=batch).only("pk", "given_name", "family_name"):
            held = positions.get(person.pk, [])
            organisations = [position.organisation for position in held]
            organisations += [role.organisation for role in roles.get(person.pk, [])]
            text = search_text_of(
                given_name=person.given_name,
                family_name=person.family_name,
                titles=[position.title for position in held],
                organisations=[names(organisation) for organisation in organisations],
                contact_values=values.get(person.pk, []),
            )
            rows.append((text, person.pk))
        # A plain UPDATE: a derived column is no new version of the person.
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET search_text = %s WHERE id = %s", rows)  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0012_person_family_name_lower_index"),
        ("clusters", "0007_organisation_search_text"),
        ("agreements", "0004_versions_and_histories_everywhere"),
    ]

    operations = [
        migrations.RunPython(add_other_names, migrations.RunPython.noop),
    ]
