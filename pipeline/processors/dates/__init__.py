"""DATE stage: Vietnamese temporal expressions with TIMEX3-style values.

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

The word lists live in ``models/date_*.tsv``. The stage is layered:

- ``grammar``: the word lists and the pattern families compiled from them, with the scan for
  the places where an expression can start (built once per process);
- ``values``: TIMEX3 value arithmetic (years, weeks, months against the publication date);
- ``handlers``: one ``_h_<family>`` per family, turning a match into candidates;
- ``select``: the candidates of all families, the choice among them (longest first; a bare
  number such as "6-2" only where something licenses it as a date), then ranges ("từ ... đến
  ...") and anaphoric references ("21 giờ cùng ngày");
- ``tagger``: :func:`find_dates` and the :class:`DateTagger` processor.
"""
from pipeline.processors.dates.tagger import DateTagger, find_dates

__all__ = ["DateTagger", "find_dates"]
