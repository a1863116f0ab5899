"""When the context makes a bare name something else than a place.

- Bare province names, aliases, countries, foreign cities and regions are refused when they are
  part of a person's name (a family name among the three capitalised syllables before it, or an
  honorific before: "Nguyễn Thái Bình", "ông Thái Bình"), start a blocking phrase ("Pháp
  luật"), or, for the ambiguous words flagged ``strict`` (Anh, Ý, Áo, Đức), start a sentence.
  A one-syllable country right after a capitalised word is a given name ("Phương Nga"), and so is
  a name flagged ``given`` before a Vietnamese syllable ("Đức Trí").
- Bare district and commune names are also refused after a street word ("đường Tân Sơn") or a
  house number, when named after a person, and when they continue into a longer capitalised name
  ("An Dương Vương").
- A name alone on the end of its line after the start of a sentence is a byline ("... Thanh Hà").

Every check looks at a few words around the name: nothing here depends on the number of
candidates in the document.
"""
from __future__ import annotations

from pipeline.lexicons.places import NEIGHBOURS, WORLD, PlaceLexicon
from pipeline.processors.places.candidates import GLUE, Cand, Toks, is_cap, sentence_initial
from pipeline.text.vietnamese import looks_vietnamese


class Guards:
    """The context checks of the places stage; holds only the lexicon."""

    __slots__ = ("lex",)

    def __init__(self, lex: PlaceLexicon) -> None:
        self.lex = lex

    def guarded(self, text: str, toks: Toks, gaps: list[str], c: Cand) -> str | None:
        """Why the context makes a bare name something else than a place ("person", ...), or None."""
        lex = self.lex
        s, e, i = c.start, c.end, c.first
        first = toks[i][2]
        for phrase in lex.block.get(first.lower(), ()):
            end = s + len(phrase)
            if text[s:end].lower() == phrase and (end >= len(text) or not text[end].isalnum()):
                return "block"  # "Pháp luật", "Đức Phật"
        if s > 0 and text[s - 1] in GLUE:
            return "glued"  # "VOV.VN"
        if self.after_honorific(toks, gaps, i):
            return "person"  # "ông Thái Bình"
        world = c.cat in WORLD
        if world and self.after(toks, gaps, i, "nonplace"):
            return "nonplace"  # "tiếng Anh", "bảng Anh"
        # the capitalised chain right before the name: words chain_start .. i - 1
        chain_start = toks.chain_start(i)
        chain = i - chain_start
        chain_initial = sentence_initial(text, toks[chain_start][0]) if chain else False
        if chain:
            # a person's name: family name + at most two syllables before the given name
            if any(toks[m][2] in lex.surnames for m in range(max(chain_start, i - 3), i)) and \
                    not self.place_ends_at(toks, gaps, chain_start, i - 1):
                return "surname"
            if chain <= 3 and self.after_honorific(toks, gaps, chain_start):
                return "person"  # "ông Tuấn Anh"
            if c.last == i and world and not (chain == 1 and chain_initial) and \
                    looks_vietnamese(toks[i - 1][2]) and not self.place_ends_at(toks, gaps, chain_start, i - 1):
                return "person"  # "Phương Nga" (but "Real Madrid", "Tây Bắc Syria", "Nga Mỹ")
        initial = sentence_initial(text, s)
        nm = lex.names[c.key]
        if nm.strict and initial:
            return "initial"
        if nm.given:
            j = c.last + 1
            if j < len(toks) and gaps[c.last] == " " and is_cap(toks[j][2]) and \
                    looks_vietnamese(toks[j][2]):
                return "person"  # "Đức Trí", "Anh Tuấn"
        if c.cat == "region" and self.after(toks, gaps, i, "direction"):
            return "direction"  # "phía Đông Bắc"
        if (initial and not world) or (chain and chain_initial):
            rest, rest_end = toks.rest_of_line(e)
            if rest == rest_end or text[rest] == "/" or (text[rest] == "(" and rest_end - rest < 40):
                return "byline"  # a byline ending a paragraph ("... nhấn mạnh. Thanh Hà")
        return None

    def place_ends_at(self, toks: Toks, gaps: list[str], lo: int, hi: int) -> bool:
        """Whether a place name of two syllables or more, starting at token lo..hi-1, ends at token hi.

        One-syllable names (Mỹ, Việt) are left out: they are given names too ("Trần Thị Mỹ Anh").
        Only the starts within the longest name's length of hi can end there.
        """
        for k in range(max(lo, hi - self.lex.max_ntok + 1), hi):
            m = self.lex.longest(toks.words, gaps, k)
            if m is not None and m[1] == hi:
                return True
        return False

    def local_guarded(self, toks: Toks, gaps: list[str], c: Cand, chain: bool = False) -> bool:
        """Extra guards for bare district and commune names."""
        lex = self.lex
        i = c.first
        if self.after(toks, gaps, i, "street") or (i > 0 and gaps[i - 1] == " " and
                                                  any(ch.isdigit() for ch in toks[i - 1][2])):
            return True  # "đường Tân Sơn", "10A Quang Trung"
        nm = lex.names[c.key]
        if nm.ntok >= 3 and toks[i][2] in lex.surnames:
            return True  # "cầu Nguyễn Văn Cừ": named after a person
        j = c.last + 1
        if not chain and j < len(toks) and gaps[c.last] == " " and is_cap(toks[j][2]):
            w = toks[j][2]
            if w in lex.sentence_words:
                return False  # a heading run into the text: "... tại Nội Bài Cụ thể, ..."
            person = w in lex.surnames and j + 1 < len(toks) and gaps[j] == " " and is_cap(toks[j + 1][2])
            if not person:
                m = lex.longest(toks.words, gaps, j)
                if m is None or lex.names[m[0]].category not in NEIGHBOURS:
                    return True  # "An Dương Vương": part of a longer name
        return False

    def after(self, toks: Toks, gaps: list[str], i: int, kind: str) -> int:
        """The number of words of the longest context phrase of ``kind`` token i directly follows (0: none)."""
        if i == 0 or gaps[i - 1] != " ":
            return 0
        phrases = self.lex.context[kind].get(toks[i - 1][2].lower())
        if not phrases:
            return 0
        best = 0
        for words in phrases:
            n = len(words)
            if n > best and i - n >= 0 and all(toks[i - n + k][2].lower() == words[k] for k in range(n)) \
                    and all(gaps[i - n + k] == " " for k in range(n - 1)):
                best = n
        return best

    def after_honorific(self, toks: Toks, gaps: list[str], i: int) -> bool:
        """Whether token i follows an honorific that is not the end of an office ("tướng" in "Thủ tướng")."""
        h = self.after(toks, gaps, i, "honorific")
        return bool(h) and self.after(toks, gaps, i, "office") <= h
