"""Syllables: how the crf segmenter and the NER model cut a text and describe each piece.

``SYLLABLE`` finds the syllables, numbers and punctuation marks of a text; ``syllable_info`` gives a
syllable's lowercased form and shape class (memoised: the syllable vocabulary is small);
``longest_word_at`` finds the longest dictionary word starting at a syllable.
"""
from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter

SYLLABLE = re.compile(r"\w+(?:[.,]\d+)*|[^\w\s]")
_PUNCT_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-",
                             "…": "."})


@lru_cache(maxsize=1 << 18)
def syllable_info(syllable: str) -> tuple[str, str]:
    """(lowercased form with curly quotes and dashes folded, shape class) of one syllable."""
    low = syllable.lower().translate(_PUNCT_FOLD)
    first = syllable[0]
    if syllable.isdigit():
        shape = "D"
    elif first.isdigit():
        shape = "d"
    elif not first.isalnum():
        shape = low if len(low) == 1 else "P"
    elif syllable.isupper():
        shape = "U" if len(syllable) > 1 else "C"
    elif first.isupper():
        shape = "C"
    else:
        shape = "l"
    return low, shape


_group = re.Match.group
_low = itemgetter(0)
_shape = itemgetter(1)


def describe(matches: list) -> tuple[list[str], list[str], list[str]]:
    """The syllables of the regex ``matches`` with their lowercased forms and shape classes."""
    syllables = list(map(_group, matches))
    info = list(map(syllable_info, syllables))
    return syllables, list(map(_low, info)), list(map(_shape, info))


def longest_word_at(seq: list[str], i: int, words: frozenset[str], prefixes: frozenset[str],
                     max_word: int) -> int:
    """Length in syllables of the longest word of ``words`` starting at ``seq[i]`` (0 if none);
    ``prefixes`` (the words' proper prefixes) lets the search stop as soon as nothing can match."""
    n = len(seq)
    key = seq[i] + " " + seq[i + 1]
    k = 2
    longest = 0
    while True:
        if key in words:
            longest = k
        if key not in prefixes or i + k >= n or k >= max_word:
            return longest
        key = key + " " + seq[i + k]
        k += 1
