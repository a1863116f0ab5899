"""vnextract: extraction of ministries, officials, dates, places and reform areas from Vietnamese news.

>>> from pipeline import load
>>> nlp = load()
>>> doc = nlp("Thứ trưởng Bộ TT&TT Phạm Anh Tuấn phát biểu sáng nay.")
>>> doc.to_json()["entities"]  # doctest: +SKIP
"""
from __future__ import annotations

__version__ = "0.1.0"

from pipeline.base import DEFAULT_STAGES, Pipeline, PipelineError, Processor, register  # noqa: E402
from pipeline.document import Document, Entity, InvalidDocument, Span, Token  # noqa: E402


def load(stages: list[str] | None = None, **config: dict) -> Pipeline:
    """Build the pipeline: all default stages, or the given ones in that order.

    Keyword arguments configure stages by name, e.g. ``load(tokens={"backend": "underthesea"})``.
    """
    return Pipeline(stages, config=config)


__all__ = ["Document", "Entity", "InvalidDocument", "Pipeline", "PipelineError", "Processor",
           "Span", "Token", "DEFAULT_STAGES", "load", "register", "__version__"]
