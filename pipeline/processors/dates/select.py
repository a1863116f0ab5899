"""From matches to DATEs: the candidates of every family, the choice among them, and what joins them.

The candidates of all families are merged (longest first; a bare number such as "6-2" only where
something licenses it as a date), then ranges ("từ ... đến ...") and anaphoric references ("21 giờ
cùng ngày") are resolved.
"""
from __future__ import annotations

from datetime import date
import re

from pipeline.processors.dates.grammar import _Grammar
from pipeline.processors.dates.handlers import _HANDLERS, _Cand
from pipeline.processors.dates.values import _day_value, _valid
from pipeline.spans import filter_spans


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
    # an expression never crosses a line break (blanks in the patterns are SP/OSP): a family's
    # pattern is matched up to the end of the line, since the regex module would otherwise look for
    # the pattern's required word ("thế kỷ" after "thượng tuần") in the whole rest of the text
    line_end = -1
    for s in g.start_re.finditer(low):
        word = s.group("w")
        if word is None:
            fams = _digit_families(s.group("num"), s.group("after"), s.group("nw"))
        else:
            fams = g.families_by_word.get(f"{word} {s.group('w2')}") or g.families_by_word.get(word, ())
        pos = s.start()
        if pos > line_end:
            line_end = text.find("\n", pos)
            if line_end < 0:
                line_end = len(text)
        for fam in fams:
            m = patterns[fam].match(text, pos, line_end)
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
    """Longest non-overlapping candidates, left to right; bare numbers only where licensed.

    Of candidates with the same span, the one with the lowest ``prio`` is tried first. A weak
    candidate must be licensed by its context or by the date chosen just before it."""
    def licensed(c: _Cand, chosen: list[_Cand]) -> bool:
        return not c.weak or _licensed(text, c, chosen[-1].end if chosen else None, g)

    return filter_spans(sorted(cands, key=lambda c: c.prio), "leftmost", accept=licensed)


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
