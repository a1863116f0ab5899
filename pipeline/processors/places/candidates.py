"""Where a PLACE can be: the words of a text and the candidate names among them.

- With its administrative word (tỉnh, thành phố, TP, quận, huyện, huyện đảo, thị xã, thị trấn,
  xã, phường, đặc khu, bang; abbreviated TP., Q., P., H., TX.) a name is a candidate with the word
  included in the span ("tỉnh Quảng Ninh", "TP.HCM", "P.Xuân Hương", "bang Texas"). After a
  lower-case administrative word an unknown capitalised name is one too ("xã Tân Mỹ Hòa",
  "quận 9"), and so are villages after thôn, ấp, xóm, buôn, làng, khóm ("thôn Đông Hòa").
- Every other gazetteer name, longest first, is a bare candidate that the guards
  (:mod:`pipeline.processors.places.guards`) and the stage's decisions accept or refuse.
- After a facility noun (cầu, sân bay, cảng, cửa khẩu, đảo, quảng trường, khu di tích...; kinds
  ``facility``/``facility_named`` of place_aliases.tsv) a capitalised name is a place even when the
  gazetteers lack it ("cầu Tân Vũ - Lạch Huyện": two places, the noun outside the span; "quần đảo
  Senkaku": the noun inside), unless the noun is part of another word ("yêu cầu", "tàu sân bay")
  or an organisation, an office or a person's name follows. Such a name is then a candidate bare
  everywhere in the document (also before the noun, as in a title).
- After a lower-case noun of a natural feature (sông, hồ, núi, đèo, vịnh, đầm, suối, thác, eo biển...;
  kind ``natural``) a capitalised name is a place with the noun in the span, one syllable being
  enough ("sông Hồng", "đèo Cả", "hồ Hoàn Kiếm"); a capitalised noun counts only at the start of a
  sentence and never "Hồ" (a family name). After a one-word noun a province, country, foreign unit
  or region is tagged alone ("sông Sài Gòn", "miền núi Tây Bắc"). A name of two syllables or more
  is then a candidate bare elsewhere in the document ("hồ sen Khe Tre").
- A compass word (Đông, Tây, Nam, Bắc) does not start a gazetteer unit when the words after it are
  a longer place name: "phía Đông Hà Nội" is Hà Nội, not the city Đông Hà.
- An administrative word after "liên" is not a unit ("Bí thư liên tỉnh Hà Nội - Hà Đông").
"""
from __future__ import annotations

import bisect
import re
from itertools import accumulate

from pipeline.lexicons.places import (ADMIN_ABBR, ADMIN_WORDS, FOREIGN_UNITS, LOCAL, NAME_GAPS,
                                      PROVINCE_WORDS, WORLD, PlaceLexicon)
from pipeline.spans import SpanIndex
from pipeline.text.vietnamese import looks_vietnamese

_SPLIT = re.compile(r"([^\W_]+(?:['’][^\W_]+)*)")
_NEWLINE = re.compile("\n")
_NON_SPACE = re.compile(r"\S")
SENT_END = frozenset('.!?:;"“”\'…')
GLUE = frozenset("./@\\_")
# names a natural-feature noun does not take into the span ("sông Sài Gòn", "miền núi Tây Bắc")
_OUTER_UNITS = frozenset({"province", "country", "foreign_city", "foreign_region", "region"})
_MAX_GENERIC = 4


def is_cap(word: str) -> bool:
    """A capitalised word that can be part of a name (not an all-capitals acronym)."""
    return word[0].isupper() and not (len(word) > 1 and word.isupper())


def sentence_initial(text: str, s: int) -> bool:
    """Whether offset ``s`` starts a line or follows the end of a sentence (blanks between)."""
    k = s - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k < 0 or text[k] in "\n\r" or text[k] in SENT_END


class Toks:
    """The words of a text: ``toks[i]`` is ``(start, end, word)``, built on demand.

    The text is cut once with ``re.split`` (words and the separators between them); offsets come
    from the cumulated lengths of the pieces. ``gaps[i]`` is the separator after word i. The
    per-document tables the guards query (capitalised chains, line ends) are built on first use.
    """

    __slots__ = ("text", "words", "gaps", "offs", "_chain", "_newlines", "_line_last")

    def __init__(self, text: str):
        self.text = text
        parts = _SPLIT.split(text)
        self.words: list[str] = parts[1::2]
        self.gaps: list[str] = parts[2::2]
        self.offs = list(accumulate(map(len, parts)))
        self._chain: list[int] | None = None
        self._newlines: list[int] | None = None
        self._line_last: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, i: int) -> tuple[int, int, str]:
        return self.offs[2 * i], self.offs[2 * i + 1], self.words[i]

    def chain_start(self, i: int) -> int:
        """The first word of the run of capitalised words, each followed by one space, that ends
        right before word i (i itself when word i - 1 is not such a word)."""
        if self._chain is None:
            words, gaps = self.words, self.gaps
            chain = [0] * (len(words) + 1)
            for k in range(1, len(words) + 1):
                chain[k] = chain[k - 1] if gaps[k - 1] == " " and is_cap(words[k - 1]) else k
            self._chain = chain
        return self._chain[i]

    def rest_of_line(self, e: int) -> tuple[int, int]:
        """``(start, end)`` of the text from offset ``e`` to the end of its line, blanks stripped
        (``start == end`` when only blanks are left)."""
        text = self.text
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(text)]
        k = bisect.bisect_left(self._newlines, e)
        nl = self._newlines[k] if k < len(self._newlines) else len(text)
        m = _NON_SPACE.search(text, e, nl)
        if m is None:
            return nl, nl
        last = self._line_last.get(nl)
        if last is None:
            last = nl
            while text[last - 1].isspace():
                last -= 1
            self._line_last[nl] = last
        return m.start(), last


