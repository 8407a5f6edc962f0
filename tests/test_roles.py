"""The four roles, created by a data migration, checked on every URL name of the site and the API."""

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from contacts.models import ContactList
from events.models import Event, EventEdition

# What each role may do, stated here independently of accounts/roles.py.
ROLE_CAN = {
    "Lecteur": {"view"},
    "Éditeur": {"view", "add", "change"},
    "Exports": {"view", "export"},
    "Administrateur": {"view", "add", "change", "delete", "export"},
}

# (URL name, kwargs, method, query or body, what it needs, the status when allowed)
PAGES = [
    ("dashboard", {}, "get", {}, set(), 200),
    ("contacts:person_list", {}, "get", {}, {"view"}, 200),
    ("contacts:person_detail", {"slug": "stephanie-bou"}, "get", {}, {"view"}, 200),
    ("contacts:export", {}, "get", {"format": "csv"}, {"view", "export"}, 200),
    ("contacts:export_left_out", {}, "get", {"q": "bou"}, {"view", "export"}, 200),
    ("contacts:list_index", {}, "get", {}, {"view"}, 200),
    ("contacts:list_create", {}, "get", {"person": "stephanie-bou"}, {"view", "add"}, 200),
    ("contacts:list_detail", {"slug": "presse"}, "get", {}, {"view"}, 200),
    ("contacts:list_add", {}, "post", {"person": "stephanie-bou", "contact_list": "presse"}, {"change"}, 302),
    ("contacts:list_remove", {"slug": "presse"}, "post", {"person": "stephanie-bou"}, {"change"}, 302),
    ("contacts:list_export", {"slug": "presse"}, "get", {"format": "csv"}, {"view", "export"}, 200),
    ("events:event_list", {}, "get", {}, {"view"}, 200),
    ("events:event_detail", {"slug": "rnaen"}, "get", {}, {"view"}, 200),
    ("events:edition_detail", {"slug": "rnaen", "pk": "EDITION"}, "get", {}, {"view"}, 200),
    ("duplicates", {}, "get", {}, {"view"}, 200),
    ("merge", {}, "post", {"kind": "person"}, {"change", "delete"}, 400),
    ("clusters:organisation_list", {}, "get", {}, {"view"}, 200),
    ("clusters:organisation_detail", {"slug": "polepharma"}, "get", {}, {"view"}, 200),
    ("clusters:organisation_suggestions", {}, "get", {"organisation": "pole"}, {"view"}, 200),
    ("clusters:cluster_suggestions", {}, "get", {"member_of": "pole"}, {"view"}, 200),
    ("clusters:unpaid_dues", {}, "get", {}, {"view"}, 200),
    ("clusters:renewals", {}, "get", {}, {"view"}, 200),
    ("agreements:agreement_list", {}, "get", {}, {"view"}, 200),
    ("agreements:agreement_detail", {"slug": "convention-leem-gipso-2020"}, "get", {}, {"view"}, 200),
    ("agreements:press_release_list", {}, "get", {}, {"view"}, 200),
    ("agreements:press_release_detail", {"slug": "2020-06-12-convention-leem-gipso"}, "get", {}, {"view"}, 200),
    ("api:api-root", {}, "get", {}, set(), 200),
    ("api:schema", {}, "get", {}, set(), 200),
    ("api:docs", {}, "get", {}, set(), 200),
    ("api:person-export", {}, "get", {"format": "csv"}, {"view", "export"}, 200),
    ("api:organisation-detail", {"slug": "polepharma"}, "get", {}, {"view"}, 200),
    ("api:person-detail", {"slug": "stephanie-bou"}, "get", {}, {"view"}, 200),
    ("api:contactlist-detail", {"slug": "presse"}, "get", {}, {"view"}, 200),
    ("api:agreement-detail", {"slug": "convention-leem-gipso-2020"}, "get", {}, {"view"}, 200),
    ("api:pressrelease-detail", {"slug": "2020-06-12-convention-leem-gipso"}, "get", {}, {"view"}, 200),
    # Every email and phone number at once is an export.
    ("api:contactpoint-list", {}, "get", {}, {"view", "export"}, 200),
    ("two_factor", {}, "get", {}, set(), 200),
] + [
    (f"api:{name}-list", {}, "get", {}, {"view"}, 200)
    for name in [
        "organisation",
        "membership",
        "organisationrelation",
        "site",
        "keyfigure",
        "person",
        "position",
        "presscontact",
        "contactlist",
        "agreement",
        "agreementparty",
        "signatory",
        "pressrelease",
    ]
]


