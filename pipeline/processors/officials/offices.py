"""Offices: every office named in the text, the organisation phrase after it, and the ministry it gives.

Words right after an office that qualify it ("lâm thời", "thứ nhất", "Thường trực") are part of the
title. ``org`` comes from a ministry, a department of one (ORG from the ministries stage) or an agency
of one (``models/agencies.tsv``, resolved at the document's date) in the office's organisation
phrase, after a comma or in parentheses; an office written without its organisation before a name
("Người phát ngôn X") takes the ministry of the same office named earlier without a name. An
abbreviation in parentheses inside the organisation phrase ("(MTTQ)") is skipped, and a minister's
field that is no MINISTRY ("Thứ trưởng Ngoại giao Nga") is part of it. A bare "đại biểu X" in a
session of a people's council (the document names HĐND more often than the National Assembly) is an
"đại biểu HĐND".
"""
from __future__ import annotations

import bisect
import re

import regex

from pipeline.processors.officials.context import DocContext, Office
from pipeline.processors.officials.lexicon import BLANKS, NEXT_TOKEN, Lexicon
from pipeline.processors.officials.names import (ABBREV_DOT, followed_by_name_char, name_particles_end,
                                                 parse_run)

# levels whose holders never belong to a ministry
NULL_LEVELS = frozenset({"central", "party", "assembly", "judicial", "provincial", "foreign", "rank"})
# a capitalized token of an organisation phrase: "UBND", "T.Ư", "TP.HCM", "TT&TT", "GD-ĐT"
_CAP_TOKEN = regex.compile(r"(?:\p{Lu}|\d)[\p{L}\p{M}\d.&'’\-]*")
# an abbreviation in parentheses inside an organisation phrase: "Ủy ban T.Ư Mặt trận Tổ quốc (MTTQ) Việt Nam"
_PAREN_ABBR = regex.compile(r"[ \t]*\((?=[^)]*\p{Lu}[^)]*\p{Lu})[\p{Lu}\d&.\-]{2,12}\)(?=[ \t])")
_COMMA_OR_PAREN = re.compile(r"[ \t]*[,(][ \t]*")
_PHRASE_END = re.compile(r"[,.;:()\n–—]")
_FULL_STOP = re.compile(r"[.!?\n]\s")
# "kiêm" between two offices: held together
_CONCURRENT = re.compile(r"\s*,?\s*kiêm\s+")
# a dot inside an abbreviation ("T.Ư")
_ABBR_DOT = regex.compile(r"(?<=\p{Lu})\.(?=\p{Lu})")
# blanks and punctuation around an organisation phrase
_UNIT_EDGES = re.compile(r"^[\s,;:(–—-]+|[\s,;:)–—-]+$")
APPOSITION_GAP = re.compile(r"[ \t]*,[ \t]*")


def triggers(lex: Lexicon, ctx: DocContext) -> list[tuple[int, int, str, str]]:
    """Every office and honorific in the text: (start, end, lower-case key, "office" or "hon")."""
    text, low = ctx.text, ctx.low
    matches = lex.trigger_re.finditer(low) if low is not text \
        else lex.trigger_re_ci.finditer(text)
    out = []
    for m in matches:
        key = BLANKS.sub(" ", m.group(0).lower())
        if key in lex.offices:
            out.append((m.start(), m.end(), key, "office"))
        elif key in lex.hon_kind and (BLANKS.sub(" ", text[m.start():m.end()]) in lex.hon_forms
                                        or text[m.start():m.end()] == "Anh"):
            out.append((m.start(), m.end(), key, "hon"))
    return out


