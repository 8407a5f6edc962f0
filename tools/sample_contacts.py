"""Write a contacts spreadsheet of N made-up people at the seed's organisations, to measure imports.

    .venv/bin/python -m tools.sample_contacts 10000 > contacts.csv
    time .venv/bin/python manage.py import_contacts contacts.csv

Deterministic: the same N gives the same file. French Excel's CSV: Windows-1252, ";" between cells.
"""

import csv
import io
import random
import sys

GIVEN_NAMES = ["Amélie", "Benoît", "Célia", "Éloïse", "François", "Gaëlle", "Hélène", "Iñaki", "Joël", "Léa"]
FAMILY_NAMES = ["MARTIN", "DUBOIS", "ETXEBERRIA", "LÓPEZ", "GARCÍA", "LEFÈVRE", "MOREAU", "AGIRRE", "ROUX", "FAURE"]
ORGANISATIONS = ["Polepharma", "GIPSO", "Basque Health Cluster", "Leem", "Sanofi", "France Biotech"]
TITLES = ["Directrice générale", "Chargé de communication", "Responsable qualité", "Président", "Chef de projet"]


def phone(prefix: str, number: int) -> str:
    """A distinct, valid French number per row: Bordeaux landlines (05 56) or mobiles (06 60)."""
    digits = f"{number:06d}"
    return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]}"


def sample(count: int, seed: int = 20261125) -> str:
    randomiser = random.Random(seed)  # noqa: S311  (made-up data, not secrets)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Prénom", "Nom", "Organisation", "Fonction", "E-mail", "Téléphone", "Portable"])
    for number in range(count):
        given, family = randomiser.choice(GIVEN_NAMES), randomiser.choice(FAMILY_NAMES)
        writer.writerow(
            [
                given,
                f"{family}{number}",
                randomiser.choice(ORGANISATIONS),
                randomiser.choice(TITLES),
                f"contact{number}@example.org",
                phone("05 56", number),
                phone("06 60", number),
            ]
        )
    return out.getvalue()


if __name__ == "__main__":
    sys.stdout.buffer.write(sample(int(sys.argv[1]) if len(sys.argv) > 1 else 10000).encode("cp1252"))
