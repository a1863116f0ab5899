"""The DATE grammar: the word lists of ``models/date_*.tsv`` and the patterns that combine them.

Each family of expressions (days, months, years, quarters, periods, durations, lexicon phrases,
...) is one compiled regular expression. One scan of the text (``start_re``) finds the numbers and
the words an expression can start with, and ``families_by_word`` says which families can start
there; only those are matched, anchored, at that position. The grammar is built once per process
(:func:`_grammar`) and shared by every DateTagger.
"""
from __future__ import annotations

from datetime import date
import re

import regex

from pipeline.resources import read_tsv, shared
from pipeline.text.patterns import trie_pattern

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
    """A non-capturing alternation of phrases, factored as a trie (``trie_pattern``: the longer
    phrase tried first), blanks matching any run of blanks inside one line."""
    return "(?:" + trie_pattern({" ".join(p.split()) for p in phrases} - {""}, blank=SP) + ")"


def _anchored(pattern: str, flags: int = 0) -> regex.Pattern:
    """Compile a pattern that is only ever matched at a given position (``.match``).

    When every match of a pattern contains some literal ("tháng", "thế kỷ"), the regex module
    first searches the whole rest of the string (up to ``endpos``) for it before trying the
    position: on one long line, each start word then costs the length of the rest of the line
    ("Họp vào thượng tuần. " x 20,000 took 20 s). The extra branch ``(?!)`` never matches, so the
    pattern matches what it did, but no literal is required of every match any more and a failed
    attempt costs only what the pattern itself reads."""
    return regex.compile(f"(?:{pattern})|(?!)", flags)


