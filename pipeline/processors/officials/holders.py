"""Who holds which office: the names next to offices and honorifics, and the offices each person is given.

How a name is found:

* after an office ("Thứ trưởng Bộ TT&TT Phạm Anh Tuấn", "Tổng thống Mỹ Donald
  Trump"): the words between the office and the name are its organisation;
* before an office, in apposition ("ông Đỗ Quý Tiến, Phó Vụ trưởng Vụ ...,
  Bộ Nội vụ") or with a connector ("X làm Chủ tịch UBND tỉnh");
* after an honorific ("ông", "bà", "đồng chí", "TS" ...): a PERSON unless an
  office is given to the same name somewhere in the document;
* in a list sharing one office ("các Phó Thủ tướng A, B", "tổ ĐBQH gồm ông A,
  bà B"), in a career list after a named person ("đã trải qua các cương vị:
  ..."), after an appointment ("X được ... giữ chức ..."), and from a headline
  office ("Chủ tịch Hà Nội: ...") for the person the body opens with;
* after "người đồng cấp" (and a country): the office named last before it
  ("Bộ trưởng Quốc phòng Hàn Quốc X gặp người đồng cấp Mỹ Y": Y is a Bộ trưởng);
* a well-known office holder (``models/officials_known.tsv``) named without an office.
"""
from __future__ import annotations

import bisect
import re
from itertools import accumulate
from typing import Callable

import regex

from pipeline.processors.officials.context import DocContext, Office, Person
from pipeline.processors.officials.lexicon import NEXT_TOKEN, Lexicon
from pipeline.processors.officials.names import name_at, name_before, name_tokens, parse_run
from pipeline.processors.officials.offices import APPOSITION_GAP, public_body_after
from pipeline.text.vietnamese import looks_vietnamese

# "tại Việt Nam" between an office abroad and the comma before its holder's name
_AT_PLACE = regex.compile(r"[ \t]+(?:tại|ở)(?:[ \t]+\p{Lu}[\p{L}\p{M}.&'’-]*){1,4}(?=[ \t]*,)")
# the end of a career list: the end of the sentence (not "T.Ư." or an ellipsis inside it)
_LIST_END = regex.compile(r"\.\.\.|…|\.(?=\s+\p{Lu}|\s*$)|\n")
_PASSIVE = re.compile(r"(?<!\w)được(?!\w)")
_SENTENCE_END = re.compile(r"[.!?;:\n]\s")
_HEADLINE_COLON = re.compile(r"[ \t]*:")
_BODY_START = re.compile(r"\n\s*")
_PLURAL_AFTER = re.compile(r"[ \t]+(?:các|những)[ \t]")
_LIST_SEP = re.compile(r"[ \t]*(?:,[ \t]*(?:và[ \t]+)?|[ \t]+và[ \t]+)")
_ROLE_DESCRIPTION = regex.compile(r"(?:[ \t]+\p{Ll}[\p{Ll}\p{M}]*){1,3}[ \t]+(?=\p{Lu})")
_AFTER_HONORIFIC = regex.compile(r"\.?[ \t]+(?=\p{Lu})")
# the next word when it is one capitalised syllable: "Hà" after "Trần Thị Thu"
_NEXT_SYLLABLE = regex.compile(r"[ ](\p{Lu}[\p{Ll}\p{M}]*)(?![\p{L}\p{M}\d])")


