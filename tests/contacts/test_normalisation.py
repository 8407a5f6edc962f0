"""Turning what documents write into what we store."""

import phonenumbers
import pytest

from contacts.normalisation import find_phone_numbers, is_mobile, normalise_email, normalise_family_name
from core.search import fold


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("sbou@leem.org/", "sbou@leem.org"),
        (" vpautre@leem.org/ ", "vpautre@leem.org"),
        ("mailto:Maria@BasqueHealthCluster.org", "maria@basquehealthcluster.org"),
        ("<e.pangaud@gipso.org>;", "e.pangaud@gipso.org"),
        ("", ""),
    ],
)
def test_emails_lose_surrounding_punctuation_and_capitals(written, stored):
    assert normalise_email(written) == stored


def e164(text):
    return [
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) for number in find_phone_numbers(text)
    ]


def test_odd_spacing_in_a_spanish_number():
    assert e164("+34 6 44 84 56 44 - maria@basquehealthcluster.org") == ["+34644845644"]


def test_a_line_with_a_repeated_number_gives_one_landline_and_one_mobile():
    numbers = find_phone_numbers("Tél : 01 45 03 88 38 -06 60 46 23 08 – 06 60 46 23 08 - email : sbou@leem.org/")
    assert [phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164) for n in numbers] == [
        "+33145038838",
        "+33660462308",
    ]
    assert [is_mobile(n) for n in numbers] == [False, True]


def test_national_and_international_writings_of_one_number_agree():
    assert e164("05 56 11 32 15") == e164("0556113215") == e164("+33 5 56 11 32 15") == ["+33556113215"]


def test_text_without_a_number_gives_none():
    assert e164("Photo de la signature disponible sur demande") == []


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("PASCUAL DE ZULUETA", "Pascual de Zulueta"),
        ("SARRADE-LOUCHEUR", "Sarrade-Loucheur"),
        ("PANGAUD", "Pangaud"),
        ("D'ORMESSON", "D'Ormesson"),
        ("  BOU  ", "Bou"),
        ("Alvarez Yeregui", "Alvarez Yeregui"),
        ("van der Berg", "van der Berg"),
    ],
)
def test_family_names_in_capitals_get_ordinary_case(written, stored):
    assert normalise_family_name(written) == stored


def test_fold_ignores_case_accents_and_punctuation():
    assert fold("Ivanès") == "ivanes"
    assert fold("PASCUAL-DE ZULUETA") == "pascual de zulueta"
    assert fold("Stéphanie  BOU") == "stephanie bou"
