"""Spreadsheets made to exhaust a server that reads them, written by hand (a few lines of XML in a zip).

Each function returns the bytes of one file that an import must refuse within bounds (the slow ones are made once
per process); the tests use them, and

    .venv/bin/python -m tools.hostile_files DIRECTORY

writes them all there, to measure (docs/benchmarks.md, "Hostile files").
"""

import functools
import io
import sys
import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
_PACKAGE_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{_RELATIONSHIPS}">
<Relationship Id="rId1" Type="{_DOCUMENT}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{_DOCUMENT}"><sheets>{{sheets}}</sheets></workbook>"""
_WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{_RELATIONSHIPS}">
<Relationship Id="rId1" Type="{_DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{_DOCUMENT}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
SHEET_PART = "xl/worksheets/sheet1.xml"
SHARED_STRINGS_PART = "xl/sharedStrings.xml"


def column_letters(number: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def workbook(sheet_xml: str | bytes, *, shared_strings=(f'<sst xmlns="{MAIN}"/>',), sheets: int = 1) -> bytes:
    """An XLSX file whose first sheet is ``sheet_xml``; ``shared_strings`` are the pieces of its shared strings
    part, written one after the other (so a huge part is never held whole). With ``sheets`` over 1, the workbook
    lists that many sheets, all of them the same part."""
    listed = "".join(
        f'<sheet name="Feuille{number}" sheetId="{number}" r:id="rId1"/>' for number in range(1, sheets + 1)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.replace("{sheets}", listed))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr(SHEET_PART, sheet_xml)
        with archive.open(SHARED_STRINGS_PART, "w", force_zip64=True) as part:
            for piece in shared_strings:
                part.write(piece.encode() if isinstance(piece, str) else piece)
    return buffer.getvalue()


def sheet(rows_xml: str, *, dimension: str | None = None) -> str:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}">{declared}'
        f"<sheetData>{rows_xml}</sheetData></worksheet>"
    )


def inline_row(number: int, values) -> str:
    cells = "".join(
        f'<c r="{column_letters(column)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for column, value in enumerate(values, 1)
    )
    return f'<row r="{number}">{cells}</row>'


def wide_csv(columns: int = 20_000, rows: int = 1_000) -> bytes:
    """131 KB: a header of 20 000 columns over short rows, each padded to the header's width once read (the admin
    took 23 s and 1.2 GB)."""
    header = ";".join(["Nom", *(f"c{number}" for number in range(1, columns))])
    return (header + "\n" + "".join(f"Bou{number}\n" for number in range(rows))).encode()


def xlsx_claiming_every_cell() -> bytes:
    """1.8 KB: a ``<dimension>`` that claims A1:XFD1048576, two real cells and one in the sheet's last cell (trusted,
    the dimension made every row 16 384 cells wide: a MemoryError)."""
    rows = inline_row(1, ["Nom"]) + inline_row(2, ["Bou"]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return workbook(sheet(rows, dimension="A1:XFD1048576"))


@functools.cache
def wide_xlsx(columns: int = 16_384, rows: int = 50) -> bytes:
    """About 120 KB: every column Excel has (16 384), named in the first row and filled in the next 49, 12 MB
    once unzipped (the probe's 58 KB file took 1.7 GB in the admin)."""
    header = inline_row(1, ["Nom", *(f"c{column}" for column in range(2, columns + 1))])
    filled = "<c><v>1</v></c>" * columns
    body = "".join(f'<row r="{row}">{filled}</row>' for row in range(2, rows + 1))
    return workbook(sheet(header + body))


@functools.cache
def shared_strings_bomb(megabytes: int = 324) -> bytes:
    """About 330 KB: a shared string of ``megabytes`` MB (the 827 KB original took 109 s and 2 GB)."""
    chunk = "a" * (1024 * 1024)
    pieces = [f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>', *([chunk] * megabytes), "</t></si></sst>"]
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return workbook(sheet(rows), shared_strings=pieces)


@functools.cache
def lying_workbook(real_megabytes: int = 64, declared_megabytes: int = 1) -> bytes:
    """About 70 KB: a sheet that inflates to ``real_megabytes`` MB while the zip's headers claim
    ``declared_megabytes``."""
    rows = inline_row(1, ["Nom"]) + inline_row(2, ["Bou"])
    data = workbook(sheet(rows).replace("</worksheet>", " " * (real_megabytes * 1024 * 1024) + "</worksheet>"))
    return _declare_size(data, SHEET_PART, declared_megabytes * 1024 * 1024)


@functools.cache
def workbook_read_again(sheets: int = 1000, megabytes: int = 8) -> bytes:
    """About 1.5 MB: one sheet of ``megabytes`` MB with no ``<dimension>``, listed ``sheets`` times in the
    workbook. Each part is small enough, but openpyxl reads each listed sheet to its end to size it: 8 GB."""
    row_count = megabytes * 1024 * 1024 // 40
    rows = inline_row(1, ["Nom"]) + "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, row_count)
    )
    return workbook(sheet(rows), sheets=sheets)


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` (a zip) with the uncompressed size of ``name`` rewritten as ``size`` in both of its headers."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    patched = bytearray(data)
    patched[info.header_offset + 22 : info.header_offset + 26] = size.to_bytes(4, "little")
    central = patched.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(patched[central + 28 : central + 30], "little")
        if patched[central + 46 : central + 46 + name_length] == name.encode():
            patched[central + 24 : central + 28] = size.to_bytes(4, "little")
        central = patched.find(b"PK\x01\x02", central + 46)
    return bytes(patched)


def mixed_encoding_csv() -> bytes:
    """UTF-8 throughout but for one Windows-1252 byte on line 3. Read as Windows-1252, the whole file goes wrong:
    "LefÃ¨vre", the "Prénom" column unknown, every given name dropped, and no error."""
    return (
        "Prénom;Nom;Organisation;Fonction\nHélène;LEFÈVRE;Leem;Directrice\n".encode()
        + "Ane;ETXEBERRÍA;Leem;Chargée de mission\n".encode("cp1252")
        + "Iñaki;AGIRRE;Leem;Président\n".encode()
    )


FILES = {
    "wide.csv": wide_csv,
    "claims-every-cell.xlsx": xlsx_claiming_every_cell,
    "wide.xlsx": wide_xlsx,
    "shared-strings-bomb.xlsx": shared_strings_bomb,
    "lying-sizes.xlsx": lying_workbook,
    "read-again.xlsx": workbook_read_again,
    "mixed-encoding.csv": mixed_encoding_csv,
}

if __name__ == "__main__":
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    directory.mkdir(parents=True, exist_ok=True)
    for filename, make in FILES.items():
        path = directory / filename
        path.write_bytes(make())
        print(f"{path}: {path.stat().st_size} bytes")
