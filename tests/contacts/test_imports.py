"""Importing people and organisations from spreadsheets: the command, the admin's preview, the rules."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from clusters.imports import OrganisationBatchResource
from clusters.models import Organisation
from contacts.imports import import_people
from contacts.models import ContactPoint, Person, Position
from core.imports import import_file
from core.tables import TableError
from tests.factories import ClusterFactory, EmailFactory, OrganisationFactory, PersonFactory, PositionFactory

FRENCH_CSV = (
    "Prénom;Nom;Organisation;Fonction;E-mail;Téléphone;Portable\r\n"
    "Ane;ETXEBERRIA;Bihotz;Chargée de projets;Ane@Bihotz.eus/;+34 944 00 00 00;\r\n"
    "Hélène;DE LA TOUR;BHC;Directrice;helene@bhc.eus;05 56 11 32 15;06 60 46 23 08\r\n"
)


@pytest.fixture
def organisations(db):
    return OrganisationFactory(name="Bihotz", slug="bihotz"), ClusterFactory(
        name="Basque Health Cluster", acronym="BHC", slug="basque-health-cluster"
    )


def people(data: bytes, **options):
    options.setdefault("dry_run", False)
    options.setdefault("skip_invalid_rows", False)
    return import_people(data, file_name="contacts.csv", **options)


def counts(new=0, update=0, unchanged=0, rejected=0, flagged=0):
    return {"new": new, "update": update, "unchanged": unchanged, "rejected": rejected, "flagged": flagged}


def errors_of(result):
    rejected = result.rejected.items()
    return {(number, column): messages for number, errors in rejected for column, messages in errors.items()}


def test_a_french_excel_csv_creates_people_positions_and_contact_points(organisations):
    result = people(FRENCH_CSV.encode("cp1252"))
    assert result.counts == counts(new=2)
    ane = Person.objects.get(family_name="Etxeberria")
    assert ane.data_source == "import" and ane.source_detail.endswith("contacts.csv")
    assert [(p.organisation.slug, p.title, p.is_primary) for p in ane.positions.all()] == [
        ("bihotz", "Chargée de projets", True)
    ]
    helene = Person.objects.get(given_name="Hélène")
    assert helene.family_name == "De la Tour"
    assert helene.positions.get().organisation.acronym == "BHC"
    points = {(point.medium, point.kind, point.email or str(point.phone)) for point in helene.contact_points.all()}
    assert points == {
        ("email", "work", "helene@bhc.eus"),
        ("phone", "work", "+33556113215"),
        ("phone", "mobile", "+33660462308"),
    }
    assert ContactPoint.objects.get(person=ane, medium="email").email == "ane@bihotz.eus"
    # Found by the directory's search at once.
    assert list(Person.objects.search("0660462308")) == [helene]


def test_english_headers_commas_and_a_byte_order_mark(organisations):
    csv = "\ufeffFirst name,Last name,Company,Job title,Email\nAne,Etxeberria,bihotz,Project manager,ane@bihotz.eus\n"
    result = people(csv.encode("utf-8"))
    assert result.counts["new"] == 1
    assert Person.objects.get().given_name == "Ane"


def test_an_xlsx_workbook_is_read_like_a_csv(organisations):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Prénom", "Nom", "Organisation", "Fonction", "Courriel", "Téléphone"])
    sheet.append(["Ane", "ETXEBERRIA", "Bihotz", "Chargée de projets", "ane@bihotz.eus", "0556113215"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Mikel", "ALVAREZ", "BHC", "Président", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = people(buffer.getvalue())
    assert result.counts["new"] == 2 and not result.rejected
    assert set(Person.objects.values_list("family_name", flat=True)) == {"Etxeberria", "Alvarez"}


def test_invalid_rows_are_reported_with_their_row_number_and_nothing_is_written(organisations):
    csv = (
        "Prénom;Nom;Organisation;Fonction;E-mail;Téléphone\n"
        "Ane;Etxeberria;Bihotz;Chargée de projets;ane@bihotz.eus;\n"
        "Jon;;Bihotz;Stagiaire;;\n"
        "Miren;Agirre;Nulle part;Directrice;;\n"
        "Iker;Arana;Bihotz;Directeur;pas-une-adresse;12\n"
    )
    result = people(csv.encode())
    assert errors_of(result) == {
        (3, "Nom"): ["Le nom de famille manque."],
        (4, "Organisation"): [
            "Aucune organisation ne s’appelle « Nulle part » : importez d’abord les organisations, ou corrigez le nom."
        ],
        (5, "E-mail"): ["« pas-une-adresse » n’est pas une adresse e-mail."],
        (5, "Téléphone"): ["« 12 » n’est pas un numéro de téléphone."],
    }
    assert not Person.objects.exists() and not ContactPoint.objects.exists()


def test_leaving_out_the_invalid_rows_imports_the_others(organisations):
    csv = "Nom;Organisation;Fonction;E-mail\nEtxeberria;Bihotz;Directrice;ane@bihotz.eus\nArana;Bihotz;Directeur;x@\n"
    result = people(csv.encode(), skip_invalid_rows=True)
    assert result.counts == counts(new=1, rejected=1)
    assert list(result.rejected) == [3]
    assert list(Person.objects.values_list("family_name", flat=True)) == ["Etxeberria"]


def test_importing_the_same_file_again_changes_nothing(organisations):
    people(FRENCH_CSV.encode())
    rows = Person.objects.count(), Position.objects.count(), ContactPoint.objects.count()
    versions = list(Person.objects.values_list("version", flat=True))
    history = Person.history.count()
    result = people(FRENCH_CSV.encode())
    assert result.counts == counts(unchanged=2)
    assert (Person.objects.count(), Position.objects.count(), ContactPoint.objects.count()) == rows
    assert list(Person.objects.values_list("version", flat=True)) == versions
    assert Person.history.count() == history


def test_a_row_matches_by_email_then_by_name_title_and_organisation_only_without_email_or_phone(organisations):
    bihotz, cluster = organisations
    by_email = EmailFactory(email="ane@bihotz.eus", person=PersonFactory(given_name="Ane", family_name="Etxeberria"))
    miren = PositionFactory(
        person=PersonFactory(given_name="Miren", family_name="Agirre"), organisation=cluster, title="Directrice"
    ).person
    EmailFactory(person=miren, email="miren@bhc.eus")
    namesake = PersonFactory(given_name="Iker", family_name="Arana")
    csv = (
        "Prénom;Nom;Organisation;Fonction;E-mail\n"
        "Ane;Etxeberria-Goñi;Bihotz;Directrice;ANE@bihotz.eus\n"
        "MIREN;AGIRRE;Basque Health Cluster;Directrice;\n"
        "Miren;Agirre;Basque Health Cluster;Directrice;miren.agirre@gmail.com\n"
        "Iker;Arana;Bihotz;Directeur;\n"
    )
    result = people(csv.encode())
    assert result.counts == counts(new=2, update=1, unchanged=1, flagged=1)
    by_email.person.refresh_from_db()
    assert by_email.person.family_name == "Etxeberria-Goñi"
    # No email, no phone: the same name, title and organisation is the same person, and nothing changes.
    # With an email she does not have: another Miren Agirre, kept apart and flagged for review.
    assert list(miren.contact_points.values_list("email", flat=True)) == ["miren@bhc.eus"]
    assert Person.objects.filter(family_name="Agirre").count() == 2
    assert result.flagged == [4]
    # Same name, but not known at this organisation: a new person, not a guess.
    assert Person.objects.filter(family_name="Arana").count() == 2
    assert not namesake.positions.exists()


def test_a_crash_in_the_middle_of_a_file_writes_nothing(organisations, monkeypatch):
    from contacts import imports

    written = imports.create_rows_with_history

    def failing(model, rows, **kwargs):
        if model is ContactPoint and rows:
            raise RuntimeError("disk full")
        return written(model, rows, **kwargs)

    monkeypatch.setattr(imports, "create_rows_with_history", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        people(FRENCH_CSV.encode())
    assert not Person.objects.exists() and not ContactPoint.objects.exists()


def test_a_dry_run_writes_nothing(organisations):
    result = people(FRENCH_CSV.encode(), dry_run=True)
    assert result.counts["new"] == 2
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "Le fichier est vide."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "pas un tableur"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "(.xls)"),
        (b"PK\x03\x04 not really a workbook", "XLSX"),
        (b"Nom;Organisation\nBou;Leem;en trop\n", "ligne 2"),
        (b'Nom;Organisation\n"Bou;Leem\n', "CSV"),
        (b"Organisation;Fonction\nLeem;Directrice\n", "« Nom / Family name / Nom complet / Full name »"),
    ],
)
def test_files_that_are_not_contact_tables_are_refused_with_a_reason(db, data, message):
    with pytest.raises(TableError, match=message.replace("(", r"\(").replace(")", r"\)")):
        people(data)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(db, settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(TableError, match="1000"):
        people(b"Nom\n" + b"Bou\n" * 500)


def test_the_command_imports_reports_and_refuses(organisations, tmp_path, capsys):
    path = tmp_path / "contacts.csv"
    path.write_bytes(FRENCH_CSV.encode("cp1252"))
    call_command("import_contacts", str(path), "--dry-run")
    assert "2 nouvelles, 0 mises à jour, 0 inchangées, 0 rejetées" in capsys.readouterr().out
    assert not Person.objects.exists()
    call_command("import_contacts", str(path))
    assert Person.objects.count() == 2

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Nom;E-mail\nBou;pas-une-adresse\nPautre;vpautre@leem.org\n")
    with pytest.raises(CommandError, match="--skip-errors"):
        call_command("import_contacts", str(bad))
    assert "Ligne 2" in capsys.readouterr().err
    call_command("import_contacts", str(bad), "--skip-errors")
    assert Person.objects.filter(family_name="Pautre").exists()

    with pytest.raises(CommandError, match="Aucun fichier"):
        call_command("import_contacts", str(tmp_path / "missing.csv"))


def test_organisations_are_imported_with_kinds_and_countries_in_french_or_english(db):
    csv = (
        "Nom;Sigle;Type;Pays;Ville;Site web\n"
        "Basque Health Cluster;BHC;Cluster;Espagne;San Sebastián;www.basquehealthcluster.org\n"
        "Les Entreprises du Médicament;Leem;Federation;France;Paris;https://www.leem.org\n"
        "Mauvais;;Planète;Atlantide;;pas une adresse\n"
    )
    result = import_file(OrganisationBatchResource(), csv.encode(), dry_run=False, skip_invalid_rows=True)
    assert result.counts["new"] == 2
    cluster = Organisation.objects.get(acronym="BHC")
    assert (cluster.kind, cluster.country.code, cluster.website) == (
        "cluster",
        "ES",
        "https://www.basquehealthcluster.org",
    )
    assert Organisation.objects.get(acronym="Leem").kind == "federation"
    (row,) = result.left_out_rows
    assert set(row.error_dict) == {"Type", "Pays", "Site web"}
    again = import_file(OrganisationBatchResource(), csv.encode(), dry_run=False, skip_invalid_rows=True)
    # The same rows again change nothing: they are skipped (tests/clusters/test_organisation_round_trip.py).
    assert again.counts["skip"] == 2 and Organisation.objects.count() == 2


# The admin: a preview on the job queue, its page, the import confirmed there, permissions.


@pytest.fixture
def media(settings, tmp_path, django_capture_on_commit_callbacks):
    """The storage in the test's own folder; ``media(…)`` runs a request whose jobs are queued at once."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def queued(request, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(*args, **kwargs)

    return queued


