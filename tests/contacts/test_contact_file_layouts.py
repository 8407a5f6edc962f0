"""Files from the tools people keep their contacts in, written in the exact column layouts those tools produce:
every email, phone, organisation, title and note lands where it belongs, honorifics never become job titles,
and the columns the import does not use are named."""

import csv
import io

import pytest

from contacts.imports import import_people
from contacts.models import ContactPoint, Person
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def organisations(db):
    OrganisationFactory(name="Azkue Biotech", slug="azkue-biotech")
    OrganisationFactory(name="Leem", slug="leem")


def csv_file(header: list[str], rows: list[dict[str, str]], delimiter=",") -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return output.getvalue().encode("utf-8-sig")


def imported(data: bytes):
    result = import_people(data, dry_run=False, file_name="x.csv")
    assert not result.rejected, result.rejected
    return result


def details(family_name: str) -> dict:
    person = Person.objects.get(family_name=family_name)
    points = person.contact_points.order_by("medium", "-is_primary", "pk")
    return {
        "given_name": person.given_name,
        "positions": [(p.organisation.name, p.title) for p in person.positions.all()],
        "emails": [(p.email, p.kind, p.is_primary) for p in points if p.email],
        "phones": [(str(p.phone), p.kind, p.is_primary) for p in points if p.phone],
        "notes": person.notes,
        "tags": sorted(person.tags.values_list("name", flat=True)),
    }


GOOGLE = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,"
    "Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,"
    "Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,"
    "Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,"
    "Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,"
    "Address 1 - Extended Address,Website 1 - Label,Website 1 - Value"
).split(",")


def test_google_contacts_csv():
    result = imported(
        csv_file(
            GOOGLE,
            [
                {
                    "First Name": "Eider",
                    "Middle Name": "Miren",
                    "Last Name": "Arana",
                    "Name Prefix": "Mme",
                    "Organization Name": "Azkue Biotech",
                    "Organization Title": "Directrice scientifique",
                    "Organization Department": "R&D",
                    "Notes": "Rencontrée au salon\nRappeler en mars",
                    "Labels": "* myContacts ::: Presse",
                    "E-mail 1 - Label": "* Work",
                    "E-mail 1 - Value": "eider@azkue.example",
                    "E-mail 2 - Label": "Home",
                    "E-mail 2 - Value": "eider.arana@gmail.com",
                    "Phone 1 - Label": "Mobile",
                    "Phone 1 - Value": "+34 644 84 56 44",
                    "Phone 2 - Label": "Work",
                    "Phone 2 - Value": "+34 943 00 00 00 ::: +34 943 11 11 11",
                    "Address 1 - City": "Donostia",
                }
            ],
        )
    )
    assert result.layout == "CSV de Google Contacts"
    assert details("Arana") == {
        "given_name": "Eider Miren",
        "positions": [("Azkue Biotech", "Directrice scientifique")],
        "emails": [("eider@azkue.example", "work", True), ("eider.arana@gmail.com", "personal", False)],
        "phones": [
            ("+34644845644", "mobile", True),
            ("+34943000000", "work", False),
            ("+34943111111", "work", False),
        ],
        "notes": "Rencontrée au salon\nRappeler en mars",
        "tags": ["Presse"],
    }
    assert result.unused_columns == ["Organization Department", "Address 1 - City"]
    assert result.remarks == {2: ["Civilité « Mme » non reprise : le CRM n’a pas de champ pour elle."]}


GOOGLE_LEGACY = (
    "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,Family Name Yomi,"
    "Name Prefix,Name Suffix,Initials,Nickname,Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,"
    "Directory Server,Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,Language,Photo,Group Membership,"
    "E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,"
    "Phone 2 - Type,Phone 2 - Value,Organization 1 - Type,Organization 1 - Name,Organization 1 - Yomi Name,"
    "Organization 1 - Title,Organization 1 - Department,Organization 1 - Symbol,Organization 1 - Location,"
    "Organization 1 - Job Description"
).split(",")


def test_google_contacts_csv_in_the_former_layout_splits_no_whole_name_into_the_family_name():
    result = imported(
        csv_file(
            GOOGLE_LEGACY,
            [
                {
                    "Name": "Sophie Bou",
                    "Given Name": "Sophie",
                    "Family Name": "Bou",
                    "Group Membership": "* myContacts",
                    "E-mail 1 - Type": "* Work",
                    "E-mail 1 - Value": "sbou@leem.org",
                    "Phone 1 - Type": "Work",
                    "Phone 1 - Value": "01 45 03 88 38",
                    "Phone 2 - Type": "Mobile",
                    "Phone 2 - Value": "06 60 46 23 08",
                    "Organization 1 - Type": "Work",
                    "Organization 1 - Name": "Leem",
                    "Organization 1 - Title": "Directrice de la communication",
                },
                # Only the whole name: split at its last word.
                {"Name": "Jean-Marc Pautre", "E-mail 1 - Type": "* Home", "E-mail 1 - Value": "jm.pautre@orange.fr"},
            ],
        )
    )
    assert result.layout == "CSV de Google Contacts (ancienne présentation)"
    assert details("Bou") == {
        "given_name": "Sophie",
        "positions": [("Leem", "Directrice de la communication")],
        "emails": [("sbou@leem.org", "work", True)],
        "phones": [("+33145038838", "work", True), ("+33660462308", "mobile", False)],
        "notes": "",
        "tags": [],
    }
    assert details("Pautre")["given_name"] == "Jean-Marc"
    assert details("Pautre")["emails"] == [("jm.pautre@orange.fr", "personal", True)]
    assert result.unused_columns == ["Organization 1 - Type"]


