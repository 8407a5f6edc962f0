"""Reading the files press releases arrive as — text, PDF, Word, HTML, e-mail — into the text ingestion reads.

``read_release(data, file_name)`` tells the kind of file from its bytes (the name is only a hint), reads its text
and lays it out the way extraction expects: paragraphs separated by one blank line, short lines (a contact block,
a wrapped headline) kept as lines, a table row as one line with its cells joined by " | ", words broken at line
ends joined again. Anything it cannot read — a damaged, protected, scanned or oversized file — raises
``ReleaseFileError`` with a sentence the user can act on.

Files are read within bounds, whatever they claim: a size per kind, a page count and a time for a PDF, a budget of
inflated bytes for a Word document (``core.tables``' bounded zip, which stops a zip bomb), a depth for HTML, and a
length for the text read from any of them.
"""

import codecs
import email
import email.policy
import io
import re
import time
import unicodedata
import zlib
from dataclasses import dataclass
from urllib.parse import unquote

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.tables import _OLE_SIGNATURE, _ZIP_SIGNATURE, MixedEncodingError, _BoundedZip, _WorkbookTooBig, text_encoding

KINDS = ("text", "pdf", "docx", "html", "eml", "msg")
MAX_TEXT_BYTES = 1024 * 1024  # a release typed as text
MAX_HTML_BYTES = 5 * 1024 * 1024  # a page or newsletter, with its inline styles
MAX_FILE_BYTES = 20 * 1024 * 1024  # a PDF, a Word document or an e-mail, with its images and attachments
MAX_TEXT_CHARACTERS = 200_000  # what the admin's paste box takes
MAX_PDF_PAGES = 50
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
MAX_ZIP_PARTS = 5000
MAX_HTML_DEPTH = 1000
MAX_HTML_TAGS = 50_000  # a newsletter holds a few thousand
# pypdf's own bounds (75 MB a stream by default), lowered to what pages of text need: an inflated stream, the
# operators of a page's content, the forms a page draws.
_PDF_LIMITS = {
    "maximum_declared_stream_length": 8_000_000,
    "zlib_maximum_output_length": 8_000_000,
    "lzw_maximum_output_length": 8_000_000,
    "run_length_maximum_output_length": 8_000_000,
    "array_based_stream_maximum_output_length": 8_000_000,
    "brotli_maximum_output_length": 8_000_000,
    "stream_decoding_work_maximum_length": 32_000_000,
    "stream_parsing_work_maximum_count": 500_000,
    "xform_maximum_invocations_per_extraction": 500,
}
MAX_SECONDS = 10.0  # checked between a PDF's pages (the slowest page measured takes 2 s): a request ends within 30 s
LONG_LINE = 200  # a line longer than this, alone, is a paragraph, not a line of a block (a contact, a heading)

_PDF_SIGNATURE = b"%PDF-"
_MAIL_HEADERS = {
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "received",
    "return-path",
    "reply-to",
    "sender",
}
_HEADER_LINE = re.compile(rb"([A-Za-z][A-Za-z0-9-]{0,75}):")
_HTML_START = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL
)
_HTML_TAG = re.compile(r"<(?:p|div|br|table|tr|td|body|span|h[1-6]|a|ul|li|strong|b|em|font)\b[^>]*>", re.IGNORECASE)
_CONTROL_BYTES = bytes(range(0, 9)) + b"\x0b\x0e\x0f" + bytes(range(0x10, 0x1B)) + b"\x1c\x1d\x1e\x1f"
# Characters that break a page or a line in other ways than "\n".
_BREAKS = str.maketrans({"\f": "\n\n", "\v": "\n", "\u2028": "\n", "\u2029": "\n\n", "\x85": "\n", "\u00ad": None})
# A line ending with an email address or a phone number, a line that is only one: a contact's, never wrapped.
_CONTACT_END = re.compile(r"(?:\S+@\S+\.\w+|\+?\d[\d .()/-]{7,}\d)\W?$")
_CONTACT_LINE = re.compile(r"^(?:\S+@\S+\.\w+|\+?\d[\d .()/-]{7,}\d)\W?$")
_BULLET = re.compile(r"^[•·▪◦*\-–—]\s")
# A word broken at the line's end: letters, then the hyphen.
_BROKEN_WORD = re.compile(r"(?<![\s\-])([^\W\d_]+)-$")
_DAMAGED = (ValueError, KeyError, IndexError, AttributeError, TypeError, AssertionError, OSError, EOFError, zlib.error)