def find_offices(lex: Lexicon, ctx: DocContext, triggers) -> list[Office]:
    """Every office among ``triggers`` outside the bylines, with its organisation phrase read."""
    text = ctx.text
    out: list[Office] = []
    assembly = councils = None
    for t_start, t_end, key, kind in triggers:
        if kind != "office" or ctx.in_zones(t_start, t_end):
            continue
        info = lex.offices[key]
        if key == "đại biểu":
            if assembly is None:
                assembly = bool(lex.assembly_re.search(text))
                councils = Councils(lex, text)
            if not assembly:
                continue   # a conference delegate
            if councils and councils.nearer(t_start):
                info = lex.offices.get("đại biểu hđnd", info)   # a deputy of a people's council
        before = text[max(0, t_start - 30):t_start]
        if key.startswith("bí thư") and before.endswith(("Ban ", "ban ")):
            continue   # Ban Bí thư (the Secretariat)
        pm = lex.office_prefix_re.search(before)
        title = info.title
        if pm.group("deputy"):
            title = "Phó " + title
        if pm.group("acting"):
            title = "quyền " + title
        level = info.level
        if lex.candidate_re is not None and lex.candidate_re.search(text, max(0, t_start - 30), t_start):
            level = "nonofficial"   # "ứng viên tổng thống X": a candidate, not an office holder
        end = t_end
        if lex.qualifier_re is not None:
            qm = lex.qualifier_re.match(text, t_end)
            if qm:
                # "Thủ tướng lâm thời", "Bí thư thứ nhất", "Ủy viên Thường trực": part of the title
                title, end = f"{title} {BLANKS.sub(' ', qm.group('q'))}", qm.end()
        off = Office(t_start - len(pm.group(0)), end, end, title, level, info.policy,
                      info.implied_org, former=bool(pm.group("former")), base=info.title)
        scan_after(lex, ctx, off)
        # "nguyên Phó Chủ tịch Quốc hội kiêm Chủ nhiệm ...": an office held together with a former one is former
        if out and out[-1].former and not off.former and _CONCURRENT.fullmatch(text, out[-1].comp_end, off.start):
            off.former = True
        out.append(off)
    return out


class Councils:
    """Where the text names a people's council or the National Assembly, and which it names more."""

    def __init__(self, lex: Lexicon, text: str) -> None:
        council = [(m.start(), True) for m in lex.council_re.finditer(text)]
        mentions = sorted(council + [(m.start(), False) for m in lex.assembly_named_re.finditer(text)]) \
            if council else []
        self.starts = [at for at, _ in mentions]
        self.is_council = [c for _, c in mentions]
        self.n_council = len(council)

    def __bool__(self) -> bool:
        return bool(self.starts)

    def nearer(self, pos: int) -> bool:
        """True when the text names a people's council more often than the National Assembly, or as
        often and the body named last before ``pos`` (else first after it) is a council."""
        total = len(self.starts)
        if 2 * self.n_council != total:
            return 2 * self.n_council > total
        i = bisect.bisect_left(self.starts, pos)
        if i > 0:
            return self.is_council[i - 1]
        return self.is_council[bisect.bisect_right(self.starts, pos)]