def find_people(lex: Lexicon, ctx: DocContext, triggers, offices: list[Office]) -> dict[str, Person]:
    """The people the text names next to an office or an honorific, or as well-known office holders,
    each with the offices given to them, by name."""
    text = ctx.text
    people: dict[str, Person] = {}
    names_at: dict[tuple[int, int], str] = {}

    def person_for(span: tuple[int, int], foreign: bool = False) -> Person:
        name = text[span[0]:span[1]]
        p = people.get(name)
        if p is None:
            p = people[name] = Person(name)
        p.foreign = p.foreign or foreign
        p.mentions.add(span)
        names_at[span] = name
        return p

    # 1. office -> name after it
    for off in offices:
        if off.name is not None:
            p = person_for(off.name, off.foreign)
            off.person = p.name
    office_at = {}
    for off in offices:
        office_at.setdefault(off.start, off)
    name_office = {off.name: off for off in offices if off.name is not None}
    # 2. name, office (apposition or connector) and chains of offices
    for k, off in enumerate(offices):
        if off.person is not None:
            continue
        # "X, Bộ trưởng các Bộ ...": an office of several people is not X's apposition
        # a civil servant's name needs an honorific before it: "ông X, chuyên viên Vụ Y"
        civil = off.level == "civil_service"
        found = None if _PLURAL_AFTER.match(text, off.end) or \
            civil and not public_body_after(lex, ctx, off.end, office_at) else \
            name_before(lex, ctx, off.start, need_honorific=civil)
        if found is not None and clause_subject(lex, ctx, off, found[0], name_office):
            # "trả lời của Phó Thủ tướng X, Chủ tịch Quốc hội cho rằng": the office starts a new clause
            continue
        if found is not None:
            span, foreign = found
            p = person_for(span, foreign or off.foreign)
            off.person = p.name
            continue
        if k > 0 and offices[k - 1].person is not None and \
                lex.chain_gap.match(text[offices[k - 1].comp_end:off.start]):
            off.person = offices[k - 1].person
    for k in range(len(offices) - 2, -1, -1):
        off, nxt = offices[k], offices[k + 1]
        if off.person is None and nxt.person is not None and \
                lex.chain_gap.match(text[off.comp_end:nxt.start]):
            off.person = nxt.person
    # an office followed by ", ông X": "Bộ trưởng Bộ Nội vụ, ông Lê Vĩnh Tân", "Đại sứ Italy tại Việt Nam, bà X"
    for off in offices:
        if off.person is None:
            at = off.comp_end
            pm = _AT_PLACE.match(text, at)
            if pm:
                at = pm.end()
            m = lex.hon_start_re.match(text[at:at + 40])
            if not m and lex.appoint_before_re.search(text, max(0, off.start - 30), off.start):
                # "bổ nhiệm giữ chức Thứ trưởng Bộ Y tế đối với ông X"
                m = lex.hon_for_re.match(text[at:at + 40])
            if m:
                span = name_at(lex, ctx, at + m.end(), after_honorific=True)
                if span is None or ctx.in_zones(*span[0]):
                    continue
                own = APPOSITION_GAP.match(text, span[0][1])
                if own and own.end() in office_at and (
                        off.comp_end == off.end or lex.preposition_re.search(text, max(0, off.start - 12),
                                                                               off.start)):
                    # "quyết định của Thủ tướng, ông X, Vụ trưởng ...": X holds the office after his name
                    continue
                p = person_for(span[0], span[1] or off.foreign)
                off.person = p.name
    holders: list[tuple[Office, str]] = [(off, off.person) for off in offices if off.person is not None]
    # one office shared by the names listed after it: "các Phó Thủ tướng A, B và C", "tổ ĐBQH gồm A, bà B"
    for off in offices:
        if off.name is not None and lex.plural_re.search(text, max(0, off.start - 8), off.start):
            for span, foreign, own in listed_names(lex, ctx, off.name[1], office_at,
                                                         first_sep=True):
                if own is None:
                    off.shared = True
                    holders.append((off, person_for(span, foreign or off.foreign).name))
        elif off.name is None and off.person is None:
            lm = lex.list_intro_re.match(text, off.comp_end)
            if lm and lm.end() > off.comp_end:
                for span, foreign, own in listed_names(lex, ctx, lm.end(), office_at,
                                                             first_sep=False):
                    off.shared = True
                    holders.append((off, person_for(span, foreign or off.foreign).name))
    # an office only one person holds, given by the text right before a name, is nobody else's
    # ("Phó Thủ tướng A, Chủ tịch Quốc hội cho rằng" when the text names the Chủ tịch Quốc hội B)
    direct = {off.title: off.person for off in offices
              if off.name is not None and off.person and not off.foreign and off.title == off.base
              and off.base in lex.unique}
    for off, name in holders:
        if off.name is None and direct.get(off.title, name) != name:
            continue
        people[name].offices.append(off)
    # "người đồng cấp Mỹ X": X holds the office of the official named just before
    counterparts(lex, ctx, offices, people, person_for)
    # 3. honorific + name (PERSON unless an office is known), ranks as weak offices
    for t_start, t_end, key, kind in triggers:
        if kind != "hon":
            continue
        m = _AFTER_HONORIFIC.match(text, t_end)
        described = False
        if not m and lex.hon_kind.get(key) == "role":
            # "chuyên gia kinh tế Lê Quốc Phong": a few lower-case words describe the role
            m = _ROLE_DESCRIPTION.match(text, t_end)
            described = True
        if not m:
            continue
        found = name_at(lex, ctx, m.end(), after_honorific=True)
        if found is None:
            continue
        span, foreign = found
        if (described or text[t_start:t_end] == "Anh") and \
                (foreign or len(text[span[0]:span[1]].split()) < 2):
            continue
        if span in names_at and lex.hon_kind.get(key) in ("role", "academic"):
            people[names_at[span]].expert = True
        if span in names_at and lex.hon_kind.get(key) == "rank" and not ctx.in_zones(*span) and \
                not any(o.level == "nonofficial" or o.company for o in people[names_at[span]].offices):
            people[names_at[span]].offices.append(
                Office(t_start, t_end, t_end, text[t_start:t_end], "rank", "no", None))
        if ctx.in_zones(*span) or span in names_at:
            continue
        one = text[span[0]:span[1]]
        if len(one.split()) == 1 and one not in people and \
                (not foreign or lex.hon_kind.get(key) != "courtesy" or (one,) in lex.countries
                 or one in lex.org_tokens):
            continue  # one word: an alias of someone known, or a foreign surname after ông/bà
        p = person_for(span, foreign)
        if lex.hon_kind.get(key) in ("role", "academic"):
            p.expert = True
        if lex.hon_kind.get(key) == "rank":
            p.offices.append(Office(t_start, t_end, t_end, text[t_start:t_end], "rank", "no", None))
    # "ông X được Bộ Chính trị điều động, chỉ định giữ chức Bí thư Tỉnh ủy": the office X is appointed to
    appointed_offices(lex, ctx, offices, people, names_at)
    # a headline office ("Chủ tịch Hà Nội: ...") names the person the body opens with ("Ông X yêu cầu ...")
    headline_office(lex, ctx, offices, people)
    known_holders(lex, ctx, offices, people)
    return people


