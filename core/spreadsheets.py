"""Writing tables that people open in Excel or LibreOffice: CSV (streamed) and XLSX (write-only).

Cells are always text, never formulas: a value a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@``, a tab or a carriage return first) is neutralised. Every export of the CRM goes through here: the
directory's (``contacts.exports``) and the membership lists'.
"""

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A spreadsheet reads a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_FORMULA = re.compile("'+[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def csv_chunks(header: list[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    writer = csv.writer(_Echo(), delimiter=";")
    # The byte-order mark makes Excel read the file as UTF-8, accents included.
    yield "\ufeff".encode()
    yield writer.writerow(header).encode()
    for row in rows:
        yield writer.writerow([neutralise(str(cell)) for cell in row]).encode()


def xlsx_file(sheet_title: str, header: list[str], rows: Iterable[list[str]]):
    """A temporary file holding the workbook; openpyxl's write-only mode keeps rows out of memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([text_cell(sheet, str(value)) for value in row])
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output


def text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    # Always text, never a formula; a risky value also gets Excel's own "text" mark (the hidden quote
    # prefix), so a user who edits the cell does not turn it into a formula either.
    cell.data_type = "s"
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def timestamped_filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localtime():%Y-%m-%d-%H%M}.{extension}"


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