def _key(s: str) -> str:
    return " ".join(s.casefold().split())


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
        # one-word relative days ("qua", "nay"): prepositions too, unless a part of day comes first
        self.rel_single = {k for k in self.rel_pod if " " not in k}
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
        rel_any = _alt(self.rel_any)
        # a year given after the date: "ngày 8/11 năm ngoái", "tháng 7 năm 2020"
        yafter = (rf"(?:,?{SP}năm{SP}(?:(?P<yrel>{_alt(self.yrel)})|(?P<y>{YEAR})"
                  rf"|(?P<ystem>{_alt(self.stems)}){SP}(?P<ybranch>{_alt(self.branches)}))(?!\w))?")
        dmy = (f"(?:(?P<y>{BARE_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\\d|3[01])"
               f"|(?P<d0>{DAY}){OSP}[-–]{OSP}(?P<d>{DAY})(?P<s>[/.])(?P<m>{MON})(?:(?P=s)(?P<y>{YEAR}))?"
               f"|(?P<d>{DAY})(?P<s>[/.\\-])(?P<m>{MON})(?:(?P=s)(?P<y>{YEAR}))?"
               f"|(?P<d>{DAY}){SP}tháng{SP}(?P<m>{mon})(?:,?{SP}năm{SP}(?P<y>{YEAR}))?)")
        # F1: [clock] [part of day] [nay] [weekday,] [ngày|hôm] d/m[/y]
        self.day_re = _anchored(
            rf"(?<!\w)(?:(?:{CLOCK}){SP})?(?:(?P<pod>{pod}){SP})?(?:(?P<rel>{rel_pod}){SP})?"
            rf"(?:(?:ngày{SP})?(?P<wd>{wd}){OSP},?{SP})?(?:(?P<anchor>{anchor}){SP})?"
            rf"{NUM_START}{dmy}{NUM_END}{yafter}(?P<lunar>{SP}(?:âm{SP}lịch|ÂL)(?!\w))?", f)
        # F1b: [clock] [part of day] + relative day / weekday without a number
        self.podrel_re = _anchored(
            rf"(?<!\w)(?:(?:{CLOCK}){SP})?(?:(?P<pod>{pod}){SP})?"
            rf"(?:(?P<rel>{rel_pod})|(?:(?P<anchor>ngày|hôm){SP})?(?P<wd>{wd})"
            rf"(?:{SP}(?P<wk>tuần{SP}(?:này|tới|sau|trước|qua|rồi)))?)(?!\w)", f)
        # lunar: mùng 6 Tết [Đinh Dậu] / mùng 6 tháng Giêng
        self.lunar_re = _anchored(
            rf"(?<!\w)(?:mùng|mồng){SP}(?P<d>[1-9]|10)(?:(?P<gieng>{SP}tháng{SP}giêng)|(?={SP}tết))"
            rf"(?:(?={SP}tết{SP}(?P<stem>{_alt(self.stems)}){SP}(?P<branch>{_alt(self.branches)})(?!\w))"
            rf"|(?=(?:{SP}năm)?{SP}(?P<stem>{_alt(self.stems)}){SP}(?P<branch>{_alt(self.branches)})(?!\w)))?", f)
        # F2: [edge] tháng m [/y | năm y]
        self.month_re = _anchored(
            rf"(?<!\w)(?:(?P<edge>{edge}){SP})?tháng{SP}(?P<m>{mon})"
            rf"(?:{OSP}(?P<s>[/.\-]){OSP}(?P<y>{YEAR}))?{NUM_END}{yafter}", f)
        # F3: [những ngày] [edge] năm y[-y2] | edge + unit | decades
        self.year_re = _anchored(
            rf"(?<!\w)(?:(?P<pre>(?:những|các){SP}(?:ngày|tháng|tuần){SP}))?(?:(?P<edge>{edge}){SP})?"
            rf"(?:năm{SP}(?P<y>{YEAR})(?:{OSP}[-–]{OSP}(?:năm{SP})?(?P<y2>{YEAR}))?{NUM_END}"
            rf"|(?P<dec>(?:những{SP}năm|thập{SP}(?:niên|kỷ)){SP}(?P<dy>(?:19|20)?\d0)){NUM_END}"
            rf"|năm{SP}(?P<stem>{_alt(self.stems)}){SP}(?P<branch>{_alt(self.branches)})(?!\w)"
            rf"|(?<=(?:{edge}){SP})(?P<unit>năm|tháng|tuần)(?P<new>{SP}mới)?"
            rf"(?!{SP}(?:học|tài{SP}chính|tuổi|âm{SP}lịch|\d))(?!\w))",
            f)
        # F3b: centuries (thế kỷ 20, thế kỷ XXI, đầu thế kỷ thứ 21)
        self.century_re = _anchored(
            rf"(?<!\w)(?:(?P<edge>{edge}){SP})?thế{SP}kỷ{SP}(?:thứ{SP})?(?P<c>\d{{1,2}}|[IVXLivxl]{{1,6}})(?!\w)", f)
        # F4: quarters and halves
        self.quarter_re = _anchored(
            rf"(?<!\w)(?:(?P<edge>{edge}){SP})?quý{SP}(?P<q>{_alt(self.roman)}|[1-4])"
            rf"(?:{OSP}[/.\-]{OSP}(?P<y>{YEAR})|{SP}(?P<y>{YEAR}))?{NUM_END}{yafter}"
            rf"|(?<!\w)(?P<hn>\d{{1,2}}|{numw}){SP}tháng{SP}(?:(?P<hedge>đầu|cuối){SP})?năm"
            rf"(?:{OSP}(?:[/.\-]{OSP})?(?P<y>{YEAR})|{SP}(?P<hrel>nay|ngoái|trước|tới|sau))?{NUM_END}"
            rf"|(?<!\w)nửa{SP}(?P<hedge>đầu|cuối|sau){SP}năm"
            rf"(?:{SP}(?P<y>{YEAR})|{SP}(?P<hrel>nay|ngoái|trước|tới|sau))?(?!\w)",
            f)
        # F5: periods of years
        self.period_re = _anchored(
            rf"(?<!\w)(?:(?P<trig>{trig}){SP})?{NUM_START}(?P<y1>{BARE_YEAR}){OSP}[-–—]{OSP}"
            rf"(?P<y2>{BARE_YEAR}){NUM_END}", f)
        # F6: durations
        self.duration_re = _anchored(
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
        self.lex_re = _anchored(
            rf"(?<!\w)(?:(?:(?P<edge>{edge}){SP})?(?P<relp>{rel_any})|(?P<vague>{vague_any}))(?!\w)"
            rf"|(?<=(?<!\w)(?:từ|đến|tới){SP})(?P<vto>{vague_to})(?!\w)"
            rf"|(?<=(?<!\w)trong{SP})(?P<vin>{vague_in})(?!\w)"
            rf"|(?<=(?:^|[.!?:;\n\"“(]){OSP})(?P<vcl>{vague_clause})(?={OSP},)"
            rf"|(?<=(?:^|[.!?:;,\n\"“(]){OSP})(?P<vst>{vague_start})(?!\w)"
            rf"|(?<!\w)(?<!\){OSP})(?P<vpu>{vague_punct})(?={OSP}(?:[.,;:!?”\"’)…]|$))", f | regex.MULTILINE)
        # F8: a bare year
        self.year_bare_re = _anchored(rf"{NUM_START}(?P<y>{BARE_YEAR}){NUM_END}(?!{OSP}[-–]{OSP}\d)")
        # helpers
        sfx = _alt(k for k, v in self.suffixes.items() if v not in ("ago", "later"))
        self.suffix_re = _anchored(rf"{SP}(?P<sfx>{sfx})(?!\w)", f)
        self.ago_re = _anchored(rf"{SP}(?P<sfx>{_alt(self.suffixes)})(?!\w)", f)
        # after an ambiguous suffix (tới, qua): a name, a number or a date word means it was a preposition
        self.after_prep_re = _anchored(
            rf"{SP}(?:[A-ZĐÀ-Ỹ0-9]|{_alt(w['prep_follow'])}(?!\w))")
        self.context_re = regex.compile(
            rf"(?:(?<!\w){_alt(w['context'])}{SP}|\({OSP})\Z", f)
        self.score_re = regex.compile(rf"(?<!\w){_alt(w['score'])}(?!\w)", f)
        self.block_re = _anchored(rf"{OSP}(?:%|{_alt(k for k in w['block'] if k != '%')}(?!\w))", f)
        self.doc_before_re = regex.compile(rf"(?<!\w){_alt(w['quantifier'])}{SP}\Z", f)
        self.name_before_re = regex.compile(rf"(?<!\w){_alt(w['name'])}{SP}\Z", f)
        self.from_day_re = regex.compile(
            rf"(?<!\w)(?:kể{SP})?từ{SP}(?:ngày{SP})?(?P<d0>{DAY}){SP}(?:đến|tới){SP}(?:hết{SP})?"
            rf"(?:ngày{SP})?\Z", f)
        # "hơn 50 năm", "gần một tiếng", "cách đây hơn 10 năm": the modifier is part of a duration
        self.approx_before_re = regex.compile(
            rf"(?<!\w)(?:(?P<ago>cách{SP}đây){SP})?{_alt(w['approx'])}{SP}\Z", f)
        # "15 ngày một lần": a frequency, not a DATE
        self.recurring_after_re = _anchored(rf"{SP}{_alt(w['recurring_after'])}(?!\w)", f)
        self.recurring_before_re = regex.compile(
            rf"(?<!\w){_alt(w['recurring'])}(?:{SP}(?:chừng|khoảng|độ))?{SP}\Z", f)
        self.document_before_re = regex.compile(rf"(?<!\w){_alt(w['document'])}{SP}(?:số{SP})?\Z", f)
        # "Ngày Nhà giáo Việt Nam 20-11", "ngày khai giảng 5.9": a day name, then its date
        self.day_name_re = regex.compile(
            rf"(?<!\w)(?:ngày|lễ|dịp|kỷ{SP}niệm)(?:{SP}[^\W\d_]+){{1,6}}{SP}\Z", f)
        # small context checks of the handlers
        self.weekday_context_re = regex.compile(rf"(?<!\w)(?:vào|từ|đến|tới|trước|sau|hôm|ngày){SP}\Z", f)
        self.number_before_re = regex.compile(rf"\d{SP}\Z")
        self.age_after_re = _anchored(rf"{SP}(?:tuổi|học)(?!\w)", f)
        self.clock_after_re = _anchored(rf"{OSP}(?:\d|{pod}(?!\w)|ngày|hôm|cùng{SP}ngày)", f)
        self.clock_before_re = regex.compile(
            rf"(?<!\w)(?:lúc|vào|từ|đến|tới)(?:{SP}(?:khoảng|chừng|gần|hơn))?{SP}\Z", f)
        self.hour_before_re = regex.compile(rf"(?:giờ|h){OSP}\Z", f)
        self.number_after_re = _anchored(rf"{SP}\d")
        self.year_after_re = _anchored(rf"{SP}\d{{4}}")
        self.paren_close_re = _anchored(rf"{OSP}[),;]")
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
            rf"|(?<!\w)(?P<w>{_alt(first_words)})(?!\w)(?:(?={SP}(?P<w2>\w+)))?")

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


@shared
def _grammar() -> _Grammar:
    """The grammar, compiled on first use and shared by the whole process."""
    return _Grammar()