def upload(client, url, data, name="contacts.csv", **extra):
    buffer = io.BytesIO(data)
    buffer.name = name
    return client.post(url, {"import_file": buffer, **extra})


IMPORT_URL = "/admin/contacts/person/import/"


def previewed(media, client, data, **extra):
    """The page of the preview job of ``data``, once a worker ran it."""
    from tests.jobs.conftest import run_queued_tasks

    response = media(upload, client, IMPORT_URL, data, **extra)
    assert response.status_code == 303, response.content.decode()[:2000]
    assert run_queued_tasks() == 1
    return response["Location"], client.get(response["Location"])


def test_the_admin_previews_on_the_job_queue_then_imports_on_confirmation(admin_client, organisations, media):
    from tests.jobs.conftest import run_queued_tasks

    job_url, page = previewed(media, admin_client, FRENCH_CSV.encode("cp1252"))
    text = page.content.decode()
    assert "Ce que fera l’import" in text
    assert "Etxeberria" in text and "+33660462308" in text and "Nouvelle personne" in text
    assert "Toutes les colonnes du fichier sont utilisées." in text
    assert not Person.objects.exists()
    confirmed = media(admin_client.post, job_url + "import/")
    assert confirmed.status_code == 303
    assert run_queued_tasks() == 1
    report = admin_client.get(confirmed["Location"]).content.decode()
    assert "Ce qu’a fait l’import" in report and "2 nouvelles" in report
    assert Person.objects.count() == 2


