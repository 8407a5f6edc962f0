"""The press-release corpus (``tests/agreements/corpus/``): every ``NAME.<ext>`` with a ``NAME.json`` of what it
states, read as ``agreements.extraction`` reads it, and precision and recall per field over the whole corpus.

Run without pytest: ``python -m tests.agreements.corpus_scores`` (``--details`` lists every difference).
``tests/agreements/test_corpus.py`` uses the same functions.
"""

import importlib.util
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
FIELDS = ("language", "date", "place", "title", "contacts", "emails", "phones", "quotes", "agreement")
# The organisations a fresh database holds once the seed is loaded: the others the corpus names must be recognised
# from the layout alone, as they would be in production.
KNOWN_ORGANISATIONS = (
    "Polepharma",
    "Polepharma-GIPSO",
    "GIPSO",
    "Leem",
    "Basque Health Cluster",
    "Basque Biocluster",
    "France Biotech",
    "CCI Nouvelle-Aquitaine",
    "CESER Aquitaine",
)


def _fold(text: str) -> str:
    from core.search import fold

    return fold(text or "")


def is_known_organisation(name: str) -> bool:
    return _fold(name) in {_fold(known) for known in KNOWN_ORGANISATIONS}


def corpus_files() -> list[tuple[Path, dict]]:
    """Every release of the corpus that has its expected JSON, with that JSON."""
    releases = []
    for path in sorted(CORPUS.iterdir()):
        if path.suffix == ".json" or path.name.startswith("."):
            continue
        expected = path.with_name(path.name.split(".", 1)[0] + ".json")
        if expected.is_file():
            releases.append((path, json.loads(expected.read_text(encoding="utf-8"))))
    return releases


def read_text(path: Path) -> str:
    """The text of a release file: plain text as it is, other formats through ``agreements.documents``."""
    data = path.read_bytes()
    if path.suffix == ".txt":
        return data.decode("utf-8")
    if importlib.util.find_spec("agreements.documents") is None:
        raise LookupError(f"{path.name}: agreements.documents is needed to read this format")
    from agreements.documents import read_release

    return read_release(data, path.name).text


def extract(path: Path) -> dict:
    """What extraction finds in the release, in the shape of the corpus's JSON."""
    from agreements.extraction import extract_release

    release = extract_release(
        read_text(path), is_organisation=is_known_organisation, known_names=list(KNOWN_ORGANISATIONS)
    )
    return {
        "language": release.language,
        "date": release.date.isoformat() if release.date else None,
        "place": release.place,
        "title": release.title,
        "contacts": [
            {
                "name": contact.full_name,
                "title": contact.title,
                "organisation": contact.organisation,
                "emails": list(contact.emails),
                "phones": list(contact.phones),
            }
            for contact in release.contacts
        ],
        "quotes": [{"speaker": quote.speaker, "text": quote.text} for quote in release.quotes],
        "agreement": None
        if release.agreement is None
        else {
            "kind": release.agreement.kind,
            "parties": list(release.agreement.parties),
            "date": release.agreement.date.isoformat() if release.agreement.date else None,
            "place": release.agreement.place or None,
        },
    }


def items(data: dict, name: str, *, expected: bool) -> set:
    """The facts of one field, as a set to compare: found in ``data`` (an extraction or an expected JSON)."""
    if name in ("language", "date", "place", "title"):
        return {_fold(data.get(name))} if data.get(name) else set()
    contacts = data.get("contacts", [])
    if name == "contacts":
        return {(_fold(c["name"]), _fold(c.get("title")), _fold(c.get("organisation"))) for c in contacts}
    if name in ("emails", "phones"):
        return {(_fold(c["name"]), value) for c in contacts for value in c.get(name, [])}
    if name == "quotes":
        key = "starts" if expected else "text"
        return {(_fold(q["speaker"]), _fold(q[key])) for q in data.get("quotes", [])}
    agreement = data.get("agreement")
    if not agreement:
        return set()
    return {
        (
            agreement["kind"],
            frozenset(_fold(party) for party in agreement["parties"]),
            agreement.get("date"),
            _fold(agreement.get("place") or ""),
        )
    }


def _matches(name: str, found, wanted) -> bool:
    if name == "quotes":
        return found[0] == wanted[0] and found[1].startswith(wanted[1])
    return found == wanted


@dataclass
class Score:
    found: int = 0
    expected: int = 0
    right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def compare(name: str, found_data: dict, expected_data: dict) -> tuple[int, int, int, list[str]]:
    found = items(found_data, name, expected=False)
    wanted = items(expected_data, name, expected=True)
    right = sum(any(_matches(name, item, target) for item in found) for target in wanted)
    differences = []
    if right != len(wanted) or len(found) != len(wanted):
        differences.append(f"{name}: found {sorted(map(str, found))}, expected {sorted(map(str, wanted))}")
    return len(found), len(wanted), right, differences


def scores() -> dict[str, Score]:
    table = {name: Score() for name in FIELDS}
    for path, expected in corpus_files():
        found = extract(path)
        for name in FIELDS:
            found_count, expected_count, right, differences = compare(name, found, expected)
            score = table[name]
            score.found += found_count
            score.expected += expected_count
            score.right += right
            score.misses += [f"{path.name}: {difference}" for difference in differences]
    return table


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    table = scores()
    print(f"{len(corpus_files())} releases in {CORPUS}")
    print(f"{'field':<10} {'found':>6} {'expected':>9} {'right':>6} {'precision':>10} {'recall':>7}")
    for name, score in table.items():
        print(
            f"{name:<10} {score.found:>6} {score.expected:>9} {score.right:>6} "
            f"{score.precision:>10.2f} {score.recall:>7.2f}"
        )
    if "--details" in argv:
        for score in table.values():
            for miss in score.misses:
                print(miss)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
