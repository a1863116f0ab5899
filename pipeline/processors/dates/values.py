"""TIMEX3 value arithmetic of the DATE stage: years, months and weekdays resolved against the
publication date, clock times, relative units, lunar and sexagenary-cycle years, roman numerals."""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from pipeline.processors.dates.grammar import FUTURE, PAST, _Grammar, _key


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


def _cycle_year(g: _Grammar, stem: str, branch: str) -> int | None:
    """The year of the sexagenary cycle 1984-2043 (Giáp Tý = 1984) named by stem and branch."""
    s, b = g.stems[_key(stem)], g.branches[_key(branch)]
    for year in range(1984, 2044):
        if (year - 1984) % 10 == s and (year - 1984) % 12 == b:
            return year
    return None  # no such pair (stem and branch of different parity)


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