def known_holders(lex: Lexicon, ctx: DocContext, offices: list[Office], people: dict[str, Person]) -> None:
    """Add the well-known office holders the text names without an office, and the names of the officials
    table given to the stage.

    A registry (or table) name is not the office holder's where the text makes it a namesake: a longer name
    ("Trần Thị Thu Hà" is not "Trần Thị Thu"), a form of address for ordinary people before it ("chị X"),
    or a private citizen's description after it ("ông X, một nông dân ...").
    """
    text = ctx.text
    comp_ends = sorted(o.comp_end for o in offices)
    sources = []
    if lex.known_re is not None:
        sources.append((lex.known_re, lex.known_alias, True))
    if ctx.table is not None and ctx.table.name_re is not None:
        sources.append((ctx.table.name_re, {}, False))
    for pattern, aliases, registry in sources:
        for m in pattern.finditer(text):
            surface = m.group(0)
            full = aliases.get(surface, surface)
            if surface != full:
                # an alias (foreign surname) needs an honorific or office before it
                if not lex.hon_end_re.search(text[max(0, m.start() - 20):m.start()]) and \
                        not _office_right_before(text, comp_ends, m.start()):
                    continue
            elif _name_goes_on(ctx, m.end()):
                continue   # a longer name: never cut to the known one
            if ctx.in_zones(m.start(), m.end()):
                continue
            if lex.informal_re.search(text, max(0, m.start() - 12), m.start()):
                continue   # "chị Nguyễn Thị Hồng": a namesake, not the office holder
            p = people.get(full) or people.get(surface)
            if p is None:
                p = people[surface] = Person(surface)
            p.mentions.add((m.start(), m.end()))
            if lex.citizen_re is not None and lex.citizen_re.match(text, m.end()):
                p.citizen = True
            if not registry:
                p.table = full
                continue
            rows = lex.known[full]
            p.registry = full
            if ctx.day is None or any(lex.row_fits(r, ctx.day, ctx.rough) for r in rows):
                p.known = full
                if all(r["country"] not in ("", "Việt Nam") for r in rows):
                    p.foreign = True
    for p in people.values():
        if p.citizen:
            p.known = p.table = p.registry = None


