"""Links in a press release's text to the records it names."""

import re
import unicodedata
from functools import lru_cache

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# What may stand between the words of a name: "Polepharma-GIPSO", "Polepharma GIPSO" and "POLEPHARMA - GIPSO"
# are the same name.
_WORD_SEPARATORS = r"\-\u2010\u2011\u2012\u2013\u2014"
_BETWEEN_WORDS = rf"[\s{_WORD_SEPARATORS}]+"
_NAME_WORDS = re.compile(rf"[^\s{_WORD_SEPARATORS}]+")
# Whole words, and never inside an address: "polepharma" in "www.polepharma.com" or "x@polepharma.com" stays text.
_BEFORE = r"(?<![\w@./])"
_AFTER = r"(?![\w@/]|\.\w)"


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(part for part in decomposed if not unicodedata.combining(part)).casefold()


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """The text folded character by character, and for each folded character the index it came from."""
    folded, origins = [], []
    for index, char in enumerate(text):
        for part in _fold_char(char):
            folded.append(part)
            origins.append(index)
    return "".join(folded), origins


# A release's page links its text piece by piece (agreements.markup): each name's pattern is built once.
@lru_cache(maxsize=1024)
def _name_pattern(name: str) -> re.Pattern | None:
    words = _NAME_WORDS.findall("".join(_fold_char(char) for char in name))
    if not words or sum(len(word) for word in words) < 2:
        return None
    return re.compile(_BEFORE + _BETWEEN_WORDS.join(re.escape(word) for word in words) + _AFTER)


def link_names(text: str, targets: list[tuple[str, str]]) -> SafeString:
    """``text``, escaped, with every name of ``targets`` (name, url) turned into a link.

    Names match whatever their case and accents ("PASCUAL DE ZULUETA", "Ivanès"), as whole words, whether
    their words are joined by spaces, line breaks or dashes; where two names overlap, the longer wins
    ("Polepharma-GIPSO" before "GIPSO"), and nothing is linked twice.
    """
    folded, origins = _folded_with_positions(text)
    patterns: dict[str, tuple[re.Pattern, str]] = {}
    for name, url in targets:
        pattern = _name_pattern(name)
        if pattern is not None and pattern.pattern not in patterns:
            patterns[pattern.pattern] = (pattern, url)
    # Longest name first, so that a name inside a longer one ("GIPSO" in "Polepharma-GIPSO") finds its words taken.
    candidates = []
    for pattern, url in patterns.values():
        candidates += [(match.start(), match.end(), url) for match in pattern.finditer(folded)]
    candidates.sort(key=lambda candidate: (candidate[0] - candidate[1], candidate[0]))
    taken = [False] * len(folded)
    spans: list[tuple[int, int, str]] = []
    for start, end, url in candidates:
        if any(taken[start:end]):
            continue
        taken[start:end] = [True] * (end - start)
        stop = origins[end - 1] + 1
        # A combining accent written after the last letter ("e" + "\u0301") belongs to the name.
        while stop < len(text) and unicodedata.combining(text[stop]):
            stop += 1
        spans.append((origins[start], stop, url))
    spans.sort()
    pieces, cursor = [], 0
    for start, end, url in spans:
        pieces.append(escape(text[cursor:start]))
        pieces.append(format_html('<a href="{}">{}</a>', url, text[start:end]))
        cursor = end
    pieces.append(escape(text[cursor:]))
    return mark_safe("".join(pieces))  # noqa: S308  (every piece above is escaped or built by format_html)
