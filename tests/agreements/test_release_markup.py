"""A press release's text is rendered from its Markdown into sanitised HTML, its addresses and e-mails links."""

import pytest
from bs4 import BeautifulSoup

from agreements.markup import sanitise
from tests.factories import OrganisationFactory, PressReleaseFactory

RELEASE_2022 = "/press-releases/2022-05-12-alliance-polepharma-gipso-basque-health-cluster/"
RELEASE_2020 = "/press-releases/2020-06-12-convention-leem-gipso/"

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(1)>",
    "javascript link": "[x](javascript:alert(1))",
    "javascript autolink": "<javascript:alert(1)>",
    "onclick": '<a href="#" onclick="alert(1)">x</a>',
    "svg": "<svg onload=alert(1)>",
    "style": '<p style="color:red">red</p>',
    "entity-encoded javascript": "[x](&#x6a;avascript:alert(1))",
    "data link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
}


def release_text(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one(".release-text")


def assert_nothing_runs(html: BeautifulSoup) -> None:
    assert html.find_all(["script", "img", "svg", "iframe", "style", "object"]) == []
    for element in html.find_all(True):
        for attribute in element.attrs:
            assert not attribute.lower().startswith("on"), element
            assert attribute != "style", element
    for link in html.find_all("a", href=True):
        href = link["href"]
        assert href.split(":")[0].lower() in ("http", "https", "mailto") or href.startswith("/"), link


@pytest.fixture
def seeded_viewer(seed, viewer_client):
    return viewer_client


def test_seed_release_shows_bold_as_strong_and_no_markup(seeded_viewer):
    text = release_text(seeded_viewer.get(RELEASE_2022))
    assert "POLEPHARMA - GIPSO" in [strong.get_text() for strong in text.find_all("strong")]
    assert "**" not in text.get_text()
    assert "<https://" not in text.get_text()
    assert text.name == "div" and text.find("pre") is None  # a document, no longer preformatted text


def test_seed_release_links_its_web_addresses_and_emails(seeded_viewer):
    text = release_text(seeded_viewer.get(RELEASE_2022))
    links = {link["href"]: link for link in text.find_all("a")}
    assert links["https://www.polepharma.com/"].get_text() == "https://www.polepharma.com/"
    assert "https://www.basquehealthcluster.org/es/" in links
    assert links["mailto:capucine.sarrade-loucheur@polepharma.com"].get_text() == (
        "capucine.sarrade-loucheur@polepharma.com"
    )
    assert links["https://www.polepharma.com/"]["rel"] == ["noopener", "noreferrer", "nofollow"]


def test_an_address_followed_by_a_slash_links_the_address_alone(seeded_viewer):
    text = release_text(seeded_viewer.get(RELEASE_2020))
    link = text.find("a", href="mailto:sbou@leem.org")
    assert link is not None and link.get_text() == "sbou@leem.org"


def test_a_link_to_nowhere_keeps_its_words_without_markup(seeded_viewer):
    text = release_text(seeded_viewer.get(RELEASE_2020))
    assert "cluster des industries de santé Nouvelle-Aquitaine, GIPSO" in text.get_text()
    assert "](#)" not in text.get_text()
    assert text.find("a", href="#") is None


def test_a_bare_www_address_and_an_email_become_links(db, viewer_client):
    PressReleaseFactory(slug="bare", text="Site : www.leem.org\nÉcrire à presse@leem.org.")
    text = release_text(viewer_client.get("/press-releases/bare/"))
    assert text.find("a", href="http://www.leem.org").get_text() == "www.leem.org"
    assert text.find("a", href="mailto:presse@leem.org").get_text() == "presse@leem.org"
    assert text.find("br") is not None  # a line end in the release is a line break on the page


def test_the_seed_release_keeps_its_links_to_people_organisations_and_agreements(seeded_viewer):
    text = release_text(seeded_viewer.get(RELEASE_2022))
    links = {(link["href"], link.get_text()) for link in text.find_all("a")}
    assert ("/contacts/maria-pascual-de-zulueta/", "Maria PASCUAL DE ZULUETA") in links
    assert ("/organisations/basque-health-cluster/", "Basque Health Cluster") in links
    assert ("/organisations/polepharma/", "Polepharma-GIPSO") in links
    assert ("/organisations/polepharma/", "POLEPHARMA - GIPSO") in links  # inside the bold text
    assert ("/contacts/fabien-riolet/", "Fabien Riolet") in links
    # Names are never linked inside an address.
    assert text.find("a", href="mailto:camille.garcia@polepharma.com").find("a") is None
    assert text.find("a", href="/organisations/polepharma/", string="polepharma") is None


def test_a_release_links_the_agreement_it_announces(db, viewer_client):
    from tests.factories import AgreementFactory

    agreement = AgreementFactory(title="Convention Adour")
    release = PressReleaseFactory(slug="adour", text="La **Convention Adour** est signée.")
    release.agreements.add(agreement)
    text = release_text(viewer_client.get("/press-releases/adour/"))
    assert text.find("strong").find("a", href=agreement.get_absolute_url()).get_text() == "Convention Adour"


def test_names_link_only_outside_links_from_the_text(db, viewer_client):
    organisation = OrganisationFactory(name="Leem", acronym="")
    release = PressReleaseFactory(slug="leem", text="Le [Leem](https://www.leem.org/) et le Leem.")
    release.issuers.add(organisation)
    text = release_text(viewer_client.get("/press-releases/leem/"))
    assert [(link["href"], link.get_text()) for link in text.find_all("a")] == [
        ("https://www.leem.org/", "Leem"),
        (organisation.get_absolute_url(), "Leem"),
    ]


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_markup_that_could_run_never_survives_on_the_page(db, viewer_client, hostile):
    PressReleaseFactory(slug="hostile", text=f"Avant {hostile} après\n\n{hostile}")
    response = viewer_client.get("/press-releases/hostile/")
    assert_nothing_runs(release_text(response))
    assert "javascript:" not in " ".join(
        link.get("href", "") for link in BeautifulSoup(response.content, "html.parser").find_all("a")
    )


def test_raw_html_in_a_release_is_shown_as_text(db, viewer_client):
    PressReleaseFactory(slug="shown", text="<b>gras</b> <script>alert(1)</script>")
    text = release_text(viewer_client.get("/press-releases/shown/"))
    assert text.find("b") is None
    assert "<b>gras</b> <script>alert(1)</script>" in text.get_text()


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_sanitiser_drops_what_could_run_even_when_given_html(hostile):
    """The second line of defence: were the renderer to pass raw HTML, nh3 would still clean it."""
    dirty = f"<p>{hostile}</p><a href='javascript:alert(1)' onmouseover='x()'>y</a><a href='//evil.example'>z</a>"
    html = BeautifulSoup(sanitise(dirty), "html.parser")
    assert_nothing_runs(html)
    assert "alert" not in " ".join(str(value) for element in html.find_all(True) for value in element.attrs.values())
    assert html.find_all("a", href=True) == []
