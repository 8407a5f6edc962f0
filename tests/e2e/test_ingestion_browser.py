"""Press releases ingested through the admin in a real browser, one per format the partners send (text, PDF, Word,
HTML, e-mail): the file is uploaded, a worker reads it, and the review shows what the corpus's JSON expects. One
release is then confirmed and stored. The server and the worker are started as `make run` starts them, on a copy
of the test database they share (as in test_export_job_browser.py).

Each review is saved as a full-page screenshot, at a desktop and at a phone width, in test-results/ingestion/
(git-ignored): <format>-1366.png and <format>-390.png."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.utils import formats, translation

from tests.processes import (
    PROJECT_ROOT,
    connected_to,
    copy_of_the_test_database,
    serving,
)

PASSWORD = "correct-horse-battery-staple"  # noqa: S105
CORPUS = PROJECT_ROOT / "tests" / "agreements" / "corpus"
SCREENSHOTS = PROJECT_ROOT / "test-results" / "ingestion"
WIDTHS = [1366, 390]

# The tests read nothing from the database themselves, but without the mark the module's fixture copied an empty
# database: the mark has pytest-django's test database in place for the copy the server and the worker share.
pytestmark = pytest.mark.django_db

# (format, corpus file, the addresses and numbers the review lists as owned by no contact for sure)
RELEASES = [
    pytest.param("txt", "es_bhc_contacto_prensa.txt", [], id="txt"),
    pytest.param("pdf", "fr_pdf_alliance_formation.pdf", [], id="pdf"),
    pytest.param("docx", "es_docx_tabla_contactos.docx", [], id="docx"),
    pytest.param("html", "en_html_newsletter_table.html", [], id="html"),
    pytest.param("eml", "fr_eml_html_et_piece_jointe.eml", [], id="eml"),
    # A number two contact blocks could own (tests/agreements/test_corpus.py): shown apart, attached to nobody.
    pytest.param("txt-unassigned", "fr_telephone_entre_deux.txt", ["+33611223344"], id="txt-unassigned"),
]


@pytest.fixture(scope="module")
def crm(django_db_setup, django_db_blocker, tmp_path_factory):
    """The development server and a worker on a copy of the test database, with an administrator: started once
    for the module, since every test goes through them and starting them takes seconds."""
    folder = tmp_path_factory.mktemp("ingestion")
    with django_db_blocker.unblock(), copy_of_the_test_database(folder) as settings_dict:
        with connected_to(settings_dict) as url:
            # The records a CRM holds once set up (`loaddata seed`): the partners' organisations, which the corpus's
            # JSON expects to be recognised (tests/agreements/corpus_scores.py, KNOWN_ORGANISATIONS).
            call_command("loaddata", "seed", verbosity=0)
            # Hashed as the server checks it: the tests' own hasher (MD5, for speed) is not the server's.
            password = PBKDF2PasswordHasher().encode(PASSWORD, "e2e-salt", iterations=1_000)
            get_user_model().objects.create(
                username="admin", email="admin@example.org", password=password, is_staff=True, is_superuser=True
            )
        # Each test's own transaction stays on the test database: on the copy it would hold the lock the server
        # and the worker write under.
        with serving(url, folder, "/admin/login/") as base:
            yield base


@pytest.fixture
def admin_page(page, crm):
    page.goto(f"{crm}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{crm}/admin/")
    return page


def expected_for(name: str) -> dict:
    return json.loads((CORPUS / name).with_suffix(".json").read_text("utf-8"))


def french_date(iso: str) -> str:
    with translation.override("fr"):
        return formats.date_format(datetime.date.fromisoformat(iso), "DATE_FORMAT")


def uploaded_and_reviewed(page, crm: str, path: Path):
    """Upload ``path`` on the ingestion page, follow the job to its review, and wait for the review to show."""
    page.goto(f"{crm}/admin/agreements/pressrelease/ingest/")
    page.set_input_files("input[type=file][name=file]", str(path))
    page.click("input[type=submit][name=preview]")
    # The form answers 303 to the job's page, which follows the worker until the review is ready.
    page.wait_for_url(f"{crm}/jobs/*/")
    review_link = page.locator("#job-status a[href*='/ingest/?job=']")
    review_link.wait_for(timeout=60_000)
    review_link.click()
    page.wait_for_url(re.compile(r".*/admin/agreements/pressrelease/ingest/\?job=\d+$"))
    page.locator("#release-found").wait_for()


def screenshots(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


@pytest.mark.parametrize(("kind", "name", "unassigned"), RELEASES)
def test_a_release_file_uploaded_in_the_admin_is_reviewed_as_the_corpus_expects(
    admin_page, crm, kind, name, unassigned
):
    page = admin_page
    expected = expected_for(name)

    uploaded_and_reviewed(page, crm, CORPUS / name)

    assert " ".join(page.locator("#found-title td").first.inner_text().split()) == expected["title"]
    assert page.locator("#found-date td").first.inner_text().strip() == french_date(expected["date"])
    if expected.get("place"):
        assert page.locator("#found-place td").first.inner_text().strip() == expected["place"]
    rows = page.locator("#contacts-found tbody tr")
    assert rows.count() == len(expected["contacts"])
    for row, contact in zip(rows.all(), expected["contacts"], strict=True):
        cells = row.locator("td")
        assert cells.nth(0).inner_text().strip() == contact["name"]
        assert cells.nth(1).inner_text().strip() == (contact["title"] or "—")
        assert cells.nth(2).inner_text().strip() == (contact["organisation"] or "—")
        assert cells.nth(3).inner_text().strip() == (", ".join(contact["emails"]) or "—")
        assert " ".join(cells.nth(4).inner_text().split()) == (", ".join(contact["phones"]) or "—")
    # What the layout leaves unowned is given to no contact: it is listed apart, and only when there is some.
    if unassigned:
        assert page.locator("#unassigned-found tbody tr td:first-child").all_inner_texts() == unassigned
    else:
        assert page.locator("#unassigned-found").count() == 0
    # The page never shows markup as text (an HTML release's tags, an escaped fragment).
    assert not re.search(r"</?(p|td|tr|div|span|br|html|body)\b", page.locator("#content").inner_text())

    screenshots(page, kind)


def test_a_reviewed_pdf_release_confirmed_in_the_admin_is_stored_with_its_agreement(admin_page, crm):
    page = admin_page
    expected = expected_for("fr_pdf_alliance_formation.pdf")
    uploaded_and_reviewed(page, crm, CORPUS / "fr_pdf_alliance_formation.pdf")

    agreement_box = page.locator("input[type=checkbox][name=confirmed][value=agreement]")
    assert not agreement_box.is_checked()
    agreement_box.check()
    page.click("input[type=submit][name=confirm]")

    page.wait_for_url(f"{crm}/jobs/*/")
    release_link = page.locator("#job-status a[href*='/admin/agreements/pressrelease/']")
    release_link.wait_for(timeout=60_000)
    assert expected["title"] in page.locator("#job-status").inner_text()
    screenshots(page, "pdf-stored-job")
    release_link.click()
    page.wait_for_url(re.compile(r".*/admin/agreements/pressrelease/\d+/change/$"))
    assert page.locator("#id_title").input_value() == expected["title"]

    page.goto(f"{crm}/admin/agreements/pressrelease/")
    assert expected["title"] in page.locator("#result_list").inner_text()
    screenshots(page, "pdf-admin-list")

    # The public list offers it, and its page shows it with its contacts and the agreement confirmed.
    page.goto(f"{crm}/press-releases/")
    page.locator("main").get_by_role("link", name=expected["title"]).click()
    page.wait_for_url(f"{crm}/press-releases/*/")
    main = page.locator("main").inner_text()
    assert expected["title"] in main
    for contact in expected["contacts"]:
        assert contact["name"] in main
    # The agreement, stored because its box was checked, is announced and linked.
    agreement_link = page.locator("main a[href^='/agreements/']").first.inner_text()
    assert all(party in agreement_link for party in expected["agreement"]["parties"]), agreement_link
    screenshots(page, "pdf-public-page")
