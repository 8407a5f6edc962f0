"""Reading the spreadsheets staff receive: CSV or XLSX, whatever Excel or LibreOffice wrote.

French Excel writes CSV in Windows-1252 with ``;`` between cells; LibreOffice writes UTF-8 with ``,``;
some tools add a byte-order mark. ``read_table`` accepts all of them and refuses, with a sentence the
user can act on, what is not a spreadsheet: a binary file, an old ``.xls``, a file too big to be a
contact list. Every import (the admin's, ``import_contacts``) reads files through it.
"""

import csv
import io
import zipfile

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export.formats.base_formats import Format

from clusters.search import fold

MAX_ROWS = 100_000
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc: the Office formats before 2007
_ZIP_SIGNATURE = b"PK\x03\x04"
_CONTROL_BYTES = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, for the user."""


def max_table_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def read_table(data: bytes) -> tablib.Dataset:
    """The rows of a CSV or XLSX file, as text, under its first row as headers.

    Empty rows are kept (as empty rows), so that row numbers stay those the user sees in the
    spreadsheet. Raises ``TableError`` for anything that is not a readable table.
    """
    if len(data) > max_table_bytes():
        raise TableError(
            _("The file weighs %(size)s; files over %(limit)s are refused. Split it into smaller files.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(max_table_bytes())}
        )
    if not data.strip():
        raise TableError(_("The file is empty."))
    if data.startswith(_OLE_SIGNATURE):
        raise TableError(_("Old Excel files (.xls) cannot be read: save the file as .xlsx or as CSV."))
    if data.startswith(_ZIP_SIGNATURE):
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(_decode(data))
    return _dataset(rows)


def _decode(data: bytes) -> str:
    sample = data[:65536]
    if b"\x00" in sample or sum(sample.count(byte) for byte in _CONTROL_BYTES) > len(sample) // 100:
        raise TableError(_("This file is not a spreadsheet: save it as CSV or XLSX."))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # What French Excel writes; it maps nearly every byte, so it comes last.
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise TableError(_("The file's characters cannot be read: save it as CSV UTF-8 or XLSX.")) from error


def _csv_rows(text: str):
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    except csv.Error as error:
        raise TableError(_("The CSV file is malformed: %(error)s.") % {"error": error}) from error


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TableError(_("This file is not a readable XLSX workbook: save it again from Excel.")) from error
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    return str(value)


def _dataset(rows) -> tablib.Dataset:
    rows = iter(rows)
    headers = next(rows, None)
    if not headers or not any(cell.strip() for cell in headers):
        raise TableError(_("The first row must name the columns; it is empty."))
    headers = [" ".join(cell.split()) for cell in headers]
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for number, row in enumerate(rows, 2):
        if number > MAX_ROWS + 1:
            raise TableError(
                _("The file has more than %(count)s rows: split it into smaller files.") % {"count": MAX_ROWS}
            )
        cells = [cell.strip() for cell in row[:width]]
        if any(cell.strip() for cell in row[width:]):
            raise TableError(
                _("Row %(row)s has more cells than there are column names in the first row.") % {"row": number}
            )
        dataset.append(cells + [""] * (width - len(cells)))
    return dataset


def canonical_headers(headers: list[str], synonyms: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """``headers`` renamed to the canonical names of ``synonyms`` (canonical name: the ways it may be
    written, in French or English, compared folded), and the headers that matched nothing, kept as they
    were. A second column for the same name is kept as it was too."""
    lookup = {fold(written): canonical for canonical, spellings in synonyms.items() for written in spellings}
    lookup.update({fold(canonical): canonical for canonical in synonyms})
    renamed, unknown = [], []
    for header in headers:
        canonical = lookup.get(fold(header))
        if canonical is None or canonical in renamed:
            unknown.append(header)
            renamed.append(header)
        else:
            renamed.append(canonical)
    return renamed, unknown


class SpreadsheetFormat(Format):
    """The one import format the admin offers: CSV or XLSX, told apart by their content."""

    def __init__(self, encoding=None):
        # The encoding is found in the file itself (read_table); the admin passes one anyway.
        self.encoding = encoding

    def get_title(self):
        return _("CSV or Excel (XLSX)")

    def get_extension(self):
        return "csv"

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_import(self):
        return True

    def can_export(self):
        return False

    def create_dataset(self, in_stream):
        return read_table(in_stream)
