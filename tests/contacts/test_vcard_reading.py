"""Reading vCard files as phones and mail clients write them: one row per card for the people import, and hostile
files refused within bounds with a sentence naming the card.

The cards are written by hand in the shapes each tool exports (Android and Outlook 2.1, Apple and Google 3.0,
Thunderbird 4.0); messages are checked in English, the language of the code.
"""

import datetime
import re
import tracemalloc

import pytest
import vobject
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from contacts.exports import vcard_uid
from contacts.vcards import VCARD_COLUMNS, VCardReader, looks_like_vcard, read_vcards
from core.tables import TableError, TableLimits
from tests.factories import EmailFactory, OrganisationFactory, PersonFactory, PhoneFactory, PositionFactory


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def rows(data: str | bytes, limits: TableLimits | None = None) -> list[dict]:
    if isinstance(data, str):
        data = data.encode()
    dataset = read_vcards(data, limits=limits or TableLimits.for_request())
    assert dataset.headers == VCARD_COLUMNS
    return [dict(row) for row in dataset.dict]


def row(**values: str) -> dict:
    """A whole row: the columns not given are empty."""
    return {column: values.pop(column, "") for column in VCARD_COLUMNS} | values


def refused(data: str | bytes, limits: TableLimits | None = None) -> str:
    if isinstance(data, str):
        data = data.encode()
    with pytest.raises(TableError) as refusal:
        read_vcards(data, limits=limits or TableLimits.for_request())
    return str(refusal.value)


def limits(**changes: int) -> TableLimits:
    values = {
        "max_bytes": 16 * 1024 * 1024,
        "max_rows": 500,
        "max_columns": 100,
        "max_cell_characters": 10_000,
        "max_unzipped_bytes": 16 * 1024 * 1024,
    }
    return TableLimits(**(values | changes))


PHOTO = (
    "PHOTO;ENCODING=b;TYPE=JPEG:"
    + "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgK"
    + ("\n CgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQ" * 2000)
)


# vCard 2.1: Android and Outlook.

ANDROID_2_1 = crlf(
    """BEGIN:VCARD
VERSION:2.1
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:de La Tour d'Auvergne-B=C3=A9ranger;Marie-St=C3=A9ph=
=C3=A2ne;;Mme;
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Mme Marie-St=C3=A9ph=C3=A2ne de La Tour d'Auvergne-B=C3=
=A9ranger
TEL;CELL;PREF:+33 6 12 34 56 78
TEL;HOME:+33 1 45 00 00 01
TEL;WORK:+33 1 45 00 00 02
TEL;WORK;FAX:+33 1 45 00 00 03
TEL;PAGER:+33 1 45 00 00 04
EMAIL;WORK:msb@socgen.example
EMAIL;HOME;PREF:marie.steph@perso.example
ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Soci=C3=A9t=C3=A9 G=C3=A9n=C3=A9rale;Direction financi=C3=
=A8re
TITLE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Directrice financi=C3=A8re
NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Rencontr=C3=A9e au salon Vivatech, tr=C3=A8s int=C3=A9r=
ess=C3=A9e par le programme.=0A=C3=80 rappeler en mars.
PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgK
  CgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQ
  EBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAABAAEDASIA

END:VCARD
"""
)


def test_an_android_2_1_card_in_quoted_printable_utf8_with_soft_line_breaks():
    assert rows(ANDROID_2_1) == [
        row(
            given_name="Marie-Stéphâne",
            family_name="de La Tour d'Auvergne-Béranger",
            full_name="Mme Marie-Stéphâne de La Tour d'Auvergne-Béranger",
            honorific="Mme",
            organisation="Société Générale",
            title="Directrice financière",
            email="marie.steph@perso.example",
            work_emails="msb@socgen.example",
            personal_emails="marie.steph@perso.example",
            phone="+33 6 12 34 56 78",
            work_phones="+33 1 45 00 00 02",
            mobiles="+33 6 12 34 56 78",
            personal_phones="+33 1 45 00 00 01",
            notes="Rencontrée au salon Vivatech, très intéressée par le programme.\nÀ rappeler en mars.",
        )
    ]


