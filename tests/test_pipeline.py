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
