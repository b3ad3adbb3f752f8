"""User text inside Markdown: shown literally, never as markup."""

from __future__ import annotations

import string

# CommonMark lets a backslash escape any ASCII punctuation; escaping all of it
# also neutralises Streamlit's own directives (":red[...]", ":material/x:").
_ESCAPE = {ord(c): "\\" + c for c in string.punctuation}


def md(text: object) -> str:
    """``text`` escaped so Markdown shows it as typed: no links, images or HTML."""
    value = "" if text is None else str(text)
    return " ".join(value.translate(_ESCAPE).split()) if value else ""