OUTLOOK_2_1 = crlf(
    """BEGIN:VCARD
VERSION:2.1
N;LANGUAGE=fr;CHARSET=Windows-1252:Lefèvre;Jérôme
FN;CHARSET=Windows-1252:Jérôme Lefèvre
ORG;CHARSET=Windows-1252:Œuvres Sociales de l'Économie;Achats
TITLE;CHARSET=Windows-1252:Responsable des achats
TEL;WORK;VOICE:01 23 45 67 89
TEL;CELL;VOICE:06 12 34 56 78
TEL;WORK;FAX:01 23 45 67 90
TEL;X-COMPANY-MAIN:01 23 45 67 00
ADR;WORK;PREF;ENCODING=QUOTED-PRINTABLE;CHARSET=Windows-1252:;;12 rue de la Paix;Paris;;75002;France
LABEL;WORK;PREF;ENCODING=QUOTED-PRINTABLE;CHARSET=Windows-1252:12 rue de la Paix=0D=0A=
Paris 75002=0D=0A=
France
EMAIL;PREF;INTERNET:jerome.lefevre@oeuvres.example
EMAIL;INTERNET:jlefevre@wanadoo.example
NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=Windows-1252:Rencontr=E9 au salon=0D=0A=
Deuxi=E8me ligne : =9Cuvre =E0 suivre
X-MS-OL-DEFAULT-POSTAL-ADDRESS:2
REV:20240115T101500Z
END:VCARD
"""
)


def test_an_outlook_2_1_card_in_windows_1252_with_bare_types():
    assert rows(OUTLOOK_2_1.encode("cp1252")) == [
        row(
            given_name="Jérôme",
            family_name="Lefèvre",
            full_name="Jérôme Lefèvre",
            organisation="Œuvres Sociales de l'Économie",
            title="Responsable des achats",
            email="jerome.lefevre@oeuvres.example",
            work_emails="jerome.lefevre@oeuvres.example; jlefevre@wanadoo.example",
            phone="01 23 45 67 89",
            work_phones="01 23 45 67 89",
            mobiles="06 12 34 56 78",
            switchboards="01 23 45 67 00",
            notes="Rencontré au salon\nDeuxième ligne : œuvre à suivre",
        )
    ]


def test_a_2_1_card_declaring_iso_8859_1_is_read_as_windows_1252():
    card = "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=ISO-8859-1:Lefèvre;Chloé\nNOTE;CHARSET=ISO-8859-1:Cœur\nEND:VCARD\n"
    (read,) = rows(card.encode("cp1252"))
    assert (read["given_name"], read["family_name"], read["notes"]) == ("Chloé", "Lefèvre", "Cœur")


# vCard 3.0: Apple and Google.

APPLE_3_0 = crlf(
    """BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//macOS 14.4//EN
N:Sarrade-Loucheur;Capucine;Anne,Marie;Mme;
FN:Mme Capucine Anne Marie Sarrade-Loucheur
ORG:Polepharma;Communication;
TITLE:Responsable Communication
item1.EMAIL;type=INTERNET,WORK,pref:capucine.sarrade-loucheur@polepharma.com
item1.X-ABLabel:_$!<Other>!$_
EMAIL;type=INTERNET;type=HOME:capucine@perso.example
EMAIL;type=INTERNET:presse@polepharma.com
TEL;type=CELL;type=VOICE;type=pref:+33 6 60 46 23 08
TEL;type=WORK;type=VOICE:+33 2 37 20 24 24
TEL;type=MAIN:+33 2 37 20 00 00
item2.TEL:+33 2 37 20 11 11
item2.X-ABLabel:Standard
TEL;type=IPHONE;type=CELL;type=VOICE:+33 6 60 46 23 09
TEL;type=HOME;type=VOICE:+33 2 37 00 00 01
TEL;type=WORK;type=FAX:+33 2 37 20 24 25
item3.ADR;type=WORK;type=pref:;;1 rue de la Pharmacie;Chartres;;28000;France
item3.X-ABADR:fr
NOTE:Rencontrée au salon Pharmapack\\, stand B12\\; à revoir.\\nÀ rappeler en mars.
CATEGORIES:Presse,Salon 2024
"""
    + PHOTO
    + """
X-ABUID:5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE:ABPerson
END:VCARD
"""
)


