"""User text inside Markdown: shown literally, never as markup."""

from __future__ import annotations

import re
import string

# CommonMark lets a backslash escape any ASCII punctuation; escaping all of it
# also neutralises Streamlit's own directives (":red[...]", ":material/x:").
_ESCAPE = {ord(c): "\\" + c for c in string.punctuation}
# GitHub-flavoured Markdown turns bare URLs, www. names and e-mail addresses
# into links after escapes are resolved, so escaping cannot stop it; an
# invisible word joiner inside the pattern does.
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(\\:(?=\\/\\/)|\\@|(?<=www)(?=\\\.))", re.IGNORECASE)


def md(text: object) -> str:
    """``text`` escaped so Markdown shows it as typed: no links, images or HTML."""
    value = "" if text is None else str(text)
    if not value:
        return ""
    escaped = " ".join(value.translate(_ESCAPE).split())
    return _AUTOLINK.sub(lambda m: _JOINER + m.group(0), escaped)
