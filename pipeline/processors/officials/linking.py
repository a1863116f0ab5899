"""Linking mentions to people: later mentions of a full name or its alias, and names that are one person.

Every later mention of a full name counts, and so does the given name alone (or a foreign surname,
last word or first: "ông Han" for "Han Min-koo") after an honorific or an office; a given name two
people share goes to the one named last. A name that ends a longer one ("Comey", "James Comey") is
that person.
"""
from __future__ import annotations

import bisect
from itertools import accumulate

import regex

from pipeline.processors.officials.context import DocContext, Person
from pipeline.processors.officials.lexicon import Lexicon
from pipeline.processors.officials.names import continues_name
from pipeline.spans import SpanIndex
from pipeline.text.patterns import trie_pattern


class _Mentions:
    """One person's mentions while aliases are added to them in text order.

    Aliases are read after triggers, which come in text order, so every span added starts after every
    span added before it: a span added earlier contains a new one only if it ends at or after its end.
    """

    __slots__ = ("person", "_index", "_ends", "_best_start", "_added", "_added_end")

    def __init__(self, person: Person) -> None:
        spans = list(person.mentions)
        self.person = person
        self._index = SpanIndex(spans)
        by_end = sorted(spans, key=lambda m: m[1])
        self._ends = [m[1] for m in by_end]
        self._best_start = list(accumulate((m[0] for m in by_end), max))
        self._added: list[tuple[int, int]] = []
        self._added_end = -1

    def covers(self, start: int, end: int) -> bool:
        """True if a mention contains ``start:end``."""
        return self._added_end >= end or bool(self._index.covering(start, end))

    def last_start_before(self, pos: int) -> int:
        """The largest start of a mention that ends at or before ``pos``, else -1."""
        i = bisect.bisect_right(self._ends, pos)
        best = self._best_start[i - 1] if i else -1
        for s, e in reversed(self._added):
            if e <= pos:
                return max(best, s)
        return best

    def add(self, start: int, end: int) -> None:
        self.person.mentions.add((start, end))
        self._added.append((start, end))
        self._added_end = max(self._added_end, end)


_LETTERS = regex.compile(r"\p{L}+")
# text length times names above which the one-pass search of names pays for its pattern
_ONE_PASS_ABOVE = 2_000_000


def _has_border(word: str) -> bool:
    """True if a proper prefix of ``word`` is also its suffix (two occurrences may then overlap)."""
    fail = [0] * len(word)
    k = 0
    for i in range(1, len(word)):
        while k and word[i] != word[k]:
            k = fail[k - 1]
        if word[i] == word[k]:
            k += 1
        fail[i] = k
    return bool(word) and fail[-1] > 0


def _name_starts(text: str, names: list[str]) -> dict[str, list[int]]:
    """Where each name that starts and ends with a letter may stand as a whole word: every start that
    is a letter run's start, in text order (the caller checks the boundaries). Names left out (another
    first or last character, or occurrences that may overlap) are searched for one by one.

    The text's letter runs that open a name are found in one pass; from each, the runs that follow
    extend the candidate while it is still the beginning of a name, so the cost is the text's length
    plus the candidates, not the text's length per name.
    """
    runs_of: dict[str, list[int]] = {}
    for name in names:
        if name[0].isalpha() and name[-1].isalpha() and not _has_border(name):
            runs_of[name] = [m.end() for m in _LETTERS.finditer(name)]
    if not runs_of:
        return {}
    prefixes = {name[:e] for name, ends in runs_of.items() for e in ends[:-1]}
    first = regex.compile(r"(?<!\p{L})" + trie_pattern({name[:ends[0]] for name, ends in runs_of.items()})
                          + r"(?!\p{L})")
    longest = max(map(len, runs_of))
    out: dict[str, list[int]] = {name: [] for name in runs_of}
    for m in first.finditer(text):
        at, end = m.start(), m.end()
        while True:
            seg = text[at:end]
            if seg in out:
                out[seg].append(at)
            if seg not in prefixes:
                break
            nxt = _LETTERS.search(text, end, at + longest)
            if nxt is None:
                break
            end = nxt.end()
    return out


