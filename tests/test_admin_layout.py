"""The admin's own layout: French first with a language switch, styles served by the project."""

from contacts.models import Person
from tests.admin_helpers import admin_url


def test_admin_pages_offer_a_language_switch(admin_client):
    response = admin_client.get(admin_url(Person, "changelist"))
    page = response.content.decode()
    assert '<html lang="fr"' in page
    assert 'action="/i18n/setlang/"' in page
    # One click: a button per other language, named in that language.
    assert 'name="language" value="en" lang="en">English</button>' in page
    assert ">Français<" not in page


def test_switching_to_english_keeps_the_page_and_speaks_english(admin_client):
    response = admin_client.post(
        "/i18n/setlang/", {"language": "en", "next": admin_url(Person, "changelist")}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/en/admin/contacts/person/"
    page = response.content.decode()
    assert '<html lang="en"' in page
    assert "Select person to change" in page
    assert 'name="language" value="fr" lang="fr">Français</button>' in page


def test_switching_back_to_french(admin_client):
    admin_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    response = admin_client.post("/i18n/setlang/", {"language": "fr", "next": "/en/admin/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert '<html lang="fr"' in response.content.decode()


def test_admin_pages_load_the_project_stylesheet_from_its_own_static_files(admin_client):
    page = admin_client.get(admin_url(Person, "changelist")).content.decode()
    assert 'href="/static/crm/admin.css"' in page
    assert "//cdn" not in page and "https://" not in page.split("<body")[0]
