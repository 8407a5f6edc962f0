"""Links in a press release's text to the records it names."""

import re
import unicodedata

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


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


def link_names(text: str, targets: list[tuple[str, str]]) -> SafeString:
    """``text``, escaped, with every name of ``targets`` (name, url) turned into a link.

    Names match whatever their case and accents ("PASCUAL DE ZULUETA", "Ivanès"), as whole words; where
    two names overlap, the longer wins ("Polepharma-GIPSO" before "GIPSO"). Nothing is linked twice.
    """
    folded, origins = _folded_with_positions(text)
    names = {}
    for name, url in targets:
        key = "".join(_fold_char(char) for char in " ".join(name.split()))
        if len(key) >= 2 and key not in names:
            names[key] = url
    spans: list[tuple[int, int, str]] = []
    taken = [False] * len(folded)
    for key in sorted(names, key=len, reverse=True):
        # Whole words, and never inside an address: "polepharma" in "www.polepharma.com" or "x@polepharma.com"
        # stays plain text.
        pattern = re.compile(
            r"(?<![\w@./])" + r"\s+".join(re.escape(word) for word in key.split(" ")) + r"(?![\w@/]|\.\w)"
        )
        for match in pattern.finditer(folded):
            start, end = match.start(), match.end()
            if any(taken[start:end]):
                continue
            for position in range(start, end):
                taken[position] = True
            spans.append((origins[start], origins[end - 1] + 1, names[key]))
    spans.sort()
    pieces, cursor = [], 0
    for start, end, url in spans:
        pieces.append(escape(text[cursor:start]))
        pieces.append(format_html('<a href="{}">{}</a>', url, text[start:end]))
        cursor = end
    pieces.append(escape(text[cursor:]))
    return mark_safe("".join(pieces))  # noqa: S308  (every piece above is escaped or built by format_html)
