"""Regular-expression building blocks shared by the rule stages."""
from __future__ import annotations

import re

import regex

# the initial that ends a name written in part, with its dot: one capital letter or a consonant
# digraph ("Nguyễn Văn D.", "Lê Thị Th.", "Hãng F."), not a syllable ("An.")
NAME_INITIAL = regex.compile(r"(?:\p{Lu}|[BCDĐGKLMNPQRSTVX][hgr])\.")


def trie_pattern(words, blank: str = r"[ \t]+") -> str:
    """A regex (``re`` or ``regex`` syntax) matching any of ``words``, factored as a trie so it scans fast.

    At each branch the longer word is tried first; a blank in a word matches ``blank``
    (by default any run of spaces or tabs).
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        alts = [(blank if ch == " " else re.escape(ch)) + build(sub)
                for ch, sub in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)
