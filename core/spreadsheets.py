"""Writing tables that people open in Excel or LibreOffice: CSV (streamed) and XLSX (write-only).

Cells are always text, never formulas: a value a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@``, a tab or a carriage return first) is neutralised. Every export of the CRM goes through here: the
directory's (``contacts.exports``) and the membership lists'.
"""

import csv
import itertools
import re
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .search import fold

# A spreadsheet reads a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_FORMULA = re.compile("'+[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A write-only sheet's column widths are written before its rows: they are measured on the first rows, held
# back until then; the others stream through.
WIDTH_SAMPLE_ROWS = 500
MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 60
# A file name, date and extension included; its stem gives way first.
FILE_NAME_MAX_LENGTH = 80
# Letters that Unicode does not take apart into an ASCII letter and an accent: slugify would drop them.
_LETTERS_WITHOUT_ACCENTS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})


def neutralise(value: str) -> str:
    """The value, prefixed with a quote if a spreadsheet would take it for a formula.

    A value that already starts with quotes before a formula character gets one more, so that ``unneutralise``
    gives back exactly what was written: ``=1`` ↔ ``'=1``, ``'=1`` ↔ ``''=1``."""
    if value and (value.startswith(FORMULA_TRIGGERS) or _QUOTED_FORMULA.match(value)):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The value ``neutralise`` was given: the one quote it added removed, and only that one. Read back from our
    CSV files (``core.tables``); a quote that is not followed by quotes and a formula character is the data's."""
    if _QUOTED_FORMULA.match(value):
        return value[1:]
    return value


class _Echo:
    """A file-like object whose ``write`` hands the line back, for csv.writer in a streaming response."""

    def write(self, value):
        return value


_CSV_WRITER = csv.writer(_Echo(), delimiter=";")


def csv_chunks(header: list[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    # The byte-order mark makes Excel read the file as UTF-8, accents included.
    yield "\ufeff".encode()
    yield _CSV_WRITER.writerow(header).encode()
    for row in rows:
        yield csv_line(row)


def csv_line(row: list[str]) -> bytes:
    """One row of a ``csv_chunks`` file, its cells neutralised: for a file written a row at a time."""
    return _CSV_WRITER.writerow([neutralise(str(cell)) for cell in row]).encode()


def xlsx_file(sheet_title: str, header: list[str], rows: Iterable[list[str]]):
    """A temporary file holding the workbook: the header in bold and frozen, columns as wide as their first
    rows need, an autofilter over the whole table. openpyxl's write-only mode keeps rows out of memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    rows = ([str(value) for value in row] for row in rows)
    first_rows = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    for index, width in enumerate(column_widths([header, *first_rows]), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([header_cell(sheet, str(label)) for label in header])
    last_row, last_column = 1, len(header)
    for row in itertools.chain(first_rows, rows):
        sheet.append([text_cell(sheet, value) for value in row])
        last_row += 1
        last_column = max(last_column, len(row))
    # The filter is written after the rows (openpyxl orders the sheet's parts as Excel expects).
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(last_column, 1))}{last_row}"
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output


def column_widths(rows: list[list[str]]) -> list[int]:
    """Each column's width, in characters: its longest line in ``rows``, within sane bounds."""
    widths: list[int] = []
    for row in rows:
        for index, value in enumerate(row):
            length = max((len(line) for line in str(value).splitlines()), default=0)
            if index == len(widths):
                widths.append(0)
            widths[index] = max(widths[index], length)
    # Two more for the filter's arrow in the header and a margin.
    return [min(max(width + 2, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH) for width in widths]


def header_cell(sheet, label: str) -> WriteOnlyCell:
    cell = text_cell(sheet, label)
    cell.font = Font(bold=True)
    return cell


def text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    # Always text, never a formula; a risky value also gets Excel's own "text" mark (the hidden quote
    # prefix), so a user who edits the cell does not turn it into a formula either.
    cell.data_type = "s"
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def file_stem(*parts: str) -> str:
    """The start of a file name saying what the file holds ("liste", a list's name, search words): the parts
    as one ASCII slug, safe in a Content-Disposition header, cut at a word to leave room for the date."""
    words = slugify(" ".join(fold(str(part)).translate(_LETTERS_WITHOUT_ACCENTS) for part in parts))
    limit = FILE_NAME_MAX_LENGTH - len("-2026-12-01-1530.xlsx")
    if len(words) > limit:
        cut = words[: limit + 1].rfind("-")
        words = words[: cut if cut > limit // 2 else limit]
    return words.strip("-")


def timestamped_filename(stem: str, extension: str) -> str:
    """``stem-2026-12-01-1530.extension``: what the file holds (``file_stem``) and when it was written."""
    stem = file_stem(stem)
    return f"{stem + '-' if stem else ''}{timezone.localtime():%Y-%m-%d-%H%M}.{extension}"


def table_response(*, export_format: str, header: list[str], rows: Iterable[list[str]], stem: str, sheet_title: str):
    """The table as a downloaded CSV (streamed) or XLSX file."""
    if export_format == "xlsx":
        return FileResponse(
            xlsx_file(sheet_title, header, rows),
            as_attachment=True,
            filename=timestamped_filename(stem, "xlsx"),
            content_type=XLSX_CONTENT_TYPE,
        )
    if export_format != "csv":
        raise ValueError(f"Unknown table format: {export_format!r}")
    response = StreamingHttpResponse(csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{timestamped_filename(stem, "csv")}"'
    return response
