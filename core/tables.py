"""Reading the spreadsheets staff receive: CSV or XLSX, whatever Excel or LibreOffice wrote.

French Excel writes CSV in Windows-1252 with ``;`` between cells; LibreOffice writes UTF-8 with ``,``;
some tools add a byte-order mark. ``read_table`` accepts all of them and refuses, with a sentence the
user can act on, what is not a spreadsheet: a binary file, an old ``.xls``, a file too big to be a
contact list. Every import (the admin's, ``import_contacts``) reads files through it.

Files are read within bounds (``TableLimits``), whatever they claim: a CSV is decoded and split line by line, and
a row wider than the limit is refused before it is split into cells; an XLSX workbook's parts are inflated
through a budget that stops a zip bomb, and only its first worksheet is read, once, its declared dimension
ignored. A file past a limit is refused as a whole, before any row is imported.
"""

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from core.search import fold
from core.spreadsheets import unneutralise

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc: the Office formats before 2007
_ZIP_SIGNATURE = b"PK\x03\x04"
_CONTROL_BYTES = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
# One well-formed multi-byte UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# A quoted CSV field, or one still open at the end of its line.
_QUOTED_FIELD = re.compile(r'"[^"]*(?:"|$)')
_PART_CHUNK = 64 * 1024
# What a damaged or hand-made workbook makes the zip module, openpyxl or the XML parser (SyntaxError) raise.
_DAMAGED_WORKBOOK = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    AttributeError,
    TypeError,
    ValueError,
    OSError,
    SyntaxError,
)


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, for the user."""


class MixedEncodingError(TableError):
    """The file is UTF-8 but for a byte on ``line`` (counted from 1) that is not."""

    def __init__(self, line: int):
        self.line = line
        super().__init__(
            _(
                "The file is in UTF-8 but line %(line)s holds a character in another encoding: "
                "save it again as CSV UTF-8."
            )
            % {"line": line}
        )


@dataclass(frozen=True)
class TableLimits:
    """How much of a file is read before it is refused.

    ``max_rows`` counts the rows under the column names; ``max_unzipped_bytes`` bounds an XLSX workbook once
    inflated: its parts together, as they are read, and the text of the cells read from them.
    """

    max_bytes: int
    max_rows: int
    max_columns: int
    max_cell_characters: int
    max_unzipped_bytes: int

    @classmethod
    def for_request(cls) -> "TableLimits":
        """For a file read within one web request (the admin's import, its preview and its confirmation)."""
        return cls(
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_cell_characters=settings.IMPORT_MAX_CELL_CHARACTERS,
            max_unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_BYTES,
        )

    @classmethod
    def for_batch(cls) -> "TableLimits":
        """For a file read outside any request (``import_contacts``): larger files, still bounded."""
        return cls(
            max_bytes=settings.IMPORT_BATCH_MAX_BYTES,
            max_rows=settings.IMPORT_BATCH_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_cell_characters=settings.IMPORT_MAX_CELL_CHARACTERS,
            max_unzipped_bytes=settings.IMPORT_BATCH_MAX_UNZIPPED_BYTES,
        )

    def size_error(self, size: int) -> str | None:
        """Why a file of ``size`` bytes is refused unread, or None."""
        if size <= self.max_bytes:
            return None
        return _("The file weighs %(size)s; files over %(limit)s are refused. Split it into smaller files.") % {
            "size": filesizeformat(size),
            "limit": filesizeformat(self.max_bytes),
        }


def read_table(data: bytes | BinaryIO, *, limits: TableLimits | None = None) -> tablib.Dataset:
    """The rows of a CSV or XLSX file, as text, under its first row as headers. ``data``: the file's bytes, or
    the file itself, open in binary mode and seekable (read from its start each time, left open).

    Empty rows are kept (as empty rows), so that row numbers stay those the user sees in the
    spreadsheet. Raises ``TableError`` for anything that is not a readable table within ``limits`` (by default
    those of a web request).
    """
    return TableReader(limits or TableLimits.for_request()).read(data)


def stream_table(data: bytes | BinaryIO, *, limits: TableLimits | None = None) -> tuple[list[str], Iterator[list[str]]]:
    """``read_table``'s headers, and its rows one at a time (``TableReader.stream``): a file of a hundred thousand
    rows is read without holding them all; given as a file (a stored upload), without holding its bytes either."""
    return TableReader(limits or TableLimits.for_request()).stream(data)


def text_encoding(data: bytes | BinaryIO) -> str:
    """The encoding to read ``data`` with: UTF-8 (with or without a byte-order mark), or Windows-1252 (what
    French Excel writes) for a file that holds no valid multi-byte UTF-8 sequence at all.

    A file that holds both valid UTF-8 sequences and bytes that are not UTF-8 was damaged (two files pasted
    together, a line typed in another editor): guessing would garble one part or the other, so it raises
    ``MixedEncodingError`` naming the line of the first bad byte.
    """
    bad_line, utf8_seen = None, False
    # A line break is a single byte in both encodings, never part of a UTF-8 sequence: lines can be judged alone.
    for number, line in enumerate(_binary(data), 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_seen = True
        except UnicodeDecodeError:
            bad_line = bad_line or number
            utf8_seen = utf8_seen or _UTF8_SEQUENCE.search(line) is not None
        if bad_line and utf8_seen:
            raise MixedEncodingError(bad_line)
    return "utf-8-sig" if bad_line is None else "cp1252"


def _binary(data: bytes | BinaryIO) -> BinaryIO:
    """``data`` as a binary file at its start: the file itself, or its bytes in one (not copied)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(data)
    data.seek(0)
    return data


def _size(data: bytes | BinaryIO) -> int:
    if isinstance(data, bytes | bytearray | memoryview):
        return len(data)
    size = data.seek(0, io.SEEK_END)
    data.seek(0)
    return size


def _is_blank(data: bytes | BinaryIO) -> bool:
    """Whether ``data`` holds nothing but blank space, read a piece at a time (``bytes.strip`` would copy it)."""
    binary = _binary(data)
    while piece := binary.read(_PART_CHUNK):
        if not piece.isspace():
            return False
    return True


class _WorkbookTooBig(Exception):
    """Raised from inside openpyxl, which turns a ValueError into one of its own."""


class _BoundedZip(zipfile.ZipFile):
    """A zip whose parts are inflated within one budget: parts declaring more are refused before anything is
    inflated, and whatever is read, declared sizes aside, is counted and stopped once the budget is spent."""

    def __init__(self, data: bytes | BinaryIO, *, budget: int):
        super().__init__(_binary(data))
        self.budget = budget
        self.inflated = 0
        if sum(info.file_size for info in self.infolist()) > budget:
            raise _WorkbookTooBig

    def open(self, name, mode="r", pwd=None, **kwargs):
        part = super().open(name, mode, pwd, **kwargs)
        return _BoundedPart(part, self) if mode == "r" else part

    def count(self, size: int) -> None:
        self.inflated += size
        if self.inflated > self.budget:
            raise _WorkbookTooBig


class _BoundedPart(io.RawIOBase):
    """One part of a ``_BoundedZip``, read in chunks that are counted against the zip's budget."""

    def __init__(self, part, archive: _BoundedZip):
        super().__init__()
        self._part = part
        self._archive = archive

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._part.read(min(len(buffer), _PART_CHUNK))
        self._archive.count(len(data))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._part.close()
        super().close()


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet whose size is never read: its rows are read as they come. (openpyxl reads the declared
    ``<dimension>`` and trusts it, or without one reads the whole sheet once more to size it.)"""

    def _get_size(self):
        pass


class _BoundedExcelReader(ExcelReader):
    """openpyxl's reader in read-only mode, reading every part of the workbook through ``archive``, and of its
    sheets only the first worksheet, once, as its rows are read."""

    def __init__(self, data: bytes | BinaryIO, archive: _BoundedZip):
        super().__init__(_binary(data), read_only=True, data_only=True, keep_links=False)
        self.archive = archive
        self.valid_files = archive.namelist()

    def read_worksheets(self):
        for sheet, relation in self.parser.find_sheets():
            if relation.target in self.valid_files and "chartsheet" not in relation.Type:
                self.wb._sheets.append(_UnsizedSheet(self.wb, sheet.name, relation.target, self.shared_strings))
                return


class TableReader:
    """Reads one file within ``limits``. Afterwards, refused or not, ``cells_read`` and ``inflated_bytes`` say how
    much of it was read (cells turned into text; bytes inflated from an XLSX workbook)."""

    def __init__(self, limits: TableLimits):
        self.limits = limits
        self.cells_read = 0
        self.characters_read = 0
        self._archive = None

    @property
    def inflated_bytes(self) -> int:
        return self._archive.inflated if self._archive is not None else 0

    def read(self, data: bytes | BinaryIO) -> tablib.Dataset:
        headers, rows = self.stream(data)
        dataset = tablib.Dataset(headers=headers)
        for cells in rows:
            dataset.append(cells)
        return dataset

    def stream(self, data: bytes | BinaryIO) -> tuple[list[str], Iterator[list[str]]]:
        """The headers, and the rows as they are read: each checked as ``read`` checks it, ``TableError`` raised
        by the iterator at the first row past a limit. Nothing but the current row is kept: ``data`` given as a
        file (open in binary mode, seekable) is read from its start, as a stream, and left open."""
        size_error = self.limits.size_error(_size(data))
        if size_error:
            raise TableError(size_error)
        if _is_blank(data):
            raise TableError(_("The file is empty."))
        sample = _binary(data).read(65536)
        if sample.startswith(_OLE_SIGNATURE):
            raise TableError(_("Old Excel files (.xls) cannot be read: save the file as .xlsx or as CSV."))
        if sample.startswith(_ZIP_SIGNATURE):
            rows, cell_text = self._xlsx_rows(data), _cell_text
        else:
            # A CSV written by our exports (core.spreadsheets) has a quote before values a spreadsheet would run.
            rows, cell_text = self._csv_rows(data, sample), _csv_cell_text
        try:
            headers = self._headers(rows, cell_text)
        except BaseException:
            rows.close()  # the workbook closes now, not when a refusal's traceback is let go
            raise
        return headers, self._checked_rows(rows, cell_text, headers)

    # CSV: decoded and split line by line, each line checked before it is split into cells.

    def _csv_rows(self, data: bytes | BinaryIO, sample: bytes) -> Iterator[list[str]]:
        if b"\x00" in sample or sum(sample.count(byte) for byte in _CONTROL_BYTES) > len(sample) // 100:
            raise TableError(_("This file is not a spreadsheet: save it as CSV or XLSX."))
        encoding = text_encoding(data)
        lines = io.TextIOWrapper(_binary(data), encoding=encoding, newline="")
        record = _RecordStart()
        try:
            first_line = lines.readline()
            delimiter = max(";,\t", key=first_line.count)
            checked = self._checked_lines([first_line], lines, delimiter, record)
            for row in csv.reader(checked, delimiter=delimiter, strict=True):
                record.number += 1
                record.started = False
                yield row
        except UnicodeDecodeError as error:
            raise TableError(_("The file's characters cannot be read: save it as CSV UTF-8 or XLSX.")) from error
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                # csv's own bound on a cell, higher than ours, stopped it before we could name the column.
                raise TableError(
                    _("A cell in row %(row)s holds more than %(count)s characters: shorten it.")
                    % {"row": record.number + 1, "count": self._count(self.limits.max_cell_characters)}
                ) from error
            raise TableError(_("The CSV file is malformed: %(error)s.") % {"error": error}) from error
        finally:
            lines.detach()  # the caller's file stays open

    def _checked_lines(self, first: list[str], rest, delimiter: str, record: "_RecordStart") -> Iterator[str]:
        for lines in (first, rest):
            for line in lines:
                if not record.started:
                    self._check_width(line, delimiter, record.number + 1)
                    record.started = True
                yield line

    def _check_width(self, line: str, delimiter: str, row: int) -> None:
        """Refuse a row that is too wide from the first line of its text, before csv splits it into cells."""
        if line.count(delimiter) < self.limits.max_columns:
            return
        # Quoted cells may hold the delimiter: each counts as one cell, an empty one as none.
        unquoted = _QUOTED_FIELD.sub(lambda field: "x" if field.group().strip('" \t') else "", line)
        separators = unquoted.rstrip(delimiter + " \t\r\n").count(delimiter)
        if separators >= self.limits.max_columns:
            raise TableError(self._width_message(row))

    # XLSX: openpyxl in read-only mode, over a zip that inflates within the budget, the dimension never read.

    def _xlsx_rows(self, data: bytes | BinaryIO) -> Iterator[Sequence]:
        try:
            self._archive = _BoundedZip(data, budget=self.limits.max_unzipped_bytes)
            reader = _BoundedExcelReader(data, self._archive)
            reader.read()
            yield from reader.wb.worksheets[0].iter_rows(values_only=True)
        except _WorkbookTooBig as error:
            raise TableError(
                _("Once unzipped, the workbook exceeds %(limit)s: split it into smaller files.")
                % {"limit": filesizeformat(self.limits.max_unzipped_bytes)}
            ) from error
        except _DAMAGED_WORKBOOK as error:
            raise TableError(_("This file is not a readable XLSX workbook: save it again from Excel.")) from error
        finally:
            if self._archive is not None:
                self._archive.close()

    # Both: rows checked against the limits, cells turned into text.

    def _headers(self, rows: Iterator[Sequence], cell_text: Callable) -> list[str]:
        header = self._cells(next(rows, ()), 1, cell_text, headers=[])
        while header and not header[-1]:
            header.pop()
        if not header:
            raise TableError(_("The first row must name the columns; it is empty."))
        return [" ".join(cell.split()) for cell in header]

    def _checked_rows(self, rows: Iterator[Sequence], cell_text: Callable, headers: list[str]) -> Iterator[list[str]]:
        limits = self.limits
        width = len(headers)
        try:
            for number, row in enumerate(rows, 2):
                if number > limits.max_rows + 1:
                    # Empty rows past the limit are formatting a spreadsheet kept, not data; a file of nothing
                    # else is still stopped.
                    if number > 2 * (limits.max_rows + 1) or _has_text(row, 0, cell_text):
                        raise TableError(
                            _("The file has more than %(count)s rows: split it into smaller files.")
                            % {"count": self._count(limits.max_rows)}
                        )
                    continue
                cells = self._cells(row, number, cell_text, headers)
                if any(cells[width:]):
                    raise TableError(
                        _("Row %(row)s has more cells than there are column names in the first row.") % {"row": number}
                    )
                cells = cells[:width]
                yield cells + [""] * (width - len(cells))
        finally:
            rows.close()  # the workbook closes now, not when a refusal's traceback is let go

    def _cells(self, row: Sequence, number: int, cell_text: Callable, headers: list[str]) -> list[str]:
        limits = self.limits
        if len(row) > limits.max_columns and _has_text(row, limits.max_columns, cell_text):
            raise TableError(self._width_message(number))
        cells = []
        for column, value in enumerate(row[: limits.max_columns]):
            text = cell_text(value).strip()
            if len(text) > limits.max_cell_characters:
                name = headers[column] if column < len(headers) else _column_letters(column + 1)
                raise TableError(self._too_long_message(number, name))
            self.characters_read += len(text)
            cells.append(text)
        self.cells_read += len(cells)
        if self.characters_read > limits.max_unzipped_bytes:
            raise TableError(
                _("The file's cells hold more than %(limit)s of text: split it into smaller files.")
                % {"limit": filesizeformat(limits.max_unzipped_bytes)}
            )
        return cells

    @staticmethod
    def _count(number: int) -> str:
        return number_format(number, force_grouping=True)

    def _width_message(self, row: int) -> str:
        return _("Row %(row)s has more than %(count)s columns: remove the columns you do not import.") % {
            "row": row,
            "count": self._count(self.limits.max_columns),
        }

    def _too_long_message(self, row: int, column: str) -> str:
        return _("The cell in row %(row)s, column “%(column)s”, holds more than %(count)s characters: shorten it.") % {
            "row": row,
            "column": column,
            "count": self._count(self.limits.max_cell_characters),
        }


class _RecordStart:
    """Where csv.reader is in the file: the number of rows it returned, and whether it has begun the next one."""

    number = 0
    started = False


def _has_text(row: Sequence, start: int, cell_text: Callable) -> bool:
    return any(value is not None and cell_text(value).strip() for value in row[start:])


def _column_letters(number: int) -> str:
    return get_column_letter(min(number, 18278))


def _csv_cell_text(value: str) -> str:
    return unneutralise(value)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    return str(value)


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