def test_an_apple_contacts_3_0_card_with_grouped_labels_a_photo_and_categories():
    assert rows(APPLE_3_0) == [
        row(
            given_name="Capucine Anne Marie",
            family_name="Sarrade-Loucheur",
            full_name="Mme Capucine Anne Marie Sarrade-Loucheur",
            honorific="Mme",
            organisation="Polepharma",
            title="Responsable Communication",
            email="capucine.sarrade-loucheur@polepharma.com",
            work_emails="capucine.sarrade-loucheur@polepharma.com; presse@polepharma.com",
            personal_emails="capucine@perso.example",
            phone="+33 6 60 46 23 08",
            work_phones="+33 2 37 20 24 24",
            mobiles="+33 6 60 46 23 08; +33 6 60 46 23 09",
            switchboards="+33 2 37 20 00 00; +33 2 37 20 11 11",
            personal_phones="+33 2 37 00 00 01",
            notes="Rencontrée au salon Pharmapack, stand B12; à revoir.\nÀ rappeler en mars.",
            tags="Presse\nSalon 2024",
        )
    ]


def test_a_photo_is_skipped_as_it_is_read_not_kept():
    reader = VCardReader(TableLimits.for_request())
    reader.read(APPLE_3_0.encode())
    assert len(PHOTO) > 150_000
    assert reader.bytes_kept < 1_000


GOOGLE_3_0 = crlf(
    """BEGIN:VCARD
VERSION:3.0
FN:Ane Arana
N:Arana;Ane;;;
EMAIL;TYPE=INTERNET;TYPE=WORK:aarana@azkue.example
EMAIL;TYPE=INTERNET;TYPE=HOME:ane.arana@gmail.example
TEL;TYPE=CELL:+34 644 84 56 44
TEL;TYPE=WORK:+34 943 00 00 00
ORG:Azkue Fundazioa
TITLE:Zuzendaria
CATEGORIES:myContacts,Clusters,Starred
END:VCARD

BEGIN:VCARD
VERSION:3.0
FN:Eider Arana
N:Arana;Eider;;;
item1.EMAIL;TYPE=INTERNET:eider@example.org
item1.X-ABLabel:
item2.TEL:+34 600 00 00 01
item2.X-ABLabel:_$!<Mobile>!$_
CATEGORIES:myContacts
END:VCARD

BEGIN:VCARD
VERSION:3.0
FN:Azkue Fundazioa
N:;;;;
ORG:Azkue Fundazioa
TEL;TYPE=WORK:+34 943 00 00 00
END:VCARD
"""
)


def test_a_google_contacts_3_0_export_has_one_row_per_card_in_order():
    assert rows(GOOGLE_3_0) == [
        row(
            given_name="Ane",
            family_name="Arana",
            full_name="Ane Arana",
            organisation="Azkue Fundazioa",
            title="Zuzendaria",
            email="aarana@azkue.example",
            work_emails="aarana@azkue.example",
            personal_emails="ane.arana@gmail.example",
            phone="+34 644 84 56 44",
            work_phones="+34 943 00 00 00",
            mobiles="+34 644 84 56 44",
            tags="Clusters\nStarred",
        ),
        row(
            given_name="Eider",
            family_name="Arana",
            full_name="Eider Arana",
            email="eider@example.org",
            work_emails="eider@example.org",
            phone="+34 600 00 00 01",
            mobiles="+34 600 00 00 01",
        ),
        # An organisation's own card: its name is not split into a person's.
        row(
            full_name="Azkue Fundazioa",
            organisation="Azkue Fundazioa",
            phone="+34 943 00 00 00",
            work_phones="+34 943 00 00 00",
        ),
    ]


# vCard 4.0: PREF=1 and tel: URIs.

