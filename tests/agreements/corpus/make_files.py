"""Writes the corpus's PDF, Word, HTML and e-mail releases, and their expected JSON, byte for byte the same each run.

Run from the repository's root: ``.venv/bin/python tests/agreements/corpus/make_files.py``. The people, addresses and
numbers are made up (example domains, unallocated numbers); the organisations are the seed's.

The PDFs are typeset line by line, the way a word processor leaves them: a headline wrapped over three lines in
larger type, words hyphenated at line ends, contacts as "Organisation : Name, title" with their email and phone on
the lines below. The Word documents are re-zipped with fixed dates, the e-mail has fixed boundaries.
"""

import io
import json
import zipfile
from email.message import EmailMessage
from pathlib import Path

import docx
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent


def pdf(lines: list[tuple[float, str]]) -> bytes:
    """A one-page PDF of ``(size, line)``: each line where a word processor put it; an empty line is a gap."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setTitle("Communiqué")
    y = A4[1] - 70
    for size, text in lines:
        if text:
            page.setFont("Helvetica-Bold" if size > 11 else "Helvetica", size)
            page.drawString(60, y, text)
        y -= size * 1.35 if text else 8
    page.save()
    return buffer.getvalue()


def docx_file(blocks: list) -> bytes:
    """A Word document of paragraphs (str) and tables (lists of rows), zipped again with fixed dates."""
    document = docx.Document()
    document.core_properties.author = "Cluster CRM corpus"
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=0, cols=len(block[0]))
        for row in block:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return buffer.getvalue()


def contact(name, title, organisation, emails, phones) -> dict:
    return {"name": name, "title": title, "organisation": organisation, "emails": emails, "phones": phones}


FRENCH_PDF = [
    (10, "COMMUNIQUÉ DE PRESSE"),
    (10, ""),
    (20, "Polepharma et le Basque Health Cluster"),
    (20, "s'allient pour la forma-"),
    (20, "tion aux métiers de la bioproduction"),
    (10, ""),
    (10, "Tours, le 5 octobre 2023"),
    (10, ""),
    (10, "Polepharma et le Basque Health Cluster ont signé ce jeudi à Tours une convention de partenariat qui"),
    (10, "ouvre aux salariés de leurs adhérents, des deux côtés des Pyrénées, un programme commun de forma-"),
    (10, "tion aux métiers de la bioproduction, construit avec les entreprises de la région Centre-Val de"),
    (10, "Loire et d'Euskadi, et dont la première promotion de vingt techniciens commencera en janvier."),
    (10, ""),
    (10, "« Cette convention donne à nos adhérents un accès direct aux compétences dont ils ont besoin »,"),
    (10, "souligne Thomas Renaud, délégué général de Polepharma. Les sessions auront lieu à Tours et à Saint-"),
    (10, "Sébastien, dans les laboratoires des établissements partenaires."),
    (10, ""),
    (10, "Contacts presse :"),
    (10, "Polepharma : Hélène Moreau, chargée de communication"),
    (10, "helene.moreau@example.org"),
    (10, "02 37 00 00 01"),
    (10, "Basque Health Cluster : Itziar Goikoetxea, responsable de la communication"),
    (10, "itziar.goikoetxea@example.com"),
    (10, "+34 943 00 00 02"),
]
FRENCH_PDF_JSON = {
    "language": "fr",
    "date": "2023-10-05",
    "place": "Tours",
    "title": "Polepharma et le Basque Health Cluster s'allient pour la formation aux métiers de la bioproduction",
    "contacts": [
        contact(
            "Hélène Moreau", "Chargée de communication", "Polepharma", ["helene.moreau@example.org"], ["+33237000001"]
        ),
        contact(
            "Itziar Goikoetxea",
            "Responsable de la communication",
            "Basque Health Cluster",
            ["itziar.goikoetxea@example.com"],
            ["+34943000002"],
        ),
    ],
    "quotes": [{"speaker": "Thomas Renaud", "starts": "Cette convention donne"}],
    "agreement": {
        "kind": "convention",
        "parties": ["Polepharma", "Basque Health Cluster"],
        "date": "2023-10-05",
        "place": "Tours",
    },
}

ENGLISH_PDF = [
    (10, "NEWS RELEASE"),
    (10, ""),
    (18, "Leem and Basque Health Cluster sign a memorandum"),
    (18, "of understanding on clinical trial skills"),
    (10, ""),
    (10, "Paris, 14 September 2021"),
    (10, ""),
    (10, "Leem, the French federation of pharmaceutical companies, and the Basque Health Cluster signed a"),
    (10, "memorandum of understanding in Paris today to train clinical research associates together, share"),
    (10, "their course material and open their members' sites to trainees from both sides of the border."),
    (10, ""),
    (10, "“Clinical trials need people trained to the same standards in every country,” said Claire Dubois,"),
    (10, "Director of Training at Leem. The first courses will start in the spring."),
    (10, ""),
    (10, "Media contacts:"),
    (10, "Leem: Sophie Laurent, Press Officer, sophie.laurent@example.org, +33 1 45 00 00 03"),
    (10, "Basque Health Cluster: Mikel Arana, Communications Lead, mikel.arana@example.com, +34 944 00 00 04"),
]
ENGLISH_PDF_JSON = {
    "language": "en",
    "date": "2021-09-14",
    "place": "Paris",
    "title": "Leem and Basque Health Cluster sign a memorandum of understanding on clinical trial skills",
    "contacts": [
        contact("Sophie Laurent", "Press Officer", "Leem", ["sophie.laurent@example.org"], ["+33145000003"]),
        contact(
            "Mikel Arana",
            "Communications Lead",
            "Basque Health Cluster",
            ["mikel.arana@example.com"],
            ["+34944000004"],
        ),
    ],
    "quotes": [{"speaker": "Claire Dubois", "starts": "Clinical trials need"}],
    "agreement": {
        "kind": "memorandum",
        "parties": ["Leem", "Basque Health Cluster"],
        "date": "2021-09-14",
        "place": "Paris",
    },
}

SPANISH_DOCX = [
    "Nota de prensa",
    "Bilbao, 21 de junio de 2024",
    "El Basque Health Cluster y GIPSO firman un convenio para la formación en bioproducción",
    "El Basque Health Cluster y GIPSO han firmado hoy en Bilbao un convenio de colaboración que permitirá a los "
    "técnicos de sus empresas asociadas formarse en las plantas de bioproducción de Euskadi y de Nueva Aquitania.",
    "«Este convenio acerca a nuestras empresas a los centros de formación de Nueva Aquitania», ha señalado Nerea "
    "Urkiola, directora general del Basque Health Cluster.",
    "Contactos de prensa:",
    [
        ("Nombre", "Cargo", "Organización", "Correo", "Teléfono"),
        (
            "Amaia Zabala",
            "Responsable de comunicación",
            "Basque Health Cluster",
            "amaia.zabala@example.com",
            "+34 944 00 00 05",
        ),
        ("Julien Marty", "Chargé de communication", "GIPSO", "julien.marty@example.org", "+33 5 56 00 00 06"),
    ],
]
SPANISH_DOCX_JSON = {
    "language": "es",
    "date": "2024-06-21",
    "place": "Bilbao",
    "title": "El Basque Health Cluster y GIPSO firman un convenio para la formación en bioproducción",
    "contacts": [
        contact(
            "Amaia Zabala",
            "Responsable de comunicación",
            "Basque Health Cluster",
            ["amaia.zabala@example.com"],
            ["+34944000005"],
        ),
        contact("Julien Marty", "Chargé de communication", "GIPSO", ["julien.marty@example.org"], ["+33556000006"]),
    ],
    "quotes": [{"speaker": "Nerea Urkiola", "starts": "Este convenio acerca"}],
    "agreement": {
        "kind": "convention",
        "parties": ["Basque Health Cluster", "GIPSO"],
        "date": "2024-06-21",
        "place": "Bilbao",
    },
}

FRENCH_DOCX = [
    "Communiqué de presse",
    "Bordeaux, le 8 novembre 2022",
    "GIPSO et le Leem lancent un observatoire régional de l'emploi pharmaceutique",
    "Le GIPSO et le Leem publieront chaque année, à partir de 2023, les chiffres de l'emploi et des recrutements "
    "dans les établissements pharmaceutiques de Nouvelle-Aquitaine, établissement par établissement.",
    "« Nos adhérents ont besoin de savoir quels métiers recrutent pour orienter leurs plans de formation », précise "
    "Paul Marchand, président du GIPSO.",
    "",
    "Contacts presse",
    "Marion LEBRUN",
    "Responsable communication, GIPSO",
    "marion.lebrun@example.org",
    "05 56 00 00 07",
    "",
    "Karim BENALI",
    "Attaché de presse, Leem",
    "kbenali@example.org",
    "01 45 00 00 08",
]
FRENCH_DOCX_JSON = {
    "language": "fr",
    "date": "2022-11-08",
    "place": "Bordeaux",
    "title": "GIPSO et le Leem lancent un observatoire régional de l'emploi pharmaceutique",
    "contacts": [
        contact("Marion Lebrun", "Responsable communication", "GIPSO", ["marion.lebrun@example.org"], ["+33556000007"]),
        contact("Karim Benali", "Attaché de presse", "Leem", ["kbenali@example.org"], ["+33145000008"]),
    ],
    "quotes": [{"speaker": "Paul Marchand", "starts": "Nos adhérents ont"}],
    "agreement": None,
}

NEWSLETTER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Basque Health Cluster newsletter</title>
<style>td { padding: 4px; } .kicker { text-transform: uppercase; }</style></head>
<body>
<table class="layout" width="600"><tr><td>
  <p class="kicker">Press release</p>
  <h1>Basque Health Cluster and Polepharma open a joint
      regulatory affairs academy</h1>
  <p>San Sebastián, 20 October 2022</p>
  <p>The Basque Health Cluster and Polepharma signed a partnership agreement in San Sebastián today to open a
     joint academy for <a href="https://example.org/academy">regulatory affairs</a>, with courses in Spanish,
     French and English for the staff of their members.</p>
  <p>“Regulatory skills are scarce on both sides of the border,” said Leire Ortiz, Training Director at the
     Basque Health Cluster.</p>
  <h2>Press contacts</h2>
  <table class="contacts">
    <tr><th>Name</th><th>Title</th><th>Organisation</th><th>Email</th><th>Phone</th></tr>
    <tr><td>Gorka Etxebarria</td><td>Press Officer</td><td>Basque Health Cluster</td>
        <td><a href="mailto:gorka.etxebarria@example.com">gorka.etxebarria@example.com</a></td>
        <td>+34 943 00 00 09</td></tr>
    <tr><td>Nathalie Roux</td><td>Communication Officer</td><td>Polepharma</td>
        <td><a href="mailto:nathalie.roux@example.org">Email Nathalie</a></td><td>+33 2 37 00 00 10</td></tr>
  </table>
  <p><a href="https://example.org/unsubscribe">Unsubscribe</a></p>
</td></tr></table>
</body></html>
"""
NEWSLETTER_JSON = {
    "language": "en",
    "date": "2022-10-20",
    "place": "San Sebastián",
    "title": "Basque Health Cluster and Polepharma open a joint regulatory affairs academy",
    "contacts": [
        contact(
            "Gorka Etxebarria",
            "Press Officer",
            "Basque Health Cluster",
            ["gorka.etxebarria@example.com"],
            ["+34943000009"],
        ),
        contact(
            "Nathalie Roux", "Communication Officer", "Polepharma", ["nathalie.roux@example.org"], ["+33237000010"]
        ),
    ],
    "quotes": [{"speaker": "Leire Ortiz", "starts": "Regulatory skills are"}],
    "agreement": {
        "kind": "partnership",
        "parties": ["Basque Health Cluster", "Polepharma"],
        "date": "2022-10-20",
        "place": "San Sebastián",
    },
}

