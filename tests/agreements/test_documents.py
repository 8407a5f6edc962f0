"""Releases sent as files — PDF, Word, HTML, e-mail, text — read into the text ingestion reads, within bounds.

Every file is built in the test (reportlab for PDF, python-docx for Word, the ``email`` package for messages);
what is asserted is the text the user gets: its lines, paragraphs and table rows.
"""

import importlib.util
import io
import json
import zipfile
import zlib
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from agreements import documents
from agreements.documents import ReleaseFileError, normalise_text, read_release
from agreements.models import PressRelease
from jobs.models import Job
from tests.admin_helpers import shown

from .test_ingestion import INGEST_URL, PIPES_AND_INLINE


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def pdf_file(blocks, *, encrypt=None) -> bytes:
    """A PDF of ``(style, text)`` paragraphs laid out by reportlab (which wraps them at the page's width)."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(buffer, pagesize=A4, invariant=1, encrypt=encrypt)
    document.build([PageBreak() if style == "break" else Paragraph(text, styles[style]) for style, text in blocks])
    return buffer.getvalue()


def docx_file(paragraphs=(), rows=(), after=()) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if rows:
        table = document.add_table(rows=0, cols=len(rows[0]))
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    for text in after:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_file(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BODY = (
    "Réunis à Hendaye, les deux clusters ont signé une convention qui prévoit des actions communes de forma-<br/>"
    "tion, d'innovation translationnelle et d'affaires publiques, au service des entreprises du médicament de part "
    "et d'autre de la frontière, avec Polepharma-<br/>GIPSO et les adhérents de Saint-<br/>Étienne."
)
FRENCH_PDF = [
    ("Normal", "COMMUNIQUÉ DE PRESSE"),
    ("Normal", "Hendaye, le 12 mai 2022"),
    ("Title", "Polepharma-GIPSO et le Basque Health Cluster renforcent leur alliance pour la formation "
     "transfrontalière"),
    ("Normal", BODY),
    ("Normal", "Contacts presse :"),
    ("Normal", "Polepharma-GIPSO : Camille Garcia, chargée de communication<br/>camille.garcia@example.org<br/>"
     "+33 6 12 34 56 78"),
    ("Normal", "Basque Health Cluster : Ane Etxeberria, responsable communication<br/>ane@example.com"),
]  # fmt: skip


def test_a_pdf_gives_its_title_on_one_line_its_paragraphs_joined_and_its_contact_blocks_line_by_line():
    data = pdf_file(FRENCH_PDF)
    document = read_release(data, "communique.pdf")
    assert document.kind == "pdf"
    # The title, wrapped over three lines in its larger type, is one line.
    assert document.text.split("\n\n") == [
        "COMMUNIQUÉ DE PRESSE\nHendaye, le 12 mai 2022",
        "Polepharma-GIPSO et le Basque Health Cluster renforcent leur alliance pour la formation transfrontalière",
        "Réunis à Hendaye, les deux clusters ont signé une convention qui prévoit des actions communes de formation, "
        "d'innovation translationnelle et d'affaires publiques, au service des entreprises du médicament de part et "
        "d'autre de la frontière, avec Polepharma-GIPSO et les adhérents de Saint-Étienne.",
        "Contacts presse :\n"
        "Polepharma-GIPSO : Camille Garcia, chargée de communication\n"
        "camille.garcia@example.org\n"
        "+33 6 12 34 56 78\n"
        "Basque Health Cluster : Ane Etxeberria, responsable communication\n"
        "ane@example.com",
    ]
    # The bytes decide, not the name.
    assert read_release(data, "release.txt").kind == "pdf"


def test_a_pdf_without_text_a_protected_one_and_a_long_one_are_refused_with_a_reason():
    buffer = io.BytesIO()
    scan = canvas.Canvas(buffer, invariant=1)
    scan.rect(100, 100, 300, 400, fill=1)
    scan.save()
    with pytest.raises(ReleaseFileError, match="scanned image"):
        read_release(buffer.getvalue())
    with pytest.raises(ReleaseFileError, match="protected by a password"):
        read_release(pdf_file([("Normal", "Secret")], encrypt="secret"))
    pages = [block for _ in range(documents.MAX_PDF_PAGES + 1) for block in (("Normal", "Page"), ("break", ""))]
    with pytest.raises(ReleaseFileError, match="more than 50 pages"):
        read_release(pdf_file(pages))


def test_a_word_document_gives_its_paragraphs_in_order_and_each_table_row_as_a_line():
    data = docx_file(
        paragraphs=[
            "Nota de prensa",
            "San Sebastián, 3 de marzo de 2023",
            "El Basque Health Cluster y Polepharma lanzan un programa de formación",
            "El programa, abierto a las empresas de ambos clústeres, combina módulos en línea y estancias en "
            "plantas de producción de Euskadi y de la región Centro-Val de Loira durante todo el año 2023.",
            "Contacto de prensa:",
        ],
        rows=[
            ("Ane Etxeberria", "Responsable de comunicación", "Basque Health Cluster", "ane@example.com"),
            ("Iker Zubizarreta", "Director", "Basque Health Cluster", "iker@example.com\n+34 644 84 56 44"),
        ],
        after=["", "Fin"],
    )
    document = read_release(data, "nota.docx")
    assert document.kind == "docx"
    assert document.text == (
        "Nota de prensa\n"
        "San Sebastián, 3 de marzo de 2023\n"
        "El Basque Health Cluster y Polepharma lanzan un programa de formación\n\n"
        "El programa, abierto a las empresas de ambos clústeres, combina módulos en línea y estancias en plantas de "
        "producción de Euskadi y de la región Centro-Val de Loira durante todo el año 2023.\n\n"
        "Contacto de prensa:\n\n"
        "Ane Etxeberria | Responsable de comunicación | Basque Health Cluster | ane@example.com\n"
        "Iker Zubizarreta | Director | Basque Health Cluster | iker@example.com, +34 644 84 56 44\n\n"
        "Fin"
    )


def test_a_zip_that_is_not_a_word_document_a_damaged_one_and_a_zip_bomb_are_refused():
    with pytest.raises(ReleaseFileError, match="not a Word document"):
        read_release(zip_file({"content.xml": b"<office/>"}), "release.odt")
    with pytest.raises(ReleaseFileError, match="Word document is damaged"):
        read_release(zip_file({"word/document.xml": b"\x00junk" * 100, "[Content_Types].xml": b"junk"}))
    with pytest.raises(ReleaseFileError, match="Word document is damaged"):
        read_release(docx_file(["Communiqué"])[:2000])  # truncated
    bomb = zip_file(
        {"word/document.xml": b"<w/>", "word/media/image1.png": b"\x00" * (documents.MAX_UNZIPPED_BYTES + 1)}
    )
    assert len(bomb) < 100_000
    with pytest.raises(ReleaseFileError, match="Once unzipped, the document exceeds"):
        read_release(bomb)


NEWSLETTER = """<!DOCTYPE html>
<html><head><title>Newsletter</title><style>p { color: red; }</style>
<script>document.write("never shown")</script></head>
<body>
<table class="layout"><tr><td>
  <p class="kicker">PRESS RELEASE</p>
  <p>Bilbao, 14 September 2021</p>
  <h1>Basque Health Cluster and GIPSO
      open a cross-border training programme</h1>
  <p>The two clusters open a programme of <b>training</b> and
     <a href="https://example.org/programme">exchanges</a> for their members.<br>Registrations open today.</p>
  <p>For interviews, <a href="mailto:press@example.org">write to the press office</a>
     or to <a href="mailto:ane@example.com">ane@example.com</a> during office hours.</p>
  <h2>Press contacts</h2>
  <table class="contacts">
    <tr><th>Name</th><th>Title</th><th>Email</th><th>Phone</th></tr>
    <tr><td>Ane Etxeberria</td><td>Communication Manager<br>Basque Health Cluster</td>
        <td><a href="mailto:ane@example.com">ane@example.com</a></td><td>+34 944 00 00 00</td></tr>
    <tr><td>John Smith</td><td>Press officer, GIPSO</td><td><a href="mailto:john@example.org">Email John</a></td>
        <td></td></tr>
  </table>