class Cand:
    """A possible PLACE: the span, its name tokens and what kind of name it is."""

    __slots__ = ("start", "end", "first", "last", "key", "cat", "atype", "natural")

    def __init__(self, start, end, first, last, key, cat, atype=None, natural=False):
        self.start, self.end, self.first, self.last = start, end, first, last
        self.key, self.cat, self.atype = key, cat, atype
        self.natural = natural  # a name after a natural-feature noun ("sông Hồng")


class CandidateFinder:
    """Finds the candidates of a text (see the module docstring); holds only the lexicon."""

    __slots__ = ("lex",)

    def __init__(self, lex: PlaceLexicon) -> None:
        self.lex = lex

    def category(self, key: str) -> str:
        return self.lex.names[key].category

    def find(self, toks: Toks) -> list[Cand]:
        """Every candidate of the text in start order, the bare mentions of site names included."""
        gaps = toks.gaps
        cands = self._candidates(toks, gaps)
        more = self._bare_sites(toks.text, toks, gaps, cands)
        if more:
            taken = SpanIndex((c.start, c.end) for c in more)
            cands = [c for c in cands if not taken.any_overlap(c.start, c.end)]
            cands = sorted(cands + more, key=lambda c: c.start)
        return cands

    def _candidates(self, toks, gaps) -> list[Cand]:
        """Every gazetteer name (longest first) and every administrative word with its name."""
        lex = self.lex
        starters = lex.starters
        words = toks.words
        cands: list[Cand] = []
        n = len(words)
        i = 0
        while i < n:
            if words[i] not in starters:
                i += 1
                continue
            adm = self._admin_at(toks, gaps, i)
            if adm is not None:
                atype, j, lower_word = adm
                hit = self._admin_candidate(toks, gaps, i, j, atype, lower_word)
                if hit is not None:
                    cands.append(hit)
                    i = hit.last + 1
                    continue
            m = lex.longest(words, gaps, i)
            if m is None:
                sites = self._sites_at(toks, gaps, i)
                if sites:
                    cands.extend(sites)
                    i = sites[-1].last + 1
                else:
                    i += 1
                continue
            key, last = m
            if words[i] in lex.compass and i + 1 < n and gaps[i] == " " and \
                    self.category(key) not in WORLD:
                after = lex.longest(words, gaps, i + 1)
                if after is not None and after[1] > last:
                    i += 1  # "phía Đông Hà Nội": Hà Nội, not the city Đông Hà
                    continue
            cands.append(Cand(toks[i][0], toks[last][1], i, last, key, self.category(key)))
            i = last + 1
        return cands

    def _sites_at(self, toks, gaps, i) -> list[Cand]:
        """The names after a facility noun at token i ("cầu Tân Vũ - Lạch Huyện"), as candidates."""
        lex = self.lex
        words = toks.words
        w = words[i]
        lw = w.lower()
        phrases = lex.facility.get(lw)
        if not phrases or (w != lw and w != w.capitalize()):
            return []
        if i and gaps[i - 1] == " ":
            prev = words[i - 1]
            if (prev.lower(), lw) in lex.facility_block:
                return []  # "yêu cầu", "tàu sân bay"
            if w != lw and is_cap(prev):
                return []  # inside a longer capitalised name ("Tân Cảng")
        n = len(words)
        initial = None
        for ph, mode in phrases:
            k = len(ph)
            if mode == "natural" and any(words[i + m] != ph[m] for m in range(1, min(k, n - i))):
                continue
            if mode == "natural" and w != lw:
                # a capitalised noun only at the start of a sentence, and not "Hồ" (a family name)
                if initial is None:
                    initial = sentence_initial(toks.text, toks[i][0])
                if not initial or w in lex.any_surname:
                    continue
            if i + k < n and all(words[i + m].lower() == ph[m] and gaps[i + m] == " " for m in range(k)):
                break
        else:
            return []
        named = mode != "out"
        natural = mode == "natural"
        j = i + k
        out: list[Cand] = []
        while len(out) < 3:
            w = words[j]
            if not is_cap(w) or w in lex.name_stop:
                break
            m = lex.longest(words, gaps, j)
            if natural and k == 1 and m is not None and self.category(m[0]) in _OUTER_UNITS:
                return []  # "sông Sài Gòn": the province's name, tagged alone (but "eo biển Malacca")
            last = self._site_name(toks, gaps, j, one_syllable=natural)
            if natural and last == j and (m is None or m[1] == j) and w in lex.natural_stop:
                break  # "hồ Thủy điện": a common noun, not a name
            # a known name of two syllables or more, or a country or province, wins over a longer
            # capitalised chain ("sân bay Long Thành Dự án ..."); "Ba" does not ("Óc Eo - Ba Thê")
            if m is not None and (last is None or m[1] >= last or m[1] > j or
                                  self.category(m[0]) in WORLD | {"province"}):
                key, last = m
            elif last is None:
                break
            else:
                key = " ".join(words[j:last + 1])  # longer than any gazetteer name there
            if last - j >= 2 and w in lex.surnames:
                break  # "cầu Nguyễn Văn Trỗi": named after a person
            start = toks[i][0] if named and not out else toks[j][0]
            out.append(Cand(start, toks[last][1], j, last, key, "site", natural=natural))
            # a second name joined by a dash or a slash: "Óc Eo - Ba Thê", "Senkaku/Điếu Ngư"
            if not natural and last + 1 < n and (NAME_GAPS.get(gaps[last]) == "-" or gaps[last] == "/") \
                    and is_cap(words[last + 1]):
                j = last + 1
                continue
            break
        return out

    def _bare_sites(self, text, toks, gaps, cands: list[Cand]) -> list[Cand]:
        """Bare mentions of the unknown site names found after a facility noun in the document."""
        lex = self.lex
        # one syllable after a natural noun ("sông Hồng") is too often a given name to be tagged bare
        unknown = {c.key for c in cands if c.cat == "site" and c.key not in lex.names
                   and not (c.natural and c.first == c.last)}
        if not unknown:
            return []
        # first word -> lengths (in words) of the unknown names starting with it. A site name is a
        # chain of capitalised words, so at most one of them passes the checks below at a word:
        # a shorter one is followed by the capitalised rest of the longer one.
        lengths: dict[str, set[int]] = {}
        for key in unknown:
            parts = key.split(" ")
            lengths.setdefault(parts[0], set()).add(len(parts))
        covered = set()
        for c in cands:
            if c.cat not in LOCAL:  # a longer site name wins over a bare commune ("Kép" in "Kép Xanh")
                covered.update(range(c.first, c.last + 1))
        words = toks.words
        n = len(words)
        out = []
        for i, w in enumerate(words):
            if w not in lengths or i in covered:
                continue
            for size in sorted(lengths[w]):
                last = i + size - 1
                if last >= n or " ".join(words[i:last + 1]) not in unknown or \
                        any(gaps[k] != " " or k + 1 in covered for k in range(i, last)):
                    continue
                s = toks[i][0]
                if s and text[s - 1] in GLUE:
                    continue
                if i and gaps[i - 1] == " " and is_cap(words[i - 1]) and \
                        words[i - 1] not in lex.sentence_words:
                    continue  # inside a longer name
                if last + 1 < n and gaps[last] == " " and is_cap(words[last + 1]) and \
                        words[last + 1] not in lex.sentence_words:
                    continue
                out.append(Cand(s, toks[last][1], i, last, " ".join(words[i:last + 1]), "site"))
                break
        return out

    def _site_name(self, toks, gaps, j, one_syllable: bool = False) -> int | None:
        """Index of the last token of an unknown site name starting at token j, or None.

        A chain of at most four capitalised words; one Vietnamese syllable alone is too often an
        ordinary capitalised word ("di tích Cách mạng") and is refused, a foreign word is not;
        ``one_syllable`` accepts it (after a natural-feature noun: "sông Hồng", "đèo Cả").
        """
        lex = self.lex
        words = toks.words
        n = len(words)
        k = j
        while k < n and k - j < _MAX_GENERIC and is_cap(words[k]):
            if len(words[k]) == 1:
                return None  # an initial: "sân bay John F. Kennedy"
            if k > j and words[k] in lex.sentence_words:
                break  # "Cầu Tân Vũ Về việc ...": a heading run into the text
            if k > j and words[k] in lex.surnames and k + 1 < n and gaps[k] == " " \
                    and is_cap(words[k + 1]):
                break  # a person's name follows
            if k > j and words[k] in lex.first:
                m = lex.longest(words, gaps, k)
                if m is not None and self.category(m[0]) in WORLD | {"province"}:
                    break  # "sân bay Tân Sơn Nhất Đồng Nai"
            k += 1
            if gaps[k - 1] != " ":
                break
        if k == j or (k == j + 1 and looks_vietnamese(words[j]) and
                      (not one_syllable or words[j] in lex.sentence_words)):
            return None
        if k < n and gaps[k - 1] in (".", ". ") and k - j == 1 and not one_syllable:
            return None  # an abbreviation or initial follows ("John F. Kennedy")
        return k - 1

    def _admin_at(self, toks, gaps, i):
        """``(type key, index of the first name token, lower-case full word?)`` or None."""
        words = toks.words
        w = words[i]
        n = len(words)
        abbr = ADMIN_ABBR.get(w)
        if abbr is not None:
            if i + 1 < n and gaps[i] in abbr[1]:
                return abbr[0], i + 1, False
            return None
        if w in self.lex.villages:
            if i + 1 < n and gaps[i] == " " and not (i and words[i - 1].lower() == "nông"):
                return "village", i + 1, True
            return None
        lw = w.lower()
        if i and words[i - 1].lower() == "liên" and gaps[i - 1] == " ":
            return None  # "liên bang", "liên tỉnh Hà Nội - Hà Đông": across units, not a unit
        if i + 2 < n and gaps[i] == " " and gaps[i + 1] == " ":
            two = ADMIN_WORDS.get((lw, words[i + 1].lower()))
            if two is not None:
                return two, i + 2, w == lw
        one = ADMIN_WORDS.get((lw,))
        if one is not None and i + 1 < n and gaps[i] == " ":
            return one, i + 1, w == lw
        return None

    def _admin_candidate(self, toks, gaps, i, j, atype, lower_word) -> Cand | None:
        """The candidate an administrative word at token i introduces (name from token j)."""
        if toks[i][2] in ADMIN_ABBR and len(toks[j][2]) < 2 and not toks[j][2].isdigit():
            return None  # "P.V" (phóng viên), not "Phường V"
        if atype == "village":
            return self._generic_name(toks, gaps, i, j, atype)  # villages are not in the gazetteer
        m = self.lex.longest(toks.words, gaps, j)
        if m is not None:
            key, last = m
            nm = self.lex.names[key]
            if nm.world and not (nm.province or nm.district or nm.commune):
                if atype not in PROVINCE_WORDS or nm.world[0].level not in FOREIGN_UNITS:
                    return None  # "các tỉnh Tây Nguyên": the region alone, tagged bare
            if nm.compatible(atype):
                hit = Cand(toks[i][0], toks[last][1], j, last, key, "admin", atype)
                if not lower_word:
                    return hit
                if atype in PROVINCE_WORDS:
                    return hit
                longer = self._generic_name(toks, gaps, i, j, atype)
                if longer is not None and longer.last > last and all(
                        looks_vietnamese(w) for w in toks.words[last + 1:longer.last + 1]):
                    return longer  # "xã Tân Mỹ Hòa Bắc": a name the gazetteer lacks
                return hit
        if not lower_word:
            if atype in ("quan", "phuong") and toks[j][2].isdigit() and len(toks[j][2]) <= 2:
                # "Quận 2", "Q.9": numbered urban units, also those merged away since
                return self._generic_name(toks, gaps, i, j, atype)
            return None  # "Tỉnh Đoàn", "Xã Đàn": a capitalised word needs a known name
        hit = self._generic_name(toks, gaps, i, j, atype)
        if hit is not None and m is not None and m[1] > hit.last:
            return None
        return hit

    def _generic_name(self, toks, gaps, i, j, atype) -> Cand | None:
        """An unknown name after a lower-case administrative word: a capitalised chain."""
        lex = self.lex
        if toks.words[j] in lex.org_words and atype != "village":
            return None  # "huyện Đoàn", "thành phố Cảng": an organisation or a description
        k = j
        n = len(toks)
        while k < n and k - j < _MAX_GENERIC:
            w = toks[k][2]
            if w.isdigit() and len(w) <= 2 and atype in ("quan", "phuong", "village") and k == j:
                k += 1
                break
            if not is_cap(w):
                break
            if k > j and w in lex.surnames and k + 1 < n and gaps[k] == " " and is_cap(toks[k + 1][2]):
                break  # a person's name follows: "xã Tân Mỹ Nguyễn Văn A"
            k += 1
            if gaps[k - 1] != " ":
                break
        if k == j or (k == j + 1 and len(toks[j][2]) <= 2 and not toks[j][2].isdigit()):
            return None
        if k - j >= 3 and toks[j][2] in lex.surnames:
            return None  # a person's full name, not a place
        key = " ".join(toks.words[j:k])
        return Cand(toks[i][0], toks[k - 1][1], j, k - 1, key, "admin", atype)