THUNDERBIRD_4_0 = crlf(
    """BEGIN:VCARD
VERSION:4.0
PRODID:-//Thunderbird//EN
UID:urn:uuid:2c8e8b46-7b1f-4d7a-9a43-1f2f0c6b9e01
N:Pascual de Zulueta;María;;;
FN:María Pascual de Zulueta
EMAIL;TYPE=work:maria@basquehealthcluster.org
EMAIL;PREF=1;TYPE=home:maria.pz@example.org
TEL;VALUE=uri;TYPE="work,voice":tel:+34-944-00-00-00;ext=102
TEL;VALUE=uri;TYPE="cell,voice";PREF=1:tel:+34-644-84-56-44
TEL;VALUE=TEXT;TYPE=fax:+34 944 00 00 01
TEL;TYPE=home;VALUE=uri:tel:+34-943-11-11-11
ORG:Basque Health Cluster;Dirección
ROLE:Directora general
NOTE:Línea uno\\nLínea dos
CATEGORIES:Salud,Clusters,Salud
END:VCARD
"""
)


def test_a_4_0_card_with_pref_parameters_and_tel_uris():
    assert rows(THUNDERBIRD_4_0) == [
        row(
            given_name="María",
            family_name="Pascual de Zulueta",
            full_name="María Pascual de Zulueta",
            organisation="Basque Health Cluster",
            title="Directora general",
            email="maria.pz@example.org",
            work_emails="maria@basquehealthcluster.org",
            personal_emails="maria.pz@example.org",
            phone="+34-644-84-56-44",
            work_phones="+34-944-00-00-00 ext. 102",
            mobiles="+34-644-84-56-44",
            personal_phones="+34-943-11-11-11",
            notes="Línea uno\nLínea dos",
            tags="Salud\nClusters",
        )
    ]


def test_the_lowest_pref_is_the_preferred_and_the_first_without_any():
    card = "BEGIN:VCARD\nVERSION:4.0\nFN:A B\nEMAIL;PREF=50:b@example.org\nEMAIL;PREF=2:c@example.org\n"
    card += "TEL:+33 1 00 00 00 01\nTEL;TYPE=work:+33 1 00 00 00 02\nEND:VCARD\n"
    (read,) = rows(card)
    assert (read["email"], read["phone"]) == ("c@example.org", "+33 1 00 00 00 01")


def test_a_title_is_taken_before_a_role():
    card = "BEGIN:VCARD\nVERSION:3.0\nN:Bou;Hafida;;;\nROLE:Porte-parole\nTITLE:Directrice presse\nEND:VCARD\n"
    assert rows(card)[0]["title"] == "Directrice presse"


# Names without N: the full name split.


@pytest.mark.parametrize(
    "full_name, honorific, given_name, family_name",
    [
        ("Jean de La Fontaine", "", "Jean", "de La Fontaine"),
        ("Dr Marie Curie", "Dr", "Marie", "Curie"),
        ("DUPONT Jean-Marc", "", "Jean-Marc", "DUPONT"),
        ("Hélène LE GALL", "", "Hélène", "LE GALL"),
        ("Lefèvre, Jérôme", "", "Jérôme", "Lefèvre"),
        ("Cher", "", "Cher", ""),
    ],
)
def test_a_card_without_n_has_its_full_name_split(full_name, honorific, given_name, family_name):
    (read,) = rows(f"BEGIN:VCARD\nVERSION:4.0\nFN:{full_name}\nEND:VCARD\n")
    assert (read["full_name"], read["honorific"], read["given_name"], read["family_name"]) == (
        full_name,
        honorific,
        given_name,
        family_name,
    )


@pytest.mark.parametrize("kind_line", ["KIND:org", "KIND:group", "X-ABShowAs:COMPANY"])
def test_the_card_of_an_organisation_or_a_group_is_not_a_person_s_name(kind_line):
    (read,) = rows(f"BEGIN:VCARD\nVERSION:4.0\n{kind_line}\nFN:Bureau de presse\nEND:VCARD\n")
    assert (read["full_name"], read["given_name"], read["family_name"]) == ("Bureau de presse", "", "")


# The shapes every version may take.