</td></tr></table>
</body></html>
"""


def test_an_html_newsletter_gives_paragraphs_and_its_contacts_table_row_by_row():
    document = read_release(NEWSLETTER.encode(), "newsletter.html")
    assert document.kind == "html"
    assert document.text == (
        "PRESS RELEASE\n"
        "Bilbao, 14 September 2021\n"
        "Basque Health Cluster and GIPSO open a cross-border training programme\n\n"
        "The two clusters open a programme of training and exchanges for their members.\n"
        "Registrations open today.\n\n"
        # An address is added only when the page does not show it.
        "For interviews, write to the press office (press@example.org) or to ane@example.com during office hours.\n\n"
        "Press contacts\n\n"
        "Name | Title | Email | Phone\n"
        "Ane Etxeberria | Communication Manager, Basque Health Cluster | ane@example.com | +34 944 00 00 00\n"
        "John Smith | Press officer, GIPSO | Email John (john@example.org)"
    )


def test_html_with_a_hundred_thousand_nested_tags_or_nested_too_deep_is_refused():
    markup = "<html><body>" + "<div>" * 100_000 + "x" + "</div>" * 100_000 + "</body></html>"
    with pytest.raises(ReleaseFileError, match="holds more than 50,000 tags"):
        read_release(markup.encode(), "deep.html")
    markup = "<html><body>" + "<div>" * 2000 + "x" + "</div>" * 2000 + "</body></html>"
    with pytest.raises(ReleaseFileError, match="nests its tags more than 1000 deep"):
        read_release(markup.encode(), "deep.html")


def message(subject: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Press office <press@example.org>"
    mail["To"] = "newsroom@example.com"
    mail["Subject"] = subject
    mail["Date"] = "Tue, 14 Sep 2021 09:00:00 +0200"
    return mail


def test_an_email_gives_its_html_body_its_subject_and_ignores_its_attachments():
    mail = message("Communiqué : Polepharma et le Leem signent une convention")
    mail.set_content("Version texte.\n")
    mail.add_alternative(
        "<html><body><p>Paris, le 12 juin 2020</p><p>Le Leem signe une convention.</p>"
        "<table><tr><td>Leem</td><td>Sophie Bernard</td><td>sophie@example.org</td></tr></table></body></html>",
        subtype="html",
    )
    mail.add_attachment(b"%PDF-1.4 attachment text", maintype="application", subtype="pdf", filename="annexe.pdf")
    document = read_release(mail.as_bytes(), "message.eml")
    assert (document.kind, document.subject) == ("eml", "Communiqué : Polepharma et le Leem signent une convention")
    assert document.text == (
        "Paris, le 12 juin 2020\nLe Leem signe une convention.\n\nLeem | Sophie Bernard | sophie@example.org"
    )
    # Recognised by its headers, whatever its name.
    assert read_release(mail.as_bytes(), "").kind == "eml"


def test_a_plain_text_email_wrapped_at_72_characters_gives_whole_paragraphs():
    mail = message("Press release")
    mail.set_content(
        "London, 14 September 2021\n\n"
        "The Leem and GIPSO renew the agreement they signed in 2020, which covers\n"
        "training, translational innovation and public affairs, for three more\n"
        "years, and extend it to industrial relocation in Nouvelle-Aquitaine and\n"
        "to the cross-border projects run with the Basque Health Cluster.\n\n"
        "Press contact:\n"
        "Jane Doe\n"
        "Head of communications, Leem\n"
        "jane.doe@example.org\n"
        "+33 1 45 03 88 38\n",
        cte="7bit",
    )
    document = read_release(mail.as_bytes())
    assert document.kind == "eml"
    assert document.text.split("\n\n") == [
        "London, 14 September 2021",
        "The Leem and GIPSO renew the agreement they signed in 2020, which covers training, translational innovation "
        "and public affairs, for three more years, and extend it to industrial relocation in Nouvelle-Aquitaine and "
        "to the cross-border projects run with the Basque Health Cluster.",
        "Press contact:\nJane Doe\nHead of communications, Leem\njane.doe@example.org\n+33 1 45 03 88 38",
    ]


class FakeMsg:
    """What ``extract_msg.openMsg`` returns, as far as ``read_release`` reads it (no library writes .msg files)."""

    def __init__(self, *, html_body=None, body=""):
        self.subject = "Nota de prensa"
        self.htmlBody = html_body
        self.body = body
        self.closed = False

    def close(self):
        self.closed = True


def test_an_outlook_message_gives_its_html_body_else_its_text(monkeypatch):
    import extract_msg

    opened = []

    def open_msg(data, **kwargs):
        opened.append(message)
        return message

    monkeypatch.setattr(extract_msg, "openMsg", open_msg)
    ole = documents._OLE_SIGNATURE + b"\x00" * 504
    message = FakeMsg(html_body=b'<meta charset="windows-1252"><p>Bilbao, 3 de marzo de 2023</p><p>Contacto: Ane</p>')
    document = read_release(ole, "nota.msg")
    assert (document.kind, document.text, document.subject) == (
        "msg",
        "Bilbao, 3 de marzo de 2023\nContacto: Ane",
        "Nota de prensa",
    )
    message = FakeMsg(body="Bilbao, 3 de marzo de 2023\r\n\r\nContacto: Ane\r\n")
    assert read_release(ole).text == "Bilbao, 3 de marzo de 2023\n\nContacto: Ane"
    assert all(each.closed for each in opened)


def test_an_old_word_document_or_a_damaged_message_is_refused():
    with pytest.raises(ReleaseFileError, match=r"old Word documents \(\.doc\)"):
        read_release(documents._OLE_SIGNATURE + b"\x00" * 2000, "release.doc")


def test_text_in_windows_1252_is_read_and_text_in_two_encodings_is_refused():
    document = read_release("Communiqué de presse\nChartres, le 1er février 2024\n".encode("cp1252"), "c.txt")
    assert (document.kind, document.text) == ("text", "Communiqué de presse\nChartres, le 1er février 2024")
    mixed = "Communiqué de presse\n".encode() + "Agréé\n".encode("cp1252")
    with pytest.raises(ReleaseFileError, match="line 2 holds a character in another encoding"):
        read_release(mixed)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.txt", "The file is empty"),
        (bytes(range(256)) * 40, "random.pdf", "This file cannot be read"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, "random.pdf", "This PDF is damaged"),
        (b"x" * (documents.MAX_TEXT_BYTES + 1), "big.txt", "a release in this format is read up to 1.0"),
        (b"x " * (documents.MAX_FILE_BYTES // 2 + 1), "huge.txt", "read up to 20.0"),
    ],
)
def test_what_cannot_be_a_release_is_refused_with_a_reason(data, name, message):
    with pytest.raises(ReleaseFileError, match=message):
        read_release(data, name)


def raw_pdf(content: bytes) -> bytes:
    """A one-page PDF written by hand, its content stream ``content`` deflated."""
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    data, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(data)


def test_a_pdf_whose_page_inflates_to_megabytes_of_drawing_is_refused():
    assert read_release(raw_pdf(b"BT /F1 12 Tf 10 700 Td (Communique) Tj ET\n")).text == "Communique"
    bomb = raw_pdf(b"BT /F1 12 Tf 10 10 Td (x) Tj ET\n" * 2_500_000)  # 80 MB once inflated
    assert len(bomb) < 300_000
    with pytest.raises(ReleaseFileError, match="far more than the text of a press release"):
        read_release(bomb)


def test_a_truncated_pdf_is_read_as_far_as_it_goes_or_refused():
    data = pdf_file(FRENCH_PDF)
    for end in (20, len(data) // 3, len(data) // 2, len(data) - 200):
        try:
            document = read_release(data[:end])
        except ReleaseFileError:
            continue
        assert document.kind == "pdf"


def test_normalising_keeps_short_lines_rows_and_removes_page_breaks():
    text = "Titre\fSuite   du\u00a0texte\r\nA | B\nC | D\n\n\n\nNFC: e\u0301"
    assert normalise_text(text) == "Titre\n\nSuite du\u00a0texte\n\nA | B\nC | D\n\nNFC: é"


def test_the_command_reads_a_word_document(db, tmp_path, capsys):
    path = tmp_path / "release.docx"
    path.write_bytes(docx_file(PIPES_AND_INLINE.splitlines()))
    call_command("ingest_release", str(path), "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["date"] == "2025-09-15" and data["place"] == "Paris"
    assert {"sbou@leem.org", "luc@ondes.fr"} <= {email for contact in data["contacts"] for email in contact["emails"]}
    assert not PressRelease.objects.exists()


def test_the_command_refuses_a_file_it_cannot_read(db, tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF")
    with pytest.raises(CommandError, match="This PDF is damaged"):
        call_command("ingest_release", str(path), "--yes")


def test_the_admin_page_reads_an_uploaded_file_into_the_text_a_worker_reads(
    admin_client, db, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("release.docx", docx_file(PIPES_AND_INLINE.splitlines()))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(INGEST_URL, {"file": upload, "preview": "1"})
    job = Job.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.params["text"] == read_release(docx_file(PIPES_AND_INLINE.splitlines())).text
    assert "sbou@leem.org" in job.params["text"]


def test_the_admin_page_shows_why_a_file_is_refused_and_asks_for_text_or_file(admin_client, db):
    page = admin_client.get(INGEST_URL).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF")
    response = admin_client.post(INGEST_URL, {"file": upload, "preview": "1"})
    assert response.status_code == 200
    assert shown("This PDF is damaged and cannot be read: save it again, or send the release as text.") in (
        response.content.decode()
    )
    response = admin_client.post(INGEST_URL, {"preview": "1"})
    assert shown("Paste the release or choose its file.") in response.content.decode()
    upload = SimpleUploadedFile("release.txt", b"Communique")
    response = admin_client.post(INGEST_URL, {"text": "Communiqué", "file": upload, "preview": "1"})
    assert shown("Paste the release or choose its file, not both.") in response.content.decode()
    assert not Job.objects.exists()


def test_a_text_release_read_from_its_file_extracts_as_the_text_itself():
    from agreements.extraction import extract_release

    from .test_ingestion import ENGLISH_RELEASE, HENDAYE, LEEM_GIPSO, ONE_FIELD_PER_LINE

    def essentials(text):
        release = extract_release(text)
        contacts = [(contact.full_name, contact.emails, contact.phones) for contact in release.contacts]
        return release.title, release.date, release.place, contacts

    for text in (HENDAYE, LEEM_GIPSO, ENGLISH_RELEASE, ONE_FIELD_PER_LINE, PIPES_AND_INLINE):
        assert essentials(read_release(text.encode()).text) == essentials(text)


CORPUS = Path(__file__).resolve().parent / "corpus"


def corpus_builders():
    spec = importlib.util.spec_from_file_location("corpus_make_files", CORPUS / "make_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FILES


@pytest.mark.parametrize("name", sorted(corpus_builders()))
def test_the_corpus_files_are_those_their_script_writes_and_hold_each_contact_on_its_own_lines(name):
    build, expected = corpus_builders()[name]
    data = (CORPUS / name).read_bytes()
    assert data == build()
    assert json.loads((CORPUS / name).with_suffix(".json").read_text()) == expected
    text = read_release(data, name).text
    for contact in expected["contacts"]:
        # Each contact's email is on a line that names no other contact's email.
        for email in contact["emails"]:
            (line,) = [line for line in text.split("\n") if email in line]
            others = [other for each in expected["contacts"] if each is not contact for other in each["emails"]]
            assert not any(other in line for other in others)
