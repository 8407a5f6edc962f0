"""contacts.phones.international_format writes every number as phonenumbers does, from a layout it reuses."""

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from contacts import phones


def valid_numbers(seed: int, per_example: int):
    """Valid numbers of every region and kind: phonenumbers' examples with their trailing digits redrawn."""
    draw = random.Random(seed)  # noqa: S311 (test data, not secrets)
    kinds = [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE, PhoneNumberType.VOIP]
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in kinds:
            example = phonenumbers.example_number_for_type(region, kind)
            if not example:
                continue
            digits = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)[1:]
            for _ in range(per_example):
                start = draw.randrange(1, len(digits))
                redrawn = digits[:start] + "".join(str(draw.randrange(10)) for _ in digits[start:])
                try:
                    number = phonenumbers.parse("+" + redrawn)
                except phonenumbers.NumberParseException:  # the country code itself was redrawn
                    continue
                if phonenumbers.is_valid_number(number):
                    yield "+" + redrawn


@pytest.fixture(autouse=True)
def no_layouts_yet(monkeypatch):
    monkeypatch.setattr(phones, "_LAYOUTS", {})


def test_every_region_and_kind_is_written_as_phonenumbers_writes_it():
    numbers = list(valid_numbers(seed=8, per_example=8))
    expected = {
        number: phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        for number in numbers
    }

    written = {number: phones.international_format(number) for number in numbers}

    assert len(numbers) > 3000
    assert written == expected


def test_numbers_of_one_range_reuse_one_layout():
    assert phones.international_format("+33556113215") == "+33 5 56 11 32 15"
    assert phones.international_format("+33556119999") == "+33 5 56 11 99 99"
    assert phones.international_format("+34943123456") == "+34 943 12 34 56"
    assert len(phones._LAYOUTS) == 2


def test_a_number_phonenumbers_cannot_read_comes_back_as_stored():
    assert phones.international_format("+999") == "+999"