def test_folded_lines_are_unfolded_even_inside_a_character():
    """RFC 6350 folds at 75 octets, with a space or a tab, anywhere: here in the middle of "é" (C3 A9)."""
    data = (
        b"BEGIN:VCARD\nVERSION:3.0\nN:B\xc3\n \xa9ranger;St\xc3\xa9phane;;;\n"
        b"FN:St\xc3\xa9phane B\n\t\xc3\xa9ranger\n"
        + "NOTE:Une note longue qui passe la limite des soixante-quinze octets d'une \n ligne\\, pliée deux fois\n"
        "  avec une espace gardée.\n"
        "EMAIL;TYPE=INTER\n NET,WORK:s.beranger@example.org\n"
        "END:VCARD\n".encode()
    )
    (read,) = rows(data)
    assert (read["given_name"], read["family_name"], read["full_name"]) == (
        "Stéphane",
        "Béranger",
        "Stéphane Béranger",
    )
    assert read["notes"] == (
        "Une note longue qui passe la limite des soixante-quinze octets d'une ligne, pliée deux fois avec une espace "
        "gardée."
    )
    assert read["work_emails"] == "s.beranger@example.org"


@pytest.mark.parametrize("version, note", [("2.1", "Bonjour tout le monde"), ("3.0", "Bonjourtout le monde")])
def test_vcard_2_1_keeps_the_space_it_folds_at_and_3_0_drops_the_one_it_adds(version, note):
    card = f"BEGIN:VCARD\r\nVERSION:{version}\r\nN:A;B;;;\r\nNOTE:Bonjour\r\n tout le monde\r\nEND:VCARD\r\n"
    assert rows(card)[0]["notes"] == note


def test_a_2_1_photo_in_base64_lines_without_indent_is_skipped_up_to_its_blank_line():
    card = crlf(
        """BEGIN:VCARD
VERSION:2.1
N:Irigoyen;Mikel
PHOTO;ENCODING=BASE64;TYPE=JPEG:
/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgK
CgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkL

EMAIL;INTERNET:mikel@example.org
END:VCARD
"""
    )
    assert rows(card) == [
        row(given_name="Mikel", family_name="Irigoyen", email="mikel@example.org", work_emails="mikel@example.org")
    ]


def test_a_latin_1_file_without_charset_is_read():
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lefèvre;Zoé;;;\r\nFN:Zoé Lefèvre\r\nORG:Cœur de Bourgogne\r\nEND:VCARD\r\n"
    (read,) = rows(card.encode("cp1252"))
    assert (read["given_name"], read["family_name"], read["organisation"]) == ("Zoé", "Lefèvre", "Cœur de Bourgogne")


def test_a_byte_order_mark_lower_case_names_lf_and_old_mac_line_ends():
    card = "begin:vcard\nversion:3.0\nn:Irigoyen;Mikel;;;\nemail;type=work:m@example.org\nend:vcard\n"
    expected = [row(given_name="Mikel", family_name="Irigoyen", email="m@example.org", work_emails="m@example.org")]
    assert rows(b"\xef\xbb\xbf" + card.encode()) == expected
    assert rows(card.replace("\n", "\r")) == expected


def test_escaped_separators_in_structured_values():
    card = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Martin\\, fils;Jean\\;Paul;;;\n"
        "ORG:Dupont\\, Durand & Associés\\; Conseil;Département\\, ventes\n"
        "CATEGORIES:Presse\\, TV,Radio\nNOTE:C:\\\\Documents\\\\contacts\\nfin\nEND:VCARD\n"
    )
    (read,) = rows(card)
    assert (read["given_name"], read["family_name"]) == ("Jean;Paul", "Martin, fils")
    assert read["organisation"] == "Dupont, Durand & Associés; Conseil"
    assert read["tags"] == "Presse, TV\nRadio"
    assert read["notes"] == "C:\\Documents\\contacts\nfin"


def test_an_email_is_listed_once_whatever_its_case():
    card = "BEGIN:VCARD\nVERSION:3.0\nN:A;B;;;\nEMAIL:a@example.org\nEMAIL;TYPE=WORK:A@Example.org\nEND:VCARD\n"
    assert rows(card)[0]["work_emails"] == "a@example.org"


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n", True),
        (b"\xef\xbb\xbf\r\n\r\n  begin:vcard\nEND:VCARD", True),
        (b"Pr\xc3\xa9nom;Nom\r\nAne;Arana\r\n", False),
        (b"BEGIN:VCALENDAR\r\n", False),
        (b"BEGIN:VCARDS\r\n", False),
        (b"PK\x03\x04", False),
        (b"", False),
    ],
)
def test_looks_like_vcard(data, expected):
    assert looks_like_vcard(data) is expected


