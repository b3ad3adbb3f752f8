"""md(): user text inside Markdown stays text."""

import re
import string

import pytest

from fieldkit.ui.text import md

_UNESCAPE = re.compile(r"\\(.)")


@pytest.mark.parametrize("text", [
    "![pixel](http://tracker.example/p.png)",
    "[tap](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "**bold** _it_ `code` # heading",
    ":red[alarm] :material/warning:",
    "1. not a list",
    "> not a quote",
])
def test_md_escapes_every_markup_character(text):
    shown = md(text)
    # Every punctuation mark is escaped, so none of it can start markup ...
    bare = [c for c in _UNESCAPE.sub("", shown) if c in string.punctuation]
    assert bare == []
    # ... and unescaping gives the text back (a browser test renders it for real).
    assert _UNESCAPE.sub(r"\1", shown).replace("\u2060", "") == text


@pytest.mark.parametrize(("text", "broken"), [
    ("http://autolink.example/x", "http\u2060\\:"),
    ("HTTPS://autolink.example", "HTTPS\u2060\\:"),
    ("www.autolink.example", "www\u2060\\."),
    ("WWW.autolink.example", "WWW\u2060\\."),
    ("ada@mail.example", "ada\u2060\\@"),
])
def test_md_breaks_bare_links_with_an_invisible_joiner(text, broken):
    # GitHub-flavoured Markdown links bare URLs and addresses after escaping.
    assert broken in md(text)


@pytest.mark.parametrize(("text", "expected"), [
    (None, ""), ("", ""), ("  two   spaces\nand a line ", "two spaces and a line"),
])
def test_md_empty_and_whitespace(text, expected):
    assert md(text) == expected
