"""Cleaning the limited rich text of contest pages (intro, rules) with nh3.

Staff type either plain text (blank lines separate paragraphs) or a small set of
HTML tags. Whatever comes in, what is stored and shown is only: p, br, strong,
em, ul, ol, li, h2, h3, blockquote and a[href] (http, https, mailto), links with
rel="noopener noreferrer". Scripts and styles go with their content.
"""

from __future__ import annotations

import re
from html import escape

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer"

# Tag names that mean "this is HTML" (anything else in angle brackets, such as
# "<hai>" typed in plain text, is text and gets escaped).
_HTML_TAGS = (
    "a|abbr|article|aside|audio|b|base|blockquote|body|br|button|center|code|div|em|embed|"
    "font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|link|li|meta|nav|object|"
    "ol|option|p|pre|script|section|select|small|source|span|strong|style|sub|sup|svg|table|"
    "tbody|td|textarea|th|thead|title|tr|u|ul|video"
)
_TAG_RE = re.compile(rf"<(?:/?(?:{_HTML_TAGS})\b[^>]*|!--)", re.IGNORECASE)
_BLOCK_RE = re.compile(
    r"</?(?:p|ul|ol|li|h[1-6]|blockquote|div|table|pre|section|article)\b", re.IGNORECASE
)


def looks_like_html(text: str) -> bool:
    return bool(_TAG_RE.search(text))


def paragraphs(text: str, *, escape_text: bool = True) -> str:
    """Text to paragraphs: a blank line starts a paragraph, a newline is <br>."""
    chunks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for chunk in chunks:
        lines = [line.strip() for line in chunk.strip().split("\n")]
        if escape_text:
            lines = [escape(line) for line in lines]
        if any(lines):
            out.append("<p>" + "<br>".join(lines) + "</p>")
    return "\n".join(out)


def plain_to_html(text: str) -> str:
    return paragraphs(text, escape_text=True)


def clean_html(text: str | None) -> str:
    """The safe HTML to store for `text` ("" for nothing)."""
    text = (text or "").strip()
    if not text:
        return ""
    if not looks_like_html(text):
        text = plain_to_html(text)
    elif not _BLOCK_RE.search(text):
        # Text with a few inline tags (<strong>, <a>...): keep its paragraphs too.
        text = paragraphs(text, escape_text=False)
    cleaned = nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return cleaned.strip()
