"""Every page works under the content security policy: no inline script, no inline event handler, no inline style."""

from html.parser import HTMLParser

import pytest

from agreements.models import Agreement, PressRelease
from clusters.models import Organisation
from contacts.models import ContactList, Person
from events.models import Event
from jobs.models import Job

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


class InlineCodeFinder(HTMLParser):
    """Collects what a strict policy blocks: inline scripts, `<style>` elements, `on…=` and `style=` attributes."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        where = f"<{tag} {' '.join(f'{name}={value!r}' for name, value in attrs)}>"
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.problems.append(f"inline script: {where}")
        if tag == "style":
            self.problems.append(f"<style> element: {where}")
        for name, _value in attrs:
            if name == "style":
                self.problems.append(f"style attribute: {where}")
            if name.startswith("on") and name[2:].isalpha():
                self.problems.append(f"event handler attribute: {where}")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def test_the_finder_sees_what_the_policy_blocks():
    html = (
        '<script>alert(1)</script><script src="/a.js"></script><script type="application/json">{}</script>'
        '<a onclick="x()" href="#">a</a><p style="color: red">b</p><style>p {}</style><img onerror="x()">'
    )
    assert len(inline_code(html)) == 5


def pages():
    person = Person.objects.get(slug="philippe-ivanes")
    organisation = Organisation.objects.get(slug="polepharma")
    agreement = Agreement.objects.order_by("pk").first()
    release = PressRelease.objects.order_by("pk").first()
    event = Event.objects.get(slug="rnaen")
    edition = event.editions.order_by("pk").first()
    contact_list = ContactList.objects.create(name="Presse", slug="presse")
    contact_list.entries.create(person=person)
    job = Job.objects.create(kind=Job.Kind.EXPORT, title="Export", task_path="contacts.tasks.export_people_file")
    site = [
        "/",
        "/en/",
        "/contacts/",
        "/contacts/?q=polepharma",
        f"/contacts/{person.slug}/",
        "/contacts/lists/",
        f"/contacts/lists/{contact_list.slug}/",
        "/organisations/",
        f"/organisations/{organisation.slug}/",
        "/organisations/memberships/renewals/",
        "/organisations/memberships/unpaid-dues/",
        "/agreements/",
        f"/agreements/{agreement.slug}/",
        "/press-releases/",
        f"/press-releases/{release.slug}/",
        "/contacts/events/",
        f"/contacts/events/{event.slug}/",
        "/duplicates/",
        "/jobs/",
        f"/jobs/{job.pk}/",
        "/account/two-factor/",
        "/password-reset/",
    ]
    if edition is not None:
        site.append(f"/contacts/events/{event.slug}/{edition.pk}/")
    admin = [
        "/admin/",
        "/en/admin/",
        "/admin/contacts/person/",
        "/admin/contacts/person/?q=polepharma",
        f"/admin/contacts/person/{person.pk}/change/",
        "/admin/contacts/person/add/",
        "/admin/contacts/person/import/",
        f"/admin/contacts/person/{person.pk}/history/",
        f"/admin/contacts/person/{person.pk}/delete/",
        "/admin/clusters/organisation/",
        f"/admin/clusters/organisation/{organisation.pk}/change/",
        "/admin/clusters/organisation/import/",
        "/admin/clusters/membership/",
        "/admin/agreements/agreement/",
        f"/admin/agreements/agreement/{agreement.pk}/change/",
        "/admin/agreements/pressrelease/",
        f"/admin/agreements/pressrelease/{release.pk}/change/",
        "/admin/agreements/pressrelease/ingest/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/password_change/",
        "/admin/jobs/job/",
        f"/admin/jobs/job/{job.pk}/change/",
        "/admin/axes/accessattempt/",
        "/admin/knox/authtoken/",
        "/admin/knox/authtoken/add/",
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
    ]
    return site + admin + ["/api/docs/"]


@pytest.mark.django_db
def test_every_page_carries_the_policy_and_no_inline_code(seed, admin_client):
    failures = {}
    for path in pages():
        response = admin_client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, path
        policy = dict(directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";"))
        assert policy == POLICY, path
        problems = inline_code(response.content.decode())
        if problems:
            failures[path] = problems
    assert failures == {}


@pytest.mark.django_db
def test_the_api_documentation_script_is_a_file(admin_client):
    page = admin_client.get("/api/docs/").content.decode()
    script = admin_client.get("/api/docs/?script=")

    assert 'src="/api/docs/?script="' in page
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_the_browsable_api_carries_the_policy_too(seed, admin_client):
    """Django REST framework's own pages keep a few style attributes (layout only), which the policy ignores."""
    response = admin_client.get("/api/people/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not [problem for problem in inline_code(response.content.decode()) if "style" not in problem]


@pytest.mark.django_db
def test_the_login_page_carries_the_policy_and_no_inline_code(client):
    response = client.get("/login/")

    assert "Content-Security-Policy" in response
    assert inline_code(response.content.decode()) == []
