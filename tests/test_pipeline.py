import pytest

from pipeline import Document, Pipeline, PipelineError, Processor, load
from pipeline.base import check_requirements


class _NeedsTokens(Processor):
    name = "needs_tokens"
    requires = frozenset({"tokens"})
    provides = frozenset({"x"})

    def __call__(self, doc):
        return doc


def test_requirement_error_names_the_stage_and_the_missing_layer():
    with pytest.raises(PipelineError, match=r"'tokens' requires sentences"):
        load(["normalize", "tokens"])


def test_requirement_error_for_a_custom_processor():
    with pytest.raises(PipelineError, match="needs_tokens.*tokens"):
        check_requirements([_NeedsTokens])
    with pytest.raises(PipelineError, match="needs_tokens"):
        Pipeline(["normalize", _NeedsTokens()])


def test_unknown_stage_lists_the_available_ones():
    with pytest.raises(PipelineError, match="unknown stage 'nope'.*normalize"):
        load(["nope"])


def test_unknown_tokenizer_backend():
    with pytest.raises(ValueError, match="unknown tokenizer backend"):
        load(["sentences", "tokens"], tokens={"backend": "nope"})


def test_pipeline_accepts_str_dict_and_document(base_nlp):
    a = base_nlp("Bộ Nội vụ họp.")
    b = base_nlp({"id": "d1", "text": "Bộ Nội vụ họp.", "meta": {"published": "2020-01-01"}})
    c = base_nlp(Document("Bộ Nội vụ họp.", id="d2"))
    assert a.text == b.text == c.text
    assert b.id == "d1" and b.meta["published"] == "2020-01-01"
    assert {"normalize", "sentences", "tokens"} <= b.done


def test_pipe_reports_bad_items_and_goes_on(base_nlp):
    bad = []
    docs = list(base_nlp.pipe(["một", {"id": "x"}, "hai"], on_error=lambda item, exc: bad.append(item)))
    assert [d.text for d in docs] == ["một", "hai"]
    assert bad == [{"id": "x"}]


def test_to_json_has_the_contract_fields(base_nlp):
    out = base_nlp({"id": "d", "text": "Hà Nội.\n\nHải Phòng.", "meta": {}}).to_json()
    assert {"id", "text", "meta", "sentences", "tokens", "entities"} <= set(out)
    assert [out["text"][s["start"]:s["end"]] for s in out["sentences"]] == ["Hà Nội.", "Hải Phòng."]


# -- meta.published that is not a date ------------------------------------------------------------
_RELATIVE = "Hôm qua, Bộ Nội vụ họp tại Hà Nội. Ngày 5/3 và tuần sau, Bộ sẽ họp tiếp."


@pytest.mark.parametrize("published", ["yesterday", 12345, "2020-13-45", "9999-12-31", "0001-01-01", "1899-12-31",
                                       "2101-01-01", "20200730", "2020-W31-4", True, ["2020-07-30"]])
def test_published_that_is_not_a_date_is_unknown_with_a_warning(nlp, published):
    from pipeline.schema import validate_record
    doc = nlp({"id": "p", "text": _RELATIVE, "meta": {"published": published}})
    assert len(doc.warnings) == 1  # read by several stages, reported once
    assert "meta.published" in doc.warnings[0] and repr(published) in doc.warnings[0]
    dates = {e.text: e.attrs["value"] for e in doc.entities if e.label == "DATE"}
    assert dates["Hôm qua"] is None and dates["tuần sau"] is None
    assert dates["Ngày 5/3"] == "XXXX-03-05"
    out = doc.to_json()
    assert "warnings" not in out
    assert out["meta"]["published"] is None and out["meta"]["published_invalid"] == published
    assert validate_record(out) == []


def test_published_dates_at_the_edges_give_four_digit_values(nlp):
    import re
    for published in ("1900-01-01", "2100-12-31"):
        doc = nlp({"id": "p", "text": _RELATIVE, "meta": {"published": published}})
        assert doc.warnings == []
        values = [e.attrs["value"] for e in doc.entities if e.label == "DATE"]
        assert values and all(re.fullmatch(r"\d{4}(-.*)?", v) for v in values), values


def test_published_warning_whatever_the_stages(base_nlp):
    doc = base_nlp({"id": "p", "text": "Một.", "meta": {"published": "hôm qua"}})
    assert len(doc.warnings) == 1 and doc.to_json()["meta"]["published"] is None


def test_valid_and_absent_published_give_no_warning(nlp):
    for meta in ({"published": "2020-07-30"}, {"published": "2020-07-30T08:00:00+07:00"}, {"published": None},
                 {"published": ""}, {}):
        doc = nlp({"id": "p", "text": _RELATIVE, "meta": meta})
        assert doc.warnings == []
        assert doc.to_json()["meta"].get("published") in (None, meta.get("published"))


# -- calling a pipeline on a Document twice --------------------------------------------------------
def test_calling_the_pipeline_twice_on_a_document_changes_nothing(nlp):
    doc = nlp({"id": "t", "text": _RELATIVE, "meta": {"published": "2020-07-30"}})
    first = doc.to_json()
    again = nlp(doc)
    assert again is doc and doc.to_json() == first
    assert len(doc.entities) == len({(e.label, e.start, e.end) for e in doc.entities})


def test_a_second_pipeline_runs_only_the_stages_not_yet_done(base_nlp, nlp):
    doc = base_nlp({"id": "t", "text": _RELATIVE, "meta": {"published": "2020-07-30"}})
    tokens = list(doc.tokens)
    nlp(doc)
    assert doc.tokens == tokens
    assert doc.to_json() == nlp({"id": "t", "text": _RELATIVE, "meta": {"published": "2020-07-30"}}).to_json()
