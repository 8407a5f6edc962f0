"""A press release's text, written in Markdown, as sanitised HTML that links the records it names.

Releases arrive with light Markdown (``**POLEPHARMA - GIPSO**``, ``<https://www.polepharma.com/>``, ``[x](#)``,
see ``agreements.documents``) and with bare web addresses and e-mails. markdown-it renders them with raw HTML
escaped, never passed through; a single line end is kept as a line break, since a release's lines (a contact
block, a table row) are meant as lines. The names of the records the release names become links on the text
only, never inside another link nor an address. nh3 then cleans the result against an allow-list, so that
whatever slips past the renderer — a script, an event attribute, a ``javascript:`` address, a style — is dropped.
"""

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .linking import link_names

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr", "h3", "h4", "h5", "h6"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "rel"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
EXTERNAL_REL = "noopener noreferrer nofollow"
# The page's title is its h1 and "Full text" its h2: the release's own headings come below them.
_HEADING_SHIFT = 2
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
# A record's address on this site, as ``get_absolute_url`` writes it: a path, never "//host" nor a scheme.
_SITE_PATH = re.compile(r"^/(?!/)[^\s\\]*$")


def _is_outside_address(url: str) -> bool:
    match = _SCHEME.match(url.strip())
    return match is not None and match.group(1).lower() in URL_SCHEMES


# Between two pieces of text linked in one pass: NUL, which no name may hold, so that no link spans two pieces.
_PIECE_END = "\x00"


def _text_piece(run: list[str], pieces: list[tuple[Token, str]]) -> Token:
    token = Token("html_inline", "", 0)
    pieces.append((token, "".join(run).replace(_PIECE_END, "\ufffd")))
    return token


def _inline_children(children: list[Token], pieces: list[tuple[Token, str]]) -> list[Token]:
    """``children`` with each run of text between links as one token whose HTML ``pieces`` will hold; only links
    to the web or e-mail kept."""
    kept: list[Token] = []
    run: list[str] = []
    in_link = dropped_link = False
    for token in children:
        if not in_link and token.type in ("text", "softbreak"):
            # A line end is a line break, kept in the run so that a name written over two lines is still found.
            run.append(token.content if token.type == "text" else "\n")
            continue
        if token.type == "link_open" and not _is_outside_address(token.attrGet("href") or ""):
            dropped_link = True  # "[x](#)" or a relative address: the words stay, the link goes.
            continue
        if token.type == "link_close" and dropped_link:
            dropped_link = False
            continue
        if run:
            kept.append(_text_piece(run, pieces))
            run = []
        if token.type == "link_open":
            token.attrSet("rel", EXTERNAL_REL)
            in_link = True
        elif token.type == "link_close":
            in_link = False
        kept.append(token)
    if run:
        kept.append(_text_piece(run, pieces))
    return kept


def _link_names_and_check_links(state: StateCore) -> None:
    pieces: list[tuple[Token, str]] = []
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + _HEADING_SHIFT, 6)}"
        elif token.type == "inline" and token.children:
            token.children = _inline_children(token.children, pieces)
    # One pass of link_names over every piece (it compares the whole text with every name: per piece, it cost
    # three times as much on the seed's release).
    targets = [(name, url) for name, url in state.env.get("targets", []) if _PIECE_END not in name]
    linked = str(link_names(_PIECE_END.join(text for _token, text in pieces), targets))
    for (token, _text), html in zip(pieces, linked.split(_PIECE_END), strict=True):
        token.content = html.replace("\n", "<br>\n")


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True, "typographer": False})
    md.enable("linkify")
    # No images from a release (a tracker, or a picture in the middle of the text); indented lines are not code.
    md.disable(["image", "code"])
    md.core.ruler.push("link_names", _link_names_and_check_links)
    return md


_MARKDOWN = _markdown()


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if _is_outside_address(value) or _SITE_PATH.match(value) else None
    if tag == "a" and attribute == "rel":
        return value if value == EXTERNAL_REL else None
    if tag == "ol" and attribute == "start":
        return value if value.isdigit() else None
    return None


def sanitise(html: str) -> str:
    """``html`` with only the tags and attributes of a release's text, links only to the web, e-mail or this site."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def render_release(text: str, targets: list[tuple[str, str]]) -> SafeString:
    """``text`` rendered from its Markdown and sanitised, every name of ``targets`` (name, url) a link."""
    return mark_safe(sanitise(_MARKDOWN.render(text, {"targets": targets})))  # noqa: S308  (cleaned by nh3 just above)
