"""pipeline.spans: the span index and span filtering every stage and format uses, against
brute force over random span sets."""
import random

import pytest

from pipeline.document import Entity
from pipeline.spans import POLICIES, Occupancy, SpanIndex, bounds, filter_spans, outermost


def random_spans(rng: random.Random, n: int, width: int = 60, longest: int = 12) -> list[tuple[int, int, int]]:
    out = []
    for i in range(n):
        s = rng.randrange(width)
        out.append((s, s + rng.randrange(1, longest + 1), i))
    return out


@pytest.mark.parametrize("seed", range(30))
def test_index_queries_equal_brute_force(seed):
    rng = random.Random(seed)
    spans = random_spans(rng, rng.randrange(0, 40))
    index = SpanIndex(spans)
    assert sorted(index) == sorted(spans) and len(index) == len(spans)
    for _ in range(50):
        s = rng.randrange(-3, 75)
        e = s + rng.randrange(0, 15)
        assert sorted(index.overlaps(s, e)) == sorted(x for x in spans if x[0] < e and s < x[1])
        assert index.any_overlap(s, e) == any(x[0] < e and s < x[1] for x in spans)
        assert sorted(index.covering(s, e)) == sorted(x for x in spans if x[0] <= s and e <= x[1])
        assert sorted(index.inside(s, e)) == sorted(x for x in spans if s <= x[0] and x[1] <= e)
        assert sorted(index.starts_within(s, e)) == sorted(x for x in spans if s <= x[0] < e)


def test_results_come_in_start_order_and_accept_any_span_shape():
    ents = [Entity("PLACE", 10, 15, "x" * 5), Entity("DATE", 0, 4, "y" * 4)]
    dicts = [{"start": 3, "end": 9}, {"start": 0, "end": 2}]
    assert [e.label for e in SpanIndex(ents).overlaps(0, 20)] == ["DATE", "PLACE"]
    assert SpanIndex(dicts).covering(4, 6) == [{"start": 3, "end": 9}]
    assert bounds((1, 2, "x")) == (1, 2) and bounds({"start": 3, "end": 4}) == (3, 4)


def brute_filter(spans, policy, taken=()):
    key = POLICIES[policy]
    order = sorted(range(len(spans)), key=lambda i: key(spans[i][:2]))  # stable: input order breaks ties
    kept, occupied = [], list(taken)
    for i in order:
        s, e = spans[i][:2]
        if all(e <= a or b <= s for a, b, *_ in occupied):
            kept.append(spans[i])
            occupied.append(spans[i])
    return sorted(kept, key=lambda x: x[:2]) if policy == "longest" else kept


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("policy", ["longest", "leftmost"])
def test_filter_spans_equals_the_greedy_definition(seed, policy):
    rng = random.Random(seed)
    spans = random_spans(rng, rng.randrange(0, 30))
    taken = random_spans(rng, rng.randrange(0, 4))
    got = filter_spans(spans, policy, taken=taken)
    assert got == brute_filter(spans, policy, taken)
    for a, b in zip(got, got[1:]):
        assert a[1] <= b[0]  # no two kept spans overlap, and they come in start order


def test_policies_and_the_tie_break():
    spans = [(0, 3, "a"), (2, 9, "b"), (5, 7, "c"), (2, 9, "d")]
    assert filter_spans(spans, "longest") == [(2, 9, "b")]          # same span twice: the first given wins
    assert filter_spans(spans, "leftmost") == [(0, 3, "a"), (5, 7, "c")]
    assert outermost([(0, 4, "x"), (1, 2, "y"), (4, 6, "z")]) == [(0, 4, "x"), (4, 6, "z")]


def test_accept_sees_what_was_kept_before():
    spans = [(0, 2, "a"), (3, 5, "b"), (6, 8, "c")]
    # keep a span only when the one kept before it ends right before it
    got = filter_spans(spans, "leftmost", accept=lambda x, kept: not kept or x[0] - kept[-1][1] <= 1)
    assert got == [(0, 2, "a"), (3, 5, "b"), (6, 8, "c")]
    got = filter_spans(spans, "leftmost", accept=lambda x, kept: x[2] != "b")
    assert got == [(0, 2, "a"), (6, 8, "c")]


def test_occupancy():
    occ = Occupancy(10, 20)
    assert occ.free(12, 15)
    occ.take(12, 15)
    assert not occ.free(14, 16) and not occ.free(0, 13) and occ.free(15, 30) and occ.free(0, 12)
    assert occ.free(13, 13)  # an empty span takes nothing and overlaps nothing
