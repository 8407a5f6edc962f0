"""Emails saved as .eml files (tests/interactions/eml/, in the formats Outlook and Thunderbird write) uploaded from a
person's page or the back office: what the user sees of each file, the people and organisations linked, the unknown
addresses and the person created from one, the attachments not kept, the same email refused twice, hostile files
refused one by one, and who may do it. Pages are read in English (/en/): the French catalogue is the translators'."""

import datetime
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from contacts.models import ContactPoint, Person
from interactions.emails import EmailFileError, html_to_text, read_email
from interactions.models import Interaction, PersonLastContact
from tests.factories import EmailFactory, OrganisationFactory, PersonFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


EML = Path(__file__).resolve().parent / "eml"
IMPORT_URL = "/en/interactions/emails/import/"
RESULT_URL = "/en/interactions/emails/import/result/"
# 300 KB of addresses in one To header: no mail program writes that.
HUGE_HEADER = b"From: a@example.org\r\nTo: " + b"b@example.org, " * 20_000 + b"\r\n\r\nx"
MULTIPART = b"From: a@example.org\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
# A part's type a megabyte long (Python takes seconds to read it) and a thousand parts (a millisecond each).
HUGE_PART_HEADER = MULTIPART + b'--B\r\nContent-Type: text/plain; name="' + b"a" * 1_000_000 + b'"\r\n\r\nx\r\n--B--'
MANY_PARTS = MULTIPART + b"--B\r\nContent-Type: text/plain\r\n\r\nx\r\n" * 1001 + b"--B--"


def eml(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (EML / name).read_bytes(), content_type="message/rfc822")


