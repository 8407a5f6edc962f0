"""The back office in the pages' look: technical sections for superusers only, titles that read naturally, the
shared design tokens, long inlines folded (docs/decisions/0041-one-design-system.md)."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, pgettext

from backoffice.titles import RECORD_NAMES
from clusters.models import Organisation
from contacts.models import Person
from tests.admin_helpers import admin_url

pytestmark = pytest.mark.django_db

OUR_APPS = {"clusters", "contacts", "events", "agreements", "jobs", "webhooks"}
TECHNICAL_LISTS = [
    "/admin/axes/accessattempt/",
    "/admin/axes/accesslog/",
    "/admin/axes/accessfailurelog/",
    "/admin/knox/authtoken/",
    "/admin/otp_totp/totpdevice/",
    "/admin/otp_static/staticdevice/",
    "/admin/django_tasks_database/dbtaskresult/",
    "/admin/agreements/provenance/",
]


@pytest.fixture
def editor(django_user_model):
    """An Éditeur who was also given, by hand, the right to look at every technical model: the index must still
    leave those out for them."""
    user = django_user_model.objects.create_user("editor", "editor@example.org", "x", is_staff=True)
    user.groups.add(Group.objects.get(name="Éditeur"))
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["axes", "knox", "otp_totp", "otp_static", "django_tasks_database"],
            codename__startswith="view_",
        )
    )
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def links(page: str) -> set[str]:
    return set(re.findall(r'href="(/admin/[^"?]*)"', page))


def test_the_index_leaves_technical_sections_out_for_staff(editor_client):
    page = editor_client.get("/admin/").content.decode()
    assert "/admin/clusters/organisation/" in links(page)
    assert "/admin/contacts/person/" in links(page)
    assert not links(page) & set(TECHNICAL_LISTS)
    assert ">Axes<" not in page


def test_the_sidebar_leaves_technical_sections_out_for_staff(editor_client):
    page = editor_client.get(admin_url(Organisation, "changelist")).content.decode()
    assert 'id="nav-sidebar"' in page
    assert "/admin/contacts/person/" in links(page)
    assert not links(page) & set(TECHNICAL_LISTS)


def test_superusers_see_the_technical_sections(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert set(TECHNICAL_LISTS) <= links(page)
    assert "/admin/clusters/organisation/" in links(page)


def test_a_technical_list_still_opens_by_its_address_for_who_may_see_it(editor_client):
    assert editor_client.get("/admin/agreements/provenance/").status_code == 200
    assert editor_client.get("/admin/axes/accessattempt/").status_code == 200


def test_the_change_form_title_names_the_record_with_its_article(admin_client):
    organisation = Organisation.objects.create(name="Polepharma", slug="polepharma")
    with translation.override("en"):
        page = admin_client.get(admin_url(Organisation, "change", organisation.pk)).content.decode()
    assert "<h1>Change organisation</h1>" in page

    with translation.override("fr"):
        page = admin_client.get(admin_url(Organisation, "change", organisation.pk)).content.decode()
        expected = gettext("Change %(the_record)s") % {"the_record": pgettext("definite article", "organisation")}
    assert f"<h1>{escape(expected)}</h1>" in page
    assert "Modification de organisation" not in page


def test_the_add_form_and_the_list_have_natural_titles(admin_client):
    with translation.override("en"):
        add = admin_client.get(admin_url(Organisation, "add")).content.decode()
        listing = admin_client.get(admin_url(Person, "changelist")).content.decode()
    assert "<h1>Add organisation</h1>" in add
    assert "<h1>Select person to change</h1>" in listing

    with translation.override("fr"):
        listing = admin_client.get(admin_url(Person, "changelist")).content.decode()
        expected = gettext("Select %(a_record)s to change") % {"a_record": pgettext("indefinite article", "person")}
    assert f"<h1>{escape(expected)}</h1>" in listing
    assert "<h1>Choisissez une personne à modifier</h1>" in listing


def test_the_lists_add_button_names_the_record_with_its_article(admin_client):
    with translation.override("en"):
        listing = admin_client.get(admin_url(Person, "changelist")).content.decode()
    assert re.search(r'class="addlink">\s*Add person\s*</a>', listing)
    with translation.override("fr"):
        listing = admin_client.get(admin_url(Person, "changelist")).content.decode()
    assert re.search(r'class="addlink">\s*Ajouter une personne\s*</a>', listing)
    assert "Ajouter personne" not in listing


def test_a_reader_sees_a_view_title(client, viewer):
    viewer.is_staff = True
    viewer.save()
    client.force_login(viewer)
    organisation = Organisation.objects.create(name="Polepharma", slug="polepharma")
    with translation.override("en"):
        page = client.get(admin_url(Organisation, "change", organisation.pk)).content.decode()
        listing = client.get(admin_url(Organisation, "changelist")).content.decode()
    assert "<h1>View organisation</h1>" in page
    assert "<h1>Select organisation to view</h1>" in listing


def test_every_model_of_ours_in_the_back_office_has_its_names():
    """A new model without its names would fall back to « Modification de … »."""
    ours = {model._meta.label_lower for model in admin.site._registry if model._meta.app_label in OUR_APPS}
    assert ours - set(RECORD_NAMES) == set()
    assert set(RECORD_NAMES) <= {model._meta.label_lower for model in apps.get_models()}


def test_admin_pages_draw_with_the_shared_tokens_and_no_dark_theme(admin_client):
    urls = ["/admin/", admin_url(Person, "changelist"), admin_url(Organisation, "add")]
    pages = [admin_client.get(url) for url in urls]
    pages.append(Client().get("/admin/login/"))
    for response in pages:
        assert response.status_code == 200
        page, url = response.content.decode(), response.wsgi_request.path
        assert page.index('href="/static/crm/tokens.css"') < page.index('href="/static/crm/admin.css"'), url
        # After Django's own stylesheets, so that its rules win.
        assert page.index('href="/static/admin/css/responsive.css"') < page.index('href="/static/crm/admin.css"')
        assert '<script src="/static/crm/admin.js" defer></script>' in page
        assert "dark_mode.css" not in page and "theme-toggle" not in page, url


def test_the_header_leads_back_to_the_pages(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert '<div id="site-name"><a href="/">Cluster CRM</a></div>' in page
    assert 'class="backoffice-home" href="/admin/"' in page


def test_long_inlines_of_an_organisation_are_folded(admin_client):
    organisation = Organisation.objects.create(name="Polepharma", slug="polepharma")
    response = admin_client.get(admin_url(Organisation, "change", organisation.pk))
    folded = {
        formset.opts.model._meta.model_name
        for formset in response.context["inline_admin_formsets"]
        if formset.is_collapsible
    }
    assert {"site", "territory", "keyfigure", "organisationrelation", "organisationname"} <= folded
    assert response.content.decode().count("<details>") >= len(folded)


def test_a_person_keeps_positions_open(admin_client):
    person = Person.objects.create(given_name="Philippe", family_name="Ivanès", slug="philippe-ivanes")
    response = admin_client.get(admin_url(Person, "change", person.pk))
    open_inlines = {
        formset.opts.model._meta.model_name
        for formset in response.context["inline_admin_formsets"]
        if not formset.is_collapsible
    }
    assert "position" in open_inlines