def _name_goes_on(ctx: DocContext, end: int) -> bool:
    """True if another capitalised Vietnamese syllable of the same name follows ``end`` (not a place or a
    ministry named right after it)."""
    m = _NEXT_SYLLABLE.match(ctx.text, end)
    return bool(m) and looks_vietnamese(m.group(1)) and not ctx.blocked.covering(m.start(1), m.start(1) + 1)


def _office_right_before(text: str, comp_ends: list[int], pos: int) -> bool:
    """True if an office's organisation phrase ends right before ``pos``, with nothing but blanks between."""
    blank = pos
    while blank > 0 and text[blank - 1].isspace():
        blank -= 1
    i = bisect.bisect_right(comp_ends, pos)
    return i > 0 and comp_ends[i - 1] >= blank


def counterparts(lex: Lexicon, ctx: DocContext, offices: list[Office], people: dict[str, Person],
                 person_for: Callable[..., Person]) -> None:
    """Give the name after "người đồng cấp" (and a country) the office named last before it in the text,
    when that office has a holder ("Bộ trưởng Quốc phòng Hàn Quốc X gặp người đồng cấp Mỹ Y": Y is a Bộ trưởng);
    with a foreign country or name the office is foreign (org null)."""
    text = ctx.text
    if lex.counterpart_re is None:
        return
    # the offices before the first one starting at or after a position: those before the first index
    # where the running maximum of starts reaches it; the last of them that is an office of the state
    reach = list(accumulate((off.start for off in offices), max))
    last_state: list[Office | None] = [None]
    for off in offices:
        last_state.append(off if off.level not in ("nonofficial", "rank") else last_state[-1])
    for m in lex.counterpart_re.finditer(text):
        first = NEXT_TOKEN.match(text, m.end())
        toks = name_tokens(text, first.start(1), 7)[0] if first else []
        if not toks:
            continue
        words = [t[0] for t in toks]
        blocked = ctx.blocked_tokens(toks)
        parsed = parse_run(lex, words, adjacent=True, blocked=blocked)
        if parsed is None:
            continue
        k, foreign = parsed
        span = (toks[k][1], toks[-1][2])
        name = text[span[0]:span[1]]
        if ctx.in_zones(*span) or (name in people and people[name].offices):
            continue
        # the office named last before "đồng cấp": its holder must be known
        ref = last_state[bisect.bisect_left(reach, m.start())]
        if ref is None or ref.person is None or ref.company or ref.person == name or \
                m.start() - ref.comp_end > 300:
            continue
        vn = tuple(words[:k]) in lex.vn_country
        foreign = not vn and (foreign or (k > 0 and lex.ends_with_country(words[:k])) or
                              ("-" in name) or (ref.foreign and k == 0 and not looks_vietnamese(words[-1])))
        copy = Office(m.start(), m.end(), m.end(), ref.title, ref.level, ref.policy, ref.implied_org,
                       foreign=foreign, base=ref.base)
        if foreign or ref.foreign or ref.org_kind != "explicit":
            copy.org, copy.org_kind = None, "none"
        else:
            copy.org, copy.org_kind = ref.org, "explicit"
        p = person_for(span, foreign)
        copy.person = p.name
        p.offices.append(copy)


