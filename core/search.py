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

from core.bulk import any_of

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


# How many matches a search reads through the trigram index before it leaves them to the sorted walk instead.
COLLECTED_MATCHES = 20_000

# ``crm_search_matches(table, words, any_word, max_rows)``: the keys of at most ``max_rows`` rows of ``table``
# whose ``search_text`` holds every word (or, with ``any_word``, one of them), read through the trigram index
# and nothing else. The function's own settings forbid the sequential and the plain index scans while its query
# is planned (``EXECUTE`` plans it inside the function), so that the planner, whatever it guesses of how many
# rows ``LIKE '%word%'`` keeps, can only answer through the index: what it costs is what the index finds.
SEARCH_MATCHES_FUNCTION = """
CREATE OR REPLACE FUNCTION crm_search_matches(tbl regclass, words text[], any_word boolean, max_rows integer)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE
SET enable_seqscan = off
SET enable_indexscan = off
AS $function$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT id::bigint FROM %s WHERE %s LIMIT %s',
        tbl,
        (
            SELECT string_agg(
                format('search_text LIKE %L', '%' || word || '%'),
                CASE WHEN any_word THEN ' OR ' ELSE ' AND ' END
            )
            FROM unnest(words) AS word
        ),
        max_rows
    );
END
$function$
"""


def create_search_function(apps, schema_editor):
    """On PostgreSQL, ``crm_search_matches`` (above): a migration's RunPython, and the test database's setup."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_MATCHES_FUNCTION, params=None)  # its "%" are format()'s, not parameters


def drop_search_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS crm_search_matches(regclass, text[], boolean, integer)")


def collected_matches(queryset, words: list[str], *, any_word: bool = False, limit: int | None = None):
    """The keys of every row of ``queryset``'s table whose ``search_text`` holds ``words`` (all of them, or one
    with ``any_word``), read through the trigram index — or None when there are more than ``limit`` of them,
    when a word is too short for the index, or on SQLite, where there is no such index.

    Why (issue 21): left to itself, PostgreSQL guesses how many rows ``LIKE '%word%'`` keeps from a sample of
    the column, and on that guess either reads the matches through the trigram index and sorts them, or walks
    the name index in order and tests every row until it has a page. A rare word guessed common — a surname of
    three people that a sampled row happens to hold — made the walk read the whole table (0.3–0.7 s at half a
    million people). Collecting the matches first, by the index only, costs what the index finds; the page is
    then sorted from their keys, and the planner, given an array of known length, plans that well. A word
    common enough to have more than ``limit`` matches is left to the walk, which such a word stops early.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not words or min(len(word) for word in words) < MIN_INDEXED_WORD:
        return None  # "%ab%" holds no trigram: the index would be read whole
    limit = COLLECTED_MATCHES if limit is None else limit
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT crm_search_matches(%s::regclass, %s, %s, %s)",
            [queryset.model._meta.db_table, list(words), any_word, limit + 1],
        )
        keys = [row[0] for row in cursor.fetchall()]
    return keys if len(keys) <= limit else None


def filter_words_collected(queryset, query: str):
    """Rows whose ``search_text`` contains every word of ``query``, as ``filter_words``; on PostgreSQL, when the
    words long enough for the trigram index have at most ``COLLECTED_MATCHES`` matches, those are collected
    through the index first (``collected_matches``) and the rows are read by their keys, the shorter words
    tested on them alone."""
    words = search_words(query)
    indexed = [word for word in words if len(word) >= MIN_INDEXED_WORD]
    keys = collected_matches(queryset, indexed)
    if keys is None:
        return filter_words(queryset, query)
    queryset = queryset.filter(any_of("pk", keys))
    for word in words:
        if word not in indexed:
            queryset = queryset.filter(search_text__contains=word)
    return queryset


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