# Refused, with a sentence naming the card.


def test_a_spreadsheet_is_not_a_vcard_file():
    assert refused("Prénom;Nom\nAne;Arana\n") == "This file is not a vCard file: it must begin with BEGIN:VCARD."


def test_an_empty_file_is_refused():
    assert refused(b"\r\n  \r\n") == "The file is empty."


def test_a_card_left_open_at_the_end_of_the_file_is_named():
    data = GOOGLE_3_0.rsplit("END:VCARD", 1)[0]
    assert refused(data) == "Card 3 is not closed: END:VCARD is missing."


def test_a_card_left_open_before_the_next_is_named_with_the_line():
    data = "BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD\nBEGIN:VCARD\nFN:B\nBEGIN:VCARD\nFN:C\nEND:VCARD\n"
    assert refused(data) == "Card 2 is not closed: END:VCARD is missing before line 7."


def test_a_line_between_cards_is_refused():
    data = "BEGIN:VCARD\nFN:A\nEND:VCARD\nFN:B\nBEGIN:VCARD\nFN:C\nEND:VCARD\n"
    assert refused(data) == ("Line 4 is outside any card: each card begins with BEGIN:VCARD and ends with END:VCARD.")


def test_a_line_that_is_not_a_property_names_its_card_and_line():
    data = "BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nthis is not a property\nEND:VCARD\n"
    assert refused(data) == "Card 2 is malformed: line 6 is not of the form NAME:value."


def test_base64_that_is_not_base64_names_its_card_and_line():
    data = "BEGIN:VCARD\nVERSION:3.0\nFN:A\nNOTE;ENCODING=b:QUJDR\nEND:VCARD\n"
    assert refused(data) == "Card 1 is malformed: the value on line 4 cannot be decoded."


def test_binary_garbage_is_refused():
    assert refused(b"BEGIN:VCARD\n\x00\x01\x02\xff\xfe:\x00") == (
        "The file holds binary data: it is damaged or is not a vCard file. Export the contacts again."
    )
    assert refused(b"BEGIN:VCARD\n\x89PNG\r\n\x1a\n\xff\xd8:\xff\xe0\nEND:VCARD\n") == (
        "Card 1 is malformed: line 2 is not of the form NAME:value."
    )


def test_more_cards_than_the_limit_are_refused():
    card = "BEGIN:VCARD\nVERSION:3.0\nN:A;B;;;\nEND:VCARD\n"
    assert len(rows(card * 3, limits(max_rows=3))) == 3
    assert refused(card * 4, limits(max_rows=3)) == "The file holds more than 3 cards: split it into smaller files."


def test_a_file_heavier_than_the_limit_is_refused_unread():
    assert refused(APPLE_3_0, limits(max_bytes=1000)).startswith("The file weighs ")


def test_a_note_longer_than_a_cell_is_refused_naming_the_card():
    card = "BEGIN:VCARD\nVERSION:3.0\nN:A;B;;;\nNOTE:" + "é" * 101 + "\nEND:VCARD\n"
    assert len(rows(card, limits(max_cell_characters=101))) == 1
    assert refused(card * 2, limits(max_cell_characters=100)) == (
        "Card 1 holds more than 100 characters in its NOTE lines: shorten them."
    )


def test_the_text_of_all_cards_is_bounded():
    card = "BEGIN:VCARD\nVERSION:3.0\nN:Arana;Ane;;;\nNOTE:" + "x" * 90 + "\nEND:VCARD\n"
    assert refused(card * 20, limits(max_unzipped_bytes=1000)) == (
        "The cards hold more than 1000\xa0bytes of text: split the file into smaller files."
    )


def test_a_card_with_thousands_of_addresses_is_refused_at_the_limit():
    data = "BEGIN:VCARD\nVERSION:3.0\n" + "EMAIL:a@example.org\n" * 100_000 + "END:VCARD\n"
    reader = VCardReader(limits(max_columns=100))
    with pytest.raises(TableError) as refusal:
        reader.read(data.encode())
    assert str(refusal.value) == (
        "Card 1 has more than 100 names, email addresses, phone numbers and notes: remove some of them."
    )
    assert reader.bytes_kept < 2_000


