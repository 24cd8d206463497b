"""Names from a file rendered as inert plain text for printouts: control characters escaped, absurd lengths cut.

Dataset and group names come from files that anyone may have written. Printed as they are, an ANSI escape
recolours or clears the terminal, a carriage return or newline forges lines, a NUL truncates logs and a bidi
override reverses what follows. :func:`plain` shows each such character as a visible escape, like ``repr`` does.

>>> print(plain("acquisition/\\x1b[31mred\\u202e/data\\n"))
acquisition/\\x1b[31mred\\u202e/data\\n
>>> plain("ok/name/data")
'ok/name/data'
"""

from __future__ import annotations

import hashlib
import unicodedata

__all__ = ["MAX_PLAIN_LENGTH", "has_control_characters", "plain"]

#: Longer names are cut in the middle, keeping the start, the end and a digest that tells them apart.
MAX_PLAIN_LENGTH = 160

# Categories shown as escapes: controls, format characters (bidi overrides, zero-width joiners), separators
# that break lines, surrogates, private use and unassigned code points.
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def _escape(character: str) -> str:
    if character == "\\":
        return "\\\\"
    if unicodedata.category(character) not in _UNSAFE_CATEGORIES:
        return character
    return repr(character)[1:-1]


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a character that :func:`plain` would show as an escape (other than a backslash)."""
    return any(unicodedata.category(character) in _UNSAFE_CATEGORIES for character in text)


def plain(text: object, max_length: int = MAX_PLAIN_LENGTH) -> str:
    """``text`` with every control or format character escaped (``\\x1b``, ``\\r``, ``\\u202e``...), as one line.

    Backslashes are doubled so an escape shown cannot be confused with one typed in a name. Text longer than
    ``max_length`` keeps its start and end around ``…[N characters, #digest]…``, so two long names that differ
    anywhere stay different.

    >>> shown = plain("x" * 500)
    >>> len(shown) <= 160 and shown.startswith("x" * 80) and "500 characters" in shown
    True
    >>> len(plain("y" * 500, max_length=60))
    60
    """
    text = str(text)
    escaped = "".join(_escape(character) for character in text)
    if len(escaped) <= max_length:
        return escaped
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    marker = f"…[{len(text)} characters, #{digest}]…"
    budget = max(max_length - len(marker), 12)
    head = budget * 2 // 3
    return f"{escaped[:head]}{marker}{escaped[-(budget - head) :]}"