OUTLOOK = (
    "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business Street,Business Street 2,"
    "Business Street 3,Business City,Business State,Business Postal Code,Business Country/Region,Home Street,"
    "Home Street 2,Home Street 3,Home City,Home State,Home Postal Code,Home Country/Region,Other Street,"
    "Other Street 2,Other Street 3,Other City,Other State,Other Postal Code,Other Country/Region,Assistant's Phone,"
    "Business Fax,Business Phone,Business Phone 2,Callback,Car Phone,Company Main Phone,Home Fax,Home Phone,"
    "Home Phone 2,ISDN,Mobile Phone,Other Fax,Other Phone,Pager,Primary Phone,Radio Phone,TTY/TDD Phone,Telex,"
    "Account,Anniversary,Assistant's Name,Billing Information,Birthday,Business Address PO Box,Categories,Children,"
    "Directory Server,E-mail Address,E-mail Type,E-mail Display Name,E-mail 2 Address,E-mail 2 Type,"
    "E-mail 2 Display Name,E-mail 3 Address,E-mail 3 Type,E-mail 3 Display Name,Gender,Government ID Number,Hobby,"
    "Home Address PO Box,Initials,Internet Free Busy,Keywords,Language,Location,Manager's Name,Mileage,Notes,"
    "Office Location,Organizational ID Number,Other Address PO Box,Priority,Private,Profession,Referred By,"
    "Sensitivity,Spouse,User 1,User 2,User 3,User 4,Web Page"
).split(",")


def test_outlook_csv_in_english_keeps_the_honorific_out_of_the_job_title():
    result = imported(
        csv_file(
            OUTLOOK,
            [
                {
                    "Title": "Mme",
                    "First Name": "Sophie",
                    "Last Name": "Bou",
                    "Company": "Leem",
                    "Job Title": "Directrice de la communication",
                    "Business Phone": "+33 1 45 03 88 38",
                    "Company Main Phone": "+33 1 45 03 88 00",
                    "Mobile Phone": "+33 6 60 46 23 08",
                    "E-mail Address": "sbou@leem.org",
                    "E-mail Type": "SMTP",
                    "E-mail Display Name": "Sophie Bou (sbou@leem.org)",
                    "E-mail 2 Address": "sophie.bou@gmail.com",
                    "Categories": "Presse;Santé",
                    "Notes": "Préfère le téléphone",
                    "Priority": "Normal",
                    "Sensitivity": "Normal",
                    "Private": "False",
                }
            ],
        )
    )
    assert result.layout == "CSV d’Outlook"
    assert details("Bou") == {
        "given_name": "Sophie",
        "positions": [("Leem", "Directrice de la communication")],
        "emails": [("sbou@leem.org", "work", True), ("sophie.bou@gmail.com", "work", False)],
        "phones": [
            ("+33145038838", "work", True),
            ("+33660462308", "mobile", False),
            ("+33145038800", "switchboard", False),
        ],
        "notes": "Préfère le téléphone",
        "tags": ["Presse", "Santé"],
    }
    assert result.unused_columns == ["E-mail Type", "E-mail Display Name", "Priority", "Private", "Sensitivity"]
    assert result.remarks == {2: ["Civilité « Mme » non reprise : le CRM n’a pas de champ pour elle."]}


OUTLOOK_FR = (
    "Titre;Prénom;Deuxième prénom;Nom;Suffixe;Société;Service;Fonction;Rue (bureau);Rue (bureau) 2;Rue (bureau) 3;"
    "Ville (bureau);Dép/Région (bureau);Code postal (bureau);Pays/Région (bureau);Rue (domicile);Rue (domicile) 2;"
    "Rue (domicile) 3;Ville (domicile);Dép/Région (domicile);Code postal (domicile);Pays/Région (domicile);"
    "Rue (autre);Rue (autre) 2;Rue (autre) 3;Ville (autre);Dép/Région (autre);Code postal (autre);"
    "Pays/Région (autre);Téléphone de l'assistant(e);Télécopie (bureau);Téléphone (bureau);Téléphone 2 (bureau);"
    "Rappel;Téléphone (voiture);Téléphone société;Télécopie (domicile);Téléphone (domicile);"
    "Téléphone 2 (domicile);RNIS;Tél. mobile;Télécopie (autre);Téléphone (autre);Récepteur de radiomessagerie;"
    "Téléphone principal;Radio téléphone;Téléphone TDD/TTY;Télex;Compte;Anniversaire de mariage ou fête;"
    "Nom de l'assistant(e);Informations facturation;Anniversaire;Boîte postale (bureau);Catégories;Enfants;"
    "Serveur d'annuaire;Adresse de messagerie;Type de messagerie;Nom complet de l'adresse de messagerie;"
    "Adresse de messagerie 2;Type de messagerie 2;Nom complet de l'adresse de messagerie 2;"
    "Adresse de messagerie 3;Type de messagerie 3;Nom complet de l'adresse de messagerie 3;Sexe;"
    "Numéro d'identification de l'organisation;Passe-temps;Boîte postale (domicile);Initiales;"
    "Disponibilité Internet;Mots clés;Langue;Lieu;Nom du manager;Kilométrage;Notes;Bureau;"
    "Numéro d'identification gouvernemental;Boîte postale (autre);Priorité;Privé;Profession;Recommandé par;"
    "Critère de diffusion;Conjoint(e);Utilisateur 1;Utilisateur 2;Utilisateur 3;Utilisateur 4;Page Web"
).split(";")


