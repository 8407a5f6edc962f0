"""The back office for organisations, as a staff member uses it."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from agreements.models import Provenance
from clusters.admin import OrganisationAdmin
from clusters.models import (
    KeyFigure,
    Membership,
    MembershipType,
    Organisation,
    OrganisationName,
    OrganisationRelation,
    Sector,
    Site,
    Territory,
)
from tests.factories import (
    AgreementPartyFactory,
    ClusterFactory,
    KeyFigureFactory,
    MembershipFactory,
    MembershipTypeFactory,
    OrganisationFactory,
    OrganisationNameFactory,
    OrganisationRelationFactory,
    PositionFactory,
    PressContactFactory,
    PressReleaseFactory,
    SectorFactory,
    SiteFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# What the changelist shows of each record, so that the test sees the row a user would see.
FACTORIES = {
    Sector: (SectorFactory, lambda sector: sector.name),
    Organisation: (OrganisationFactory, lambda organisation: organisation.name),
    OrganisationName: (OrganisationNameFactory, lambda other_name: other_name.organisation.name),
    Site: (SiteFactory, lambda site: site.organisation.name),
    Territory: (TerritoryFactory, lambda territory: territory.region),
    KeyFigure: (KeyFigureFactory, lambda figure: figure.organisation.name),
    MembershipType: (MembershipTypeFactory, lambda membership_type: membership_type.cluster.name),
    Membership: (MembershipFactory, lambda membership: membership.member.name),
    OrganisationRelation: (OrganisationRelationFactory, lambda relation: relation.target.name),
}


def shown(message, **params):
    """``message`` as the French admin prints it in a page (translated once the catalogue has it, HTML-escaped)."""
    with translation.override("fr"):
        return escape(gettext(message) % params if params else gettext(message))


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", FACTORIES, ids=lambda model: model.__name__)
def test_changelist_lists_the_record(admin_client, model):
    factory, visible_text = FACTORIES[model]
    record = factory()

    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert visible_text(record) in response.text


@pytest.mark.parametrize("model", FACTORIES, ids=lambda model: model.__name__)
def test_change_form_opens_the_record(admin_client, model):
    factory, _visible_text = FACTORIES[model]
    record = factory()

    response = admin_client.get(admin_url(model, "change", record.pk))

    assert response.status_code == 200
    assert response.context["original"] == record


@pytest.mark.parametrize("model", FACTORIES, ids=lambda model: model.__name__)
def test_add_form_renders(admin_client, model):
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == 200
    assert response.context["add"] is True


def build_organisations(count):
    sectors = SectorFactory.create_batch(2)
    for organisation in OrganisationFactory.create_batch(count):
        organisation.sectors.set(sectors)


def build_sectors(count):
    organisation = OrganisationFactory()
    for sector in SectorFactory.create_batch(count):
        sector.organisations.add(organisation)


def build_territories(count):
    for _ in range(count):
        TerritoryFactory(through=OrganisationFactory())


def build_memberships(count):
    for _ in range(count):
        cluster = ClusterFactory()
        MembershipFactory(cluster=cluster, membership_type=MembershipTypeFactory(cluster=cluster))


# model: (how to build n rows, queries of one changelist page)
CHANGELISTS = {
    Sector: (build_sectors, 5),
    Organisation: (build_organisations, 8),
    OrganisationName: (OrganisationNameFactory.create_batch, 5),
    Site: (SiteFactory.create_batch, 6),
    Territory: (build_territories, 6),
    KeyFigure: (KeyFigureFactory.create_batch, 6),
    MembershipType: (MembershipTypeFactory.create_batch, 5),
    Membership: (build_memberships, 6),
    OrganisationRelation: (OrganisationRelationFactory.create_batch, 5),
}


@pytest.mark.parametrize("model", CHANGELISTS, ids=lambda model: model.__name__)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, django_assert_num_queries, model):
    build, queries = CHANGELISTS[model]
    url = admin_url(model, "changelist")
    build(10)
    admin_client.get(url)  # the first request of a test fills per-process caches (content types)

    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200

    build(90)
    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200


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


@pytest.mark.parametrize("model", FACTORIES, ids=lambda model: model.__name__)
def test_changelist_and_change_forms_render_with_the_seed(admin_client, seed, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    for record in model.objects.all():
        assert admin_client.get(admin_url(model, "change", record.pk)).status_code == 200


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
