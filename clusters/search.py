"""Search that ignores case, accents and punctuation, the same on PostgreSQL and SQLite.

Each searchable model keeps a ``search_text`` column: its words folded ("Ivanès" → "ivanes",
"Polepharma-GIPSO" → "polepharma gipso") and joined by spaces. A query is folded the same way
and every word of it must appear in that column. ``LIKE '%word%'`` on a lower-case column behaves
the same on both databases, and on PostgreSQL a trigram GIN index serves it.
"""

import re
import unicodedata

_NOT_A_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case without accents or punctuation: "Maria PASCUAL DE ZULUETA" → "maria pascual de zulueta"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_A_WORD.sub(" ", without_accents.casefold()).split())


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