def test_outlook_csv_in_french_from_a_french_excel():
    data = csv_file(
        OUTLOOK_FR,
        [
            {
                "Titre": "M.",
                "Prénom": "Iñaki",
                "Nom": "ARANA",
                "Société": "Azkue Biotech",
                "Fonction": "Directeur général",
                "Téléphone (bureau)": "+34 943 00 00 00",
                "Tél. mobile": "+34 644 84 56 45",
                "Téléphone (domicile)": "+34 943 22 22 22",
                "Adresse de messagerie": "inaki@azkue.example",
                "Type de messagerie": "SMTP",
                "Catégories": "Conseil d'administration",
            }
        ],
        delimiter=";",
    )
    result = imported(data.decode("utf-8-sig").encode("cp1252"))
    assert result.layout == "CSV d’Outlook"
    assert details("Arana") == {
        "given_name": "Iñaki",
        "positions": [("Azkue Biotech", "Directeur général")],
        "emails": [("inaki@azkue.example", "work", True)],
        "phones": [
            ("+34943000000", "work", True),
            ("+34644845645", "mobile", False),
            ("+34943222222", "personal", False),
        ],
        "notes": "",
        "tags": ["Conseil d'administration"],
    }
    assert result.unused_columns == ["Type de messagerie"]


def test_a_title_column_holding_honorifics_is_not_taken_for_job_titles():
    data = "Civilité;Prénom;Nom;E-mail;Titre\nMme;Ane;Etxeberria;ane@bihotz.eus;Mme\n".encode()
    result = imported(data)
    assert not Person.objects.get().positions.exists()
    assert result.remarks == {
        2: [
            "Civilité « Mme » non reprise : le CRM n’a pas de champ pour elle.",
            "« Mme » est une civilité, pas une fonction : non reprise.",
        ]
    }


def test_columns_the_import_does_not_read_are_named_in_the_report():
    data = "Nom;Prénom;Ville;Date de naissance;Vide\nBou;Sophie;Paris;1970-01-01;\n".encode()
    result = imported(data)
    assert result.layout == "tableur"
    assert result.unused_columns == ["Ville", "Date de naissance"]
    assert ContactPoint.objects.count() == 0


APPLE_VCARD = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//macOS 14.4//EN\r\n"
    "N:Arana;Eider;;Mme;\r\n"
    "FN:Eider Arana\r\n"
    "ORG:Azkue Biotech;Recherche\r\n"
    "TITLE:Directrice scientifique\r\n"
    "item1.EMAIL;type=INTERNET;type=WORK;type=pref:eider@azkue.example\r\n"
    "item1.X-ABLabel:_$!<Work>!$_\r\n"
    "EMAIL;type=INTERNET;type=HOME:eider.arana@gmail.com\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+34 644 84 56 44\r\n"
    "TEL;type=MAIN:+34 943 00 00 00\r\n"
    "NOTE:Rencontrée au salon\\, à Bilbao\\nRappeler en mars\r\n"
    "CATEGORIES:Presse,Salon 2024\r\n"
    "END:VCARD\r\n"
)


def test_a_vcard_file_from_a_phone_or_mail_client():
    result = imported(APPLE_VCARD.encode())
    assert result.layout == "vCard"
    assert details("Arana") == {
        "given_name": "Eider",
        "positions": [("Azkue Biotech", "Directrice scientifique")],
        "emails": [("eider@azkue.example", "work", True), ("eider.arana@gmail.com", "personal", False)],
        "phones": [("+34644845644", "mobile", True), ("+34943000000", "switchboard", False)],
        "notes": "Rencontrée au salon, à Bilbao\nRappeler en mars",
        "tags": ["Presse", "Salon 2024"],
    }
    assert result.remarks == {2: ["Civilité « Mme » non reprise : le CRM n’a pas de champ pour elle."]}


def test_our_own_vcards_come_back_as_they_left():
    from contacts import exports

    imported(APPLE_VCARD.encode())
    before = details("Arana")
    cards = b"".join(exports.vcard_chunks(exports.rows(Person.objects.all())))
    Person.objects.all().delete()
    imported(cards)
    assert details("Arana") == before
