"""Names readers are shown by: no look-alikes of someone else's, nothing invisible.

Two names are the same to a reader's eye when their Unicode TR39 confusable
skeletons are equal ("аdmin" with a Cyrillic а and "admin"; "ｐａｙｐａｌ" and
"paypal"). Every account stores the skeletons of its username and display name,
so one indexed query finds a clash. The confusables data comes from `disarm`,
which follows the current Unicode release, never from a table of our own.
"""

import hashlib
import unicodedata

import disarm

# Characters that show nothing, though Unicode counts some of them as letters (the
# Hangul fillers) or symbols (the blank braille pattern): a name or a comment made
# only of them is empty.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# Format characters (zero-width spaces and joiners, word joiners, BOMs), combining
# marks (variation selectors among them) and separators show nothing by themselves.
BLANK_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"})


def is_blank(text: str) -> bool:
    """True when `text` would show nothing: only spaces and invisible characters,
    or combining marks with no letter to sit on."""
    return all(
        ch in BLANK_LETTERS or ch.isspace() or unicodedata.category(ch) in BLANK_CATEGORIES
        for ch in text
    )


def has_invisible(text: str) -> bool:
    """True when `text` contains a character that shows nothing but is not a plain space."""
    return any(
        ch in BLANK_LETTERS or unicodedata.category(ch) in {"Cf", "Cc", "Zl", "Zp"} for ch in text
    )


def skeleton(name: str) -> str:
    """The TR39 skeleton of `name`, case folded: equal for names that look alike."""
    return disarm.skeleton_key(unicodedata.normalize("NFKC", name).casefold().strip())


def is_mixed_script(name: str) -> bool:
    """True when a word of `name` mixes writing systems that are not written together.

    Scripts that one writing system uses together (Han with Kana in Japanese, Han
    with Hangul in Korean) and characters common to all scripts (digits, "_") are
    not mixed; Latin with Cyrillic or Greek in one word is.
    """
    return disarm.is_mixed_script(name, per_word=True)


def retired_digest(name: str) -> str:
    """What is kept of a deleted account's username: enough to recognise the name
    (and its look-alikes) when someone asks for it, not the name itself."""
    return hashlib.sha256(skeleton(name).encode()).hexdigest()
