"""Slugs: the URL-safe names of pages, made from file names, tags, owners and authors."""

from __future__ import annotations

import functools
import re
import unicodedata

NO_SLUG = "-"
"""What `slugify` gives for a name with no letters or digits in it."""

_SPELT_OUT = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i",
              "ħ": "h"}
"""Latin letters that do not decompose into an ASCII letter and a mark."""


@functools.lru_cache(maxsize=65536)  # pure, and asked for the same tags and owners on every page
def slugify(text: str) -> str:
    """A URL-safe lowercase ASCII name: `São Paulo` → `sao-paulo`.

    Accents are dropped; a letter or digit with no Latin spelling becomes `u` and its code
    point (`東京` → `u6771-u4eac`), so distinct names keep distinct slugs; every run of
    anything else becomes one '-'. A name with no letters or digits at all gives NO_SLUG.
    """
    out = []
    for char in unicodedata.normalize("NFKD", text.lower()):
        if char.isascii():
            out.append(char if char.isalnum() else "-")
        elif char in _SPELT_OUT:
            out.append(_SPELT_OUT[char])
        elif unicodedata.category(char) in ("Mn", "Mc", "Me"):
            continue  # the accent of a decomposed letter
        elif unicodedata.category(char)[0] in "LN":
            out.append(f"-u{ord(char):x}-")
        else:
            out.append("-")
    return re.sub(r"-+", "-", "".join(out)).strip("-") or NO_SLUG