def staff_in(role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(client):
    user = staff_in("Éditeur", "editrice")
    client.force_login(user)
    return user


@pytest.fixture
def fabien():
    """A person of the directory, with the address the emails write to, and a position at Polepharma."""
    person = PersonFactory(given_name="Fabien", family_name="Riolet", slug="fabien-riolet")
    EmailFactory(person=person, email="f.riolet@polepharma.com")
    PositionFactory(person=person, organisation=OrganisationFactory(name="Polepharma", slug="polepharma"))
    return person


def upload(client, *names, person=None, follow=True):
    url = IMPORT_URL + (f"?person={person.slug}" if person else "")
    return client.post(url, {"files": [eml(name) for name in names]}, follow=follow)


def readable(text: str) -> str:
    """Text as read on the page: one space between words, none before a comma or a full stop."""
    return re.sub(r" ([,.])", r"\1", " ".join(text.split()))


def page_text(response) -> str:
    return readable(BeautifulSoup(response.content, "html.parser").get_text(" "))


def sections(response) -> dict[str, str]:
    """Each file's section of the result page, by file name: its text."""
    soup = BeautifulSoup(response.content, "html.parser")
    return {
        section.h2.get_text(strip=True): readable(section.get_text(" "))
        for section in soup.select("section.email-result")
    }


# Reading the files


def test_a_thunderbird_email_is_read_with_its_utf8_subject_its_date_and_its_plain_text():
    read = read_email((EML / "thunderbird_alternative.eml").read_bytes())
    assert read.subject == "Réunion RNAEN – préparation du programme"
    assert read.sender.name == "Amaia Etxeberria"
    assert read.sender.email == "amaia.etxeberria@basquehealth.eus"
    assert [address.email for address in read.to] == ["f.riolet@polepharma.com"]
    assert read.occurred_at == datetime.datetime(2025, 10, 14, 8, 32, 5, tzinfo=datetime.UTC)
    assert read.message_id == "<5b2c1e0a-3f4d-4c8e-9a71-2d0f6c3e8b11@basquehealth.eus>"
    # The plain part is preferred, its quoted-printable decoded and its flowed lines joined again.
    assert "préparer ensemble le programme de la réunion RNAEN à Hendaye, dans les locaux" in read.text
    assert "<p>" not in read.text and read.attachments == []


def test_an_outlook_email_is_read_in_iso_8859_1_with_its_attachments_named():
    read = read_email((EML / "outlook_mixed_attachment.eml").read_bytes())
    # Outlook writes windows-1252's en dash under the name ISO-8859-1: it is read as the dash it is.
    assert read.subject == "Convention de partenariat – version signée"
    assert str(read.sender) == "Françoise Lefèvre <francoise.lefevre@gipso.fr>"
    assert [str(address) for address in read.cc] == ["José García <jose.garcia@ejemplo.es>"]
    assert "la convention signée par les deux parties – l’original suit par courrier" in read.text
    assert read.attachments == ["image001.png", "Convention signée.pdf"]


def test_an_outlook_body_in_base64_and_windows_1252_is_decoded():
    read = read_email((EML / "outlook_base64_windows1252.eml").read_bytes())
    assert read.subject == "RE: Invitation – journée des adhérents"
    assert "Merci pour l’invitation – je serai présente le 20 novembre." in read.text
    assert read.sender.name == "Sofía Iglesias"


def test_an_html_only_email_becomes_plain_text_without_its_scripts_styles_or_tags():
    read = read_email((EML / "html_only.eml").read_bytes())
    assert read.subject == "Communiqué de presse"
    assert "Le Leem annonce « une nouvelle étude » sur l'emploi." in read.text
    assert "Premier point\n\nSecond point" in read.text and "Lire la suite" in read.text
    for hidden in ("alert", "color:red", "steal", "<", "Lettre"):
        assert hidden not in read.text


def test_html_nested_a_hundred_thousand_deep_is_read_without_recursion():
    assert html_to_text("<div>" * 100_000 + "profond" + "</div>" * 100_000).strip() == "profond"


def test_display_names_with_accents_and_copies_are_read():
    read = read_email((EML / "cc_accents.eml").read_bytes())
    assert str(read.sender) == "Élodie Dupré <elodie.dupre@polepharma.com>"
    assert [str(address) for address in read.to] == [
        "Maïté Le Guével <maite.leguevel@region-na.fr>",
        "ZULUETA, Maria <m.pascual@bhc.eus>",
    ]
    assert [address.email for address in read.cc] == [
        "jm.etxeberria@spri.eus",
        "f.riolet@polepharma.com",
        "anne@cluster-crm.example",
    ]
    assert read.subject == "Compte rendu « Hendaye »"
    assert "Voici le compte rendu de la réunion d’Hendaye." in read.text


def test_an_empty_plain_part_gives_way_to_the_html_one_and_an_unknown_charset_is_read_as_utf8():
    data = (
        MULTIPART.replace(b"mixed", b"alternative")
        + b"--B\r\nContent-Type: text/plain; charset=rot13\r\n\r\n \r\n"
        + b"--B\r\nContent-Type: text/html; charset=x-nobody-knows\r\n\r\n<p>D\xc3\xa9j\xc3\xa0 vu</p>\r\n--B--"
    )
    assert read_email(data).text == "Déjà vu"


def test_an_email_without_date_has_none_and_one_without_message_id_gets_one_from_its_bytes():
    assert read_email((EML / "no_date.eml").read_bytes()).occurred_at is None
    data = b"From: a@example.net\r\nSubject: Sans identifiant\r\n\r\nTexte\r\n"
    assert read_email(data).message_id == read_email(data).message_id != read_email(data + b"!").message_id


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty", b"", "The file is empty"),
        ("a spreadsheet", (EML / "not_an_email.eml").read_bytes(), "is not an email"),
        ("binary", (EML / "binary.eml").read_bytes(), "NUL"),
        ("NUL bytes", (EML / "nul_bytes.eml").read_bytes(), "NUL"),
        ("no sender", b"To: a@example.org\r\nSubject: x\r\n\r\ntext", "not an email"),
        ("huge header", HUGE_HEADER, "headers of this email"),
        ("huge part header", HUGE_PART_HEADER, "headers of this email"),
        ("many parts", MANY_PARTS, "more than 500 parts"),
        ("nested parentheses", b"From: " + b"(" * 50_000 + b"a@b.fr\r\nSubject: x\r\n\r\nx", "no sender"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else "",
)
def test_a_hostile_file_is_refused_with_a_sentence(name, data, message):
    with pytest.raises(EmailFileError, match=message):
        read_email(data)


# Uploading from a person's page


def test_a_persons_page_offers_the_upload_to_an_editor_not_to_a_reader(client, fabien):
    client.force_login(staff_in("Éditeur", "editrice"))
    soup = BeautifulSoup(client.get(fabien.get_absolute_url()).content, "html.parser")
    form = soup.select_one("form[data-email-drop]")
    assert form["action"] == f"{IMPORT_URL}?person=fabien-riolet" and form["enctype"] == "multipart/form-data"
    file_input = form.select_one("input[type=file]")
    assert file_input.has_attr("multiple") and ".eml" in file_input["accept"]
    assert soup.select_one(f"label[for={file_input['id']}]").get_text() == "Import an email (.eml)"
    assert soup.select_one("script[src$='email_drop.js']") is not None

    client.force_login(staff_in("Lecteur", "lectrice"))
    assert b"data-email-drop" not in client.get(fabien.get_absolute_url()).content


def test_a_thunderbird_email_uploaded_on_a_persons_page_is_logged_and_shown(
    client, editor, fabien, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "thunderbird_alternative.eml", person=fabien)
    assert response.redirect_chain[0][1] == 303
    shown = sections(response)["thunderbird_alternative.eml"]
    assert "Logged: Réunion RNAEN – préparation du programme" in shown
    assert "Fabien Riolet" in shown and "Polepharma" in shown
    assert "Amaia Etxeberria <amaia.etxeberria@basquehealth.eus>" in shown and "Create the person" in shown
    assert "Inbound" in shown  # from an address that is not ours

    interaction = Interaction.objects.get()
    assert interaction.kind == "email" and interaction.direction == "in" and interaction.logged_by == editor
    assert interaction.subject == "Réunion RNAEN – préparation du programme"
    assert interaction.occurred_at == datetime.datetime(2025, 10, 14, 8, 32, 5, tzinfo=datetime.UTC)
    assert "From: Amaia Etxeberria <amaia.etxeberria@basquehealth.eus>" in interaction.text
    assert "la réunion RNAEN à Hendaye" in interaction.text
    assert list(interaction.people.all()) == [fabien]
    assert [organisation.slug for organisation in interaction.organisations.all()] == ["polepharma"]
    assert PersonLastContact.objects.get(person=fabien).occurred_at == interaction.occurred_at


def test_the_person_whose_page_it_was_dropped_on_is_linked_even_if_the_email_does_not_name_them(client, editor):
    someone = PersonFactory(given_name="Nerea", family_name="Goikoetxea")
    upload(client, "plain_no_mime.eml", person=someone)
    assert list(Interaction.objects.get().people.all()) == [someone]


def test_an_outlook_email_links_everyone_known_and_says_its_attachments_were_not_kept(client, editor, fabien):
    francoise = PersonFactory(given_name="Françoise", family_name="Lefèvre")
    EmailFactory(person=francoise, email="francoise.lefevre@gipso.fr")
    response = upload(client, "outlook_mixed_attachment.eml")
    shown = sections(response)["outlook_mixed_attachment.eml"]
    assert "Convention de partenariat – version signée" in shown
    assert "Attachments not kept: image001.png, Convention signée.pdf" in shown
    assert "José García <jose.garcia@ejemplo.es>" in shown
    assert "Attachments are not kept" in page_text(response)
    interaction = Interaction.objects.get()
    assert set(interaction.people.all()) == {fabien, francoise}
    assert "Attachments not kept: image001.png, Convention signée.pdf" in interaction.text


def test_an_email_sent_by_a_user_is_outbound_and_their_address_is_neither_linked_nor_unknown(client, fabien):
    client.force_login(staff_in("Éditeur", "elodie"))
    UserFactory(username="anne", email="Anne@Cluster-CRM.example")
    elodie = PersonFactory(given_name="Élodie", family_name="Dupré")
    EmailFactory(person=elodie, email="elodie.dupre@polepharma.com")
    response = upload(client, "cc_accents.eml")
    shown = sections(response)["cc_accents.eml"]
    assert "anne@cluster-crm.example" not in shown
    assert "Maïté Le Guével <maite.leguevel@region-na.fr>" in shown
    assert "José María ETXEBERRIA GÓMEZ <jm.etxeberria@spri.eus>" in shown
    interaction = Interaction.objects.get()
    assert interaction.direction == "in"  # Élodie is in the directory, not a user
    assert set(interaction.people.all()) == {elodie, fabien}


def test_an_email_from_our_domain_is_outbound_and_not_linked_to_us(client, editor, fabien, settings):
    settings.EMAIL_IMPORT_OUR_DOMAINS = ["polepharma.com"]
    upload(client, "cc_accents.eml")
    interaction = Interaction.objects.get()
    assert interaction.direction == "out"
    assert list(interaction.people.all()) == []  # Fabien's address is at our domain: one of us


def test_an_email_without_date_is_dated_by_the_upload_and_says_so(client, editor, fabien):
    before = timezone.now()
    response = upload(client, "no_date.eml")
    assert "the time of the upload was used" in sections(response)["no_date.eml"]
    assert before <= Interaction.objects.get().occurred_at <= timezone.now()


def test_the_same_email_uploaded_twice_is_refused_with_a_link_to_the_one_logged(client, editor, fabien):
    upload(client, "thunderbird_alternative.eml")
    first = Interaction.objects.get()
    response = upload(client, "thunderbird_alternative.eml", person=PersonFactory())
    shown = sections(response)["thunderbird_alternative.eml"]
    assert "Already logged" in shown and "Nothing was written" in shown
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("a", string="See the interaction")["href"] == f"/en/interactions/{first.pk}/"
    assert Interaction.objects.count() == 1 and list(first.people.all()) == [fabien]


def test_several_files_are_read_one_by_one_and_a_bad_one_stops_only_itself(client, editor, fabien):
    response = upload(
        client,
        "outlook_base64_windows1252.eml",
        "not_an_email.eml",
        "binary.eml",
        "html_only.eml",
        "nul_bytes.eml",
    )
    assert response.status_code == 200
    shown = sections(response)
    assert list(shown) == [
        "outlook_base64_windows1252.eml",
        "not_an_email.eml",
        "binary.eml",
        "html_only.eml",
        "nul_bytes.eml",
    ]
    assert "This file is not an email" in shown["not_an_email.eml"]
    assert "Nothing was written" in shown["binary.eml"] and "NUL" in shown["nul_bytes.eml"]
    assert set(Interaction.objects.values_list("subject", flat=True)) == {
        "RE: Invitation – journée des adhérents",
        "Communiqué de presse",
    }


def test_a_file_over_the_limit_is_refused_unread_and_too_many_files_refuse_the_upload(client, editor, fabien, settings):
    settings.EMAIL_IMPORT_MAX_BYTES = 1000
    response = upload(client, "outlook_mixed_attachment.eml", "plain_no_mime.eml")
    assert "emails over" in sections(response)["outlook_mixed_attachment.eml"]
    assert Interaction.objects.get().subject == "Demande de documentation"

    settings.EMAIL_IMPORT_MAX_FILES = 2
    response = upload(client, "no_date.eml", "html_only.eml", "cc_accents.eml")
    assert response.status_code == 400
    assert "Choose at most 2 files at a time." in page_text(response)
    assert Interaction.objects.count() == 1


def test_a_huge_header_file_is_refused_without_error(client, editor):
    response = client.post(IMPORT_URL, {"files": [SimpleUploadedFile("grand.eml", HUGE_HEADER)]}, follow=True)
    assert "The headers of this email are longer than" in sections(response)["grand.eml"]
    assert not Interaction.objects.exists()


def test_a_nul_character_hidden_in_encoded_words_is_not_stored(client, editor):
    data = (
        b"From: =?utf-8?q?Jean=00?= <jean@example.org>\r\nTo: b@example.org\r\n"
        b"Subject: =?utf-8?q?Un=00sujet?=\r\nContent-Disposition: attachment; filename==?utf-8?q?a=00.pdf?=\r\n\r\nx"
    )
    response = client.post(IMPORT_URL, {"files": [SimpleUploadedFile("nul.eml", data)]}, follow=True)
    assert response.status_code == 200
    interaction = Interaction.objects.get()
    assert "\x00" not in interaction.subject + interaction.text and interaction.subject == "Unsujet"


def test_a_mailing_lists_its_first_hundred_unknown_addresses(client, editor):
    to = ", ".join(f"Personne {number} <p{number}@example.net>" for number in range(150))
    data = f"From: lettre@example.net\r\nTo: {to}\r\nSubject: Lettre\r\n\r\nx".encode()
    response = client.post(IMPORT_URL, {"files": [SimpleUploadedFile("lettre.eml", data)]}, follow=True)
    shown = sections(response)["lettre.eml"]
    # The sender first, then 99 of the recipients.
    assert "p98@example.net" in shown and "p99@example.net" not in shown and "and 51 other addresses" in shown


def test_files_left_when_the_upload_has_taken_too_long_are_not_read(client, editor, monkeypatch):
    monkeypatch.setattr("interactions.email_views.UPLOAD_SECONDS", -1)
    response = upload(client, "plain_no_mime.eml", "no_date.eml")
    assert all("Not read: the upload took too long" in text for text in sections(response).values())
    assert not Interaction.objects.exists()


def test_the_upload_page_works_on_its_own_and_refuses_an_empty_post(client, editor):
    page = client.get(IMPORT_URL)
    assert page.status_code == 200 and b'type="file"' in page.content
    assert client.post(IMPORT_URL, {}).status_code == 400
    assert client.get(IMPORT_URL + "?person=nobody").status_code == 404
    assert client.get(IMPORT_URL + "?person=%00").status_code in (400, 404)


def test_the_result_page_without_an_upload_says_so(client, editor):
    response = client.get(RESULT_URL)
    assert response.status_code == 200 and "No import to show" in page_text(response)
    assert client.get(RESULT_URL + "?batch=zz").status_code == 200
    assert client.get(RESULT_URL + "?batch=%00zz").status_code == 400  # refused by core.middleware


# Creating a person from an unknown address


def test_an_unknown_address_becomes_a_person_linked_to_the_email(client, editor, fabien):
    response = upload(client, "outlook_mixed_attachment.eml", person=fabien)
    soup = BeautifulSoup(response.content, "html.parser")
    buttons = soup.find_all("a", string="Create the person")
    assert len(buttons) == 2  # Françoise and José; Fabien is known
    create_url = next(button["href"] for button in buttons if "jose.garcia" in button["href"])

    form = BeautifulSoup(client.get(create_url).content, "html.parser")
    assert form.select_one("#id_given_name")["value"] == "José"
    assert form.select_one("#id_family_name")["value"] == "García"
    assert form.select_one("#id_email")["value"] == "jose.garcia@ejemplo.es"

    response = client.post(
        create_url, {"given_name": "José", "family_name": "García", "email": "jose.garcia@ejemplo.es"}, follow=True
    )
    assert "José García was created and linked to this email." in page_text(response)
    shown = sections(response)["outlook_mixed_attachment.eml"]
    assert "now in the directory as José García, linked to this email" in shown
    jose = Person.objects.get(family_name="García")
    assert jose.slug == "jose-garcia" and jose.data_source == "manual"
    assert ContactPoint.objects.get(person=jose).email == "jose.garcia@ejemplo.es"
    assert set(Interaction.objects.get().people.all()) == {fabien, jose}
    assert jose.history.count() == 1


def test_an_address_someone_has_by_now_links_that_person_and_creates_no_one(client, editor, fabien):
    upload(client, "plain_no_mime.eml")
    interaction = Interaction.objects.get()
    jean = PersonFactory(given_name="Jean", family_name="Martin")
    EmailFactory(person=jean, email="jean.martin@example.com")
    url = f"/en/interactions/emails/{interaction.pk}/new-person/?email=Jean.Martin@example.com"
    assert "Link the person" in page_text(client.get(url))
    client.post(url, {"given_name": "", "family_name": "", "email": "jean.martin@example.com"})
    assert Person.objects.count() == 2 and list(interaction.people.all()) == [jean]


@pytest.mark.parametrize(
    "query",
    [
        "email=<script>alert(1)</script>&name=<b>Jean</b>",
        "email=" + "a" * 5000 + "@example.org&name=" + "Jean " * 2000,
        "email=&name=&batch=" + "f" * 16,
        "email[]=x&name=%ff%fe",
    ],
)
def test_the_new_person_page_answers_odd_addresses_without_error(client, editor, query):
    interaction = Interaction.objects.create(kind="email", subject="Un e-mail", logged_by=editor)
    response = client.get(f"/en/interactions/emails/{interaction.pk}/new-person/?{query}")
    assert response.status_code == 200 and b"<script>alert" not in response.content
    assert client.get(f"/en/interactions/emails/{interaction.pk + 1}/new-person/").status_code == 404


def test_a_person_needs_a_family_name(client, editor):
    upload(client, "plain_no_mime.eml")
    interaction = Interaction.objects.get()
    response = client.post(
        f"/en/interactions/emails/{interaction.pk}/new-person/",
        {"given_name": "Jean", "family_name": "", "email": "jean.martin@example.com"},
    )
    assert response.status_code == 400
    field = BeautifulSoup(response.content, "html.parser").select_one("#id_family_name")
    assert field.find_next(class_="errorlist").get_text(strip=True) == "This field cannot be blank."
    assert not Person.objects.exists()


def test_creating_a_person_needs_the_permission_to_add_people(client, django_user_model):
    user = staff_in("Éditeur", "editrice")
    interaction = Interaction.objects.create(kind="email", subject="Un e-mail", logged_by=user)
    user.groups.clear()
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(codename__in=["add_interaction", "view_person"]))
    client.force_login(user)
    url = f"/en/interactions/emails/{interaction.pk}/new-person/?email=x@example.org"
    assert client.get(url).status_code == 403
    response = upload(client, "plain_no_mime.eml")
    assert "Create the person" not in page_text(response)


