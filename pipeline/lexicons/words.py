"""The word lists of the crf segmenter (``models/segpos_*_<VERSION>.tsv``), read as dictionaries of
multi-syllable words: the segmenter's features use them, and so do the NER model's.

``load_dictionary`` gives the words (syllables joined by one space) and their proper prefixes, so a
lookup can stop as soon as nothing can match; ``load_dictionaries`` all the segmenter's dictionaries,
each list read once; :func:`shipped_dictionaries`, :func:`segmenter_words` and :func:`place_names` are
the shipped lists, read once per process.
"""
from __future__ import annotations

from pipeline.resources import read_tsv, shared

VERSION = "20261127b"  # the segmenter's version: its model and word lists are built together
WORD_LISTS = (f"segpos_words_vtb_{VERSION}.tsv", f"segpos_words_pyvi_{VERSION}.tsv")
NAME_LIST = f"segpos_names_{VERSION}.tsv"
MAX_WORD = 4  # the longest dictionary word looked up, in syllables


def _list_words(name: str, lower: bool) -> frozenset[str]:
    """The words of two to ``MAX_WORD`` syllables of one list (lowercased unless ``lower`` is false)."""
    words = {row["word"].lower() if lower else row["word"] for row in read_tsv(name)}
    return frozenset(w for w in words if " " in w and w.count(" ") < MAX_WORD)


def _prefixes(words: frozenset[str]) -> frozenset[str]:
    """The proper prefixes of two or more syllables of ``words``."""
    prefixes = set()
    for w in words:
        if w.count(" ") > 1:  # only a word of three syllables or more has one
            parts = w.split(" ")
            for k in range(2, len(parts)):
                prefixes.add(" ".join(parts[:k]))
    return frozenset(prefixes)


def load_dictionary(names: tuple[str, ...] | None = None,
                    lower: bool = True) -> tuple[frozenset[str], frozenset[str]]:
    """The multi-syllable words of the lists ``names`` (default: both word lists), lowercased unless
    ``lower`` is false, and their proper prefixes of two or more syllables."""
    words = frozenset().union(*(_list_words(name, lower) for name in names or WORD_LISTS))
    return words, _prefixes(words)


def load_dictionaries() -> tuple[frozenset[str], ...]:
    """The dictionaries of the segmenter's features, each list read once: (words, prefixes) of both
    word lists, of the place names (case kept) and of the pyvi list (the word lists after the first)."""
    lists = [_list_words(name, True) for name in WORD_LISTS]
    prefixes = [_prefixes(words) for words in lists]
    names = _list_words(NAME_LIST, False)
    return (frozenset().union(*lists), frozenset().union(*prefixes), names, _prefixes(names),
            frozenset().union(*lists[1:]), frozenset().union(*prefixes[1:]))


@shared
def segmenter_words() -> tuple[frozenset[str], frozenset[str]]:
    """Both word lists, lowercased: (words, prefixes)."""
    return shipped_dictionaries()[:2]


@shared
def place_names() -> tuple[frozenset[str], frozenset[str]]:
    """The capitalised place names of the segmenter, case kept: (names, prefixes)."""
    return shipped_dictionaries()[2:4]


@shared
def shipped_dictionaries() -> tuple[frozenset[str], ...]:
    """:func:`load_dictionaries` of the shipped lists, read once per process (the crf segmenter and the
    NER model share them)."""
    return load_dictionaries()
