"""The people search index: which people a typed term can match, found through an index, not a scan.

``person_search`` holds short keys per person (``person`` is ``person.rowid``), each a kind letter and
a piece of text, kept by triggers on ``person`` whoever writes it (services, sync's Core statements,
the demo's executemany, a migration's SQL):

* ``n`` + every one- and two-character piece of the name (ASCII lower-cased, as LIKE compares): a name
  search of any length looks up its first two characters — ``王`` and ``王伟`` alike, where a trigram
  index finds nothing shorter than three;
* ``p`` + every four-digit piece of ``phone`` and ``phone2``: ``1380`` or ``0532`` anywhere in a number;
* ``t`` + the ID number read backwards (upper-cased): a tail of any length is a prefix of it, so the
  search finds an ID number by its last digits exactly as ``LIKE '%1234'`` did, never by its middle.

A key only narrows: the list still tests the term itself on each candidate row (``LIKE``), so what a
search finds is what it found before, only without visiting every person. Deleted people keep their
keys; each list's own condition (``deleted_at IS NULL``) decides, as before.

Everything here is SQLite's (json_each, triggers, GLOB, rowid). The trigger DDL itself is frozen in the
migration that made it (0007); a later migration that rebuilds ``person`` (batch mode drops its triggers
and may renumber rowids) must create them again and call ``REFILL`` afterwards.
"""

from __future__ import annotations

import re

TABLE = "person_search"
NAME, PHONE, TAIL = "n", "p", "t"
PHONE_PIECE = 4  # digits per phone key: shorter terms match so many people that walking the list finds them
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_LIKE_WILDCARDS = re.compile(r"[%_]")


def name_key(term: str) -> str | None:
    """The key every name containing ``term`` has (None when LIKE would read ``term`` as a pattern)."""
    if not term or _LIKE_WILDCARDS.search(term):
        return None
    return NAME + term[:2].translate(_ASCII_LOWER)


def phone_key(digits: str) -> str | None:
    """The key every phone number containing ``digits`` has (None below four digits)."""
    return PHONE + digits[:PHONE_PIECE] if len(digits) >= PHONE_PIECE and digits.isdigit() else None


def tail_pattern(tail: str) -> str:
    """A GLOB pattern over the keys of the ID numbers ending in ``tail`` (digits and X only)."""
    return TAIL + tail.upper()[::-1] + "*"