def test_ten_megabytes_of_one_folded_note_are_refused_at_the_cell_limit():
    data = b"BEGIN:VCARD\nVERSION:3.0\nN:A;B;;;\nNOTE:x" + b"\n a" * 3_400_000 + b"\nEND:VCARD\n"
    assert len(data) > 10_000_000
    reader = VCardReader(limits())
    tracemalloc.start()
    try:
        with pytest.raises(TableError) as refusal:
            reader.read(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(refusal.value) == "Card 1 holds more than 10,000 characters in its NOTE lines: shorten them."
    assert reader.bytes_kept <= reader.max_line_bytes + 100  # the lines before it: VERSION, N
    assert peak < 10 * reader.max_line_bytes


def test_ten_megabytes_of_one_folded_photo_are_skipped():
    data = b"BEGIN:VCARD\nVERSION:3.0\nN:Arana;Ane;;;\nPHOTO;ENCODING=b:x" + b"\n A" * 3_400_000 + b"\nEND:VCARD\n"
    reader = VCardReader(limits())
    assert [dict(read) for read in reader.read(data).dict] == [row(given_name="Ane", family_name="Arana")]
    assert reader.bytes_kept < 100


@pytest.mark.parametrize(
    "data",
    [
        b"BEGIN:VCARD\n" * 1_000_000,
        b"BEGIN:VCARD\nVERSION:3.0\nNOTE:" + b"x" * 10_000_000 + b"\nEND:VCARD\n",
        b"BEGIN:VCARD\nVERSION:3.0\n" + b"x;" * 5_000_000 + b"\nEND:VCARD\n",
        b"BEGIN:VCARD\nVERSION:2.1\nNOTE;QUOTED-PRINTABLE:=\n" + b"=41=\n" * 2_000_000 + b"END:VCARD\n",
    ],
    ids=["nested-begins", "one-huge-line", "a-huge-head", "endless-soft-line-breaks"],
)
def test_hostile_cards_are_refused_before_their_bytes_are_kept(data):
    reader = VCardReader(limits())
    with pytest.raises(TableError):
        reader.read(data)
    assert reader.bytes_kept <= reader.max_line_bytes + 100  # the lines before it: VERSION, N


DAMAGE = st.one_of(
    st.sampled_from(
        [b"\r\n", b"\n", b"\r", b" ", b"\t", b":", b";", b"=", b"\\", b",", b'"', b".", b"BEGIN:VCARD", b"END:VCARD"]
        + [b"=C3", b"=\r\n", b";ENCODING=b", b";QUOTED-PRINTABLE", b";CHARSET=hex", b";CHARSET=utf-16", b";PREF=\xb2"]
        + [b"\xff", b"\xc3", b"\x1b", b"item1.", b"tel:"]
    ),
    st.binary(max_size=8),
)


@settings(max_examples=400, deadline=None)
@given(
    sample=st.sampled_from(
        [ANDROID_2_1.encode(), OUTLOOK_2_1.encode("cp1252"), GOOGLE_3_0.encode(), THUNDERBIRD_4_0.encode()]
    ),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 12), DAMAGE), min_size=1, max_size=6),
)
def test_a_damaged_file_is_read_or_refused_with_a_sentence_never_with_an_error(sample, edits):
    data = bytearray(sample)
    for where, removed, inserted in edits:
        start = int(where * len(data))
        data[start : start + removed] = inserted
    try:
        dataset = read_vcards(bytes(data), limits=TableLimits.for_request())
    except TableError as refusal:
        assert str(refusal).endswith(".")
    else:
        assert dataset.headers == VCARD_COLUMNS
        assert all(isinstance(value, str) for card in dataset for value in card)


# Our own exports, read back.


