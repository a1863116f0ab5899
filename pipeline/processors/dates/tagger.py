"""DATE tagger: Vietnamese temporal expressions with TIMEX3-style values.

Finds absolute dates (30/7, 30-7-2020, ngày 30 tháng 7 năm 2020), months, years,
quarters and halves, periods (giai đoạn 2011-2020, từ ngày 1/7 đến 15/7), parts of
day and clock times joined to a date (sáng 30/7, 19h ngày 7-2), relative
expressions (hôm nay, tuần tới, năm ngoái, 10 năm qua, cuối năm), durations,
centuries (thế kỷ 20 = "19"), days listed before the day that gives their month
("ngày 22, 23 và sáng 24.6": three DATEs) and
vague references (PAST_REF, PRESENT_REF, FUTURE_REF), following the rulings of
the annotation spec. Relative expressions are resolved against the publication
date; with no publication date an unknown year is ``XXXX`` and a deictic
expression ("hôm nay") gets the value None.

The word lists live in ``models/date_*.tsv``; the grammar that combines them is
here. Each family of expressions (days, months, years, quarters, periods,
durations, lexicon phrases, ...) is one compiled regular expression. One scan of
the text finds the numbers and the words an expression can start with, and only
the families that can start there are matched, anchored, at that position. The
candidates of all families are merged (longest first; a bare number such as
"6-2" only where something licenses it as a date), then ranges ("từ ... đến
...") and anaphoric references ("21 giờ cùng ngày") are resolved.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
import re
from typing import Callable

import regex

from pipeline.base import Processor
from pipeline.document import Document
from pipeline.text.patterns import trie_pattern
from pipeline.resources import read_tsv

SP = r"[^\S\n]+"  # blanks inside one line
OSP = r"[^\S\n]*"
DAY = r"(?:0?[1-9]|[12]\d|3[01])"
MON = r"(?:0?[1-9]|1[0-2])"
YEAR = r"(?:1\d{3}|20\d\d|21\d\d)"
BARE_YEAR = r"(?:19\d\d|20\d\d)"
# what may not follow a number that ends a date: a letter/digit, a separator and a digit, a percent sign
NUM_END = r"(?!\w|[.,/\-:]\d|/\w|" + OSP + r"%)"
NUM_START = r"(?<![\w.,/\-–:])"
CLOCK = (r"(?P<hh>[01]?\d|2[0-4])(?:" + OSP + r"(?:h|g|giờ)(?:" + OSP + r"(?P<mm>[0-5]\d)(?:"
         + OSP + r"(?:phút|p|'))?)?|:(?P<mm>[0-5]\d))(?![^\W\d_])")
PAST, FUTURE, PRESENT = "past", "future", "present"


def _alt(phrases) -> str:
    """A non-capturing alternation of phrases, longest first, blanks matching any run of blanks."""
    items = sorted({p.strip() for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    return "(?:" + "|".join(SP.join(regex.escape(w) for w in p.split()) for p in items) + ")"


def _key(s: str) -> str:
    return " ".join(s.casefold().split())


def _trie(words) -> str:
    """A prefix-factored alternation of phrases whose blanks match blanks inside one line."""
    return "(?:" + trie_pattern(words, blank=SP) + ")"


@dataclass(slots=True)
class _Cand:
    """A candidate DATE: span, value, and what later steps need to know about it."""

    start: int
    end: int
    value: str | None
    kind: str = "date"          # day, month, year, ref, period, duration, weekday, clockref
    point: tuple | None = None  # (y|None, m, d) for day-level dates
    weak: bool = False          # a bare number: needs a licensing context
    inferred: bool = False      # the year was not written but taken from the publication date
    prio: int = 0


class _Grammar:
    """The compiled patterns and lexicons (built once, shared by all DateTagger instances)."""

    def __init__(self) -> None:
        words: dict[str, dict[str, str]] = {}
        for row in read_tsv("date_words.tsv"):
            words.setdefault(row["kind"], {})[_key(row["phrase"])] = row["value"]
        self.words = words
        self.pod = {}
        for row in read_tsv("date_parts_of_day.tsv"):
            lo = None if row["add12_min"] == "-" else int(row["add12_min"])
            hi = None if row["add12_max"] == "-" else int(row["add12_max"])
            self.pod[_key(row["phrase"])] = (row["code"], lo, hi)
        self.weekdays = {_key(r["phrase"]): int(r["isoweekday"]) for r in read_tsv("date_weekdays.tsv")}
        self.rel_any: dict[str, tuple[str, int]] = {}
        self.rel_pod: dict[str, tuple[str, int]] = {}
        for row in read_tsv("date_relative.tsv"):
            target = self.rel_pod if row["context"] == "pod" else self.rel_any
            target[_key(row["phrase"])] = (row["unit"], int(row["offset"]))
        self.vague: dict[str, dict[str, str]] = {}
        for row in read_tsv("date_vague.tsv"):
            self.vague.setdefault(row["context"], {})[_key(row["phrase"])] = row["value"]
        self.tet = {int(r["year"]): date.fromisoformat(r["tet"]) for r in read_tsv("date_lunar_new_year.tsv")}
        self.numbers = {k: int(v) for k, v in words["num"].items()}
        self.roman = {k: int(v) for k, v in words["roman"].items()}
        self.months = {k: int(v) for k, v in words["month"].items()}
        self.lunar_months = {k: int(v) for k, v in words["lunar_month"].items()}
        self.yrel = {k: int(v) for k, v in words["yrel"].items()}
        self.suffixes = words["suffix"]
        self.edges = words["edge"]
        self.units = words["unit"]
        self.stems = {k: int(v) for k, v in words["stem"].items()}
        self.branches = {k: int(v) for k, v in words["branch"].items()}
        self._compile()

    # -- patterns ---------------------------------------------------------------
    def _compile(self) -> None:
        w = self.words
        f = regex.IGNORECASE
        pod = _alt(self.pod)
        wd = _alt(self.weekdays)
        edge = _alt(self.edges)
        month_word = _alt(list(self.months) + list(self.lunar_months))
        mon = f"(?:{MON}|{month_word})"
        trig = _alt(w["trigger"])
        # numbers usable before a duration unit: not "năm"/"tư" (a year, a weekday), not after "thứ"
        numw = _alt(k for k in self.numbers if k not in ("năm", "tư"))
        qty = _alt(w["qty"])
        units = _alt(self.units)
        anchor = _alt(w["anchor"])
        rel_pod = _alt(list(self.rel_pod) + ["cùng ngày"])
        self.rel_single = {k for k in self.rel_pod if " " not in k}
        rel_any = _alt(self.rel_any)
        # a year given after the date: "ngày 8/11 năm ngoái", "tháng 7 năm 2020"
        yafter = (rf"(?:,?{SP}năm{SP}(?:(?P<yrel>{_alt(self.yrel)})|(?P<y>{YEAR})"
                  rf"|(?P<ystem>{_alt(self.stems)}){SP}(?P<ybranch>{_alt(self.branches)}))(?!\w))?")
        dmy = (f"(?:(?P<y>{BARE_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\\d|3[01])"
               f"|(?P<d0>{DAY}){OSP}[-–]{OSP}(?P<d>{DAY})(?P<s>[/.])(?P<m>{MON})(?:(?P=s)(?P<y>{YEAR}))?"
               f"|(?P<d>{DAY})(?P<s>[/.\\-])(?P<m>{MON})(?:(?P=s)(?P<y>{YEAR}))?"
               f"|(?P<d>{DAY}){SP}tháng{SP}(?P<m>{mon})(?:,?{SP}năm{SP}(?P<y>{YEAR}))?)")
        # F1: [clock] [part of day] [nay] [weekday,] [ngày|hôm] d/m[/y]
        self.day_re = regex.compile(
            rf"(?<!\w)(?:(?:{CLOCK}){SP})?(?:(?P<pod>{pod}){SP})?(?:(?P<rel>{rel_pod}){SP})?"
            rf"(?:(?:ngày{SP})?(?P<wd>{wd}){OSP},?{SP})?(?:(?P<anchor>{anchor}){SP})?"
            rf"{NUM_START}{dmy}{NUM_END}{yafter}(?P<lunar>{SP}(?:âm{SP}lịch|ÂL)(?!\w))?", f)
        # F1b: [clock] [part of day] + relative day / weekday without a number
        self.podrel_re = regex.compile(
            rf"(?<!\w)(?:(?:{CLOCK}){SP})?(?:(?P<pod>{pod}){SP})?"
            rf"(?:(?P<rel>{rel_pod})|(?:(?P<anchor>ngày|hôm){SP})?(?P<wd>{wd})"
            rf"(?:{SP}(?P<wk>tuần{SP}(?:này|tới|sau|trước|qua|rồi)))?)(?!\w)", f)
        # lunar: mùng 6 Tết [Đinh Dậu] / mùng 6 tháng Giêng
        self.lunar_re = regex.compile(
            rf"(?<!\w)(?:mùng|mồng){SP}(?P<d>[1-9]|10)(?:(?P<gieng>{SP}tháng{SP}giêng)|(?={SP}tết))"
            rf"(?:(?={SP}tết{SP}(?P<stem>{_alt(self.stems)}){SP}(?P<branch>{_alt(self.branches)})(?!\w))"
            rf"|(?=(?:{SP}năm)?{SP}(?P<stem>{_alt(self.stems)}){SP}(?P<branch>{_alt(self.branches)})(?!\w)))?", f)
        # F2: [edge] tháng m [/y | năm y]
        self.month_re = regex.compile(
            rf"(?<!\w)(?:(?P<edge>{edge}){SP})?tháng{SP}(?P<m>{mon})"
            rf"(?:{OSP}(?P<s>[/.\-]){OSP}(?P<y>{YEAR}))?{NUM_END}{yafter}", f)
        # F3: [những ngày] [edge] năm y[-y2] | edge + unit | decades
        self.year_re = regex.compile(
            rf"(?<!\w)(?:(?P<pre>(?:những|các){SP}(?:ngày|tháng|tuần){SP}))?(?:(?P<edge>{edge}){SP})?"
            rf"(?:năm{SP}(?P<y>{YEAR})(?:{OSP}[-–]{OSP}(?:năm{SP})?(?P<y2>{YEAR}))?{NUM_END}"
            rf"|(?P<dec>(?:những{SP}năm|thập{SP}(?:niên|kỷ)){SP}(?P<dy>(?:19|20)?\d0)){NUM_END}"
            rf"|năm{SP}(?P<stem>{_alt(self.stems)}){SP}(?P<branch>{_alt(self.branches)})(?!\w)"
            rf"|(?<=(?:{edge}){SP})(?P<unit>năm|tháng|tuần)(?P<new>{SP}mới)?"
            rf"(?!{SP}(?:học|tài{SP}chính|tuổi|âm{SP}lịch|\d))(?!\w))",
            f)
        # F3b: centuries (thế kỷ 20, thế kỷ XXI, đầu thế kỷ thứ 21)
        self.century_re = regex.compile(
            rf"(?<!\w)(?:(?P<edge>{edge}){SP})?thế{SP}kỷ{SP}(?:thứ{SP})?(?P<c>\d{{1,2}}|[IVXLivxl]{{1,6}})(?!\w)", f)
        # F4: quarters and halves
        self.quarter_re = regex.compile(
            rf"(?<!\w)(?:(?P<edge>{edge}){SP})?quý{SP}(?P<q>{_alt(self.roman)}|[1-4])"
            rf"(?:{OSP}[/.\-]{OSP}(?P<y>{YEAR})|{SP}(?P<y>{YEAR}))?{NUM_END}{yafter}"
            rf"|(?<!\w)(?P<hn>\d{{1,2}}|{numw}){SP}tháng{SP}(?:(?P<hedge>đầu|cuối){SP})?năm"
            rf"(?:{OSP}(?:[/.\-]{OSP})?(?P<y>{YEAR})|{SP}(?P<hrel>nay|ngoái|trước|tới|sau))?{NUM_END}"
            rf"|(?<!\w)nửa{SP}(?P<hedge>đầu|cuối|sau){SP}năm"
            rf"(?:{SP}(?P<y>{YEAR})|{SP}(?P<hrel>nay|ngoái|trước|tới|sau))?(?!\w)",
            f)
        # F5: periods of years
        self.period_re = regex.compile(
            rf"(?<!\w)(?:(?P<trig>{trig}){SP})?{NUM_START}(?P<y1>{BARE_YEAR}){OSP}[-–—]{OSP}"
            rf"(?P<y2>{BARE_YEAR}){NUM_END}", f)
        # F6: durations
        self.duration_re = regex.compile(
            rf"(?:(?P<ago>cách{SP}đây){SP})?(?<![\w.,/\-–])(?<!(?:thứ|tháng|mươi|quý|ngày){SP})"
            rf"(?:(?P<n0>\d+){OSP}[-–]{OSP})?"
            rf"(?P<n>\d+(?:,\d+)?|{numw}|{qty}){SP}(?P<unit>{units})(?!\w)"
            rf"|(?<![\w.,/\-–])(?P<n>\d+)(?P<unit>h)(?={SP}(?:vừa{SP})?qua(?!\w))", f)
        # F7: lexicon phrases
        vague_any = _alt(self.vague.get("any", {}))
        vague_to = _alt(self.vague.get("after_to", {}))
        vague_clause = _alt(self.vague.get("clause", {}))
        vague_in = _alt(self.vague.get("after_in", {}))
        vague_start = _alt(self.vague.get("clause_start", {}))
        vague_punct = _alt(self.vague.get("before_punct", {}))
        self.lex_re = regex.compile(
            rf"(?<!\w)(?:(?:(?P<edge>{edge}){SP})?(?P<relp>{rel_any})|(?P<vague>{vague_any}))(?!\w)"
            rf"|(?<=(?<!\w)(?:từ|đến|tới){SP})(?P<vto>{vague_to})(?!\w)"
            rf"|(?<=(?<!\w)trong{SP})(?P<vin>{vague_in})(?!\w)"
            rf"|(?<=(?:^|[.!?:;\n\"“(]){OSP})(?P<vcl>{vague_clause})(?={OSP},)"
            rf"|(?<=(?:^|[.!?:;,\n\"“(]){OSP})(?P<vst>{vague_start})(?!\w)"
            rf"|(?<!\w)(?<!\){OSP})(?P<vpu>{vague_punct})(?={OSP}(?:[.,;:!?”\"’)…]|$))", f | regex.MULTILINE)
        # F8: a bare year
        self.year_bare_re = regex.compile(rf"{NUM_START}(?P<y>{BARE_YEAR}){NUM_END}(?!{OSP}[-–]{OSP}\d)")
        # helpers
        sfx = _alt(k for k, v in self.suffixes.items() if v not in ("ago", "later"))
        self.suffix_re = regex.compile(rf"{SP}(?P<sfx>{sfx})(?!\w)", f)
        self.ago_re = regex.compile(rf"{SP}(?P<sfx>{_alt(self.suffixes)})(?!\w)", f)
        # after an ambiguous suffix (tới, qua): a name, a number or a date word means it was a preposition
        self.after_prep_re = regex.compile(
            rf"{SP}(?:[A-ZĐÀ-Ỹ0-9]|{_alt(w['prep_follow'])}(?!\w))")
        self.context_re = regex.compile(
            rf"(?:(?<!\w){_alt(w['context'])}{SP}|\({OSP})\Z", f)
        self.score_re = regex.compile(rf"(?<!\w){_alt(w['score'])}(?!\w)", f)
        self.block_re = regex.compile(rf"{OSP}(?:%|{_alt(k for k in w['block'] if k != '%')}(?!\w))", f)
        self.doc_before_re = regex.compile(rf"(?<!\w){_alt(w['quantifier'])}{SP}\Z", f)
        self.name_before_re = regex.compile(rf"(?<!\w){_alt(w['name'])}{SP}\Z", f)
        self.from_day_re = regex.compile(
            rf"(?<!\w)(?:kể{SP})?từ{SP}(?:ngày{SP})?(?P<d0>{DAY}){SP}(?:đến|tới){SP}(?:hết{SP})?"
            rf"(?:ngày{SP})?\Z", f)
        # "hơn 50 năm", "gần một tiếng", "cách đây hơn 10 năm": the modifier is part of a duration
        self.approx_before_re = regex.compile(
            rf"(?<!\w)(?:(?P<ago>cách{SP}đây){SP})?{_alt(w['approx'])}{SP}\Z", f)
        # "15 ngày một lần": a frequency, not a DATE
        self.recurring_after_re = regex.compile(rf"{SP}{_alt(w['recurring_after'])}(?!\w)", f)
        self.recurring_before_re = regex.compile(
            rf"(?<!\w){_alt(w['recurring'])}(?:{SP}(?:chừng|khoảng|độ))?{SP}\Z", f)
        self.document_before_re = regex.compile(rf"(?<!\w){_alt(w['document'])}{SP}(?:số{SP})?\Z", f)
        # "Ngày Nhà giáo Việt Nam 20-11", "ngày khai giảng 5.9": a day name, then its date
        self.day_name_re = regex.compile(
            rf"(?<!\w)(?:ngày|lễ|dịp|kỷ{SP}niệm)(?:{SP}[^\W\d_]+){{1,6}}{SP}\Z", f)
        # small context checks of the handlers
        self.weekday_context_re = regex.compile(rf"(?<!\w)(?:vào|từ|đến|tới|trước|sau|hôm|ngày){SP}\Z", f)
        self.number_before_re = regex.compile(rf"\d{SP}\Z")
        self.age_after_re = regex.compile(rf"{SP}(?:tuổi|học)(?!\w)", f)
        self.clock_after_re = regex.compile(rf"{OSP}(?:\d|{pod}(?!\w)|ngày|hôm|cùng{SP}ngày)", f)
        self.clock_before_re = regex.compile(
            rf"(?<!\w)(?:lúc|vào|từ|đến|tới)(?:{SP}(?:khoảng|chừng|gần|hơn))?{SP}\Z", f)
        self.hour_before_re = regex.compile(rf"(?:giờ|h){OSP}\Z", f)
        self.number_after_re = regex.compile(rf"{SP}\d")
        self.year_after_re = regex.compile(rf"{SP}\d{{4}}")
        self.paren_close_re = regex.compile(rf"{OSP}[),;]")
        self.trigger_before_re = regex.compile(rf"(?<!\w)(?P<t>{trig}){SP}\Z", f)
        # these three are used with fullmatch on the text between two dates
        self.joiner_re = regex.compile(rf"{OSP}(?:,|và|hoặc|;|-|–){OSP}", f)
        self.range_to_re = regex.compile(rf"{SP}(?:đến|tới){SP}(?:hết{SP})?", f)
        self.range_from_re = regex.compile(rf"(?<!\w)(?:từ|kể{SP}từ){SP}\Z", f)
        self.dash_re = regex.compile(rf"{OSP}[-–]{OSP}")
        # days listed before a day that gives their month: "ngày 22, 23 và sáng 24.6" (matched before the last day)
        self.day_list_re = regex.compile(
            rf"(?<!\w)(?P<anchor>ngày|hôm){SP}(?P<list>{DAY}(?:{OSP},{OSP}{DAY})*)"
            rf"(?:{OSP},{OSP}(?:và{SP})?|{SP}và{SP})\Z", f)
        self.patterns = {"day": self.day_re, "lunar": self.lunar_re, "podrel": self.podrel_re,
                         "month": self.month_re, "year": self.year_re, "century": self.century_re,
                         "quarter": self.quarter_re,
                         "period": self.period_re, "duration": self.duration_re, "lex": self.lex_re,
                         "year_bare": self.year_bare_re}
        self._compile_starts()

    def _compile_starts(self) -> None:
        """Map the words an expression may start with to the families that may start there.

        Running each family's pattern only where one of its start words occurs keeps the
        stage fast: one scan of the text for these words, then anchored matches. Frequent
        words (các, những, đầu, một) are keyed together with the word that follows them."""
        w = self.words
        pod, wd = set(self.pod), set(self.weekdays)
        edges = set(self.edges)
        unit_words = {"năm", "tháng", "tuần", "ngày", "quý"}
        counted = [k for k in self.numbers if k not in ("năm", "tư")] + list(w["qty"])
        vague = set().union(*self.vague.values())
        table = {
            "day": pod | wd | set(w["anchor"]),
            "podrel": pod | wd | {f"{a} {x}" for a in ("ngày", "hôm") for x in ("thứ", "chủ")},
            "lunar": {"mùng", "mồng"},
            "century": {"thế kỷ"} | {f"{e} thế" for e in edges},
            "month": {"tháng"} | {f"{e} tháng" for e in edges},
            "year": {"năm", "thập niên", "thập kỷ"} | {f"{e} {u}" for e in edges for u in unit_words}
                    | {f"{a} {u}" for a in ("những", "các") for u in unit_words},
            "quarter": {"quý", "nửa"} | {f"{e} quý" for e in edges}
                       | {f"{n} tháng" for n in counted},
            "period": set(w["trigger"]),
            "duration": {f"{n} {u}" for n in counted for u in self.units} | {"cách đây"},
            "lex": set(self.rel_any) | vague | {f"{e} {r.split()[0]}" for e in edges for r in self.rel_any},
        }
        # keys of at most two words: the first word, or the first two when the first is frequent
        keys: dict[str, set[str]] = {}
        for fam, phrases in table.items():
            for p in phrases:
                keys.setdefault(" ".join(_key(p).split()[:2]), set()).add(fam)
        for k in list(keys):  # "ngày thứ" also starts what "ngày" starts
            first = k.split()[0]
            if first != k and first in keys:
                keys[k] |= keys[first]
        order = ("day", "podrel", "lunar", "month", "year", "century", "quarter", "period", "duration", "lex")
        self.families_by_word = {k: tuple(f for f in order if f in v) for k, v in keys.items()}
        first_words = {k.split()[0] for k in keys}
        # a number (with what follows it), or a start word (with the next word, not consumed)
        self.start_re = re.compile(
            rf"(?<![\w.,/\-–:])(?P<num>\d+)(?=(?P<after>[^\S\n]+(?P<nw>\w+)|.?))"
            rf"|(?<!\w)(?P<w>{_trie(first_words)})(?!\w)(?:(?={SP}(?P<w2>\w+)))?")

    # -- helpers ----------------------------------------------------------------
    def suffix(self, text: str, end: int, allow_ago: bool = False) -> tuple[int, str | None]:
        """A trailing "vừa qua/tới/này/..." after ``end``: (new end, direction)."""
        m = (self.ago_re if allow_ago else self.suffix_re).match(text, end)
        if not m:
            return end, None
        word = _key(m.group("sfx"))
        if word in ("tới", "qua", "nay", "này", "trước") and self.after_prep_re.match(text, m.end()):
            return end, None
        return m.end(), self.suffixes[word]


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    return _Grammar()


# -- value arithmetic -------------------------------------------------------------
def _pub(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(str(published)[:10])
    except ValueError:
        return None


def _valid(y: int | None, m: int, d: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y or 2000, m)[1]


def _year_for_day(m: int, d: int, pub: date | None, direction: str | None) -> int | None:
    """The year of a day/month written without one: the publication year, moved across the year
    boundary when the date would be far from the publication date, or as a suffix says."""
    if pub is None:
        return None
    y = pub.year
    dd = min(d, calendar.monthrange(y, m)[1])
    diff = (date(y, m, dd) - pub).days
    if direction == PAST and diff > 0:
        return y - 1
    if direction == FUTURE and diff < 0:
        return y + 1
    if direction is None:
        if diff > 240:
            return y - 1
        if diff < -300:
            return y + 1
    return y


def _year_for_month(m: int, pub: date | None, direction: str | None) -> int | None:
    if pub is None:
        return None
    y = pub.year
    if direction == PAST and m > pub.month:
        return y - 1
    if direction == FUTURE and m < pub.month:
        return y + 1
    if direction is None:
        if m - pub.month > 8:
            return y - 1
        if pub.month - m > 9:
            return y + 1
    return y


def _y(y: int | None) -> str:
    return "XXXX" if y is None else f"{y:04d}"


def _day_value(y: int | None, m: int, d: int, time: str = "") -> str:
    return f"{_y(y)}-{m:02d}-{d:02d}{time}"


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _relative(unit: str, offset: int, pub: date | None, edge: str | None = None) -> str | None:
    """Value of a deictic unit+offset (D/W/M/Q/Y) against the publication date."""
    if pub is None:
        return None
    if unit == "D":
        return (pub + timedelta(days=offset)).isoformat()
    if unit == "W":
        iy, iw, _ = (pub + timedelta(weeks=offset)).isocalendar()
        return f"{iy:04d}-W{iw:02d}" + ("-WE" if edge == "end" else "")
    if unit == "M":
        y, m = _shift_month(pub.year, pub.month, offset)
        return f"{y:04d}-{m:02d}"
    if unit == "Q":
        y, m = _shift_month(pub.year, pub.month, 3 * offset)
        return f"{y:04d}-Q{(m - 1) // 3 + 1}"
    if unit == "Y":
        return f"{pub.year + offset:04d}"
    return None


def _num(g: _Grammar, s: str) -> float | None:
    s = _key(s)
    if s in g.numbers:
        return g.numbers[s]
    try:
        return float(s.replace(",", "."))
    except ValueError:
        return None


def _clock_time(hh: str | None, mm: str | None, pod: str | None, g: _Grammar) -> str:
    if hh is None:
        return "" if pod is None else "T" + g.pod[_key(pod)][0]
    h = int(hh)
    if pod is not None:
        _, lo, hi = g.pod[_key(pod)]
        if lo is not None and lo <= h <= hi:
            h += 12
    if h > 24:
        return ""
    return f"T{h:02d}:{int(mm or 0):02d}"


# -- the finder ---------------------------------------------------------------------
def _weekday_ok(text: str, m, g: _Grammar) -> bool:
    """A weekday without a number is a date only with a clear context (not the ordinal "thứ hai")."""
    wd = m.group("wd")
    if m.group("pod") or m.group("wk") or m.group("hh"):
        return True
    second = wd.split()[-1]
    capital = second[:1].isupper() or _key(wd) == "chủ nhật"
    if not capital or second.isdigit():
        return False
    if m.group("anchor"):
        return True
    before = text[max(0, m.start() - 12):m.start()]
    return bool(g.weekday_context_re.search(before)) \
        or text[m.end():m.end() + 2].lstrip().startswith("(")


def _weekday_value(iso: int, pub: date | None, direction: str | None, wk: str | None) -> str | None:
    if pub is None:
        return f"XXXX-WXX-{iso}"
    if wk:
        off = {"này": 0, "tới": 1, "sau": 1, "trước": -1, "qua": -1, "rồi": -1}[_key(wk).split()[-1]]
        monday = pub - timedelta(days=pub.isoweekday() - 1) + timedelta(weeks=off)
        return (monday + timedelta(days=iso - 1)).isoformat()
    delta = iso - pub.isoweekday()
    if direction == FUTURE:
        delta = delta if delta > 0 else delta + 7
    elif delta > 0:
        delta -= 7
    return (pub + timedelta(days=delta)).isoformat()


def _year_after(m, g: _Grammar, pub: date | None) -> tuple[int | None, bool]:
    """The year written after a date ("năm 2020", "năm ngoái"): (year, whether one was written)."""
    if m.group("y"):
        return int(m.group("y")), True
    if m.group("yrel"):
        return (pub.year + g.yrel[_key(m.group("yrel"))] if pub else None), True
    if m.group("ystem"):
        return _cycle_year(g, m.group("ystem"), m.group("ybranch")), True
    return None, False


def _lunar_value(g: _Grammar, d: int, lunar_month: int, year: int | None, pub: date | None) -> str | None:
    """Gregorian value of a day of the first lunar month (other months need a full calendar)."""
    if lunar_month != 1:
        return None
    if year is None and pub is not None and g.tet:
        year = min(g.tet, key=lambda yy: abs((g.tet[yy] - pub).days))
    if year not in g.tet:
        return None
    return (g.tet[year] + timedelta(days=d - 1)).isoformat()


def _h_day(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    d, mt = int(m.group("d")), m.group("m")
    mk = _key(mt)
    if not mt.isdigit() and not mt[:1].isupper():
        return
    rel = m.group("rel")
    if rel and (_key(rel) in g.rel_single or _key(rel) == "cùng ngày") and not (m.group("pod") or m.group("hh")):
        return  # "qua 8/2": a preposition, not "(sáng) qua"
    anchored = any(m.group(k) for k in ("hh", "pod", "rel", "wd", "anchor"))
    if not anchored and g.name_before_re.search(text, max(0, m.start() - 16), m.start()):
        return
    y, has_year = _year_after(m, g, pub)
    if mk in g.lunar_months or m.group("lunar"):
        lm = g.lunar_months.get(mk) or int(mt)
        add(_Cand(m.start(), m.end(), _lunar_value(g, d, lm, y if has_year else None, pub), "lunar"))
        return
    mo = int(mt) if mt.isdigit() else g.months.get(mk)
    if mo is None or not _valid(y, mo, d):
        return
    end, direction = (m.end(), None) if m.group("yrel") else g.suffix(text, m.end())
    if not has_year:
        y = _year_for_day(mo, d, pub, direction)
    time = _clock_time(m.group("hh"), m.group("mm"), m.group("pod"), g)
    # a bare d/m needs a licensing context; "30 tháng 7" or a written year does not
    weak = not anchored and not has_year and m.group("s") is not None
    if not anchored and m.group("s") is None and g.block_re.match(text, end):
        return  # "4 tháng 11 ngày": a duration
    if m.group("d0"):
        d0 = int(m.group("d0"))
        if not d0 < d:
            return
        value = f"{_day_value(y, mo, d0)}/{_day_value(y, mo, d)}"
        add(_Cand(m.start(), end, value, "dayrange", weak=weak))
        return
    add(_Cand(m.start(), end, _day_value(y, mo, d, time), "day", (y, mo, d), weak=weak,
              prio=1 if m.group("s") in (".", "-") else 0, inferred=not has_year))


def _cycle_year(g: _Grammar, stem: str, branch: str) -> int | None:
    """The year of the sexagenary cycle 1984-2043 (Giáp Tý = 1984) named by stem and branch."""
    s, b = g.stems[_key(stem)], g.branches[_key(branch)]
    for year in range(1984, 2044):
        if (year - 1984) % 10 == s and (year - 1984) % 12 == b:
            return year
    return None  # no such pair (stem and branch of different parity)


def _h_lunar(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    d = int(m.group("d"))
    year = None
    if m.group("stem") and m.group("branch"):
        year = _cycle_year(g, m.group("stem"), m.group("branch"))
    elif pub is not None:
        year = min(g.tet, key=lambda yy: abs((g.tet[yy] - pub).days)) if g.tet else None
    value = None
    if year in g.tet:
        day = g.tet[year] + timedelta(days=d - 1)
        value = day.isoformat()
    add(_Cand(m.start(), m.end(), value, "day"))


def _h_podrel(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    if m.group("rel"):
        if not (m.group("pod") or m.group("hh")):
            return
        if not m.group("pod") and _key(m.group("rel")) in g.rel_single:
            return  # "24h qua" is a duration, "sáng qua" a day
        time = _clock_time(m.group("hh"), m.group("mm"), m.group("pod"), g)
        rel = _key(m.group("rel"))
        if rel == "cùng ngày":
            add(_Cand(m.start(), m.end(), time, "clockref"))
            return
        unit, off = g.rel_pod[rel]
        v = _relative(unit, off, pub)
        point = None
        if v is not None:
            day = date.fromisoformat(v)
            point = (day.year, day.month, day.day)
        add(_Cand(m.start(), m.end(), None if v is None else v + time, "day", point))
    else:
        if not _weekday_ok(text, m, g):
            return
        end, direction = g.suffix(text, m.end())
        if m.group("wk"):
            end, direction = m.end(), None
        v = _weekday_value(g.weekdays[_key(m.group("wd"))], pub, direction, m.group("wk"))
        time = _clock_time(m.group("hh"), m.group("mm"), m.group("pod"), g)
        add(_Cand(m.start(), end, v + time if v and pub else v, "weekday"))


def _h_month(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    mt = m.group("m")
    mk = _key(mt)
    if not mt.isdigit() and not mt[:1].isupper():
        return
    if not m.group("edge") and g.name_before_re.search(text, max(0, m.start() - 16), m.start()):
        return
    if not m.group("edge") and g.number_before_re.search(text, max(0, m.start() - 4), m.start()):
        return  # "4 tháng 11 ngày": a duration, not November
    if mk in g.lunar_months:
        add(_Cand(m.start(), m.end(), None, "month"))
        return
    mo = int(mt) if mt.isdigit() else g.months[mk]
    y, has_year = _year_after(m, g, pub)
    end, direction = (m.end(), None) if m.group("yrel") else g.suffix(text, m.end())
    if not has_year:
        y = _year_for_month(mo, pub, direction)
    add(_Cand(m.start(), end, f"{_y(y)}-{mo:02d}", "month"))


def _h_year(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    if m.group("stem"):
        year = _cycle_year(g, m.group("stem"), m.group("branch"))
        if year is not None:
            add(_Cand(m.start(), m.end(), str(year), "year"))
        return
    if m.group("dec"):
        dy = m.group("dy")
        dec = dy[:3] if len(dy) == 4 else "19" + dy[0]
        add(_Cand(m.start(), m.end(), dec, "year"))
        return
    if m.group("unit"):
        unit = _key(m.group("unit"))
        edge = g.edges[_key(m.group("edge"))] if m.group("edge") else None
        end, direction = (m.end(), None) if m.group("new") else g.suffix(text, m.end(), allow_ago=True)
        off = {PAST: -1, "ago": -1, FUTURE: 1}.get(direction, 0)
        if unit == "năm":
            v = _y(pub.year + off if pub else None)
        elif unit == "tháng":
            v = _relative("M", off, pub) if pub else "XXXX-XX"
        else:
            v = _relative("W", off, pub, edge)
        if pub is None and end != m.end():
            v = None  # "đầu năm nay": deictic, unknown without the publication date
        add(_Cand(m.start(), end, v, "year"))
        return
    y = int(m.group("y"))
    if m.group("y2"):
        y2 = int(m.group("y2"))
        if not y < y2 <= y + 100:
            return
        add(_Cand(m.start(), m.end(), f"{y}/{y2}", "period"))
        return
    end, _ = g.suffix(text, m.end())
    add(_Cand(m.start(), end, f"{y:04d}", "year"))


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def _roman(s: str) -> int | None:
    """The value of an upper-case roman numeral (XXI -> 21), None if ``s`` is not one."""
    if not s.isupper() or any(ch not in _ROMAN for ch in s):
        return None
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = _ROMAN[a]
        total += -v if b != " " and _ROMAN[b] > v else v
    return total


def _h_century(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    c = m.group("c")
    n = int(c) if c.isdigit() else _roman(c)
    if n is None or not 1 <= n <= 30:
        return
    add(_Cand(m.start(), m.end(), f"{n - 1:02d}", "year"))  # TIMEX3: the 20th century is "19"


def _h_quarter(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    if m.group("q"):
        q = m.group("q")
        if not q.isdigit() and not q[:1].isupper():
            return  # "quý I", "quý Ba", not the adjective "quý" + a word
        q = int(q) if q.isdigit() else g.roman.get(_key(q))
        if q is None:
            return
        y, has_year = _year_after(m, g, pub)
        end = m.end()
        if not has_year:
            end, _ = g.suffix(text, m.end())
            y = pub.year if pub else None
        add(_Cand(m.start(), end, f"{_y(y)}-Q{q}", "quarter"))
        return
    y = int(m.group("y")) if m.group("y") else None
    if y is None:
        if m.group("hrel"):
            off = {"nay": 0, "ngoái": -1, "trước": -1, "tới": 1, "sau": 1}[_key(m.group("hrel"))]
            y = pub.year + off if pub else None
        elif pub:
            y = pub.year
    hedge = _key(m.group("hedge") or "đầu")
    hn = m.group("hn")
    n = 6 if hn is None else _num(g, hn)
    if n is None or not 1 <= n <= 11 or n != int(n):
        return
    n = int(n)
    first = hedge == "đầu"
    if m.group("hedge") is None and m.group("y") is None and not m.group("hrel"):
        return  # "6 tháng năm" without a year is not a half
    if n == 6:
        v = f"{_y(y)}-H{1 if first else 2}"
    elif n in (3,) :
        v = f"{_y(y)}-Q{1 if first else 4}"
    elif first:
        v = f"{_y(y)}-01/{_y(y)}-{n:02d}"
    else:
        v = f"{_y(y)}-{13 - n:02d}/{_y(y)}-12"
    if m.group("hrel") and pub is None:
        v = None
    add(_Cand(m.start(), m.end(), v, "half"))


def _h_period(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    y1, y2 = int(m.group("y1")), int(m.group("y2"))
    if not y1 < y2 <= y1 + 100:
        return
    add(_Cand(m.start(), m.end(), f"{y1}/{y2}", "period"))


def _h_duration(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    unit = _key(m.group("unit"))
    ucode = g.units[unit]
    if g.age_after_re.match(text, m.end()):
        return  # "36 tháng tuổi"; "lớp 10 năm học 2017-2018" (school year) likewise
    if ucode == "TH" and (g.clock_after_re.match(text, m.end())
                          or g.clock_before_re.search(text, max(0, m.start() - 20), m.start())):
        return  # a clock time ("lúc 9 giờ", "9 giờ sáng"), not a duration
    if ucode == "TM" and g.hour_before_re.search(text, max(0, m.start() - 6), m.start()):
        return
    if ucode in ("D", "M") and g.number_after_re.match(text, m.end()):
        return  # "3 tháng 2" is a date
    if g.recurring_before_re.search(text, max(0, m.start() - 20), m.start()):
        return
    if g.recurring_after_re.match(text, m.end()):
        return
    if m.group("unit")[:1].isupper():
        return  # "80 Ngày truyền thống": part of a name
    if ucode == "Y" and g.year_after_re.match(text, m.end()) and g.document_before_re.search(
            text, max(0, m.start() - 24), m.start()):
        return  # "Nghị định 188 năm 2025": a number and a year
    nt = _key(m.group("n"))
    end, direction = g.suffix(text, m.end(), allow_ago=True)
    start = m.start()
    if m.group("ago"):
        direction = "ago"
    else:
        approx = g.approx_before_re.search(text, max(0, start - 24), start)
        if approx:
            start = approx.start()
            if approx.group("ago"):
                direction = "ago"
    if direction == "later":
        direction = FUTURE  # "hai tuần nữa"
    if nt in g.words["qty"]:
        if direction == PAST or direction == "ago":
            v = "PAST_REF"
        elif direction == FUTURE:
            v = "FUTURE_REF"
        else:
            v = f"P{'T' if ucode in ('TH', 'TM') else ''}X{ucode[-1]}" if ucode not in ("DE", "CE") else f"PX{ucode}"
        add(_Cand(start, end, v, "duration"))
        return
    n = _num(g, nt)
    if n is None or n <= 0:
        return
    if m.group("n0"):  # "3 - 6 tháng": an approximate duration
        add(_Cand(start, m.end(), f"P{'T' if ucode in ('TH', 'TM') else ''}X{ucode[-1]}", "duration"))
        return
    ns = str(int(n)) if n == int(n) else str(n)
    if direction == "ago" and ucode in ("Y", "M", "W", "D") and n == int(n):
        v = _relative(ucode, -int(n), pub)
        add(_Cand(start, end, v, "date"))
        return
    if ucode in ("TH", "TM"):
        v = f"PT{ns}{ucode[-1]}"
    else:
        v = f"P{ns}{ucode}"
    add(_Cand(start, end, v, "duration"))


def _h_lex(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    if m.group("relp"):
        relp = _key(m.group("relp"))
        if relp.split()[-1] in ("tới", "qua", "trước", "sau") and g.after_prep_re.match(text, m.end()):
            return  # "từ đầu năm tới giờ": "tới" is a preposition
        unit, off = g.rel_any[relp]
        edge = g.edges[_key(m.group("edge"))] if m.group("edge") else None
        v = _relative(unit, off, pub, edge)
        kind = "day" if unit == "D" else "rel"
        point = None
        if unit == "D" and pub is not None:
            dd = pub + timedelta(days=off)
            point = (dd.year, dd.month, dd.day)
        add(_Cand(m.start(), m.end(), v, kind, point))
    elif m.group("vague"):
        add(_Cand(m.start(), m.end(), g.vague["any"][_key(m.group("vague"))], "ref"))
    elif m.group("vto"):
        add(_Cand(m.start(), m.end(), g.vague["after_to"][_key(m.group("vto"))], "now"))
    elif m.group("vin"):
        add(_Cand(m.start(), m.end(), g.vague["after_in"][_key(m.group("vin"))], "ref"))
    elif m.group("vcl"):
        add(_Cand(m.start(), m.end(), g.vague["clause"][_key(m.group("vcl"))], "ref"))
    elif m.group("vst"):
        add(_Cand(m.start(), m.end(), g.vague["clause_start"][_key(m.group("vst"))], "ref"))
    elif m.group("vpu"):
        add(_Cand(m.start(), m.end(), g.vague["before_punct"][_key(m.group("vpu"))], "ref"))


def _h_year_bare(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    if g.block_re.match(text, m.end()):
        return
    if g.doc_before_re.search(text, max(0, m.start() - 10), m.start()):
        return
    add(_Cand(m.start(), m.end(), m.group("y"), "year", weak=True, prio=2))


_HANDLERS: dict[str, Callable] = {
    "day": _h_day, "lunar": _h_lunar, "podrel": _h_podrel, "month": _h_month, "year": _h_year,
    "century": _h_century,
    "quarter": _h_quarter, "period": _h_period, "duration": _h_duration, "lex": _h_lex,
    "year_bare": _h_year_bare,
}


_TIME_WORDS = frozenset({"giờ", "h", "tiếng", "phút"})


def _digit_families(num: str, after: str, next_word: str | None) -> tuple[str, ...]:
    """The families that may start at a number, judged by what follows it (cheap dispatch)."""
    four = len(num) == 4
    if next_word is not None:  # "30 tháng 7", "19 giờ ngày", "6 tháng đầu năm", "2011 - 2020", "10 năm"
        if next_word == "tháng":
            return ("day", "duration", "quarter")
        if next_word in _TIME_WORDS:
            return ("day", "podrel", "duration")
        return ("period", "year_bare", "duration") if four else ("duration", "period")
    if after in ("/", ".", "-", "–"):
        if four:
            return ("day", "period", "year_bare")
        return ("day", "duration") if after in ("-", "–") else ("day",)
    if after in ("h", "g", ":"):
        return ("day", "podrel", "duration", "year_bare") if four and after == ":" else ("day", "podrel", "duration")
    if after == ",":  # "1,5 năm"
        return ("year_bare", "duration") if four else ("duration",)
    if after.isspace():  # "2011 - 2020", "3 - 6 tháng"
        return ("period", "year_bare", "duration") if four else ("duration",)
    return ("year_bare",) if four else ()


def _candidates(text: str, pub: date | None, g: _Grammar) -> list[_Cand]:
    """All candidate expressions of every family (overlapping; the selection comes later)."""
    out: list[_Cand] = []
    add = out.append
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer: keep offsets aligned
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    patterns = g.patterns
    for s in g.start_re.finditer(low):
        word = s.group("w")
        if word is None:
            fams = _digit_families(s.group("num"), s.group("after"), s.group("nw"))
        else:
            fams = g.families_by_word.get(f"{word} {s.group('w2')}") or g.families_by_word.get(word, ())
        pos = s.start()
        for fam in fams:
            m = patterns[fam].match(text, pos)
            if m is not None:
                _HANDLERS[fam](m, text, pub, g, add)
    return out


def _licensed(text: str, c: _Cand, prev_end: int | None, g: _Grammar) -> bool:
    """May a bare number (30/7, 6-2, 2017) stand as a date here?"""
    left = text[max(0, c.start - 25):c.start]
    if g.block_re.match(text, c.end):
        return False
    if prev_end is not None and c.start - prev_end <= 6 and g.joiner_re.fullmatch(text, prev_end, c.start):
        return True
    if c.kind == "year":
        return True
    if c.kind == "day" and g.day_list_re.search(text, max(0, c.start - 40), c.start):
        return True  # "hôm 3 và 4/5": the last of a list of days
    if not g.context_re.search(left):
        if c.kind != "day" or not g.day_name_re.search(text, max(0, c.start - 48), c.start):
            return False
    if left.rstrip().endswith("(") and not g.paren_close_re.match(text, c.end):
        return False
    if c.prio == 1 and g.score_re.search(left):
        return False
    if g.block_re.match(text, c.end):
        return False
    return True


def _select(text: str, cands: list[_Cand], g: _Grammar) -> list[_Cand]:
    """Longest non-overlapping candidates, left to right; bare numbers only where licensed."""
    cands.sort(key=lambda c: (c.start, -(c.end - c.start), c.prio))
    chosen: list[_Cand] = []
    last_end = -1
    for c in cands:
        if c.start < last_end:
            continue
        if c.weak:
            prev = chosen[-1].end if chosen else None
            if not _licensed(text, c, prev, g):
                continue
        chosen.append(c)
        last_end = c.end
    return chosen


def _endpoint(c: _Cand, pub: date | None, start: bool) -> str | None:
    if c.kind == "now":
        return pub.isoformat() if pub else "PRESENT_REF"
    v = c.value
    if v is None:
        return None
    if "/" in v:
        parts = v.split("/")
        return parts[0] if start else parts[-1]
    return v


def _day_lists(text: str, chosen: list[_Cand], g: _Grammar) -> list[_Cand]:
    """Add the days listed before a day that gives their month ("Ngày 22, 23 và sáng 24.6"): each one a DATE
    of that month, the first with its "ngày"."""
    out: list[_Cand] = []
    prev_end = 0
    for c in chosen:
        if c.kind == "day" and c.point is not None:
            lm = g.day_list_re.search(text, max(prev_end, c.start - 40), c.start)
            if lm:
                y, mo, d = c.point
                days = [(dm.start() + lm.start("list"), dm.end() + lm.start("list"), int(dm.group()))
                        for dm in re.finditer(r"\d+", lm.group("list"))]
                if all(a[2] < b[2] for a, b in zip(days, days[1:])) and days[-1][2] < d and \
                        all(_valid(y, mo, x[2]) for x in days):
                    for k, (s, e, x) in enumerate(days):
                        out.append(_Cand(lm.start() if k == 0 else s, e, _day_value(y, mo, x), "day", (y, mo, x)))
        out.append(c)
        prev_end = c.end
    return out


def _combine(text: str, chosen: list[_Cand], pub: date | None, g: _Grammar) -> list[_Cand]:
    """Join "từ A đến B" and "A - B" into periods; attach a period noun; resolve "cùng ngày"."""
    # "từ 29 đến 31/5": the first day borrows the month of the second
    prev_end = 0
    for k, c in enumerate(chosen):
        if c.kind == "day" and c.point is not None:
            fm = g.from_day_re.search(text, max(prev_end, c.start - 32), c.start)
            if fm:
                y, mo, d = c.point
                d0 = int(fm.group("d0"))
                if d0 < d:
                    chosen[k] = _Cand(fm.start(), c.end, f"{_day_value(y, mo, d0)}/{_day_value(y, mo, d)}",
                                      "period")
        prev_end = chosen[k].end
    chosen = _day_lists(text, chosen, g)
    out: list[_Cand] = []
    i = 0
    while i < len(chosen):
        c = chosen[i]
        nxt = chosen[i + 1] if i + 1 < len(chosen) else None
        if nxt is not None and c.kind not in ("duration", "ref"):
            frm = g.range_from_re.search(text, max(0, c.start - 8), c.start)
            if frm and g.range_to_re.fullmatch(text, c.end, nxt.start) and nxt.kind not in ("duration", "ref"):
                a, b = _endpoint(c, pub, True), _endpoint(nxt, pub, False)
                if a and b and (a.startswith("XXXX-") or c.inferred) and b[:4].isdigit() and c.kind == "day":
                    a = b[:4] + a[4:]  # "từ ngày 1/7 đến 15/7/2020": the year of the end
                v = f"{a}/{b}" if a and b else None
                out.append(_Cand(frm.start(), nxt.end, v, "period"))
                i += 2
                continue
            if (c.kind in ("day", "dayrange") and nxt.kind == "day" and c.value and nxt.value
                    and g.dash_re.fullmatch(text, c.end, nxt.start) and nxt.start - c.end <= 3):
                out.append(_Cand(c.start, nxt.end, f"{_endpoint(c, pub, True)}/{nxt.value}", "period"))
                i += 2
                continue
        out.append(c)
        i += 1
    prev_end = 0
    for c in out:
        if c.kind in ("period", "duration"):
            t = g.trigger_before_re.search(text, max(prev_end, c.start - 14), c.start)
            if t:
                c.start = t.start()
        prev_end = c.end
    # anaphora: "21 giờ cùng ngày" takes the day of the last day-level date
    last_point = None
    for k, c in enumerate(out):
        if c.kind == "clockref":
            if last_point is not None:
                y, mo, d = last_point
                c.value = _day_value(y, mo, d, c.value or "")
            else:
                c.value = None
        elif c.kind == "weekday" and k + 1 < len(out) and out[k + 1].point is not None \
                and text[c.end:out[k + 1].start].strip() == "(":
            y, mo, d = out[k + 1].point
            t = c.value.split("T", 1)[1] if c.value and "T" in c.value else ""
            c.value = _day_value(y, mo, d, "T" + t if t else "")
        if c.point is not None and c.kind == "day":
            last_point = c.point
    return out


def find_dates(text: str, published: str | None) -> list[tuple[int, int, str | None]]:
    """Find the DATE expressions of ``text``: ``(start, end, value)`` triples in text order.

    ``published`` is the ISO publication date (or None) that relative expressions are
    resolved against; without it an unknown year is ``XXXX`` and deictic expressions
    ("hôm nay", "năm nay") get the value None.
    """
    g = _grammar()
    pub = _pub(published)
    chosen = _select(text, _candidates(text, pub, g), g)
    return [(c.start, c.end, c.value) for c in _combine(text, chosen, pub, g)]


class DateTagger(Processor):
    """Adds DATE entities with a TIMEX3-style ``value`` attribute (see ``find_dates``)."""

    name = "dates"
    requires: frozenset[str] = frozenset()
    provides: frozenset[str] = frozenset({"dates"})

    def __init__(self, **config) -> None:
        super().__init__(**config)
        self.grammar = _grammar()

    def __call__(self, doc: Document) -> Document:
        found = find_dates(doc.text, doc.meta.get("published"))
        layer = []
        for start, end, value in found:
            doc.add_entity("DATE", start, end, source="rules", value=value)
            layer.append({"start": start, "end": end, "text": doc.text[start:end], "value": value})
        doc.layers["dates"] = layer
        return doc
