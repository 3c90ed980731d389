"""Text made safe for a terminal: control characters shown, never obeyed.

Form text is user input: a name holding ``ESC ] 0 ; … BEL`` would retitle the terminal window,
``ESC [ 2 J`` would clear the screen, a right-to-left override (U+202E) would print the rest of
the line backwards. `printable` replaces every such character by a visible escape before the
text reaches the terminal; everything else (Chinese, other scripts, emoji, line breaks, tabs)
is kept as it is.
"""

from __future__ import annotations

__all__ = ["printable"]

# C0 controls without line feed and tab, DEL, C1 controls.
_CONTROLS = [c for c in range(0x20) if c not in (0x09, 0x0A)] + [0x7F, *range(0x80, 0xA0)]
# Bidirectional embeddings and overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI).
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


_TEXT_TABLE = {code: _escape(code) for code in (*_CONTROLS, *_BIDI)}
# In JSON text the C0 controls are already escaped by the encoder (and a raw line feed is layout):
# only what JSON leaves raw is escaped, as JSON escapes, so the decoded value is unchanged.
_JSON_TABLE = {code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0), *_BIDI)}


def printable(text: str, *, json: bool = False) -> str:
    """`text` with the characters a terminal would obey replaced by visible escapes.

    Parameters
    ----------
    text : str
        Text to print; any string.
    json : bool, default False
        `text` is JSON (as a JSON encoder wrote it): escape, as JSON escapes (``\\u202e``),
        only what the encoder left raw (DEL, C1 controls, bidi controls), so that the JSON
        still decodes to the same values.

    Returns
    -------
    str
        `text` with the C0 controls other than line feed and tab, DEL and the C1 controls
        shown as ``\\x1b`` (the four characters), and the bidi embedding, override and isolate
        characters (U+202A–U+202E, U+2066–U+2069) shown as ``\\u202e``; every other character
        unchanged.
    """
    return text.translate(_JSON_TABLE if json else _TEXT_TABLE)