FRENCH_EMAIL_HTML = """<html><body>
<p>Paris, le 3 avril 2024</p>
<p><b>Le Leem et Polepharma signent une convention sur la relocalisation de la production de médicaments</b></p>
<p>Le Leem et Polepharma ont signé ce mercredi à Paris une convention qui les engage à accompagner ensemble les
projets de relocalisation industrielle de leurs adhérents, de l'étude de faisabilité à la mise en production.</p>
<p>« Relocaliser, c'est d'abord former les équipes qui feront tourner les lignes », rappelle Agnès Roy,
directrice des affaires industrielles du Leem.</p>
<p>Contacts presse :<br>
Leem : Sophie Martin, attachée de presse – smartin@example.org – 01 45 00 00 11<br>
Polepharma : Lucas Bernard, responsable communication – lucas.bernard@example.org – 06 12 00 00 12</p>
</body></html>
"""
FRENCH_EMAIL_TEXT = """Paris, le 3 avril 2024

Le Leem et Polepharma signent une convention sur la relocalisation de la production de médicaments
(version texte : voir la version HTML)
"""
FRENCH_EMAIL_JSON = {
    "language": "fr",
    "date": "2024-04-03",
    "place": "Paris",
    "title": "Le Leem et Polepharma signent une convention sur la relocalisation de la production de médicaments",
    "contacts": [
        contact("Sophie Martin", "Attachée de presse", "Leem", ["smartin@example.org"], ["+33145000011"]),
        contact(
            "Lucas Bernard", "Responsable communication", "Polepharma", ["lucas.bernard@example.org"], ["+33612000012"]
        ),
    ],
    "quotes": [{"speaker": "Agnès Roy", "starts": "Relocaliser, c'est d'abord"}],
    "agreement": {"kind": "convention", "parties": ["Leem", "Polepharma"], "date": "2024-04-03", "place": "Paris"},
}


