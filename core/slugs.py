"""Records named by a slug made from their name: the first free one, safe against two requests taking it at once.
The one place a unique slug is made (pages, services, imports, ingestion)."""

from django.db import IntegrityError, transaction
from django.utils.text import slugify

ATTEMPTS = 5


def free_slug(model, text: str, *, max_length: int, fallback: str, reserved=frozenset()) -> str:
    """``text`` slugified (``fallback`` if nothing is left), or the first of ``slug-2``, ``slug-3``… that no record
    of ``model`` has and that is not ``reserved`` (an address of another page)."""
    base = slugify(text)[:max_length] or fallback
    slug, number = base, 1
    while slug in reserved or model._default_manager.filter(slug=slug).exists():
        number += 1
        suffix = f"-{number}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
    return slug


def create_with_slug(model, text: str, /, *, max_length: int, fallback: str, reserved=frozenset(), **fields):
    """A new ``model`` record with ``fields`` (any field, ``text`` included) and a free slug made from ``text``.

    Two requests creating "Presse" at the same moment both find "presse" free; the database refuses the second
    insert (unique slug), and this one then takes the next free slug instead of failing."""
    for attempt in range(ATTEMPTS):
        slug = free_slug(model, text, max_length=max_length, fallback=fallback, reserved=reserved)
        try:
            with transaction.atomic():
                return model._default_manager.create(slug=slug, **fields)
        except IntegrityError:
            if attempt == ATTEMPTS - 1 or not model._default_manager.filter(slug=slug).exists():
                raise  # another rule than the slug's, or too many collisions in a row
    raise AssertionError("unreachable")