def test_staff_say_which_column_holds_what_and_save_it_for_the_next_file(admin_client, organisations, media):
    from jobs.models import ImportMapping
    from tests.jobs.conftest import run_queued_tasks

    data = "Patronyme;Prénom usuel;Courriel pro;Divers\nEtxeberria;Ane;ane@bihotz.eus;x\n".encode()
    job_url, page = previewed(media, admin_client, data)
    text = page.content.decode()
    assert "Le fichier n’a pas de colonne « Nom / Family name / Nom complet / Full name »." in text
    columns_url = f"/admin/contacts/person/import/{job_url.strip('/').split('/')[-1]}/columns/"
    assert columns_url in text
    form = admin_client.get(columns_url).content.decode()
    assert "Patronyme" in form and "Courriel pro" in form

    # The same column twice is refused.
    twice = {"column_0": "family_name", "column_1": "family_name", "column_2": "email", "column_3": ""}
    assert admin_client.post(columns_url, twice).status_code == 400
    chosen = {"column_0": "family_name", "column_1": "given_name", "column_2": "email", "column_3": ""}
    response = media(admin_client.post, columns_url, {**chosen, "save_as": "Annuaire Bihotz"})
    assert response.status_code == 303
    assert run_queued_tasks() == 1
    preview = admin_client.get(response["Location"]).content.decode()
    assert (
        "Nouvelle personne" in preview and "Colonnes non utilisées (leur contenu n’est pas importé) : Divers" in preview
    )
    media(admin_client.post, response["Location"] + "import/")
    run_queued_tasks()
    ane = Person.objects.get()
    assert (ane.given_name, ane.family_name, ane.contact_points.get().email) == ("Ane", "Etxeberria", "ane@bihotz.eus")

    # Saved, and offered for the next file of the same kind.
    saved = ImportMapping.objects.get()
    assert saved.mapping == {
        "Patronyme": "family_name",
        "Prénom usuel": "given_name",
        "Courriel pro": "email",
        "Divers": "",
    }
    assert "Annuaire Bihotz" in admin_client.get(IMPORT_URL).content.decode()
    again = "Patronyme;Prénom usuel;Courriel pro;Divers\nAgirre;Miren;miren@bhc.eus;y\n".encode()
    _job_url, page = previewed(media, admin_client, again, mapping=str(saved.pk))
    assert "Nouvelle personne" in page.content.decode()