def french_email() -> bytes:
    mail = EmailMessage()
    mail["From"] = "Service de presse du Leem <presse@example.org>"
    mail["To"] = "redaction@example.com"
    mail["Subject"] = "Communiqué : le Leem et Polepharma signent une convention"
    mail["Date"] = "Wed, 03 Apr 2024 10:00:00 +0200"
    mail["Message-ID"] = "<corpus-fr-eml@example.org>"
    mail.set_content(FRENCH_EMAIL_TEXT)
    mail.add_alternative(FRENCH_EMAIL_HTML, subtype="html")
    # An attachment naming someone else: it is not read.
    mail.add_attachment(
        "Contact : Personne Ignorée, ignoree@example.net, 01 00 00 00 00\n".encode(),
        maintype="text",
        subtype="plain",
        filename="annexe.txt",
    )
    mail.set_boundary("corpus-fr-eml-mixed")
    for number, part in enumerate(mail.walk()):
        if part.is_multipart() and part is not mail:
            part.set_boundary(f"corpus-fr-eml-{number}")
    return mail.as_bytes()


FILES = {
    "fr_pdf_alliance_formation.pdf": (lambda: pdf(FRENCH_PDF), FRENCH_PDF_JSON),
    "en_pdf_memorandum_skills.pdf": (lambda: pdf(ENGLISH_PDF), ENGLISH_PDF_JSON),
    "es_docx_tabla_contactos.docx": (lambda: docx_file(SPANISH_DOCX), SPANISH_DOCX_JSON),
    "fr_docx_contacts_en_blocs.docx": (lambda: docx_file(FRENCH_DOCX), FRENCH_DOCX_JSON),
    "en_html_newsletter_table.html": (lambda: NEWSLETTER.encode(), NEWSLETTER_JSON),
    "fr_eml_html_et_piece_jointe.eml": (french_email, FRENCH_EMAIL_JSON),
}


def main() -> None:
    for name, (build, expected) in FILES.items():
        (HERE / name).write_bytes(build())
        (HERE / name).with_suffix(".json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
