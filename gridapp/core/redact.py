"""Personal numbers taken out of free text: what logs, tracebacks and error dialogs may show.

ID numbers keep the form the lists and printouts show (``mask_id_number``: 3702**********1234);
mobile numbers keep their first three and last four digits (138****5678), landlines their area code
and last four (0532-****6666). Matching is by shape, not validity, so a mistyped number is hidden too.
"""

from __future__ import annotations

import re

from gridapp.core.validation import mask_id_number

# 15 or more digits in a row (an 18-digit ID number may end in X), not part of a longer run of digits.
_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{14,}[0-9Xx](?![0-9])")
# A mainland mobile number, perhaps with +86 / 86 before it and spaces or dashes inside (138-1234-5678).
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})(?![0-9])")
# A landline with its area code, with or without the dash or brackets: 0532-88886666, (0532)88886666.
_LANDLINE = re.compile(r"(?<![0-9])([(（]?0[0-9]{2,3}[)）]?[- ]?)[0-9]{3,4}([0-9]{4})(?![0-9])")


def _long(m: re.Match[str]) -> str:
    return mask_id_number(m.group(0))


def redact(text: str) -> str:
    """``text`` with ID numbers and phone numbers masked; everything else as it was."""
    if not text or not any(c.isdigit() for c in text):
        return text
    text = _LONG_NUMBER.sub(_long, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