def scan_after(lex: Lexicon, ctx: DocContext, off: Office) -> None:
    """Read the organisation phrase after an office and the name that ends it."""
    text = ctx.text
    toks: list[tuple[str, int, int]] = []
    p = off.end
    while len(toks) < 16:
        if toks:
            # "(ABC) ": at most 12 characters inside; the match is tried only on so short a window,
            # since the regex module looks for the "(" in the whole rest of the text first
            q = p
            while q < len(text) and text[q] in " \t":
                q += 1
            pa = _PAREN_ABBR.match(text, p, q + 15) if text.startswith("(", q) else None
            if pa:
                p = pa.end()   # the abbreviation of the organisation just named: skipped
                continue
        m = NEXT_TOKEN.match(text, p)
        if not m:
            break
        tok, s, e = m.group(1), m.start(1), m.end(1)
        stop_after = False
        if tok.endswith(".") and not ABBREV_DOT.match(tok):
            tok, e, stop_after = tok[:-1], e - 1, True
        if tok:
            toks.append((tok, s, e))
        p = m.end(1)
        if stop_after:
            break
    comp_end = off.end
    minis_in: list[str | None] = []
    i = 0
    lower_run = 0
    prev_country = False
    civil = off.level == "civil_service"
    while i < len(toks):
        tok, s, e = toks[i]
        ministry = ctx.unit_at(s)
        if ministry is not None:
            if civil:
                break
            minis_in.append(ministry[2])
            while i < len(toks) and toks[i][1] < ministry[1]:
                i += 1
            comp_end = ministry[1]
            lower_run = 0
            continue
        unit = org_unit_at(lex, ctx, off, s, first=(i == 0))
        if unit is not None:
            unit_end, unit_org = unit
            if civil:
                break
            if unit_org:
                minis_in.append(unit_org)
            while i < len(toks) and toks[i][1] < unit_end:
                i += 1
            comp_end = unit_end
            lower_run = 0
            prev_country = False
            continue
        if _CAP_TOKEN.fullmatch(tok) and (tok[0].isupper() or tok[0].isdigit()):
            if tok[0].isdigit():
                break
            j = i
            while j < len(toks) and _CAP_TOKEN.fullmatch(toks[j][0]) and toks[j][0][0].isupper() \
                    and ctx.unit_at(toks[j][1]) is None:
                j += 1
            cut = org_name_cut(lex, toks, i, j)
            if cut is not None:
                # "T.Ư Đoàn Bùi Quang Huy": "Đoàn" ends the organisation, the name follows
                comp_end = toks[cut][2]
                i = cut + 1
                lower_run = 0
                continue
            run = toks[i:j]
            words = [t[0] for t in run]
            blocked = ctx.blocked_tokens(run)
            domestic = off.level in ("provincial", "civil_service") or \
                bool(lex.local_re.search(text, off.end, s))
            parsed = parse_run(lex, words, adjacent=(i == 0), blocked=blocked,
                                     allow_country=not domestic, after_country=prev_country,
                                     after_place_word=i > 0 and toks[i - 1][0].casefold() in lex.place_words)
            if civil and (parsed is None or parsed[0] != 0 or i != 0):
                break
            if parsed is not None:
                k, foreign = parsed
                start, end = run[k][1], run[-1][2]
                if not ctx.in_zones(start, end) and not followed_by_name_char(text, end):
                    org_words = " ".join(w for w in words[:k])
                    off.foreign = foreign or lex.ends_with_country(words[:k])
                    if foreign:
                        end = name_particles_end(lex, text, end)
                    off.name = (start, end)
                    if k:
                        comp_end = run[k - 1][2]
                    off.comp_end = max(comp_end, off.end)
                    classify(lex, ctx, off, minis_in, org_words)
                    return
                break
            nxt = toks[j][0] if j < len(toks) else ""
            prev_country = lex.ends_with_country(words) and not nxt[:1].islower()
            if prev_country:
                off.foreign = True   # "Bộ trưởng Quốc phòng Mỹ", but not "Vụ Pháp chế"
            comp_end = run[-1][2]
            i = j
            lower_run = 0
            continue
        # lower-case word
        prev_country = False
        low = tok.casefold()
        two = (low, toks[i + 1][0].casefold()) if i + 1 < len(toks) else None
        if low in ("thuộc", "trực") and not civil:
            # "Trung tâm X (trực) thuộc Bộ Y": the ministry the unit belongs to
            k = i + 1 if low == "thuộc" else (i + 2 if two == ("trực", "thuộc") else -1)
            if 0 < k < len(toks) and ctx.unit_at(toks[k][1]) is not None:
                comp_end = toks[k - 1][2]
                i = k
                continue
        if (low,) in lex.stop or (two and two in lex.stop):
            break
        if i == 0 and (low,) not in lex.lead and not (two and two in lex.lead):
            break
        if civil:
            break
        lower_run += 1
        if lower_run > 4:
            break
        if two and two in lex.lead and (low,) not in lex.lead:
            e = toks[i + 1][2]   # a two-word lead ("thứ nhất") is one unit
            i += 1
        comp_end = e
        i += 1
    off.comp_end = comp_end
    # no name after it: still classify its organisation for apposition use
    classify(lex, ctx, off, minis_in, "")
    # "Phó Vụ trưởng Vụ Cải cách hành chính, Bộ Nội vụ": a ministry right after a comma
    if not minis_in:
        m = _COMMA_OR_PAREN.match(text, off.comp_end)
        if m:
            at = m.end()
            ministry = ctx.unit_at(at)
            ministry = ministry if ministry is not None and ministry[0] == at else None
            if ministry is None:
                # "Vụ trưởng, Vụ Chính sách thuế (Bộ Tài chính)": a department of a ministry after the comma
                ministry = ctx.dept_from(at, at + 1)
            if ministry is not None and off.policy != "no" and not off.foreign \
                    and off.level not in NULL_LEVELS:
                off.org, off.org_kind = ministry[2], "explicit"


