"""The spreadsheets every export writes (core.spreadsheets): how an XLSX opens, and the names of the files."""

import re
import zipfile

import openpyxl

from core.spreadsheets import MAX_COLUMN_WIDTH, WIDTH_SAMPLE_ROWS, file_stem, timestamped_filename, xlsx_file

STAMP = r"\d{4}-\d{2}-\d{2}-\d{4}"


def test_an_xlsx_has_a_frozen_bold_header_an_autofilter_over_every_row_and_columns_as_wide_as_their_values():
    count = WIDTH_SAMPLE_ROWS + 700  # past the rows measured for the widths: the others are written too
    rows = ([f"Personne {number}", "Ivanès", "x" * 200] for number in range(count))
    with xlsx_file("Contacts", ["Nom", "Un intitulé de colonne assez long", "Notes"], rows) as output:
        sheet = openpyxl.load_workbook(output).active

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:C{count + 1}"
    assert all(cell.font.bold for cell in sheet[1])
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        f"Personne {number}" for number in range(count)
    ]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABC"}
    assert len(f"Personne {WIDTH_SAMPLE_ROWS - 1}") <= widths["A"] < widths["B"]
    assert widths["B"] >= len("Un intitulé de colonne assez long")  # the header is wider than the values
    assert widths["C"] == MAX_COLUMN_WIDTH  # a long text does not make a column wider than a screen


def test_an_xlsx_is_written_in_the_order_excel_and_libreoffice_expect():
    with xlsx_file("Contacts", ["Nom"], [["Ivanès"]]) as output, zipfile.ZipFile(output) as workbook:
        sheet_xml = workbook.read("xl/worksheets/sheet1.xml").decode()
        names = workbook.read("xl/workbook.xml").decode()
    parts = ["<sheetViews", "<pane", "<cols", "<sheetData", "<autoFilter"]
    positions = [sheet_xml.find(part) for part in parts]
    assert -1 not in positions and positions == sorted(positions), positions
    assert 'topLeftCell="A2"' in sheet_xml and 'state="frozen"' in sheet_xml
    # Excel finds the filter's range through this hidden name.
    assert "_xlnm._FilterDatabase" in names and "$A$1:$A$2" in names


def test_an_empty_table_still_has_its_header_filtered_and_frozen():
    with xlsx_file("Vide", ["Nom", "Organisation"], []) as output:
        sheet = openpyxl.load_workbook(output).active
    assert sheet.auto_filter.ref == "A1:B1"
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == ["Nom", "Organisation"]


def test_a_file_name_is_an_ascii_slug_of_what_it_holds_then_the_date():
    name = timestamped_filename(file_stem("liste", "Presse écrite — Œuvres & Cœur d’Arès"), "csv")
    assert re.fullmatch(rf"liste-presse-ecrite-oeuvres-coeur-d-ares-{STAMP}\.csv", name), name


def test_a_long_file_name_is_cut_at_a_word_to_80_characters():
    name = timestamped_filename(file_stem("contacts", "pharmacie " * 30), "xlsx")
    assert len(name) <= 80
    assert re.fullmatch(rf"contacts(-pharmacie)+-{STAMP}\.xlsx", name), name
    words = timestamped_filename(file_stem("contacts", "a" * 300), "xlsx")
    assert len(words) <= 80 and words.startswith("contacts-aaaa")


def test_a_name_with_nothing_left_to_say_is_the_date_alone():
    assert re.fullmatch(rf"{STAMP}\.csv", timestamped_filename(file_stem("北京", "«»"), "csv"))
