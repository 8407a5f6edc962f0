"""The back office for organisations, as a staff member uses it."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Provenance
from clusters.admin import OrganisationAdmin
from clusters.models import (
    Membership,
    Organisation,
    OrganisationRelation,
    Site,
)
from tests.admin_helpers import admin_url, shown
from tests.factories import (
    AgreementPartyFactory,
    ClusterFactory,
    MembershipFactory,
    MembershipTypeFactory,
    OrganisationFactory,
    OrganisationNameFactory,
    OrganisationRelationFactory,
    PositionFactory,
    PressContactFactory,
    PressReleaseFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_organisation_changelist_finds_an_organisation_by_a_former_name(admin_client):
    organisation = OrganisationFactory(name="Basque Health Cluster")
    OrganisationNameFactory(organisation=organisation, name="Basque Biocluster")
    OrganisationFactory(name="Leem")

    response = admin_client.get(admin_url(Organisation, "changelist"), {"q": "Biocluster"})

    assert list(response.context["cl"].result_list) == [organisation]


def test_organisation_form_shows_its_members_and_relations_as_inlines(admin_client):
    cluster = ClusterFactory(name="Polepharma")
    MembershipFactory(cluster=cluster, member=OrganisationFactory(name="Sanofi"))
    OrganisationRelationFactory(source=cluster, target=OrganisationFactory(name="Basque Health Cluster"))

    response = admin_client.get(admin_url(Organisation, "change", cluster.pk))

    inline_models = [inline.formset.model for inline in response.context["inline_admin_formsets"]]
    assert Membership in inline_models
    assert OrganisationRelation in inline_models
    assert "Sanofi" in response.text
    assert "Basque Health Cluster" in response.text


def test_organisation_form_links_to_its_people_press_contacts_and_agreements(admin_client):
    organisation = OrganisationFactory(name="Polepharma")
    position = PositionFactory(organisation=organisation, title="Directeur Général", person__family_name="Riolet")
    press_contact = PressContactFactory(organisation=organisation, person__family_name="Bou")
    party = AgreementPartyFactory(organisation=organisation, agreement__title="Convention Leem-GIPSO")
    press_release = PressReleaseFactory(title="Alliance Polepharma")
    press_release.issuers.add(organisation)

    response = admin_client.get(admin_url(Organisation, "change", organisation.pk))

    assert f'href="{reverse("admin:contacts_person_change", args=[position.person.pk])}"' in response.text
    assert "Directeur Général" in response.text
    assert f'href="{reverse("admin:contacts_person_change", args=[press_contact.person.pk])}"' in response.text
    assert f'href="{reverse("admin:agreements_agreement_change", args=[party.agreement.pk])}"' in response.text
    assert f'href="{reverse("admin:agreements_pressrelease_change", args=[press_release.pk])}"' in response.text


def test_membership_list_links_to_the_member_and_the_cluster(admin_client):
    membership = MembershipFactory(cluster__name="Polepharma", member__name="Sanofi")

    response = admin_client.get(admin_url(Membership, "changelist"))

    assert f'href="{admin_url(Organisation, "change", membership.member.pk)}"' in response.text
    assert f'href="{admin_url(Organisation, "change", membership.cluster.pk)}"' in response.text


def test_membership_form_names_the_member_and_the_cluster(admin_client):
    membership = MembershipFactory(cluster__name="Polepharma", member__name="Sanofi")

    response = admin_client.get(admin_url(Membership, "change", membership.pk))

    assert response.context["subtitle"].startswith("Sanofi — Polepharma")


def test_staff_add_an_organisation_with_its_former_name(admin_client):
    response = admin_client.post(
        admin_url(Organisation, "add"),
        {
            "name": "Basque Health Cluster",
            "acronym": "BHC",
            "slug": "basque-health-cluster",
            "kind": Organisation.Kind.CLUSTER,
            "country": "ES",
            "other_names-TOTAL_FORMS": "1",
            "other_names-INITIAL_FORMS": "0",
            "other_names-0-name": "Basque Biocluster",
            "other_names-0-kind": "former",
            "other_names-0-used_until": "2017-06-01",
            **{
                f"{prefix}-{suffix}": "0"
                for prefix in [
                    "sites",
                    "territories",
                    "key_figures",
                    "membership_types",
                    "memberships",
                    "relations_from",
                    "agreements-provenance-content_type-object_id",
                ]
                for suffix in ["TOTAL_FORMS", "INITIAL_FORMS"]
            },
        },
    )

    assert response.status_code == 302, response.context["errors"]
    organisation = Organisation.objects.get(slug="basque-health-cluster")
    assert list(organisation.other_names.values_list("name", flat=True)) == ["Basque Biocluster"]


def test_slug_is_typed_when_adding_an_organisation_and_read_only_afterwards(admin_client):
    organisation = OrganisationFactory(slug="polepharma")

    add_form = admin_client.get(admin_url(Organisation, "add")).context["adminform"].form
    change_page = admin_client.get(admin_url(Organisation, "change", organisation.pk))

    assert "slug" in add_form.fields
    assert "slug" not in change_page.context["adminform"].form.fields
    assert "polepharma" in change_page.text
    # Each request builds its own list: the change form's read-only slug does not leak into the class.
    assert "slug" not in OrganisationAdmin.readonly_fields
    assert "slug" in admin_client.get(admin_url(Organisation, "add")).context["adminform"].form.fields


def test_sources_inline_shows_the_press_release_an_organisation_was_taken_from(admin_client):
    organisation = OrganisationFactory(name="GIPSO")
    press_release = PressReleaseFactory(title="Convention Leem-GIPSO")
    Provenance.objects.create(press_release=press_release, record=organisation)

    response = admin_client.get(admin_url(Organisation, "change", organisation.pk))

    assert f'href="{reverse("admin:agreements_pressrelease_change", args=[press_release.pk])}"' in response.text
    assert "Convention Leem-GIPSO" in response.text
    sources = next(inline for inline in response.context["inline_admin_formsets"] if inline.formset.model is Provenance)
    assert not sources.has_add_permission
    assert not sources.has_change_permission


def test_staff_member_without_permission_cannot_open_organisations(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(admin_url(Organisation, "changelist")).status_code == 403


def test_staff_member_with_view_permission_reads_but_cannot_edit(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    client.force_login(user)
    organisation = OrganisationFactory(name="Leem")

    response = client.get(admin_url(Organisation, "change", organisation.pk))

    assert response.status_code == 200
    assert "Leem" in response.text
    assert response.context["has_change_permission"] is False
    assert client.post(admin_url(Organisation, "change", organisation.pk), {"name": "Autre"}).status_code == 403


def organisation_form(organisation, **fields):
    return {
        "name": organisation.name,
        "kind": organisation.kind,
        "country": "FR",
        **{
            f"{prefix}-{suffix}": "0"
            for prefix in [
                "other_names",
                "sites",
                "territories",
                "key_figures",
                "membership_types",
                "memberships",
                "relations_from",
                "agreements-provenance-content_type-object_id",
            ]
            for suffix in ["TOTAL_FORMS", "INITIAL_FORMS"]
        },
        **fields,
    }


def test_two_head_offices_in_one_save_are_refused(admin_client):
    organisation = ClusterFactory(name="Polepharma")

    response = admin_client.post(
        admin_url(Organisation, "change", organisation.pk),
        organisation_form(
            organisation,
            **{"sites-TOTAL_FORMS": "2"},
            **{"sites-0-name": "Siège de Dreux", "sites-0-kind": "head_office"},
            **{"sites-1-name": "Siège de Chartres", "sites-1-kind": "head_office"},
        ),
    )

    assert response.status_code == 200
    assert shown("An organisation has only one head office.") in response.text
    assert not organisation.sites.exists()


def test_staff_move_the_head_office_to_another_site_in_one_save(admin_client):
    organisation = ClusterFactory(name="Polepharma")
    chartres = SiteFactory(organisation=organisation, name="Antenne de Chartres", kind=Site.Kind.ANTENNA)
    dreux = SiteFactory(organisation=organisation, name="Siège de Dreux", kind=Site.Kind.HEAD_OFFICE)

    response = admin_client.post(
        admin_url(Organisation, "change", organisation.pk),
        organisation_form(
            organisation,
            # The form lists the head office first, as the page shows it.
            **{"sites-TOTAL_FORMS": "2", "sites-INITIAL_FORMS": "2"},
            **{"sites-0-id": dreux.pk, "sites-0-name": dreux.name, "sites-0-kind": "antenna"},
            **{"sites-1-id": chartres.pk, "sites-1-name": chartres.name, "sites-1-kind": "head_office"},
        ),
    )

    assert response.status_code == 302, response.context["errors"]
    assert organisation.sites.get(kind=Site.Kind.HEAD_OFFICE) == chartres


def test_a_clusters_change_page_reads_as_many_queries_for_thirty_members_as_for_one(
    admin_client, django_assert_num_queries
):
    def cluster_with(members: int) -> Organisation:
        cluster = ClusterFactory()
        kind = MembershipTypeFactory(cluster=cluster, name="Adhérent")
        for _index in range(members):
            MembershipFactory(cluster=cluster, membership_type=kind)
        OrganisationRelationFactory(source=cluster)
        return cluster

    small, large = cluster_with(1), cluster_with(30)
    # Content types and permissions cached, as on a running server.
    admin_client.get(admin_url(Organisation, "change", small.pk))
    with CaptureQueriesContext(connection) as with_one:
        admin_client.get(admin_url(Organisation, "change", small.pk))

    with django_assert_num_queries(len(with_one.captured_queries)):
        html = admin_client.get(admin_url(Organisation, "change", large.pk)).content.decode()

    # Each member row names its member and its kind of membership in its autocomplete boxes.
    for membership in large.memberships.select_related("member"):
        assert f'<option value="{membership.member_id}" selected>{membership.member.name}</option>' in html
    assert html.count(">Adhérent</option>") == 30
