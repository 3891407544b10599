"""Usernames that look like others: scripts, invisible letters, skeletons.

Built on confusable-homoglyphs (the library django-registration uses), whose
data are Unicode's own ``Scripts.txt`` and ``confusables.txt`` (Unicode
Technical Standard #39, "Unicode Security Mechanisms"):

* ``scripts_mixed()``: letters of scripts that no one writes together, like
  a Cyrillic "a" (U+0430) among Latin letters. TS #39's "highly restrictive" level:
  one script, or Latin with Han and Japanese kana, with Han and Bopomofo, or
  with Han and Hangul. Digits and ``._+-`` belong to every script.
* ``INVISIBLE``: the Hangul fillers, letters (``\\w`` matches them) that
  draw nothing, so "alice" followed by one looks like "alice".
* ``skeleton()``: TS #39's skeleton, the form two names share when they look
  alike ("a1ice", "aIice" and "alice"; "rn" and "m"; an all-Cyrillic "poe",
  U+0440 U+043E U+0435, and the Latin one). Letter case is ignored as well,
  as the usernames' unique index ignores it. ``skeleton_digest()`` is what the user's
  ``username_skeleton`` column stores and indexes.

The library's table lists each confusables.txt line in both directions (as
"homoglyphs" of each other); ``_prototypes()`` reads the direction back: a
character that has a single homoglyph which has several, or a sequence, is
a source and maps to it. In the few pairs that only have each other, both
map to the lesser code point: the skeleton is then not the standard's
character, but any two names that share one under the standard share one
here too.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata

# Hangul Choseong/Jungseong Filler, Hangul Filler, Halfwidth Hangul Filler
# (Default_Ignorable_Code_Point letters; NFKC maps the last two onto U+1160).
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0")

# Scripts that are written together (TS #39, "highly restrictive").
SCRIPTS_WRITTEN_TOGETHER = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
# Characters of these belong to any script (digits, punctuation, marks).
ANY_SCRIPT = frozenset({"COMMON", "INHERITED"})
# Left-to-right marks the library's table keeps around right-to-left
# characters (they come from the comments of confusables.txt).
_LRM = "\u200e"


def scripts_of(name: str) -> set[str]:
    from confusable_homoglyphs.categories import unique_aliases

    return set(unique_aliases(name)) - ANY_SCRIPT


def scripts_mixed(name: str) -> bool:
    """Whether ``name`` mixes scripts that are not written together."""
    scripts = scripts_of(name)
    if len(scripts) <= 1:
        return False
    return not any(scripts <= allowed for allowed in SCRIPTS_WRITTEN_TOGETHER)


def has_invisible(name: str) -> bool:
    return bool(INVISIBLE & set(name))


@functools.cache
def _prototypes() -> dict[str, str]:
    """Each confusable character's prototype, from the library's table."""
    from confusable_homoglyphs.confusables import confusables_data

    homoglyphs: dict[str, list[str]] = {}
    for char, entries in confusables_data.items():
        homoglyphs.setdefault(char.replace(_LRM, ""), []).extend(
            entry["c"].replace(_LRM, "") for entry in entries
        )
    prototypes = {}
    for char, others in homoglyphs.items():
        if len(char) != 1 or len(others) != 1:
            continue  # a prototype (several homoglyphs map to it)
        (other,) = others
        if len(other) > 1 or len(homoglyphs.get(other, ())) > 1:
            prototypes[char] = other
        else:  # two characters that only have each other
            prototypes[char] = min(char, other)
    return prototypes


def _map(text: str) -> str:
    prototypes = _prototypes()
    text = unicodedata.normalize("NFD", text)
    # Prototypes of prototypes (the pairs above) settle within a few rounds.
    for _round in range(4):
        mapped = unicodedata.normalize(
            "NFD", "".join(prototypes.get(char, char) for char in text)
        )
        if mapped == text:
            break
        text = mapped
    return text


def skeleton(name: str) -> str:
    """TS #39's skeleton of the NFKC-normalised ``name``, ignoring case.

    Mapped before case is folded, so that a capital "I" and a small "l"
    (alike in many fonts) count as one, and again after it.
    """
    name = unicodedata.normalize("NFKC", name)
    return _map(_map(name).casefold())


def skeleton_digest(name: str) -> str:
    """What ``User.username_skeleton`` stores: a fixed-size digest of it.

    A skeleton can be several times longer than its name (a Hangul syllable
    decomposes into confusable jamo), too long for some databases' indexes.
    """
    return hashlib.sha256(skeleton(name).encode()).hexdigest()
