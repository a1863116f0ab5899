"""Hugging Face ``datasets`` integration: annotate a ``datasets.Dataset`` with ``Dataset.map``.

>>> from datasets import Dataset
>>> from pipeline.runtime.hf import annotate_dataset
>>> ds = Dataset.from_list([{"id": "a", "text": "Bộ Nội vụ họp sáng nay.", "published": "2024-05-02"}])
>>> out = annotate_dataset(ds, num_proc=2)                       # doctest: +SKIP
>>> out[0]["entities"][0]["label"]                               # doctest: +SKIP

The pipeline is built once per process (``batch.worker_pipeline``). Columns
added: ``sentences`` and ``tokens`` (lists of structs), ``entities`` (list of
``{label, start, end, text, attrs}`` where ``attrs`` is the JSON of the
label-specific attributes, so every row has one Arrow type), ``normalized_text``
(the text the offsets refer to) and ``error`` (null, or why the row failed:
a bad row never stops the map). Works offline (``HF_DATASETS_OFFLINE=1``).
"""
from __future__ import annotations

import json

from pipeline.extras import require
from pipeline.runtime.engines import worker_pipeline


def _annotate_batch(batch: dict, text_column: str, id_column: str | None, stages, config) -> dict:
    from pipeline.document import Document
    nlp = worker_pipeline(stages, config)
    n = len(batch[text_column])
    out = {"normalized_text": [], "sentences": [], "tokens": [], "entities": [], "error": []}
    for i in range(n):
        text = batch[text_column][i]
        meta = {}
        meta_col = batch.get("meta")
        if meta_col is not None and isinstance(meta_col[i], dict):
            meta = dict(meta_col[i])
        for key in ("published", "title", "url"):
            if key in batch and key not in meta:
                value = batch[key][i]
                meta[key] = value.isoformat()[:10] if hasattr(value, "isoformat") else value
        doc_id = str(batch[id_column][i]) if id_column and id_column in batch else None
        try:
            if not isinstance(text, str):
                raise TypeError(f"text must be a string, got {type(text).__name__}")
            doc = nlp(Document(text, id=doc_id, meta=meta))
            doc.validate()
        except Exception as exc:  # noqa: BLE001 - reported in the row, never lost
            out["normalized_text"].append(None)
            out["sentences"].append([])
            out["tokens"].append([])
            out["entities"].append([])
            out["error"].append(f"document {doc_id!r}: {type(exc).__name__}: {exc}")
            continue
        out["normalized_text"].append(doc.text)
        out["sentences"].append([s.to_json() for s in doc.sentences])
        out["tokens"].append([t.to_json() for t in doc.tokens])
        out["entities"].append([
            {"label": e.label, "start": e.start, "end": e.end, "text": e.text,
             "attrs": json.dumps(e.attrs, ensure_ascii=False, sort_keys=True)}
            for e in doc.sorted_entities()])
        out["error"].append(None)
    return out


def annotate_dataset(ds, text_column: str = "text", id_column: str | None = "id", num_proc: int | None = None,
                     batch_size: int = 64, stages: list[str] | None = None, config: dict | None = None,
                     **map_kwargs):
    """Return ``ds`` with annotation columns added (see the module docstring).

    ``num_proc`` processes each build the pipeline once; ``map_kwargs`` go to ``Dataset.map``.
    """
    if text_column not in ds.column_names:
        raise ValueError(f"the dataset has no column {text_column!r} (columns: {', '.join(ds.column_names)})")
    if id_column is not None and id_column not in ds.column_names:
        id_column = None
    worker_pipeline(stages, config or {})  # fail fast on a bad configuration, before any process starts
    datasets = require("datasets", "annotate_dataset")
    Features, Value = datasets.Features, datasets.Value
    span = {"start": Value("int64"), "end": Value("int64")}
    features = Features({
        **ds.features,
        "normalized_text": Value("string"),
        "sentences": [span],
        "tokens": [{**span, "pos": Value("string")}],
        "entities": [{"label": Value("string"), **span, "text": Value("string"), "attrs": Value("string")}],
        "error": Value("string"),
    })
    return ds.map(_annotate_batch, batched=True, batch_size=batch_size, num_proc=num_proc,
                  fn_kwargs={"text_column": text_column, "id_column": id_column, "stages": stages,
                             "config": config or {}},
                  features=features, desc="vnextract", **map_kwargs)
