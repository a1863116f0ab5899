"""The handlers of the DATE stage: one ``_h_<family>`` per pattern family of the grammar, turning a
match into zero or more candidates (``_Cand``) with their TIMEX3 value."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from pipeline.processors.dates.grammar import FUTURE, PAST, _Grammar, _key
from pipeline.processors.dates.values import (
    _clock_time, _cycle_year, _day_value, _lunar_value, _num, _relative, _roman, _valid, _weekday_value,
    _y, _year_after, _year_for_day, _year_for_month)


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


def _h_lunar(m, text: str, pub: date | None, g: _Grammar, add: Callable) -> None:
    d = int(m.group("d"))
    if m.group("stem") and m.group("branch"):  # a named year ("Tết Đinh Dậu"), even one not in the cycle
        value = _lunar_value(g, d, 1, _cycle_year(g, m.group("stem"), m.group("branch")), None)
    else:  # the Tết nearest to the publication date
        value = _lunar_value(g, d, 1, None, pub)
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