@pytest.fixture
def exported(db, exporter_client):
    """Two people as the directory exports them in vCard: everything a card carries, and nothing but a name."""
    ane = PersonFactory(given_name="Ane", family_name="Arana Etxeberria")
    PositionFactory(person=ane, organisation=OrganisationFactory(name="Azkue, Fundazioa; Bilbo"), title="Zuzendaria")
    EmailFactory(person=ane, email="aarana@azkue.example", kind="work", is_primary=True)
    EmailFactory(person=ane, email="ane.arana@gmail.example", kind="personal")
    PhoneFactory(person=ane, phone="+34644845644", kind="mobile", is_primary=True)
    PhoneFactory(person=ane, phone="+34943000001", kind="work")
    PhoneFactory(person=ane, phone="+34943000002", kind="personal")
    stephane = PersonFactory(given_name="Stéphane", family_name="Béranger")
    response = exporter_client.get("/contacts/export/", {"format": "vcf"})
    assert response.status_code == 200
    ane.refresh_from_db()
    stephane.refresh_from_db()
    return b"".join(response.streaming_content), ane, stephane


def test_our_vcard_export_reads_back_into_the_same_people(exported):
    data, _ane, _stephane = exported
    assert looks_like_vcard(data)
    assert sorted(rows(data), key=lambda read: read["given_name"]) == [
        row(
            given_name="Ane",
            family_name="Arana Etxeberria",
            full_name="Ane Arana Etxeberria",
            organisation="Azkue, Fundazioa; Bilbo",
            title="Zuzendaria",
            email="aarana@azkue.example",
            work_emails="aarana@azkue.example",
            personal_emails="ane.arana@gmail.example",
            phone="+34 644 84 56 44",
            work_phones="+34 943 00 00 01",
            mobiles="+34 644 84 56 44",
            personal_phones="+34 943 00 00 02",
        ),
        row(given_name="Stéphane", family_name="Béranger", full_name="Stéphane Béranger"),
    ]


def test_a_switchboard_in_our_export_reads_back_as_a_switchboard(db, exporter_client):
    PhoneFactory(person=PersonFactory(given_name="Ane", family_name="Arana"), phone="+34943000000", kind="switchboard")
    data = b"".join(exporter_client.get("/contacts/export/", {"format": "vcf"}).streaming_content)
    assert rows(data)[0]["switchboards"] == "+34 943 00 00 00"


def test_our_vcard_export_is_read_by_vobject_with_its_uid_rev_types_and_pref(exported):
    data, ane, stephane = exported
    cards = {card.fn.value: card for card in vobject.readComponents(data.decode("utf-8"))}
    card = cards["Ane Arana Etxeberria"]
    assert card.version.value == "3.0"
    assert card.uid.value == vcard_uid(ane.pk)
    assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", card.uid.value)
    assert cards["Stéphane Béranger"].uid.value == vcard_uid(stephane.pk) != card.uid.value
    assert card.rev.value == ane.updated_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert card.n.value.family == "Arana Etxeberria" and card.n.value.given == "Ane"
    assert card.org.value == ["Azkue, Fundazioa; Bilbo"]
    assert {line.value: line.params["TYPE"] for line in card.contents["email"]} == {
        "aarana@azkue.example": ["INTERNET", "WORK", "PREF"],
        "ane.arana@gmail.example": ["INTERNET", "HOME"],
    }
    assert {line.value: line.params["TYPE"] for line in card.contents["tel"]} == {
        "+34 644 84 56 44": ["CELL", "VOICE", "PREF"],
        "+34 943 00 00 01": ["WORK", "VOICE"],
        "+34 943 00 00 02": ["HOME", "VOICE"],
    }


def test_our_vcard_export_keeps_to_rfc_2426_lines(exported):
    """What a strict reader needs besides vobject's leniency: CRLF line ends, lines of at most 75 octets, each
    card opened by BEGIN and VERSION:3.0 and carrying N, FN and a UID."""
    data, ane, _stephane = exported
    assert data.endswith(b"END:VCARD\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    physical = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    unfolded = re.sub(rb"\r\n[ \t]", b"", data).decode("utf-8").split("\r\n")[:-1]
    cards = "\n".join(unfolded).split("END:VCARD")[:-1]
    assert len(cards) == 2
    for card in cards:
        lines = card.strip("\n").split("\n")
        assert lines[:2] == ["BEGIN:VCARD", "VERSION:3.0"]
        names = {line.split(":", 1)[0].split(";", 1)[0] for line in lines}
        assert {"N", "FN", "UID", "REV"} <= names
    assert f"UID:{vcard_uid(ane.pk)}" in unfolded