def test_the_roles_exist_with_what_they_allow(db):
    roles = {group.name: {p.codename for p in group.permissions.all()} for group in Group.objects.all()}
    assert set(roles) >= set(ROLE_CAN)
    assert "view_person" in roles["Lecteur"] and "change_person" not in roles["Lecteur"]
    assert {"add_person", "change_person"} <= roles["Éditeur"] and "delete_person" not in roles["Éditeur"]
    assert "export_contacts" in roles["Exports"] and "export_contacts" not in roles["Éditeur"]
    assert {"delete_person", "delete_organisation", "export_contacts"} <= roles["Administrateur"]


@pytest.fixture
def site(seed, django_user_model):
    ContactList.objects.create(slug="presse", name="Presse")
    edition = EventEdition.objects.create(event=Event.objects.get(slug="rnaen"), starts_on=datetime.date(2026, 10, 8))
    clients = {}
    for role in ROLE_CAN:
        user = django_user_model.objects.create_user(f"user-{len(clients)}", password="correct-horse-battery-staple")
        user.groups.add(Group.objects.get(name=role))
        client = Client()
        client.force_login(user)
        clients[role] = client
    return clients, edition


@pytest.mark.parametrize("role", list(ROLE_CAN))
def test_every_url_answers_each_role_as_its_permissions_say(site, role):
    clients, edition = site
    client = clients[role]
    wrong = []
    for name, kwargs, method, data, needs, allowed_status in PAGES:
        kwargs = {key: edition.pk if value == "EDITION" else value for key, value in kwargs.items()}
        url = reverse(name, kwargs=kwargs)
        response = getattr(client, method)(url, data)
        expected = allowed_status if needs <= ROLE_CAN[role] else 403
        if response.status_code != expected:
            wrong.append(f"{method.upper()} {url}: {response.status_code}, expected {expected}")
    assert wrong == []


def test_anonymous_visitors_get_nothing(site):
    client = Client()
    for name, kwargs, method, data, _needs, _status in PAGES:
        url = reverse(name, kwargs={key: 1 if value == "EDITION" else value for key, value in kwargs.items()})
        response = getattr(client, method)(url, data)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), url
        else:
            assert response.status_code == 302 and "/login/" in response["Location"], url


# Pages for people who cannot log in yet: every role and every visitor reaches them.
PUBLIC_PAGES = ["login", "password_reset", "password_reset_done", "password_reset_complete"]


def test_the_login_and_password_reset_pages_are_open_to_everyone(site):
    clients, _edition = site
    for who, client in [*clients.items(), ("anonymous", Client())]:
        for name in PUBLIC_PAGES:
            response = client.get(reverse(name))
            expected = 302 if name == "login" and who != "anonymous" else 200  # a logged-in user is sent on
            assert response.status_code == expected, (who, name)


def test_the_roles_cover_every_app_of_the_project_that_has_records():
    from django.apps import apps
    from django.conf import settings

    from accounts.roles import ADMINISTRATOR_APPS, CRM_APPS

    with_records = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).parent == Path(settings.BASE_DIR) and any(True for _ in config.get_models())
    }
    assert with_records == set(CRM_APPS) | set(ADMINISTRATOR_APPS)


@pytest.mark.django_db
def test_only_administrators_see_retry_and_cancel_everyones_jobs():
    jobs = {
        group.name: sorted(group.permissions.filter(content_type__app_label="jobs").values_list("codename", flat=True))
        for group in Group.objects.all()
    }
    assert jobs.pop("Administrateur") == [
        "add_importmapping",
        "add_job",
        "add_schedule",
        "change_importmapping",
        "change_job",
        "change_schedule",
        "delete_importmapping",
        "delete_job",
        "delete_schedule",
        "view_importmapping",
        "view_job",
        "view_schedule",
    ]
    assert set(map(tuple, jobs.values())) == {()}