def org_name_cut(lex: Lexicon, toks, i: int, j: int) -> int | None:
    """Index in the capitalized run toks[i:j] of a word that ends an organisation although it is a surname
    ("Đoàn" after "T.Ư"), when a full name starting with a common surname follows it."""
    for m in range(i, j - 2):
        if lex.surnames.get(toks[m + 1][0]) != "common":
            continue
        for n in (2, 3):
            if m - n + 1 >= 0 and tuple(t[0] for t in toks[m - n + 1:m + 1]) in lex.org_before_name:
                return m
    return None


def org_unit_at(lex: Lexicon, ctx: DocContext, off: Office, pos: int, first: bool):
    """An organisation unit that starts at ``pos`` in an office's organisation phrase, as (end, ministry).

    "Hàng không Việt Nam" right after "Cục trưởng" (the rest of an agency's name: its ministry), or
    "Bộ" with a field that is not a MINISTRY entity ("Bộ Ngoại giao Trung Quốc": no ministry).
    """
    text = ctx.text
    if first and off.base in lex.agency_rest and text[pos:pos + 1].isupper():
        rest_re, rests = lex.agency_rest[off.base]
        m = rest_re.match(ctx.low, pos)
        if m:
            if not lex.country_follows(text, m.end()):
                return m.end(), lex.agency_ministry(rests[BLANKS.sub(" ", m.group(0))], ctx.day)
    if text.startswith(("Bộ ", "bộ "), pos):
        m = lex.bo_field_re.match(text, pos)
        if m:
            return m.end(), None
    if first and off.level == "ministry" and text[pos:pos + 1].isupper():
        m = lex.field_re.match(text, pos)
        if m:
            return m.end(), None
    return None


def classify(lex: Lexicon, ctx: DocContext, off: Office, minis_in, org_words: str) -> None:
    """Decide ``org`` of one office mention from its organisation phrase."""
    text = ctx.text
    comp = text[off.end:off.comp_end] if off.comp_end > off.end else ""
    if org_words and not comp:
        comp = org_words
    if off.level in ("department", "generic", "civil_service") and lex.company_re.search(comp):
        off.company = True
    off.unit = unit_of(lex, ctx, off, comp)
    if off.policy == "no" or off.level in NULL_LEVELS or off.foreign:
        off.org, off.org_kind = None, "none"
        return
    if minis_in:
        if off.level != "ministry" and lex.local_re.search(comp):
            # "Trưởng phòng GD-ĐT quận 3", "Giám đốc Sở Y tế tỉnh X": a local office of that field
            off.org, off.org_kind = None, "explicit_null"
            return
        off.org, off.org_kind = minis_in[0], "explicit"
        return
    dept = ctx.dept_from(off.end, max(off.comp_end, off.end + 1))
    if dept is not None:
        off.org, off.org_kind = dept[2], "explicit"
        return
    if comp.strip():
        if lex.local_re.search(comp) or lex.nonmin_re.search(comp) or off.company:
            off.org, off.org_kind = None, "explicit_null"
            return
        if off.policy == "explicit":
            off.org, off.org_kind = None, "none"
            return
        if off.implied_org and off.policy == "yes":
            off.org, off.org_kind = off.implied_org, "implied"
            return
        off.org, off.org_kind = None, "deferred"
        return
    if off.policy == "explicit":
        off.org, off.org_kind = None, "none"
    elif off.implied_org:
        off.org, off.org_kind = off.implied_org, "implied"
    elif off.policy == "yes":
        off.org, off.org_kind = None, "deferred"
    else:
        off.org, off.org_kind = None, "anchor"


