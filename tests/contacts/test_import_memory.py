"""What a people import keeps in memory stays the same whatever the file's length: the identifiers the file gives
held compactly, only true namesakes read from the database, the rejected rows written to their file as they come
(the measurements: docs/benchmarks.md, "Importing 100 000 people")."""

import csv
import io
import tracemalloc

import pytest

from contacts.imports import import_people
from contacts.layouts import TextSet, canonical_table
from core.tables import TableLimits, stream_table
from tests.factories import OrganisationFactory, PersonFactory, PositionFactory


@pytest.fixture
def organisations(db):
    return OrganisationFactory(name="Bihotz", slug="bihotz"), OrganisationFactory(name="Leem", slug="leem")


def people(text: str, **options):
    options.setdefault("dry_run", False)
    return import_people(text.encode(), file_name="contacts.csv", **options)


def test_the_identifiers_of_a_file_are_found_exactly():
    identifiers = TextSet(["miren-agirre", "ane-etxeberria", "miren-agirre", "é-ñ", ""])
    assert list(identifiers) == ["", "ane-etxeberria", "miren-agirre", "é-ñ"]
    assert "miren-agirre" in identifiers and "é-ñ" in identifiers and "" in identifiers
    assert "miren" not in identifiers and "miren-agirre-2" not in identifiers and "zz" not in identifiers
    assert "anything" not in TextSet() and len(TextSet()) == 0


def test_a_namesake_at_another_organisation_of_the_same_rows_is_not_flagged(organisations):
    bihotz, leem = organisations
    # Known: Miren Agirre at the Leem. The file names a Miren Agirre at Bihotz and someone else at the Leem: both
    # organisations and the name are in the rows, but no row names Miren Agirre at the Leem.
    PositionFactory(person=PersonFactory(given_name="Miren", family_name="Agirre"), organisation=leem)
    result = people(
        "Prénom;Nom;Organisation;Fonction;E-mail\n"
        "Miren;Agirre;Bihotz;Directrice;miren@bihotz.eus\n"
        "Ane;Etxeberria;Leem;Directrice;ane@leem.org\n"
    )
    assert result.counts["new"] == 2 and result.counts["flagged"] == 0
    # The same name at the same organisation with another email: a different person, flagged.
    flagged = people("Prénom;Nom;Organisation;Fonction;E-mail\nMiren;AGIRRE;Leem;Chargée;m.agirre@leem.org\n")
    assert flagged.counts["new"] == 1 and flagged.flagged == [2]


def test_the_rejected_rows_come_back_as_a_file_to_correct_with_their_errors(organisations):
    result = people(
        "Nom;Prénom;Organisation;Fonction;E-mail;Ville\n"
        "Etxeberria;Ane;Bihotz;Directrice;ane@bihotz.eus;Bilbao\n"
        "Arana;=1+1;Bihotz;Directeur;x@;Paris\n"
        "Bou;Sylvie;Nulle part;Chargée;sbou@leem.org;Lyon\n",
        skip_invalid_rows=True,
    )
    assert result.counts["new"] == 1 and list(result.rejected) == [3, 4]
    text = result.rejected_file.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [
        ["Prénom", "Nom", "Organisation", "Fonction", "E-mail", "Erreurs"],
        ["'=1+1", "Arana", "Bihotz", "Directeur", "x@", "E-mail : « x@ » n’est pas une adresse e-mail."],
        [
            "Sylvie",
            "Bou",
            "Nulle part",
            "Chargée",
            "sbou@leem.org",
            "Organisation : Aucune organisation ne s’appelle « Nulle part » : importez d’abord les organisations, "
            "ou corrigez le nom.",
        ],
    ]


def test_a_file_without_rejected_rows_gives_no_file_of_them(organisations):
    result = people("Nom;Organisation;Fonction;E-mail\nEtxeberria;Bihotz;Directrice;ane@bihotz.eus\n")
    assert result.counts["new"] == 1 and result.rejected_file == b""


def test_what_a_file_says_of_itself_takes_little_memory_whatever_its_length():
    # Read before the rows are imported and kept until the last: the identifiers the rows give, among others. Those
    # of 5 000 people took 820 kB in a set of strings (16 MB at 100 000); 95 kB held as one sorted text.
    rows = "".join(f"personne-{number:06d};Nom {number};Prénom\n" for number in range(5_000))
    data = ("Identifiant;Nom;Prénom\n" + rows).encode()
    headers, first_pass = stream_table(data, limits=TableLimits.for_batch())
    first_pass.close()
    table = canonical_table(headers, lambda: stream_table(data, limits=TableLimits.for_batch())[1])
    tracemalloc.start()
    try:
        table.scan()
        kept, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert table.row_count == 5_000
    assert "personne-004999" in table.identifiers and "personne-5000" not in table.identifiers
    assert kept < 300 * 1024


class StoredFile(io.BytesIO):
    """A stored upload that remembers the largest read asked of it; reading it whole is refused."""

    largest_read = 0

    def read(self, size=-1):
        if size is None or size < 0:
            raise AssertionError("the whole file was read at once")
        self.largest_read = max(self.largest_read, size)
        return super().read(size)


def test_a_stored_file_is_read_as_a_stream_never_whole(organisations):
    notes = "Rencontrée au salon. " * 40
    rows = "".join(f"Agirre;Miren {number};Bihotz;Directrice;m{number}@bihotz.eus;{notes}\n" for number in range(300))
    upload = StoredFile(("Nom;Prénom;Organisation;Fonction;E-mail;Notes\n" + rows).encode())
    result = import_people(upload, dry_run=False, limits=TableLimits.for_batch(), file_name="contacts.csv")
    assert result.counts["new"] == 300
    assert 0 < upload.largest_read <= 64 * 1024 < len(upload.getvalue())
    assert not upload.closed  # the caller's: closed by whoever opened it


def test_a_stored_vcard_file_is_read_too(organisations):
    upload = io.BytesIO(b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Agirre;Miren;;;\r\nEMAIL:miren@bihotz.eus\r\nEND:VCARD\r\n")
    result = import_people(upload, dry_run=False, file_name="contacts.vcf")
    assert result.counts["new"] == 1 and result.layout == "vCard"