def clause_subject(lex: Lexicon, ctx: DocContext, off: Office, span: tuple[int, int], name_office) -> bool:
    """True if ``off`` after "NAME, " is the subject of a new clause rather than NAME's apposition.

    That is the case when NAME has its own office right before it, that office stands after a
    preposition ("của đại biểu X"), and a verb follows the office phrase without a comma
    ("..., Bộ trưởng Bộ Y tế cho hay").
    """
    text = ctx.text
    own = name_office.get(span)
    if own is None or own is off or not lex.preposition_re.search(text, max(0, own.start - 12), own.start):
        return False
    nxt = NEXT_TOKEN.match(text, off.comp_end)
    if not nxt or not nxt.group(1)[:1].islower():
        return False
    low = nxt.group(1).casefold()
    two = NEXT_TOKEN.match(text, nxt.end(1))
    pair = (low, two.group(1).casefold()) if two else None
    return (low,) in lex.stop or (pair is not None and pair in lex.stop)


def listed_names(lex: Lexicon, ctx: DocContext, pos: int, office_at, first_sep: bool):
    """The names listed from ``pos`` on ("A, bà B và ông C"), as (span, foreign, own office or None).

    An item is an office with its name, an honorific and a name, or a Vietnamese name of two or more
    words; ``first_sep`` says whether a comma or "và" comes before the first item.
    """
    text = ctx.text
    out = []
    need_sep = first_sep
    while len(out) < 8:
        p = pos
        if need_sep:
            m = _LIST_SEP.match(text, pos)
            if not m:
                break
            p = m.end()
        need_sep = True
        own = office_at.get(p)
        if own is not None and own.name is not None:
            out.append((own.name, own.foreign, own))
            pos = own.name[1]
            continue
        hm = lex.hon_at_re.match(text, p)
        found = name_at(lex, ctx, hm.end() if hm else p, after_honorific=True)
        if found is None or ctx.in_zones(*found[0]):
            break
        span, foreign = found
        if not hm and (foreign or len(text[span[0]:span[1]].split()) < 2):
            break
        out.append((span, foreign, None))
        pos = span[1]
    return out


def appointed_offices(lex: Lexicon, ctx: DocContext, offices, people, names_at) -> None:
    """Give an office after an appointment phrase ("giữ chức", "làm") to the name before a passive
    "được" earlier in the same sentence, when nobody else is named in between."""
    text = ctx.text
    spans = sorted(names_at)
    ends = [sp[1] for sp in spans]
    starts = sorted(o.start for o in offices)
    for k, off in enumerate(offices):
        if off.person is not None or off.name is not None or off.level == "nonofficial":
            continue
        if not lex.appoint_before_re.search(text, max(0, off.start - 30), off.start):
            continue
        i = bisect.bisect_right(ends, off.start) - 1
        if i < 0:
            continue
        span = spans[i]
        gap = text[span[1]:off.start]
        if len(gap) > 120 or not _PASSIVE.search(gap) or _SENTENCE_END.search(gap) or \
                bisect.bisect_left(starts, span[1]) < bisect.bisect_left(starts, off.start):
            continue
        p = people.get(names_at[span])
        if p is None:
            continue
        # "ông A và ông B được bầu giữ chức Chủ tịch HĐND tỉnh và Chủ tịch UBND tỉnh": respectively
        names = _listed_before(lex, text, spans, i)
        chain = _office_chain(text, offices, k)
        if len(names) > 1 and len(names) == len(chain):
            for nm, o in zip(names, chain):
                q = people.get(names_at[nm])
                if q is not None:
                    o.person = q.name
                    q.offices.append(o)
            continue
        off.person = p.name
        p.offices.append(off)


