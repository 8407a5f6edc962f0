"""The organisations export: one row per organisation with everything the import needs to bring it back
(``clusters.organisation_sheet``), as CSV or XLSX, from the organisations page (its filters) or the admin action
(its selection).

Organisations are read ``CHUNK_SIZE`` at a time with their related records prefetched for each chunk
(``Organisation.objects.for_sheet()``): the queries do not grow with the rows, nor the memory with the table. CSV
streams as it is written; XLSX is written into a temporary file first (``core.spreadsheets``).
"""

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.spreadsheets import table_response

from .organisation_sheet import SheetLabels, header, organisation_cells

EXPORT_FORMATS = {"csv": "CSV", "xlsx": "XLSX"}
CHUNK_SIZE = 500


def organisation_rows(organisations, labels: SheetLabels) -> Iterator[list[str]]:
    """The rows of ``organisations`` (a queryset from ``Organisation.objects.for_sheet()``, in its order)."""
    for organisation in organisations.iterator(chunk_size=CHUNK_SIZE):
        yield organisation_cells(organisation, labels)


def export_organisations(organisations, *, export_format: str):
    """The download of ``organisations`` as ``export_format`` (``EXPORT_FORMATS``), in the current language."""
    return table_response(
        export_format=export_format,
        header=header(),
        rows=organisation_rows(organisations, SheetLabels.current()),
        stem=str(pgettext_lazy("file name", "organisations")),
        sheet_title=str(_("Organisations")),
    )
