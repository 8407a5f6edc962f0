"""Every record staff can change carries a version that every write raises: saves, ``update_fields`` saves,
``update()`` in services, admin actions; the admin's forms and inline rows and the API refuse a write from an
older version; a save of a record deleted meanwhile is refused instead of inserting it again."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from rest_framework.test import APIClient
from simple_history.models import HistoricalChanges

from clusters.models import Due, Membership, MembershipType, Organisation, Site
from clusters.services import cancel_membership, mark_dues_paid
from config.api_urls import router
from contacts.models import ContactList, Erasure, ExportLine, ExportLog, Person
from core.api_views import RecordViewSet
from core.history import DeletedRecordError, VersionedModel, VersionedQuerySet
from tests.admin_helpers import admin_url, change_form_data
from tests.factories import (
    ClusterFactory,
    FollowUpFactory,
    InteractionFactory,
    OrganisationFactory,
    PersonFactory,
    SiteFactory,
)

# Written once and never changed: what they record is history itself.
APPEND_ONLY = {ExportLog, Erasure}
# Written from other records, never by staff: deleted when those change, written again by the next export.
DERIVED = {ExportLine}


def domain_models():
    for app_label in ("clusters", "contacts", "events", "agreements"):
        for model in apps.get_app_config(app_label).get_models():
            if not issubclass(model, HistoricalChanges) and not model._meta.auto_created:
                yield model


@pytest.mark.parametrize("model", list(domain_models()), ids=lambda model: model._meta.label)
def test_every_record_staff_can_change_is_versioned_with_a_history(model):
    if model in APPEND_ONLY | DERIVED:
        return
    assert issubclass(model, VersionedModel)
    assert hasattr(model, "history")
    for manager in model._meta.managers:
        assert issubclass(manager._queryset_class, VersionedQuerySet), manager.name


def test_an_update_through_a_manager_raises_the_version(db):
    site = SiteFactory()
    Site.objects.filter(pk=site.pk).update(city="Pau")
    site.refresh_from_db()
    assert (site.city, site.version) == ("Pau", 2)


def test_a_save_of_some_fields_raises_the_version(db):
    organisation = OrganisationFactory()
    organisation.city = "Tours"
    organisation.save(update_fields=["city"])
    organisation.refresh_from_db()
    assert (organisation.city, organisation.version) == ("Tours", 2)


def test_saving_a_record_deleted_meanwhile_is_refused_and_inserts_nothing(db):
    """Measured before: VersionedModel.save fell through to an INSERT when the row had gone, bringing it back."""
    person = PersonFactory()
    stale = Person.objects.get(pk=person.pk)
    person.delete()
    stale.notes = "Encore là ?"
    with pytest.raises(DeletedRecordError):
        stale.save()
    assert not Person.objects.filter(pk=stale.pk).exists()


def test_cancelling_a_membership_raises_its_version_so_a_stale_write_cannot_undo_it(db, admin_user):
    """Measured before: cancel saved with update_fields=["cancelled_on"] and kept the version: a PUT with the old
    If-Match restored the membership (200)."""
    membership = Membership.objects.create(
        cluster=ClusterFactory(), member=OrganisationFactory(), started_on=datetime.date(2024, 1, 1)
    )
    client = APIClient()
    client.force_authenticate(admin_user)
    read = client.get(f"/api/memberships/{membership.pk}/")
    cancel_membership(membership=membership, on=datetime.date(2025, 6, 30))

    payload = {key: value for key, value in read.json().items() if key not in ("id", "version", "url")}
    undo = client.put(f"/api/memberships/{membership.pk}/", payload, format="json", HTTP_IF_MATCH=read["ETag"])

    assert undo.status_code == 412
    membership.refresh_from_db()
    assert membership.cancelled_on == datetime.date(2025, 6, 30) and membership.version == 2


def test_a_stale_admin_form_cannot_undo_a_cancellation(admin_client):
    membership = Membership.objects.create(
        cluster=ClusterFactory(), member=OrganisationFactory(), started_on=datetime.date(2024, 1, 1)
    )
    data = change_form_data(admin_client.get(admin_url(Membership, "change", membership.pk)))
    cancel_membership(membership=membership, on=datetime.date(2025, 6, 30))
    response = admin_client.post(admin_url(Membership, "change", membership.pk), data)
    assert response.status_code == 200 and response.context["adminform"].form.errors
    membership.refresh_from_db()
    assert membership.cancelled_on == datetime.date(2025, 6, 30)


def test_dues_marked_paid_raise_their_version_and_keep_their_history(db):
    cluster = ClusterFactory()
    membership = Membership.objects.create(
        cluster=cluster,
        member=OrganisationFactory(),
        membership_type=MembershipType.objects.create(cluster=cluster, slug="membre", name="Membre"),
        started_on=datetime.date(2024, 1, 1),
    )
    due = Due.objects.create(membership=membership, amount=100, invoiced_on=datetime.date(2024, 1, 1))
    assert mark_dues_paid(membership=membership, on=datetime.date(2024, 2, 1)) == 1
    due.refresh_from_db()
    assert (due.paid_on, due.version) == (datetime.date(2024, 2, 1), 2)
    assert due.history.first().paid_on == datetime.date(2024, 2, 1)


def registered_admins():
    for model, model_admin in admin.site._registry.items():
        if issubclass(model, VersionedModel):
            yield model, model_admin


def test_every_change_form_and_inline_row_of_a_versioned_record_carries_its_version(seed, admin_user):
    """A form that does not carry the version it was loaded at cannot be refused when it is stale."""
    request = RequestFactory().get("/")
    request.user = admin_user
    missing = []
    for model, model_admin in registered_admins():
        record = model._default_manager.first()
        if record is None:
            continue
        if "version" not in model_admin.get_form(request, record).base_fields:
            missing.append(model._meta.label)
        for inline in model_admin.get_inline_instances(request, record):
            if issubclass(inline.model, VersionedModel) and inline.has_change_permission(request, record):
                if "version" not in inline.get_formset(request, record).form.base_fields:
                    missing.append(f"{model._meta.label} → {inline.model._meta.label}")
    assert missing == []


def test_a_stale_inline_row_is_refused(seed, admin_client):
    polepharma = Organisation.objects.get(slug="polepharma")
    data = change_form_data(admin_client.get(admin_url(Organisation, "change", polepharma.pk)))
    site = polepharma.sites.order_by("pk").first()
    Site.objects.filter(pk=site.pk).update(city="Ailleurs")
    response = admin_client.post(admin_url(Organisation, "change", polepharma.pk), data)
    assert response.status_code == 200
    site.refresh_from_db()
    assert site.city == "Ailleurs"


@pytest.mark.parametrize(
    "prefix",
    # Every resource that can be changed through the API (the jobs are read-only, and change on their own).
    [prefix for prefix, viewset, _basename in router.registry if issubclass(viewset, RecordViewSet)],
    ids=lambda prefix: prefix,
)
def test_every_api_resource_sends_its_version_as_etag(seed, admin_user, prefix):
    Membership.objects.create(cluster=ClusterFactory(), member=OrganisationFactory(), started_on="2024-01-01")
    ContactList.objects.create(slug="presse", name="Presse")
    FollowUpFactory(interaction=InteractionFactory(people=[Person.objects.first()]))
    client = APIClient()
    client.force_authenticate(admin_user)
    listing = client.get(f"/api/{prefix}/").json()["results"]
    assert listing, prefix
    first = listing[0]
    key = first.get("slug") or first.get("id")
    read = client.get(f"/api/{prefix}/{key}/")
    assert read.status_code == 200
    assert read["ETag"] == f'"{read.json()["version"]}"'


def test_twelve_additions_to_a_contact_list_are_all_kept(seed, admin_user):
    contact_list = ContactList.objects.create(slug="presse", name="Presse")
    client = APIClient()
    client.force_authenticate(admin_user)
    for person in Person.objects.all():
        answer = client.post("/api/contact-lists/presse/add-people/", {"people": [person.slug]}, format="json")
        assert answer.status_code == 200
    contact_list.refresh_from_db()
    assert contact_list.people.count() == Person.objects.count() == 12
    assert contact_list.version == 13
