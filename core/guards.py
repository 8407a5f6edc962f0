"""The one check of text no database may take: a NUL character, which PostgreSQL can neither store nor compare
(a query holding one ends in an error). Forms refuse it with Django's own validator; every other way in —
addresses, query strings, filter keys, API keys and cursors — asks here."""

NUL = "\x00"


def holds_nul(value) -> bool:
    """Whether ``value`` (text or bytes; anything else holds none) holds a NUL character."""
    if isinstance(value, bytes | bytearray):
        return b"\x00" in value
    return isinstance(value, str) and NUL in value