# Permissions


def test_a_reader_may_not_upload(client):
    client.force_login(staff_in("Lecteur", "lectrice"))
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, "plain_no_mime.eml", follow=False).status_code == 403
    assert client.get(RESULT_URL).status_code == 403
    assert not Interaction.objects.exists()


def test_a_visitor_is_sent_to_the_login_page(client):
    response = client.post(IMPORT_URL, {"files": [eml("plain_no_mime.eml")]})
    assert response.status_code == 302 and response["Location"].startswith("/en/login/")


def test_someone_elses_email_cannot_get_people_from_a_mere_author(client):
    author = staff_in("Éditeur", "auteur")
    interaction = Interaction.objects.create(kind="email", subject="Un e-mail", logged_by=author)
    other = UserFactory(username="autre")
    from django.contrib.auth.models import Permission

    other.user_permissions.set(Permission.objects.filter(codename__in=["add_interaction", "add_person"]))
    client.force_login(other)
    assert client.get(f"/en/interactions/emails/{interaction.pk}/new-person/").status_code == 403


# The back office


def test_the_back_office_uploads_several_files_and_shows_each_result(client, fabien):
    user = staff_in("Éditeur", "editrice")
    client.force_login(user)
    changelist = client.get("/en/admin/interactions/interaction/")
    soup = BeautifulSoup(changelist.content, "html.parser")
    link = soup.find("a", string="Import emails")
    assert link["href"] == "/en/admin/interactions/interaction/import-emails/"
    page = client.get(link["href"])
    assert page.status_code == 200 and b"multiple" in page.content

    response = client.post(
        link["href"],
        {"files": [eml("thunderbird_alternative.eml"), eml("outlook_mixed_attachment.eml"), eml("binary.eml")]},
        follow=True,
    )
    assert response.status_code == 200
    shown = sections(response)
    assert "Logged: Réunion RNAEN – préparation du programme" in shown["thunderbird_alternative.eml"]
    assert "Convention signée.pdf" in shown["outlook_mixed_attachment.eml"]
    assert "NUL" in shown["binary.eml"]
    assert Interaction.objects.count() == 2
    assert all(list(interaction.people.all()) == [fabien] for interaction in Interaction.objects.all())


def test_the_back_office_upload_is_refused_to_a_reader(client):
    client.force_login(staff_in("Lecteur", "lectrice"))
    assert client.get("/en/admin/interactions/interaction/import-emails/").status_code == 403
    soup = BeautifulSoup(client.get("/en/admin/interactions/interaction/").content, "html.parser")
    assert soup.find("a", string="Import emails") is None
