"""Erasure (GDPR) is complete and final: no name, surname, address or number left in any table, history, cache
or stored file; nothing brings them back — a stale form, a stale API write, the seed loaded again."""

import base64
import datetime
import io
import json
import pickle
import re
import unicodedata

import openpyxl
import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, models
from rest_framework.test import APIClient
from simple_history.models import HistoricalChanges

from agreements.models import Agreement, PressRelease, Provenance
from clusters.models import Due, Membership, MembershipType, Organisation
from contacts import erasure
from contacts.erasure import IDENTITY_FIELDS, NOT_SEARCHED, NOT_SEARCHED_APPS, erase_person, find_erasable
from contacts.models import (
    ContactList,
    ContactListEntry,
    ContactPoint,
    Erasure,
    ExportLog,
    Person,
    Position,
)
from events.models import Event, EventEdition, Invitation
from tests.admin_helpers import admin_url, change_form_data
from tests.factories import ContactListFactory, PersonFactory, PositionFactory

SLUG = "maria-pascual-de-zulueta"
NAME = "Maria Pascual de Zulueta"
EMAIL = "maria@basquehealthcluster.org"
PHONE_DIGITS = "644845644"  # +34 644 84 56 44
# What a colleague might type anywhere: the name as the releases print it, the surname alone, the address and the
# number as written in the release.
PLANTED = "Rappeler Maria PASCUAL DE ZULUETA (voir pascual) : maria@basquehealthcluster.org, +34 6 44 84 56 44."
SHORT_PLANTS = ["PASCUAL", "pascual", EMAIL, "+34644845644"]


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def traces_in(text: str) -> list[str]:
    folded = fold(text)
    found = [trace for trace in ("pascual", "zulueta", EMAIL) if trace in folded]
    if PHONE_DIGITS in re.sub(r"\D", "", text):
        found.append("phone")
    return found


def planted_value(model_field):
    if isinstance(model_field, models.JSONField):
        return {"q": PLANTED, "notes": [SHORT_PLANTS[1]]}
    limit = model_field.max_length or len(PLANTED)
    if len(PLANTED) <= limit:
        return PLANTED
    fitting = [plant for plant in SHORT_PLANTS if len(plant) <= limit]
    return fitting[0] if fitting else None


def searched(model) -> bool:
    label = model._meta.label_lower
    return not (label in NOT_SEARCHED or model._meta.app_label in NOT_SEARCHED_APPS or model._meta.proxy)


def planted_fields(model):
    own = model.instance_type if issubclass(model, HistoricalChanges) else model
    identity = IDENTITY_FIELDS.get(own._meta.label_lower, set())
    return [
        model_field
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, models.CharField | models.TextField | models.JSONField)
        and not model_field.choices
        and not model_field.primary_key
        and model_field.name not in identity
        and model_field.name != "search_text"
    ]