def _listed_before(lex: Lexicon, text: str, spans: list[tuple[int, int]], i: int) -> list[tuple[int, int]]:
    """The names listed up to ``spans[i]`` ("A, ông B và bà C"), in text order."""
    out = [spans[i]]
    for j in range(i - 1, max(-1, i - 8), -1):
        m = _LIST_SEP.match(text, spans[j][1])
        if not m:
            break
        at = m.end()
        hm = lex.hon_at_re.match(text, at)
        if hm and hm.end() <= out[0][0]:
            at = hm.end()
        if at != out[0][0]:
            break
        out.insert(0, spans[j])
    return out


def _office_chain(text: str, offices, k: int) -> list:
    """``offices[k]`` and the offices after it joined by "và" or a comma, none of them given to anyone yet
    (``offices`` in text order)."""
    chain = [offices[k]]
    for off in offices[k + 1:]:
        m = _LIST_SEP.match(text, chain[-1].comp_end)
        if not m or m.end() != off.start or off.person is not None or off.name is not None:
            break
        chain.append(off)
    return chain


def headline_office(lex: Lexicon, ctx: DocContext, offices: list[Office], people: dict[str, Person]) -> None:
    """Give an office that opens the headline, followed by a colon, to the person the body opens with."""
    text = ctx.text
    line_end = text.find("\n")
    if line_end < 0 or not offices or offices[0].start > 0:
        return
    off = offices[0]
    if off.person is not None or off.name is not None or off.level == "nonofficial" or off.company \
            or not _HEADLINE_COLON.match(text, off.comp_end) or off.comp_end > line_end:
        return
    body = _BODY_START.match(text, line_end)
    if not body:
        return
    hm = lex.hon_at_re.match(text, body.end())
    if not hm:
        return
    owner = None
    for p in people.values():
        if any(ms < line_end for ms, me in p.mentions):
            return   # the headline names someone: the office is that person's or the speaker's
        if any(ms == hm.end() for ms, me in p.mentions):
            owner = p
    if owner is None or any(o.level != "rank" for o in owner.offices):
        return
    off.person = owner.name
    owner.offices.append(off)


def career_offices(lex: Lexicon, text: str, people: dict[str, Person], offices: list[Office]) -> None:
    """Give the offices of a career list to the person named last before it."""
    if not people or ":" not in text:
        return
    by_start = sorted(range(len(offices)), key=lambda k: offices[k].start)
    starts = [offices[k].start for k in by_start]
    ends: list[int] | None = None
    for cm in lex.career_re.finditer(text):
        stop = _LIST_END.search(text, cm.end())
        end = stop.start() if stop else len(text)
        within = sorted(by_start[bisect.bisect_left(starts, cm.end()):bisect.bisect_left(starts, end)])
        listed = [offices[k] for k in within if offices[k].person is None and offices[k].name is None]
        if not listed:
            continue
        if ends is None:
            # every mention by its end; of mentions ending together, the first in people's order
            mentions = sorted((me, seq, p) for seq, (me, p) in
                              enumerate((me, p) for p in people.values() for _, me in p.mentions))
            ends = [me for me, _, _ in mentions]
        # the person whose mention ends last before the list (and less than 600 characters before it)
        j = bisect.bisect_right(ends, cm.start())
        if not j or cm.start() - ends[j - 1] >= 600:
            continue
        best = mentions[bisect.bisect_left(ends, ends[j - 1])][2]
        for o in listed:
            o.person = best.name
            best.offices.append(o)
