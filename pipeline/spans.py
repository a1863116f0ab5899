"""Span queries and span filtering: the one place where stages and exports ask which spans overlap.

A span is anything with a start and an end offset (end exclusive): a ``(start, end, ...)`` tuple,
an :class:`~pipeline.document.Entity`, a :class:`~pipeline.document.Token`, or a dict with
``"start"`` and ``"end"`` keys. Two spans overlap when ``a.start < b.end and b.start < a.end``.

- :class:`SpanIndex` answers ``overlaps``, ``covering`` and ``inside`` over a fixed set of spans
  by binary search.
- :func:`filter_spans` keeps the spans that do not overlap each other, by one of two policies
  with one documented tie-break.
- :class:`Occupancy` marks the characters taken by spans chosen one at a time.

No query here walks every span: each costs a binary search plus the spans it looks at.
"""
from __future__ import annotations

import bisect
from typing import Any, Callable, Generic, Iterable, Iterator, TypeVar

T = TypeVar("T")


def bounds(span: Any) -> tuple[int, int]:
    """``(start, end)`` of a tuple, a dict or an object with ``start`` and ``end``."""
    if isinstance(span, tuple):
        return span[0], span[1]
    if isinstance(span, dict):
        return span["start"], span["end"]
    return span.start, span.end


class SpanIndex(Generic[T]):
    """A fixed set of spans, sorted by start, queried by binary search.

    A span that overlaps ``start:end`` starts before ``end`` and no earlier than ``start`` minus
    the longest span's length, so a query bisects to that window and checks only the spans
    starting in it: ``O(log n + m)``, where ``m`` counts the spans starting within one longest-span
    length before the query. For entities, tokens and sentences that is the spans near the query,
    not the whole document. Results come in start order (then end order).
    """

    __slots__ = ("_items", "_starts", "_ends", "_longest")

    def __init__(self, spans: Iterable[T] = ()) -> None:
        keyed = sorted(((*bounds(s), i, s) for i, s in enumerate(spans)), key=lambda k: k[:3])
        self._items: list[T] = [k[3] for k in keyed]
        self._starts: list[int] = [k[0] for k in keyed]
        self._ends: list[int] = [k[1] for k in keyed]
        self._longest = max((e - s for s, e, _, _ in keyed), default=0)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def _window(self, start: int, end: int) -> range:
        lo = bisect.bisect_left(self._starts, start - self._longest)
        hi = bisect.bisect_left(self._starts, end)
        return range(lo, hi)

    def overlaps(self, start: int, end: int) -> list[T]:
        """The spans sharing at least one character with ``start:end``."""
        ends, items = self._ends, self._items
        return [items[i] for i in self._window(start, end) if ends[i] > start]

    def any_overlap(self, start: int, end: int) -> bool:
        """Whether any span shares a character with ``start:end``."""
        ends = self._ends
        return any(ends[i] > start for i in self._window(start, end))

    def covering(self, start: int, end: int) -> list[T]:
        """The spans that contain ``start:end`` (``s <= start and end <= e``)."""
        ends, items = self._ends, self._items
        hi = bisect.bisect_right(self._starts, start)
        lo = bisect.bisect_left(self._starts, end - self._longest)
        return [items[i] for i in range(lo, hi) if ends[i] >= end]

    def inside(self, start: int, end: int) -> list[T]:
        """The spans contained in ``start:end`` (``start <= s and e <= end``)."""
        starts, ends, items = self._starts, self._ends, self._items
        lo = bisect.bisect_left(starts, start)
        hi = bisect.bisect_left(starts, end)
        return [items[i] for i in range(lo, hi) if ends[i] <= end]

    def starts_within(self, start: int, end: int) -> list[T]:
        """The spans whose start lies in ``start:end``."""
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_left(self._starts, end)
        return self._items[lo:hi]


class Occupancy:
    """The characters of a text taken by spans chosen one at a time.

    ``free`` and ``take`` cost the length of the span (a byte search and a slice assignment in
    C), so choosing spans greedily costs the total length of the candidates, never their count
    squared. Empty spans are always free and take nothing.
    """

    __slots__ = ("_taken", "_offset")

    def __init__(self, start: int, end: int) -> None:
        self._offset = start
        self._taken = bytearray(max(0, end - start))

    @classmethod
    def over(cls, spans: Iterable[Any]) -> "Occupancy":
        """An occupancy wide enough for every span in ``spans``."""
        lo, hi = None, 0
        for s in spans:
            a, b = bounds(s)
            lo = a if lo is None or a < lo else lo
            hi = b if b > hi else hi
        return cls(lo or 0, hi)

    def free(self, start: int, end: int) -> bool:
        a, b = start - self._offset, end - self._offset
        return self._taken.find(1, max(a, 0), max(b, 0)) < 0

    def take(self, start: int, end: int) -> None:
        a, b = max(start - self._offset, 0), max(end - self._offset, 0)
        if b > a:
            self._taken[a:b] = b"\x01" * (b - a)


#: ``filter_spans`` policies: the sort key that decides which of two overlapping spans wins
POLICIES: dict[str, Callable[[tuple[int, int]], tuple]] = {
    # the longest span wins; of two as long, the one that starts first
    "longest": lambda se: (se[0] - se[1], se[0]),
    # the span that starts first wins; of two that start together, the longer
    "leftmost": lambda se: (se[0], se[0] - se[1]),
}


def filter_spans(spans: Iterable[T], policy: str = "longest", *, taken: Iterable[Any] = (),
                 accept: Callable[[T, list[T]], bool] | None = None) -> list[T]:
    """The spans of ``spans`` that overlap neither each other nor ``taken``, in start order.

    Spans are considered in the order of ``policy`` (see :data:`POLICIES`): ``"longest"`` tries
    longer spans first, ``"leftmost"`` earlier ones first. **Tie-break:** two spans equal under the
    policy's key (same start and end) keep the order they were given in, so a caller decides ties by
    the order of its input. A span is kept when it overlaps no span kept before it, nor any span of
    ``taken``, and ``accept(span, kept_so_far)`` (if given) says yes; ``kept_so_far`` is in the
    order the spans were kept. Empty spans overlap nothing. Cost: a sort, plus the candidates'
    total length.
    """
    items = list(spans)
    if not items:
        return []
    key = POLICIES[policy]
    order = sorted(range(len(items)), key=lambda i: key(bounds(items[i])))
    seeds = list(taken)
    occ = Occupancy.over(items + seeds)
    for t in seeds:
        occ.take(*bounds(t))
    kept: list[T] = []
    for i in order:
        s, e = bounds(items[i])
        if occ.free(s, e) and (accept is None or accept(items[i], kept)):
            occ.take(s, e)
            kept.append(items[i])
    if policy != "leftmost":
        kept.sort(key=lambda x: bounds(x))
    return kept


def outermost(spans: Iterable[T]) -> list[T]:
    """The outermost spans: no kept span inside or across another, longest first, in start order.

    This is what "outermost entities" means everywhere (CoNLL, spaCy ``doc.ents``, displaCy).
    """
    return filter_spans(spans, "longest")
