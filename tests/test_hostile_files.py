"""Files made to exhaust the server are refused within bounds, and bytes in two encodings are refused, not guessed.

Each hostile file is bounded by what reading it may cost — cells turned into text, bytes inflated from a zip, the
peak memory of a process that reads it — never by wall time. The files are written by hand in
``tools.hostile_files``; messages are checked in English, the language of the code (the admin at /en/).
"""

import io
import json
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import translation

from agreements.models import PressRelease
from contacts.models import Person
from core.tables import MixedEncodingError, TableError, TableLimits, TableReader, read_table
from tests.factories import OrganisationFactory
from tools import hostile_files

# What reading one hostile file may add to a process's peak memory (interpreter, Django and the file's bytes
# already loaded); before these bounds, the same files took from 600 MB to more than 4 GB.
MEMORY_CEILING_MB = 100
IMPORT_URL = "/en/admin/contacts/person/import/"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def request_reader() -> TableReader:
    return TableReader(TableLimits.for_request())


def refused(reader: TableReader, data: bytes) -> str:
    with pytest.raises(TableError) as refusal:
        reader.read(data)
    return str(refusal.value)


# Each hostile file, bounded by what reading it costs.


def test_a_csv_with_20_000_columns_is_refused_before_its_rows_are_split_into_cells():
    reader = request_reader()
    assert refused(reader, hostile_files.wide_csv()) == (
        "Row 1 has more than 100 columns: remove the columns you do not import."
    )
    assert reader.cells_read == 0


def test_an_xlsx_is_read_as_it_is_not_as_its_dimension_claims():
    claiming = hostile_files.workbook(
        hostile_files.sheet(
            hostile_files.inline_row(1, ["Nom", "Organisation"]) + hostile_files.inline_row(2, ["Bou", "Leem"]),
            dimension="A1:XFD1048576",
        )
    )
    reader = request_reader()
    dataset = reader.read(claiming)
    assert (dataset.headers, dataset.dict) == (["Nom", "Organisation"], [{"Nom": "Bou", "Organisation": "Leem"}])
    assert reader.cells_read == 4


def test_an_xlsx_claiming_every_cell_with_one_in_the_last_is_refused_within_the_row_limit():
    reader = request_reader()
    assert refused(reader, hostile_files.xlsx_claiming_every_cell()) == (
        "The file has more than 500 rows: split it into smaller files."
    )
    assert reader.cells_read <= 3


def test_an_xlsx_with_every_column_excel_has_is_refused_at_its_first_row():
    reader = request_reader()
    assert refused(reader, hostile_files.wide_xlsx()) == (
        "Row 1 has more than 100 columns: remove the columns you do not import."
    )
    assert reader.cells_read == 0


def test_a_zip_bomb_is_refused_before_anything_is_inflated():
    reader = request_reader()
    assert refused(reader, hostile_files.shared_strings_bomb()) == (
        "Once unzipped, the workbook exceeds 16.0\xa0MB: split it into smaller files."
    )
    assert reader.inflated_bytes == 0


def test_a_part_that_lies_about_its_size_is_not_inflated_past_what_it_declared():
    reader = request_reader()
    assert "not a readable XLSX workbook" in refused(reader, hostile_files.lying_workbook(real_megabytes=64))
    assert reader.inflated_bytes <= 1024 * 1024 + 64 * 1024


def test_a_workbook_listing_one_sheet_a_thousand_times_is_read_once():
    reader = TableReader(
        TableLimits(
            max_bytes=2 * 1024 * 1024,
            max_rows=100_000,
            max_columns=100,
            max_cell_characters=10_000,
            max_unzipped_bytes=16 * 1024 * 1024,
        )
    )
    dataset = reader.read(hostile_files.workbook_read_again(sheets=1000, megabytes=1))
    sheet_bytes = 1024 * 1024
    assert len(dataset) > 20_000
    assert sheet_bytes < reader.inflated_bytes < 2 * sheet_bytes


def test_parts_that_together_inflate_past_the_budget_are_refused_before_anything_is_inflated(settings):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 1024 * 1024
    strings = [f'<sst xmlns="{hostile_files.MAIN}"><si><t>', "a" * 600_000, "</t></si></sst>"]
    rows = hostile_files.inline_row(1, ["Nom"]) + hostile_files.inline_row(2, ["b" * 600_000])
    reader = request_reader()
    assert refused(reader, hostile_files.workbook(hostile_files.sheet(rows), shared_strings=strings)) == (
        "Once unzipped, the workbook exceeds 1.0\xa0MB: split it into smaller files."
    )
    assert reader.inflated_bytes == 0


