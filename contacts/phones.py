"""Phone numbers written for people to read, fast enough for an export of a million people.

Parsing a stored number and formatting it with ``phonenumbers`` costs about 40 µs: 40 seconds for a million
numbers. Numbers of one switchboard or one operator's range share their layout ("+33 5 56 11 32 15"), which
depends on the country code, the leading digits and the length only. ``international_format`` formats the first
number of each (first seven digits, length) through ``phonenumbers`` and keeps where its spaces fall;
the other numbers of that range reuse the layout. A number ``phonenumbers`` writes with anything but its own
digits regrouped is formatted by ``phonenumbers`` every time.
"""

import re

import phonenumbers

_DIGIT = re.compile(r"\d")
_NOT_DIGIT = re.compile(r"\D")
_REGROUPING = re.compile(r"\+?[\d -]+")
_LAYOUTS: dict[tuple[str, int], str | None] = {}
MAX_LAYOUTS = 100_000
# "+" and the first seven digits: what every country's layouts choose by (tests/contacts/test_phones.py).
LEADING = 8


def _slow_format(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def international_format(e164: str) -> str:
    """``+33556113215`` → ``+33 5 56 11 32 15``, as ``phonenumbers``' INTERNATIONAL format writes it."""
    key = (e164[:LEADING], len(e164))
    if key not in _LAYOUTS:
        formatted = _slow_format(e164)
        # A layout is kept only when the formatted number is the same digits, regrouped by spaces or dashes.
        regrouped = _REGROUPING.fullmatch(formatted) and _NOT_DIGIT.sub("", formatted) == e164.lstrip("+")
        if len(_LAYOUTS) >= MAX_LAYOUTS:
            _LAYOUTS.clear()
        _LAYOUTS[key] = _DIGIT.sub("#", formatted) if regrouped else None
        return formatted
    layout = _LAYOUTS[key]
    if layout is None:
        return _slow_format(e164)
    digits = iter(e164.lstrip("+"))
    return "".join(next(digits) if char == "#" else char for char in layout)