def test_the_admin_shows_row_errors_and_offers_no_confirmation(admin_client, organisations, media):
    job_url, page = previewed(media, admin_client, b"Nom;E-mail;Ville\nBou;pas-une-adresse;Paris\n")
    text = page.content.decode()
    assert "n’est pas une adresse e-mail" in text
    assert "Colonnes non utilisées (leur contenu n’est pas importé) : Ville" in text
    assert 'action="' + job_url + 'import/"' not in text
    assert admin_client.post(job_url + "import/").status_code == 302
    assert not Person.objects.exists()
    # The rejected rows, to correct and import again.
    download = admin_client.get(job_url + "download/")
    assert "pas-une-adresse" in b"".join(download.streaming_content).decode("utf-8-sig")


def test_the_admin_can_leave_the_invalid_rows_out(admin_client, organisations, media):
    from tests.jobs.conftest import run_queued_tasks

    data = b"Nom;E-mail\nBou;pas-une-adresse\nPautre;vpautre@leem.org\n"
    job_url, page = previewed(media, admin_client, data, skip_invalid_rows="on")
    assert "1 rejetée" in page.content.decode()
    media(admin_client.post, job_url + "import/")
    run_queued_tasks()
    assert list(Person.objects.values_list("family_name", flat=True)) == ["Pautre"]


def test_the_admin_refuses_what_is_not_a_table(admin_client, db, media):
    job_url, page = previewed(media, admin_client, b"\x00\x01\x02" * 100, name="photo.csv")
    assert "n’est pas un tableur" in page.content.decode()


def test_importing_needs_the_add_and_change_permissions(client, user_with, organisations):
    def import_page(*codenames):
        user = user_with(*codenames)
        user.is_staff = True
        user.save()
        client.force_login(user)
        return client.get(IMPORT_URL)

    assert import_page().status_code == 403
    assert import_page("add_person").status_code == 403
    assert import_page("add_person", "change_person").status_code == 200
    assert IMPORT_URL in client.get("/admin/contacts/person/").content.decode()


def test_the_same_person_twice_in_a_file_is_one_person(organisations):
    csv = (
        "Prénom;Nom;Organisation;Fonction;E-mail;Portable\n"
        "Ane;Etxeberria;Bihotz;Directrice;ane@bihotz.eus;\n"
        "Ane;ETXEBERRIA;Bihotz;Directrice;ane@bihotz.eus;06 60 46 23 08\n"
    )
    result = people(csv.encode())
    assert result.counts == counts(new=1, update=1)
    person = Person.objects.get()
    assert person.positions.count() == 1
    assert set(person.contact_points.values_list("medium", flat=True)) == {"email", "phone"}


def test_a_70_megabyte_file_is_refused_at_once(db, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as huge:
        huge.truncate(70 * 1024 * 1024)
    with pytest.raises(CommandError, match="Le fichier pèse 70,0.Mio"):
        call_command("import_contacts", str(path))


def test_the_admin_refuses_a_file_over_the_limit(admin_client, db, settings):
    settings.IMPORT_BATCH_MAX_BYTES = 100
    response = upload(admin_client, IMPORT_URL, b"Nom\n" + b"Bou\n" * 100)
    assert response.status_code == 400
    assert "sont refusés" in response.content.decode()
    assert not Person.objects.exists()