def unit_of(lex: Lexicon, ctx: DocContext, off: Office, comp: str) -> str | None:
    """The body an office belongs to, as one string: the words of the office after its title ("Bí thư
    Tỉnh ủy") and its organisation phrase, each place by its canonical name ("UBND TP.HCM" -> "UBND Thành
    phố Hồ Chí Minh"), without the term ("khóa XV"), so that one body is written one way in every document."""
    text = ctx.text
    words = text[off.start:off.end]
    start = off.start + len(off.title) if words.casefold().startswith(off.title.casefold()) else off.end
    end = max(off.end, off.comp_end)
    if end > off.end or not comp:
        parts, pos = [], start
        places = ctx.place_units.inside(start, end) if ctx.place_units is not None else []
        for s, e, name in places:
            if s >= pos:
                parts += [text[pos:s], name]
                pos = e
        parts.append(text[pos:end])
        phrase = "".join(parts)
    else:
        phrase = f"{text[start:off.end]} {comp}"   # the organisation words before a name
    phrase = _ABBR_DOT.sub("", BLANKS.sub(" ", phrase))
    if lex.unit_abbr_re is not None:
        phrase = lex.unit_abbr_re.sub(lambda m: lex.unit_abbr[m.group(0)], phrase)
    if lex.term_tail_re is not None:
        phrase = lex.term_tail_re.sub("", phrase)
    return _UNIT_EDGES.sub("", phrase) or None


def org_from_earlier_office(offices: list[Office]) -> None:
    """Give an office written without its organisation right before a name ("Người phát ngôn X") the
    ministry of the same office named earlier without a name ("Người phát ngôn Bộ Ngoại giao khẳng định")."""
    seen: dict[str, str] = {}
    for off in offices:
        if off.name is None:
            if off.org_kind == "explicit" and off.org and not off.foreign:
                seen[off.base] = off.org
            continue
        if off.comp_end <= off.end and off.org is None and off.org_kind == "none" \
                and not off.foreign and off.level not in NULL_LEVELS and off.base in seen:
            off.org, off.org_kind = seen[off.base], "explicit"


def company_anchors(lex: Lexicon, ctx: DocContext, offices: list[Office]) -> None:
    """Mark an office without organisation as a company's when the nearest organisation named before it
    is a company ("Công ty X ... gồm: A, Giám đốc; B, Phó Giám đốc")."""
    text, units = ctx.text, ctx.units
    for off in offices:
        if off.org_kind != "anchor" or off.level not in ("department", "generic"):
            continue
        lo = max(0, off.start - 300)
        company = None
        for cm in lex.company_re.finditer(text, lo, off.start):
            company = cm
        if company is None or _FULL_STOP.search(text, company.end(), off.start):
            continue
        stop = _FULL_STOP.search(text, off.comp_end)
        rest = text[off.comp_end:stop.start() if stop else len(text)]
        if lex.local_re.search(rest) or lex.nonmin_re.search(rest):
            continue   # "..., Phó Giám đốc, Thủ trưởng Cơ quan Cảnh sát điều tra Công an tỉnh", "kiêm ... UBND"
        i = bisect.bisect_left(ctx.unit_starts, off.start) - 1
        if i >= 0 and units[i][1] > company.end():
            continue
        local = None
        for lm in lex.local_re.finditer(text, company.end(), off.start):
            local = lm
        if local is None:
            off.company = True


def public_body_after(lex: Lexicon, ctx: DocContext, pos: int, office_at) -> bool:
    """True if the phrase after a civil-service word names a public body ("cán bộ địa chính xã Y",
    "chuyên viên Vụ Z") or another office follows ("thanh tra viên, Phó Cục trưởng ..."), not a company
    or school ("chuyên viên pháp lý ngân hàng")."""
    text = ctx.text
    m = _PHRASE_END.search(text, pos, min(len(text), pos + 80))
    end = m.start() if m else min(len(text), pos + 80)
    seg = text[pos:end]
    if lex.company_re.search(seg):
        return False
    if m and m.group(0) == ",":
        nxt = APPOSITION_GAP.match(text, m.start())
        if nxt and nxt.end() in office_at:
            return True
    if ctx.unit_index.starts_within(pos, end):
        return True
    return bool(lex.local_re.search(seg) or lex.dept_re.search(seg) or lex.nonmin_re.search(seg))