PEAK_OF_A_READ = textwrap.dedent(
    """
    import json, os, resource, sys

    # Should the bounds fail, a MemoryError here rather than a machine out of memory.
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from core.tables import TableError, read_table

    data = open(sys.argv[1], "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        read_table(data)
        outcome = "read"
    except TableError:
        outcome = "refused"
    except Exception as error:  # a MemoryError, or a 500 in the admin
        outcome = type(error).__name__
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"outcome": outcome, "grown_mb": grown / 1024}))
    """
)


@pytest.mark.parametrize(
    "make",
    [
        hostile_files.wide_csv,
        hostile_files.xlsx_claiming_every_cell,
        hostile_files.wide_xlsx,
        hostile_files.shared_strings_bomb,
        hostile_files.lying_workbook,
    ],
    ids=lambda make: make.__name__,
)
def test_reading_a_hostile_file_stays_under_a_fixed_memory_ceiling(make, tmp_path):
    path = tmp_path / "hostile"
    path.write_bytes(make())
    finished = subprocess.run(  # noqa: S603  (our interpreter, our snippet, a file of ours)
        [sys.executable, "-c", PEAK_OF_A_READ, str(path)],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    measured = json.loads(finished.stdout.strip().splitlines()[-1])
    assert measured["outcome"] == "refused" and measured["grown_mb"] < MEMORY_CEILING_MB, measured


# What the limits leave alone.


def test_a_quoted_cell_full_of_separators_is_one_cell():
    notes = "; ".join(f"point {number}" for number in range(300))
    dataset = read_table(f'Nom;Notes\nBou;"{notes}"\n'.encode())
    assert dataset.dict == [{"Nom": "Bou", "Notes": notes}]


def test_empty_rows_and_styled_empty_cells_past_the_limits_are_formatting_not_data(settings):
    settings.IMPORT_MAX_ROWS = 2
    rows = (
        hostile_files.inline_row(1, ["Nom"])
        + hostile_files.inline_row(2, ["Bou"])
        + '<row r="3"><c r="A3" t="inlineStr"><is><t>Pautre</t></is></c><c r="XFD3" s="1"/></row>'
        + "".join(f'<row r="{number}" customFormat="1" s="1"/>' for number in range(4, 7))
    )
    dataset = read_table(hostile_files.workbook(hostile_files.sheet(rows)))
    assert [row["Nom"] for row in dataset.dict] == ["Bou", "Pautre"]
    csv = "Nom;Organisation;;;\nBou;Leem;;;\nPautre;Leem;;;\n;;;;\n;;;;\n"
    assert read_table(csv.encode()).dict[:2] == [
        {"Nom": "Bou", "Organisation": "Leem"},
        {"Nom": "Pautre", "Organisation": "Leem"},
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_cell_longer_than_the_limit_is_refused_naming_its_row_and_column(settings, kind):
    settings.IMPORT_MAX_CELL_CHARACTERS = 20
    rows = [["Nom", "Notes"], ["Bou", "court"], ["Pautre", "x" * 21]]
    if kind == "csv":
        data = "".join(";".join(row) + "\n" for row in rows).encode()
    else:
        data = hostile_files.workbook(
            hostile_files.sheet("".join(hostile_files.inline_row(n, row) for n, row in enumerate(rows, 1)))
        )
    with pytest.raises(TableError, match="^The cell in row 3, column “Notes”, holds more than 20 characters"):
        read_table(data)


# The web request's limits and the command line's.


@pytest.fixture
def job_limits(settings, tmp_path, django_capture_on_commit_callbacks):
    """The admin's imports run on the job queue, within a batch's limits: here those of a web request, so that
    the messages name the same bounds. The storage in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_BATCH_MAX_ROWS = settings.IMPORT_MAX_ROWS
    settings.IMPORT_BATCH_MAX_UNZIPPED_BYTES = settings.IMPORT_MAX_UNZIPPED_BYTES
    return django_capture_on_commit_callbacks


def upload(client, capture, data: bytes, name: str = "contacts.csv"):
    """The import's preview job page, once a worker ran it."""
    from tests.jobs.conftest import run_queued_tasks

    buffer = io.BytesIO(data)
    buffer.name = name
    with capture(execute=True):
        response = client.post(IMPORT_URL, {"import_file": buffer})
    assert response.status_code == 303
    run_queued_tasks()
    return client.get(response["Location"])


def page_text(response) -> str:
    return response.content.decode()


def test_the_admin_refuses_more_rows_than_an_import_may_hold_and_the_command_takes_them(
    admin_client, settings, tmp_path, job_limits
):
    OrganisationFactory(name="Leem", slug="leem")
    settings.IMPORT_BATCH_MAX_ROWS = 3
    data = ("Nom;Organisation;Fonction\n" + "".join(f"Bou{n};Leem;Directrice\n" for n in range(4))).encode()
    response = upload(admin_client, job_limits, data)
    assert "The file has more than 3 rows: split it into smaller files." in page_text(response)
    assert "/import/" not in page_text(response)  # no import to confirm
    assert not Person.objects.exists()

    settings.IMPORT_BATCH_MAX_ROWS = 4
    path = tmp_path / "contacts.csv"
    path.write_bytes(data)
    call_command("import_contacts", str(path), stdout=io.StringIO())
    assert Person.objects.count() == 4


@pytest.mark.parametrize(
    "make, reason",
    [
        (hostile_files.wide_csv, "Row 1 has more than 100 columns"),
        (hostile_files.wide_xlsx, "Row 1 has more than 100 columns"),
        (hostile_files.xlsx_claiming_every_cell, "The file has more than 500 rows"),
        (hostile_files.shared_strings_bomb, "Once unzipped, the workbook exceeds 16.0\xa0MB"),
    ],
    ids=["wide_csv", "wide_xlsx", "xlsx_claiming_every_cell", "shared_strings_bomb"],
)
def test_the_admin_refuses_a_hostile_file_saying_why_and_writes_nothing(admin_client, make, reason, job_limits):
    response = upload(admin_client, job_limits, make())
    assert response.status_code == 200
    assert reason in page_text(response)
    assert "/import/" not in page_text(response)
    assert not Person.objects.exists()


def test_the_command_refuses_a_hostile_file_saying_why_and_writes_nothing(db, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(hostile_files.wide_csv())
    with pytest.raises(CommandError, match="^Row 1 has more than 100 columns"):
        call_command("import_contacts", str(path))
    assert not Person.objects.exists()


# Bytes in two encodings.

FRENCH = "Prénom;Nom;Organisation\nHélène;Lefèvre;Leem\n"


@pytest.mark.parametrize(
    "data",
    [FRENCH.encode("utf-8-sig"), FRENCH.encode("utf-8"), FRENCH.encode("cp1252")],
    ids=["utf-8 with a byte-order mark", "utf-8", "windows-1252 (French Excel)"],
)
def test_utf8_with_or_without_a_byte_order_mark_and_windows_1252_are_read(data):
    dataset = read_table(data)
    assert dataset.headers == ["Prénom", "Nom", "Organisation"]
    assert dataset.dict == [{"Prénom": "Hélène", "Nom": "Lefèvre", "Organisation": "Leem"}]


def test_a_utf8_file_with_one_byte_in_another_encoding_is_refused_naming_its_line():
    with pytest.raises(MixedEncodingError) as refusal:
        read_table(hostile_files.mixed_encoding_csv())
    assert str(refusal.value) == (
        "The file is in UTF-8 but line 3 holds a character in another encoding: save it again as CSV UTF-8."
    )


def test_the_first_bad_byte_is_named_even_when_the_utf8_comes_after_it():
    data = b"Nom;Organisation\nLef\xe8vre;Leem\nBou;Leem\n" + "Agirre;Médicament\n".encode()
    with pytest.raises(MixedEncodingError) as refusal:
        read_table(data)
    assert refusal.value.line == 2


def test_the_admin_shows_why_a_mixed_file_is_refused_and_writes_nothing(admin_client, job_limits):
    OrganisationFactory(name="Leem", slug="leem")
    response = upload(admin_client, job_limits, hostile_files.mixed_encoding_csv())
    assert "The file is in UTF-8 but line 3 holds a character in another encoding" in page_text(response)
    assert "/import/" not in page_text(response)
    assert not Person.objects.exists()


def test_the_command_refuses_a_mixed_file_naming_its_line_and_writes_nothing(db, tmp_path):
    OrganisationFactory(name="Leem", slug="leem")
    path = tmp_path / "contacts.csv"
    path.write_bytes(hostile_files.mixed_encoding_csv())
    with pytest.raises(CommandError, match="^The file is in UTF-8 but line 3 holds a character in another encoding"):
        call_command("import_contacts", str(path))
    assert not Person.objects.exists()


def test_a_press_release_in_two_encodings_is_refused_naming_its_line(db, tmp_path):
    path = tmp_path / "release.txt"
    path.write_bytes("Communiqué de presse\nParis, le 15 septembre 2025\n".encode() + "Agréé\n".encode("cp1252"))
    with pytest.raises(CommandError, match="^The file is in UTF-8 but line 3 holds a character in another encoding"):
        call_command("ingest_release", str(path), "--yes")
    assert not PressRelease.objects.exists()
