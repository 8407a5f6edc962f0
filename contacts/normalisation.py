"""Cleaning what press releases and spreadsheets write into the values we store.

Documents are dirty: "sbou@leem.org/" is the address sbou@leem.org, "+34 6 44 84 56 44"
is +34 644 84 56 44, and "01 45 03 88 38 -06 60 46 23 08 – 06 60 46 23 08" is one
landline and one mobile, not three numbers. Everything that turns text into stored
values goes through these functions, so the admin, imports and ingestion agree.
"""

import phonenumbers
from django.conf import settings

# Characters that documents leave around an address: punctuation, brackets, "mailto:".
_EMAIL_TRIM = " \t\r\n/\\.,;:!?'\"()[]{}<>«»"

# Lower-case particles inside family names ("Pascual de Zulueta", "van der Berg").
_NAME_PARTICLES = {
    "de",
    "del",
    "della",
    "der",
    "des",
    "di",
    "du",
    "da",
    "das",
    "do",
    "dos",
    "la",
    "le",
    "van",
    "von",
    "y",
    "e",
}


def normalise_email(raw: str) -> str:
    """Return the address without surrounding punctuation, "mailto:" or spaces, in lower case."""
    value = (raw or "").strip().strip(_EMAIL_TRIM)
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    return value.strip(_EMAIL_TRIM).lower()


def find_phone_numbers(text: str, region: str | None = None) -> list[phonenumbers.PhoneNumber]:
    """Every distinct valid phone number written in ``text``, in the order they appear.

    A number repeated on the same line is returned once.
    """
    region = region or settings.PHONENUMBER_DEFAULT_REGION
    found: list[phonenumbers.PhoneNumber] = []
    seen: set[str] = set()
    for match in phonenumbers.PhoneNumberMatcher(text or "", region, leniency=phonenumbers.Leniency.VALID):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if e164 not in seen:
            seen.add(e164)
            found.append(match.number)
    return found


def is_mobile(number: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


def _capitalise_word(word: str) -> str:
    # "SARRADE-LOUCHEUR" -> "Sarrade-Loucheur", "D'ORMESSON" -> "D'Ormesson"
    return "-".join(
        "'".join(piece[:1].upper() + piece[1:].lower() for piece in part.split("'")) for part in word.split("-")
    )


def normalise_family_name(raw: str) -> str:
    """Turn a family name written in capitals into its ordinary spelling.

    "PASCUAL DE ZULUETA" becomes "Pascual de Zulueta". A name already written in
    mixed case is left as the person writes it.
    """
    value = " ".join((raw or "").split())
    if not value or value != value.upper() or value == value.lower():
        return value
    words = value.split(" ")
    result = []
    for index, word in enumerate(words):
        if index > 0 and word.lower() in _NAME_PARTICLES:
            result.append(word.lower())
        else:
            result.append(_capitalise_word(word))
    return " ".join(result)