@pytest.fixture
def everywhere(seed, admin_user, settings, tmp_path):
    """The person's traces planted in every text field model introspection finds (a row of every model that has
    one), in the database cache and in stored files; and rows that must survive."""
    settings.CACHES = {"default": {"BACKEND": "core.cache.DatabaseCache", "LOCATION": "crm_test_cache"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("createcachetable", verbosity=0)

    maria = Person.objects.get(slug=SLUG)
    other = PersonFactory(given_name="Ana", family_name="Etxeberria")
    PositionFactory(person=other, organisation=Organisation.objects.get(slug="polepharma"))
    cluster = Organisation.objects.get(slug="basque-health-cluster")
    membership = Membership.objects.create(
        cluster=cluster,
        member=Organisation.objects.get(slug="polepharma"),
        membership_type=MembershipType.objects.create(cluster=cluster, slug="membre", name="Membre"),
        started_on=datetime.date(2024, 1, 1),
    )
    Due.objects.create(membership=membership, amount=100, invoiced_on=datetime.date(2024, 1, 1))
    contact_list = ContactListFactory(owner=admin_user)
    ContactListEntry.objects.create(contact_list=contact_list, person=other)
    edition = EventEdition.objects.create(event=Event.objects.get(slug="rnaen"), starts_on=datetime.date(2026, 10, 8))
    Invitation.objects.create(edition=edition, person=other)
    ExportLog.objects.create(user=admin_user, username="admin", export_format="csv", origin="directory", row_count=1)
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(other.pk),
        object_repr=str(other),
        action_flag=CHANGE,
        change_message="",
    )
    # Every row gains a history entry first, so that every history table has rows to plant in.
    for model in apps.get_models():
        if hasattr(model, "history") and not issubclass(model, HistoricalChanges):
            for record in model._default_manager.all()[:1]:
                model.history.bulk_history_create([record], update=True)

    planted = []
    for model in apps.get_models():
        if not searched(model):
            continue
        fields = planted_fields(model)
        row = model._base_manager.exclude(**({"pk": maria.pk} if model is Person else {})).order_by("pk").first()
        if not fields or row is None:
            continue
        values = {f.attname: planted_value(f) for f in fields if planted_value(f) is not None}
        for model_field in fields:  # one field at a time: a unique name cannot clash with itself
            if model_field.attname in values:
                model._base_manager.filter(pk=row.pk).update(**{model_field.attname: values[model_field.attname]})
        planted.append(model._meta.label_lower)

    caches["default"].set("django-import-export-preview", f"Prénom;Nom;E-mail\nMaria;PASCUAL DE ZULUETA;{EMAIL}\n")
    caches["default"].set("unrelated", "Stéphanie Bou, sbou@leem.org")
    default_storage.save("exports/contacts.csv", ContentFile(PLANTED.encode("cp1252")))
    workbook = openpyxl.Workbook()
    workbook.active.append(["Maria", "Pascual de Zulueta", EMAIL])
    buffer = io.BytesIO()
    workbook.save(buffer)
    default_storage.save("exports/contacts.xlsx", ContentFile(buffer.getvalue()))
    default_storage.save("exports/others.csv", ContentFile(b"Stephanie;Bou;sbou@leem.org"))
    return maria, other, planted


def database_traces() -> list[str]:
    """Every value of every table (the cache table included, its values decoded) holding a trace."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if table == "crm_test_cache" and column == "value":
                        value = pickle.loads(base64.b64decode(value.encode()))  # noqa: S301
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", errors="replace")
                    if isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False)
                    if isinstance(value, str) and traces_in(value):
                        found.append(f"{table}.{column}: {value[:80]!r}")
    return found


def stored_traces() -> list[str]:
    found = []
    folders, files = default_storage.listdir("exports")
    for name in files:
        data = default_storage.open(f"exports/{name}").read()
        text = data.decode("cp1252", errors="replace")
        if name.endswith(".xlsx"):
            text = " ".join(
                str(c.value) for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows() for c in row
            )
        if traces_in(text):
            found.append(name)
    return found


def test_no_trace_is_left_in_any_table_history_cache_or_stored_file(everywhere, admin_user):
    maria, other, planted = everywhere
    # The plants reached the histories, the admin's log, the exports' logged searches, every app's records.
    for label in (
        "contacts.historicalperson",
        "agreements.historicalpressrelease",
        "admin.logentry",
        "contacts.exportlog",
    ):
        assert label in planted
    assert len(database_traces()) > 50
    assert len(stored_traces()) == 2

    report = erase_person(person=maria, user=admin_user)

    assert database_traces() == []
    assert stored_traces() == []
    assert caches["default"].get("django-import-export-preview") is None
    assert caches["default"].get("unrelated") == "Stéphanie Bou, sbou@leem.org"  # other people's data stays
    assert default_storage.exists("exports/others.csv")
    assert report.documents_redacted > 30 and report.files_removed == 2 and report.cached_removed == 1
    mikel = Person.objects.get(slug="mikel-alvarez-yeregui")  # the first person: the plants' row
    assert (mikel.given_name, mikel.family_name) == ("Mikel", "Alvarez Yeregui")
    assert mikel.notes.startswith("Rappeler [anonymisé] (voir [anonymisé]) : [anonymisé], [anonymisé].")


def test_erasure_finds_the_rows_in_sql_and_reads_only_those(seed, django_assert_max_num_queries, monkeypatch):
    """Rows that name no one are never read into Python: at a million people, erasure stays a scan in the database."""
    for number in range(60):
        PersonFactory(notes=f"Rencontré au salon {number}")
    read = []
    redact = erasure.Traces.redact
    monkeypatch.setattr(
        erasure.Traces, "redact", lambda self, text, replacement: read.append(text) or redact(self, text, replacement)
    )
    erase_person(person=Person.objects.get(slug=SLUG))
    assert not [text for text in read if "salon" in text]
    assert any("PASCUAL" in text for text in read)  # the release's text was read, and blanked


def test_a_namesake_keeps_their_name_and_an_address_someone_else_uses_stays_theirs(seed):
    namesake = PersonFactory(given_name="Javier", family_name="Pascual", notes="Cousin de Maria Pascual de Zulueta")
    ContactPoint.objects.create(person=namesake, medium="email", email=EMAIL)
    erase_person(person=Person.objects.get(slug=SLUG))
    namesake.refresh_from_db()
    assert (namesake.given_name, namesake.family_name) == ("Javier", "Pascual")
    assert namesake.notes == "Cousin de [anonymisé]"
    assert namesake.contact_points.get().email == EMAIL


def test_exports_logged_by_the_surname_alone_lose_it(seed, admin_user):
    """Measured before: an export's logged search {"q": "pascual"} kept the surname after the erasure."""
    log = ExportLog.objects.create(
        user=admin_user,
        username="admin",
        export_format="csv",
        origin="directory",
        filters={"q": "pascual"},
        row_count=1,
    )
    erase_person(person=Person.objects.get(slug=SLUG))
    log.refresh_from_db()
    assert log.filters == {"q": "[anonymisé]"}


def test_a_stale_form_cannot_put_the_erased_name_back(seed, admin_client):
    """Measured before: a change form opened before the erasure and saved after it put the name back (302)."""
    agreement = Agreement.objects.get(slug="convention-polepharma-gipso-basque-health-cluster-2022")
    Agreement.objects.filter(pk=agreement.pk).update(summary=f"Signée en présence de {NAME} ({EMAIL}).")
    page = admin_client.get(admin_url(Agreement, "change", agreement.pk))
    data = change_form_data(page)
    assert NAME in data["summary"]

    erase_person(person=Person.objects.get(slug=SLUG))
    response = admin_client.post(admin_url(Agreement, "change", agreement.pk), data)

    assert response.status_code == 200  # the form again, saying why: someone changed the record meanwhile
    assert response.context["adminform"].form.errors
    agreement.refresh_from_db()
    assert traces_in(agreement.summary) == []
    assert all(traces_in(row.summary) == [] for row in Agreement.history.filter(id=agreement.pk))


def test_a_stale_api_write_cannot_put_the_erased_text_back(seed, admin_user):
    release = PressRelease.objects.get(text__icontains="PASCUAL")
    client = APIClient()
    client.force_authenticate(admin_user)
    etag = client.get(f"/api/press-releases/{release.slug}/")["ETag"]
    erase_person(person=Person.objects.get(slug=SLUG))
    response = client.patch(
        f"/api/press-releases/{release.slug}/", {"text": release.text}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    release.refresh_from_db()
    assert traces_in(release.text) == []


def test_loading_the_seed_again_brings_nothing_back(seed):
    """Measured before: after an erasure, loaddata seed brought back the name, the slug, do_not_contact=False and a
    position, the version went from 4 to 1, and no history entry was written."""
    maria = Person.objects.get(slug=SLUG)
    erase_person(person=maria)
    maria.refresh_from_db()
    version, history = maria.version, Person.history.filter(id=maria.pk).count()

    call_command("loaddata", "seed", verbosity=0)

    maria.refresh_from_db()
    assert maria.is_anonymised and maria.do_not_contact and maria.version == version
    assert Person.history.filter(id=maria.pk).count() == history
    assert not Position.objects.filter(person=maria).exists()
    assert not ContactPoint.objects.filter(person=maria).exists()
    assert not Person.objects.filter(slug=SLUG).exists()
    assert database_traces() == []


def test_loading_the_seed_again_leaves_changes_and_deletions_alone(seed):
    polepharma = Organisation.objects.get(slug="polepharma")
    polepharma.description = "Décrit par l'équipe."
    polepharma.save()
    fabien = Person.objects.get(slug="fabien-riolet")
    fabien.positions.get().delete()

    call_command("loaddata", "seed", verbosity=0)

    polepharma.refresh_from_db()
    assert polepharma.description == "Décrit par l'équipe." and polepharma.version == 2
    assert not fabien.positions.exists()  # deleted since: not brought back


def test_a_deleted_person_can_still_be_erased_by_slug_or_record_number(seed):
    """Measured before: a person deleted (not erased) could no longer be erased, and their history kept the name."""
    person = PersonFactory(slug="jon-garaikoetxea", given_name="Jon", family_name="Garaikoetxea")
    ContactPoint.objects.create(person=person, medium="email", email="jon@example.eus")
    PersonFactory(notes="Voir Jon Garaikoetxea, jon@example.eus")
    pk = person.pk
    person.delete()

    assert find_erasable("jon-garaikoetxea") == pk and find_erasable(str(pk)) == pk
    call_command("erase_person", "jon-garaikoetxea", "--yes", verbosity=0)

    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert "garaikoetxea" not in fold(dump.getvalue()) and "jon@example.eus" not in dump.getvalue()
    assert Erasure.objects.filter(person_id=pk).exists()


def test_erasing_records_the_tombstone_without_personal_data(seed, admin_user):
    maria = Person.objects.get(slug=SLUG)
    erase_person(person=maria, user=admin_user)
    tombstone = Erasure.objects.get(person_id=maria.pk)
    assert tombstone.erased_by == admin_user
    assert ["contacts.contactpoint", 1] in tombstone.records
    assert traces_in(json.dumps(tombstone.records)) == []


def test_a_contact_list_describing_the_person_loses_the_name(seed):
    contact_list = ContactList.objects.create(slug="equipe-pascual", name="Équipe Pascual", description=PLANTED)
    erase_person(person=Person.objects.get(slug=SLUG))
    contact_list.refresh_from_db()
    assert traces_in(contact_list.name + contact_list.description + contact_list.slug) == []
    assert contact_list.version > 1


def test_provenance_of_the_erased_person_is_not_reloaded(seed):
    maria = Person.objects.get(slug=SLUG)
    erase_person(person=maria)
    call_command("loaddata", "seed", verbosity=0)
    assert not Provenance.objects.filter(content_type__model="person", object_id=maria.pk).exists()


def test_an_import_waiting_for_its_confirmation_is_dropped_by_the_erasure_it_names(
    seed, admin_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Measured before: an unconfirmed import preview naming the person stayed 24 h in the cache."""
    from jobs.models import Job
    from tests.jobs.conftest import run_queued_tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    csv = f"Prénom;Nom;E-mail\nMaria;PASCUAL DE ZULUETA;{EMAIL}\nJon;Etxeberria;jon@example.eus\n".encode()
    upload = io.BytesIO(csv)
    upload.name = "contacts.csv"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/contacts/person/import/", {"import_file": upload})
    run_queued_tasks()
    preview = Job.objects.get()

    report = erase_person(person=Person.objects.get(slug=SLUG))
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(f"/jobs/{preview.pk}/import/")
    run_queued_tasks()

    assert report.files_removed == 1
    preview.refresh_from_db()
    assert EMAIL not in str(preview.result) and "ascual" not in str(preview.result)  # the preview's report
    page = admin_client.get(answer["Location"]).content.decode()
    assert "n’est plus conservé" in page
    assert not Person.objects.filter(family_name="Etxeberria").exists()  # nothing written
    assert not Person.objects.filter(family_name__icontains="pascual").exists()