def later_mentions(lex: Lexicon, ctx: DocContext, people: dict[str, Person], triggers) -> None:
    """Add every further mention of a known name, and of its alias after an honorific or office."""
    text = ctx.text
    if not people:
        return
    names = [name for name in people if len(name) >= 2]
    # a long text with many names: one pass finds where each name may stand, instead of a search of
    # the whole text per name (which grows with the square of the text)
    starts = _name_starts(text, names) if len(text) * len(names) > _ONE_PASS_ABOVE else {}
    for name in names:
        person = people[name]
        found = starts.get(name)
        if found is None:
            found = []
            at = text.find(name)
            while at >= 0:
                found.append(at)
                at = text.find(name, at + len(name))
        for at in found:
            end = at + len(name)
            if (at == 0 or not text[at - 1].isalpha()) and (end == len(text) or not text[end].isalpha()) \
                    and not ctx.in_zones(at, end) and not continues_name(lex, text, end, person):
                person.mentions.add((at, end))
    # aliases: the given name (last syllable, last two) or a foreign surname (last word, or first word)
    alias_owner: dict[str, set[str]] = {}
    for n, p in people.items():
        parts = n.split()
        cands = set()
        if len(parts) >= 2:
            cands.add(parts[-1])
            if len(parts) >= 3 and not p.foreign:
                cands.add(" ".join(parts[-2:]))
            if p.foreign:
                cands.add(parts[0])   # an East Asian family name comes first: "Han Min-koo" ... "ông Han"
        for c in cands:
            alias_owner.setdefault(c, set()).add(n)
    aliases = {a: next(iter(o)) for a, o in alias_owner.items() if len(o) == 1 and a not in people}
    # a given name two people share ("ông Hùng" after "Lê Văn Hùng" and "Trần Quốc Hùng"): the one named last
    shared = {a: o for a, o in alias_owner.items() if len(o) > 1 and a not in people}
    if not aliases and not shared:
        return
    tracked: dict[str, _Mentions] = {}

    def mentions_of(name: str) -> _Mentions:
        found = tracked.get(name)
        if found is None:
            found = tracked[name] = _Mentions(people[name])
        return found

    for _, t_end, key, kind in triggers:
        m = lex.after_trigger.match(text, t_end)
        if not m:
            continue
        a1, a2 = m.group("a1"), m.group("a2")
        two_ok = kind == "office" or lex.hon_kind.get(key) == "courtesy"
        if a2 and two_ok and (f"{a1} {a2}" in aliases or f"{a1} {a2}" in shared):
            alias, s, e = f"{a1} {a2}", m.start("a1"), m.end("a2")
        elif a2 is None and (a1 in aliases or a1 in shared):
            alias, s, e = a1, m.start("a1"), m.end("a1")
        else:
            continue
        if ctx.in_zones(s, e):
            continue
        if alias in aliases:
            owner = mentions_of(aliases[alias])
        else:
            last = {n: mentions_of(n).last_start_before(s) for n in shared[alias]}
            name = max(last, key=lambda n: last[n])
            if last[name] < 0:
                continue
            owner = mentions_of(name)
        if owner.covers(s, e):
            continue
        owner.add(s, e)


def merge_people(people: dict[str, Person]) -> None:
    """Fold a name into the longer one it ends ("Comey" into "James Comey") or, for a foreign family name,
    starts ("Park" into "Park Jin"), and a name with one word too many ("Bùi Văn Ga Thí", a caption run
    into the next sentence) into the shorter one."""
    def merge(src: Person, dst: Person, trim: int | None = None) -> None:
        dst.offices.extend(src.offices)
        dst.expert = dst.expert or src.expert
        for s, e in src.mentions:
            dst.mentions.add((s, s + trim) if trim else (s, e))
        dst.foreign = dst.foreign or src.foreign
        dst.known = dst.known or src.known
        dst.registry = dst.registry or src.registry
        dst.table = dst.table or src.table
        dst.citizen = dst.citizen or src.citizen
        del people[src.name]

    # the longer names by the words they end with, and by their first word
    ending: dict[tuple[str, ...], list[str]] = {}
    opening: dict[str, list[str]] = {}
    for q in people:
        words = q.split()
        for k in range(1, len(words)):
            ending.setdefault(tuple(words[-k:]), []).append(q)
        if len(words) > 1:
            opening.setdefault(words[0], []).append(q)
    for name in sorted(people, key=lambda n: len(n.split())):
        if name not in people:
            continue
        parts = name.split()
        longer = [q for q in ending.get(tuple(parts), ()) if q in people]
        if not longer and len(parts) == 1 and people[name].foreign:
            # "Park" after "Park Jin": an East Asian family name comes first
            longer = [q for q in opening.get(name, ()) if q in people and people[q].foreign]
        if len(longer) == 1:
            merge(people[name], people[longer[0]])
            continue
        if len(parts) >= 3:
            shorter = " ".join(parts[:-1])
            if shorter in people:
                merge(people[name], people[shorter], trim=len(shorter))