class ReleaseFileError(ValueError):
    """The file cannot be read as a press release; the message says why, for the user."""


@dataclass(frozen=True)
class ReleaseDocument:
    text: str
    kind: str
    subject: str = ""  # an e-mail's subject: a hint of the headline


def read_release(data: bytes, file_name: str = "") -> ReleaseDocument:
    """The text of a press release sent as ``data`` (``file_name``, if known, only breaks a tie)."""
    check_file_size(len(data))
    if not data.strip():
        raise ReleaseFileError(_("The file is empty."))
    name = file_name.lower()
    subject = ""
    if _looks_like_pdf(data):
        kind, text, reflow = "pdf", _pdf_text(data), True
    elif data.startswith(_ZIP_SIGNATURE):
        kind, text, reflow = "docx", _docx_text(data), False
    elif data.startswith(_OLE_SIGNATURE):
        kind, (text, reflow, subject) = "msg", _msg_text(data)
    elif _looks_like_email(data, hinted=name.endswith(".eml")):
        kind, (text, reflow, subject) = "eml", _eml_text(data)
    else:
        markup = _decoded(data)
        if _looks_like_html(markup, hinted=name.endswith((".html", ".htm"))):
            _check_size(len(data), MAX_HTML_BYTES)
            kind, text, reflow = "html", html_to_text(markup), False
        else:
            _check_size(len(data), MAX_TEXT_BYTES)
            kind, text, reflow = "text", markup, True
    _check_length(len(text) // 4)  # laying text out shortens it, never by three quarters but for blank space
    text = normalise_text(text, reflow=reflow)
    if not text:
        raise ReleaseFileError(_("No text was found in this file."))
    _check_length(len(text))
    return ReleaseDocument(text=text, kind=kind, subject=" ".join(subject.split()))


def _looks_like_pdf(data: bytes) -> bool:
    # Readers accept a few bytes before the signature (a mail gateway's, a printer's), as long as it is near the top.
    return _PDF_SIGNATURE in data[:1024] and not data.startswith((_ZIP_SIGNATURE, _OLE_SIGNATURE))


def check_file_size(size: int) -> None:
    """Refuse, unread, a file of ``size`` bytes too big to be a press release in any format."""
    _check_size(size, MAX_FILE_BYTES)


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise ReleaseFileError(
            _("The file weighs %(size)s; a release in this format is read up to %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def _check_length(length: int) -> None:
    if length > MAX_TEXT_CHARACTERS:
        raise ReleaseFileError(
            _("The file holds more than %(count)s characters of text: a press release is shorter.")
            % {"count": number_format(MAX_TEXT_CHARACTERS, force_grouping=True)}
        )


def _unreadable() -> ReleaseFileError:
    return ReleaseFileError(
        _(
            "This file cannot be read: send the release as a PDF, a Word document (.docx), an HTML page, "
            "an e-mail (.eml, .msg) or a text file."
        )
    )


# Plain text: the spreadsheets' rule (core.tables.text_encoding), a mix of encodings refused.


def _decoded(data: bytes) -> str:
    sample = data[:65536]
    if b"\x00" in sample or sum(sample.count(byte) for byte in _CONTROL_BYTES) > len(sample) // 100:
        raise _unreadable()
    try:
        return data.decode(text_encoding(data))
    except MixedEncodingError as error:
        raise ReleaseFileError(
            _(
                "The file is in UTF-8 but line %(line)s holds a character in another encoding: "
                "save the release again as a UTF-8 text file."
            )
            % {"line": error.line}
        ) from error
    except UnicodeDecodeError as error:
        raise _unreadable() from error


# PDF: the text layer, read page by page within a page count and a time.


def _pdf_text(data: bytes) -> str:
    from pypdf import apply_configuration
    from pypdf.errors import LimitReachedError

    try:
        with apply_configuration(**_PDF_LIMITS):
            return _pdf_text_within_limits(data)
    except LimitReachedError as error:
        raise ReleaseFileError(
            _("This PDF holds far more than the text of a press release: it cannot be read.")
        ) from error


def _pdf_text_within_limits(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

    deadline = time.monotonic() + MAX_SECONDS
    damaged = ReleaseFileError(_("This PDF is damaged and cannot be read: save it again, or send the release as text."))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _protected_pdf()
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ReleaseFileError(
                _("This PDF has more than %(count)s pages: a press release is shorter.") % {"count": MAX_PDF_PAGES}
            )
        lines, length = [], 0
        for page in reader.pages:
            if time.monotonic() > deadline:
                raise ReleaseFileError(_("Reading this file took too long: send the release as text."))
            page_lines = _pdf_lines(page)
            lines += page_lines
            length += sum(len(line) for line, _size, _height in page_lines)
            if length > 2 * MAX_TEXT_CHARACTERS:  # the laid-out text is shorter; it is checked again then
                _check_length(length)
    except (ReleaseFileError, LimitReachedError):
        raise
    except (DependencyError, FileNotDecryptedError) as error:
        raise _protected_pdf() from error
    except (PyPdfError, *_DAMAGED, RecursionError, NotImplementedError) as error:
        raise damaged from error
    if not any(line.strip() for line, _size, _height in lines):
        raise ReleaseFileError(
            _("This PDF is a scanned image, with no text to read: send the release as text, Word or a PDF with text.")
        )
    return _pdf_layout(lines)


def _pdf_lines(page) -> list[tuple[str, float, float]]:
    """The page's lines as pypdf reads them, each with the size of its type and its height on the page."""
    chunks = []

    def visit(text, matrix, text_matrix, font, size):
        if text:
            scale = abs(text_matrix[3] * matrix[3]) or 1
            height = text_matrix[4] * matrix[1] + text_matrix[5] * matrix[3] + matrix[5]
            chunks.append((text, round(size * scale, 1), height))

    page.extract_text(visitor_text=visit)
    lines, pieces, line_size, line_height = [], [], 0.0, None
    for text, size, height in chunks:
        for number, piece in enumerate(text.split("\n")):
            if number:
                lines.append(("".join(pieces), line_size, line_height))
                pieces, line_size, line_height = [], 0.0, None
            pieces.append(piece)
            if piece.strip() and not line_size:
                line_size, line_height = size, height
    if pieces:
        lines.append(("".join(pieces), line_size, line_height))
    return lines


def _pdf_layout(lines: list[tuple[str, float, float]]) -> str:
    """A change of type size, or a gap wider than the usual space between lines, ends a paragraph; the lines of a
    heading (type larger than the body's) are one line."""
    lines = [(" ".join(line.split()), size, height) for line, size, height in lines if line.strip()]
    characters, gaps = {}, {}
    for (line, size, height), (_next, next_size, next_height) in zip(lines, [*lines[1:], ("", 0, None)], strict=True):
        characters[size] = characters.get(size, 0) + len(line)
        if next_size == size and height is not None and next_height is not None and height > next_height:
            gaps.setdefault(size, []).append(height - next_height)
    body = max(characters, key=characters.get, default=0)
    usual_gap = {size: sorted(found)[len(found) // 2] for size, found in gaps.items()}
    parts, previous = [], None
    for line, size, height in lines:
        if previous is not None:
            previous_size, previous_height = previous
            gap = previous_height - height if previous_height is not None and height is not None else 0
            if abs(size - previous_size) > 0.5 or gap > 1.4 * usual_gap.get(size, gap):
                parts.append("")
            elif size > body * 1.15 and not _BULLET.match(line):
                parts[-1] = _joined(parts[-1], parts[-1], line, None) or f"{parts[-1]} {line}"
                previous = (size, height)
                continue
        parts.append(line)
        previous = (size, height)
    return "\n".join(parts)


def _protected_pdf() -> ReleaseFileError:
    return ReleaseFileError(_("This PDF is protected by a password: send a copy without protection."))


# Word: the paragraphs and tables of the body, in order, its parts inflated within a budget.


def _docx_text(data: bytes) -> str:
    import docx
    from docx.table import Table

    try:
        with _BoundedZip(data, budget=MAX_UNZIPPED_BYTES) as archive:
            names = archive.namelist()
            if "word/document.xml" not in names:
                raise ReleaseFileError(
                    _("This zip file is not a Word document (.docx): send the release as .docx, PDF or text.")
                )
            if len(names) > MAX_ZIP_PARTS:
                raise _WorkbookTooBig
            # Inflating every part once, counted, bounds what python-docx inflates after (it reads its own zip).
            for name in names:
                with archive.open(name) as part:
                    while part.read(64 * 1024):
                        pass
        document = docx.Document(io.BytesIO(data))
        items = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                items += [(row, True) for row in _docx_rows(block)]
            else:
                items.append((block.text, False))
    except _WorkbookTooBig as error:
        raise ReleaseFileError(
            _("Once unzipped, the document exceeds %(limit)s: it is not a press release.")
            % {"limit": filesizeformat(MAX_UNZIPPED_BYTES)}
        ) from error
    except ReleaseFileError:
        raise
    except Exception as error:  # python-docx and lxml raise their own errors on a damaged part
        raise ReleaseFileError(
            _("This Word document is damaged and cannot be read: save it again as .docx.")
        ) from error
    return layout(items)


def _docx_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats
                continue
            seen.add(id(cell._tc))
            text = ", ".join(" ".join(line.split()) for line in cell.text.split("\n") if line.strip())
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


# E-mail: the best body (HTML, else plain text), attachments ignored.


def _looks_like_email(data: bytes, *, hinted: bool) -> bool:
    """Whether ``data`` begins with a block of RFC 822 headers naming at least two of a message's usual ones."""
    names = set()
    for number, line in enumerate(io.BytesIO(data[:65536])):
        line = line.rstrip(b"\r\n")
        if not line:
            break
        if number == 0 and line.startswith(b"From "):  # an mbox separator
            continue
        if line[:1] in (b" ", b"\t") and names:
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            return False
        names.add(match.group(1).decode("ascii").lower())
    else:
        return False
    known = names & _MAIL_HEADERS
    return bool(known) and (hinted or (len(known) >= 2 and bool(known & {"from", "subject", "mime-version"})))


def _eml_text(data: bytes) -> tuple[str, bool, str]:
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        subject = str(message.get("subject", "") or "")
        body = message.get_body(preferencelist=("html", "plain"))
        if body is None:
            raise ReleaseFileError(_("This e-mail holds no text to read."))
        content = body.get_content()
    except ReleaseFileError:
        raise
    except (*_DAMAGED, LookupError, email.errors.MessageError) as error:
        raise ReleaseFileError(_("This e-mail is damaged and cannot be read: save it again as .eml.")) from error
    if not isinstance(content, str):
        raise ReleaseFileError(_("This e-mail holds no text to read."))
    if body.get_content_subtype() == "html":
        return html_to_text(content), False, subject
    return content, True, subject


def _msg_text(data: bytes) -> tuple[str, bool, str]:
    import extract_msg

    message = None
    try:
        message = extract_msg.openMsg(data, delayAttachments=True)
        subject = message.subject or ""
        html = message.htmlBody
        body = message.body
    except Exception as error:  # olefile and extract-msg raise many kinds of error on a bad file
        raise ReleaseFileError(
            _(
                "This file is neither an Outlook message (.msg) nor a readable document: old Word documents (.doc) "
                "cannot be read, save the release as .docx or PDF."
            )
        ) from error
    finally:
        if message is not None:
            message.close()
    if html:
        markup = html.decode(_html_charset(html), errors="replace") if isinstance(html, bytes) else html
        return html_to_text(markup), False, subject
    if body:
        return body, True, subject
    raise ReleaseFileError(_("This e-mail holds no text to read."))


def _html_charset(markup: bytes) -> str:
    match = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", markup[:4096])
    if match:
        try:
            return codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


# HTML: paragraphs and line breaks, table rows as lines, scripts and styles left out.

_SKIPPED = {
    "head",
    "script",
    "style",
    "title",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "meta",
    "link",
    "img",
    "button",
    "select",
    "textarea",
}
_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}


def _looks_like_html(text: str, *, hinted: bool) -> bool:
    head = text[:65536]
    if _HTML_START.match(head):
        return True
    tags = len(_HTML_TAG.findall(head))
    return tags >= 1 if hinted else (tags >= 3 and head.lstrip().startswith("<"))


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page or e-mail body, laid out as ``layout`` does."""
    from bs4 import BeautifulSoup

    if markup.count("<") > 2 * MAX_HTML_TAGS:
        raise ReleaseFileError(
            _("This HTML page holds more than %(count)s tags: it is not a press release.")
            % {"count": number_format(MAX_HTML_TAGS, force_grouping=True)}
        )
    try:
        soup = BeautifulSoup(markup, "lxml")
        visible = soup.get_text(" ").lower()
        return layout(_HtmlReader(visible).items(soup))
    except ReleaseFileError:
        raise
    except (*_DAMAGED, RecursionError) as error:
        raise ReleaseFileError(_("This HTML page is damaged and cannot be read.")) from error


class _HtmlReader:
    """Walks the tree without recursion (a page may nest tags a hundred thousand deep): every block element ends a
    paragraph, ``<br>`` a line; a table row of several cells, none holding a table (a layout table does), is one
    line."""

    def __init__(self, visible: str):
        self.visible = visible

    def items(self, root) -> list[tuple[str, bool]]:
        from bs4 import NavigableString
        from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

        items, lines, fragments = [], [], []

        def end_line():
            line = " ".join("".join(fragments).split())
            fragments.clear()
            if line:
                lines.append(line)
            elif lines:
                end_paragraph()

        def end_paragraph():
            line = " ".join("".join(fragments).split())
            fragments.clear()
            if line:
                lines.append(line)
            if lines:
                items.append(("\n".join(lines), False))
                lines.clear()

        stack = [(root, False, 0)]
        while stack:
            node, closing, depth = stack.pop()
            if isinstance(node, NavigableString):
                if not isinstance(node, Comment | Declaration | Doctype | ProcessingInstruction):
                    fragments.append(str(node))
                continue
            name = node.name
            if closing:
                if name in _BLOCKS:
                    end_paragraph()
                elif name == "a":
                    fragments.append(self._address(node))
                continue
            if depth > MAX_HTML_DEPTH:
                raise ReleaseFileError(
                    _("This HTML page nests its tags more than %(count)s deep: it cannot be read.")
                    % {"count": MAX_HTML_DEPTH}
                )
            if name in _SKIPPED:
                continue
            if name == "br":
                end_line()
                continue
            if name == "tr":
                row = self._row(node)
                if row is not None:
                    end_paragraph()
                    if row:
                        items.append((row, True))
                    continue
            if name in _BLOCKS:
                end_paragraph()
            stack.append((node, True, depth))
            stack.extend((child, False, depth + 1) for child in reversed(node.contents))
        end_paragraph()
        return items

    def _row(self, row) -> str | None:
        """A data row as one line (cells joined by " | "), or None for a row laying out the page."""
        cells = row.find_all(["td", "th"], recursive=False)
        if len(cells) < 2 or any(cell.find("table") is not None for cell in cells):
            return None
        texts = []
        for cell in cells:
            text = ", ".join(line for item, _row in self.items(cell) for line in item.split("\n"))
            if text:
                texts.append(text)
        return " | ".join(texts)

    def _address(self, link) -> str:
        href = (link.get("href") or "").strip()
        if not href.lower().startswith("mailto:"):
            return ""
        address = unquote(href[7:].split("?")[0]).strip()
        if not address or "@" not in address or address.lower() in self.visible:
            return ""
        return f" ({address})"


# Layout: what every kind of file becomes before extraction.


def layout(items: list[tuple[str, bool]]) -> str:
    """Paragraphs and table rows (``(text, is_row)``, in order) as text: rows and short lines that follow each other
    stay together, one a line; a paragraph, a block of several lines or a table is set apart by a blank line. An
    empty paragraph (a blank line typed in Word) separates too."""
    parts, previous = [], None
    for text, is_row in items:
        text = text.strip()
        if not text:
            previous = None
            continue
        kind = "row" if is_row else _kind(text)
        if parts:
            parts.append("\n" if previous == kind and kind != "block" else "\n\n")
        parts.append(text)
        previous = kind
    return "".join(parts)


def _kind(text: str) -> str:
    """ "block" for a paragraph (several lines, a long line, a sentence), else "line" (of a contact, a heading)."""
    if "\n" in text or len(text) > LONG_LINE:
        return "block"
    words = text.split()
    sentence = text.endswith((".", "!", "?")) and len(words) >= 6 and "@" not in words[-1]
    return "block" if sentence else "line"


def normalise_text(text: str, *, reflow: bool = True) -> str:
    """``text`` in NFC, without page breaks or repeated spaces, paragraphs apart by one blank line; with ``reflow``
    (text laid out in lines: a PDF, a text file, a plain-text e-mail), the words broken at line ends joined and the
    wrapped lines of a paragraph joined into one."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").translate(_BREAKS)
    text = text.replace("\x00", "")
    lines = [re.sub(r"[ \t\u200b]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not reflow:
        return text
    blocks = text.split("\n\n")
    width = _usual_width([line for block in blocks for line in block.split("\n")])
    return "\n\n".join(_reflowed(block.split("\n"), width) for block in blocks)


def _usual_width(lines: list[str]) -> int | None:
    """The width text was wrapped at, or None when it was not (lines of any length, or few of them)."""
    lengths = sorted(len(line) for line in lines if len(line) >= 20 and " | " not in line)
    if len(lengths) < 4:
        return None
    width = lengths[int(len(lengths) * 0.9)]
    if width > 140 or sum(1 for length in lengths if length >= 0.85 * width) < 3:
        return None
    return width


def _reflowed(lines: list[str], width: int | None) -> str:
    joined: list[list] = []  # [text, whether wrapped lines were joined into it, its last line as written]
    for line in lines:
        if joined:
            text, _was_joined, last = joined[-1]
            merged = _joined(text, last, line, width)
            if merged is not None:
                joined[-1] = [merged, True, line]
                continue
        joined.append([line, False, line])
    parts, previous_kind = [], None
    for line, was_joined, _last in joined:
        kind = "row" if " | " in line else ("block" if was_joined else "line")
        if parts:
            parts.append("\n" if previous_kind == kind and kind != "block" else "\n\n")
        parts.append(line)
        previous_kind = kind
    return "".join(parts)


def _joined(text: str, last: str, line: str, width: int | None) -> str | None:
    """``text`` and ``line`` as one line if ``line`` continues it (a broken word; or ``last``, the line before, was
    wrapped), or None."""
    if not line or " | " in last or " | " in line or _BULLET.match(line):
        return None
    broken = _BROKEN_WORD.search(last)
    if broken and line[0].isalpha():
        if line[0].islower() and broken.group(1)[-1].islower():
            return text[:-1] + line  # "forma-" + "tion"
        if line[0].isupper():
            return text + line  # "Polepharma-" + "GIPSO", "Saint-" + "Étienne"
    if width is None or last.endswith(":") or _CONTACT_END.search(last) or _CONTACT_LINE.match(line):
        return None
    first_word = line.split(" ", 1)[0]
    # Wrapped: the next line's first word would not have fitted on this one.
    if len(last) >= 0.6 * width and len(last) + 1 + len(first_word) > 0.9 * width:
        return f"{text} {line}"
    return None
