"""The pages every user passes through: login, dashboard, logout, language."""

import pytest

from tests.factories import PersonFactory


def test_home_page_needs_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_staff_logs_in_on_the_french_login_page_and_lands_on_the_dashboard(client, viewer):
    page = client.get("/login/").content.decode()
    assert '<html lang="fr">' in page and "Connexion" in page
    response = client.post("/login/", {"username": "viewer", "password": "correct-horse-battery-staple"})
    assert response["Location"] == "/"
    assert "Tableau de bord" in client.get("/").content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, viewer):
    response = client.post("/login/", {"username": "viewer", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_dashboard_counts_records_and_lists_recent_changes(seed, viewer_client):
    PersonFactory(given_name="Nerea", family_name="Goikoetxea")
    html = viewer_client.get("/").content.decode()
    assert 'action="/contacts/"' in html and 'name="q"' in html
    assert '<span class="figure">13</span>' in html  # 12 people from the releases and Nerea
    assert '<span class="figure">9</span>' in html  # organisations
    assert '<span class="figure">2</span>' in html  # agreements, press releases
    assert 'href="/contacts/' in html and "Nerea Goikoetxea" in html
    assert 'href="/press-releases/"' in html


def test_dashboard_shows_only_what_the_user_may_see(client, django_user_model, seed):
    user = django_user_model.objects.create_user("plain", password="correct-horse-battery-staple")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Philippe" not in html
    assert 'href="/contacts/"' not in html


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_dashboard_query_count_is_fixed(seed, viewer_client, django_assert_max_num_queries, path):
    with django_assert_max_num_queries(16):
        assert viewer_client.get(path).status_code == 200


def test_logout_is_a_post_and_returns_to_login(viewer_client):
    response = viewer_client.post("/logout/")
    assert response["Location"] == "/login/"
    assert viewer_client.get("/")["Location"].startswith("/login/")


def test_pages_come_in_english_too(seed, viewer_client):
    html = viewer_client.get("/en/").content.decode()
    assert '<html lang="en">' in html and "Dashboard" in html


def test_the_admin_links_to_the_pages(admin_client):
    assert 'href="/"' in admin_client.get("/admin/").content.decode()


def test_static_files_are_served_by_the_project(client, db, settings):
    from django.contrib.staticfiles import finders

    assert finders.find("crm/site.css")
    assert finders.find("django_htmx/htmx-2.min.js")
