"""Search that ignores case, accents and punctuation, the same on PostgreSQL and SQLite.

Each searchable model keeps a ``search_text`` column: its words folded ("Ivanès" → "ivanes",
"Polepharma-GIPSO" → "polepharma gipso") and joined by spaces. A query is folded the same way
and every word of it must appear in that column. ``LIKE '%word%'`` on a lower-case column behaves
the same on both databases, and on PostgreSQL a trigram GIN index serves it.
"""

import re
import unicodedata
from functools import lru_cache

from django.db import connections
from django.db.models import BooleanField, F, Func, Subquery

_NOT_A_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case without accents or punctuation: "Maria PASCUAL DE ZULUETA" → "maria pascual de zulueta"."""
    text = text or ""
    return _folded_short(text) if len(text) <= 200 else _folded(text)


def _folded(text: str) -> str:
    if not text.isascii():  # ASCII has no accents to take off: skipping this is the same, and much faster
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_A_WORD.sub(" ", text.casefold()).split())


# Names, titles and organisations recur: an import of a hundred thousand people folds a few thousand distinct
# short values millions of times. (Long texts, rarely folded twice, are not kept.)
_folded_short = lru_cache(maxsize=65536)(_folded)


def search_words(query: str, limit: int = 10) -> list[str]:
    """The distinct folded words of a query, at most ``limit`` of them, longest first."""
    words = list(dict.fromkeys(fold(query).split()))
    return sorted(words, key=len, reverse=True)[:limit]


def build_search_text(*values: str) -> str:
    """The ``search_text`` of a record from its searchable values, each folded, duplicates dropped."""
    words: dict[str, None] = {}
    for value in values:
        for word in fold(value).split():
            words[word] = None
    return " ".join(words)


def filter_words(queryset, query: str, field: str = "search_text"):
    """Rows whose ``field`` contains every word of ``query``."""
    for word in search_words(query):
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset


# The shortest word a trigram index can look up: "%ab%" holds no trigram, so the index would be read whole.
MIN_INDEXED_WORD = 3


class _InArrayOf(Func):
    """``key = ANY(ARRAY(subquery))``: PostgreSQL runs the subquery once, first, and reads the rows by their key."""

    arg_joiner = " = ANY(ARRAY"
    template = "(%(expressions)s))"
    output_field = BooleanField()


def filter_words_first(queryset, query: str, field: str = "search_text"):
    """Rows whose ``field`` contains every word of ``query``, as ``filter_words``, but on PostgreSQL the matches
    are collected through the trigram index first, then ordered and paged (the organisations' list).

    Left to itself, the planner guesses how many rows ``LIKE '%word%'`` keeps from a sample: when it guesses
    many, it walks the name index, testing each row, until it has a page; for a rare word that is the whole
    table. Reading the keys of the matches in a subquery of their own (``ARRAY(...)``, which the planner cannot
    merge into the sorted walk) makes the search cost what the index finds — cheap for tens of thousands of
    organisations whatever the word. Not for the people's directory: at a million people a common prefix
    matches too many for every match to be read by key (issue 21). Words too short for the index keep the walk.
    """
    words = search_words(query)
    if (
        connections[queryset.db].vendor != "postgresql"
        or not words
        or len(words[0]) < MIN_INDEXED_WORD  # words are longest first
    ):
        return filter_words(queryset, query, field)
    model = queryset.model
    matches = filter_words(model._base_manager.using(queryset.db).order_by(), query, field).values("pk")
    return queryset.filter(_InArrayOf(F("pk"), Subquery(matches)))


def filter_folded(queryset, query: str, *fields: str):
    """Rows where every word of ``query`` appears, folded, in one of ``fields`` (which may follow relations).

    Folding happens in Python over the whole table, so this is for tables of a few thousand rows at most
    (agreements, press releases); people and organisations, who number in the hundreds of thousands and the
    tens of thousands, have an indexed ``search_text`` column instead.
    """
    words = search_words(query)
    if not words:
        return queryset
    texts: dict[int, str] = {}
    for pk, *values in queryset.model._default_manager.values_list("pk", *fields):
        texts[pk] = texts.get(pk, "") + " " + fold(" ".join(str(value) for value in values if value))
    return queryset.filter(pk__in=[pk for pk, text in texts.items() if all(word in text for word in words)])
