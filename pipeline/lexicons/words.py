"""The word lists of the crf segmenter (``models/segpos_*_<VERSION>.tsv``), read as dictionaries of
multi-syllable words: the segmenter's features use them, and so do the NER model's.

``load_dictionary`` gives the words (syllables joined by one space) and their proper prefixes, so a
lookup can stop as soon as nothing can match; :func:`segmenter_words` and :func:`place_names` are the
shipped lists, read once per process.
"""
from __future__ import annotations

from pipeline.resources import read_tsv, shared

VERSION = "20261127b"  # the segmenter's version: its model and word lists are built together
WORD_LISTS = (f"segpos_words_vtb_{VERSION}.tsv", f"segpos_words_pyvi_{VERSION}.tsv")
NAME_LIST = f"segpos_names_{VERSION}.tsv"
MAX_WORD = 4  # the longest dictionary word looked up, in syllables


def load_dictionary(names: tuple[str, ...] | None = None,
                    lower: bool = True) -> tuple[frozenset[str], frozenset[str]]:
    """The multi-syllable words of the lists ``names`` (default: both word lists), lowercased unless
    ``lower`` is false, and their proper prefixes of two or more syllables."""
    words: set[str] = set()
    for name in names or WORD_LISTS:
        words.update(row["word"].lower() if lower else row["word"] for row in read_tsv(name))
    words = {w for w in words if " " in w and w.count(" ") < MAX_WORD}
    prefixes = set()
    for w in words:
        parts = w.split(" ")
        for k in range(2, len(parts)):
            prefixes.add(" ".join(parts[:k]))
    return frozenset(words), frozenset(prefixes)


@shared
def segmenter_words() -> tuple[frozenset[str], frozenset[str]]:
    """Both word lists, lowercased: (words, prefixes)."""
    return load_dictionary()


@shared
def place_names() -> tuple[frozenset[str], frozenset[str]]:
    """The capitalised place names of the segmenter, case kept: (names, prefixes)."""
    return load_dictionary((NAME_LIST,), lower=False)
