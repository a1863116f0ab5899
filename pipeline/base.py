"""Processors (stages) and the Pipeline that chains them.

A processor declares ``name``, ``requires`` (the layers it reads) and ``provides`` (the layers it
adds), loads its resources once in ``__init__`` and, when called on a Document, adds its own layer.
It keeps nothing about a document on ``self``: one built pipeline may be called from many threads
at once. A Pipeline is built from an ordered list of stage names; it checks that every requirement
is provided by an earlier stage and raises PipelineError naming what is missing.
"""
from __future__ import annotations

import gc
import importlib
from typing import Any, Callable, ClassVar, Iterable, Iterator

from pipeline.docdate import published_date
from pipeline.document import Document, InvalidDocument


class PipelineError(ValueError):
    """A pipeline that cannot be built (unknown stage, unmet requirement)."""


class Processor:
    """Base class of a stage. Subclasses set the class attributes and implement ``__call__``."""

    name: ClassVar[str] = ""
    requires: ClassVar[frozenset[str]] = frozenset()
    provides: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, **config: Any) -> None:
        self.config = config

    def __call__(self, doc: Document) -> Document:  # pragma: no cover - interface
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


# name -> "module:Class", imported lazily so that building a pipeline only loads what it uses
_REGISTRY: dict[str, str | type[Processor]] = {
    "normalize": "pipeline.processors.normalize:Normalizer",
    "sentences": "pipeline.processors.sentences:SentenceSplitter",
    "tokens": "pipeline.processors.tokens:Tokenizer",
    "abbreviations": "pipeline.processors.abbreviations:AbbreviationFinder",
    "ministries": "pipeline.processors.ministries:MinistryTagger",
    "places": "pipeline.processors.places:PlaceTagger",
    "officials": "pipeline.processors.officials:OfficialTagger",
    "dates": "pipeline.processors.dates:DateTagger",
    "reform_areas": "pipeline.processors.reform_areas:ReformAreaTagger",
    "ner_model": "pipeline.processors.ner_model:NerModelTagger",
}

#: the stages of ``load()`` with no arguments, in order
DEFAULT_STAGES: tuple[str, ...] = ("normalize", "sentences", "tokens", "abbreviations", "ministries", "places",
                                   "officials", "dates", "reform_areas")

#: the statistical NER fallback: its model is built locally from research-only data
#: (python3 -m pipeline.train.ner), so it is opt-in: ``load(DEFAULT_STAGES + MODEL_STAGES)``
MODEL_STAGES: tuple[str, ...] = ("ner_model",)


def register(name: str, target: str | type[Processor]) -> None:
    """Make a stage class (or its ``"module:Class"`` path) available under ``name``.

    Registering adds a name that ``load([...])`` and ``--stages`` accept; it never changes what
    ``load()`` builds by default. To run a new stage, name it: ``load(DEFAULT_STAGES + ("mine",))``.
    """
    _REGISTRY[name] = target


def available_stages() -> list[str]:
    return sorted(_REGISTRY)


def stage_class(name: str) -> type[Processor]:
    try:
        target = _REGISTRY[name]
    except KeyError:
        raise PipelineError(f"unknown stage {name!r}; available: {', '.join(available_stages())}") from None
    if isinstance(target, str):
        module_name, _, cls_name = target.partition(":")
        target = getattr(importlib.import_module(module_name), cls_name)
    return target


def check_requirements(classes: Iterable[type[Processor]]) -> None:
    """Raise PipelineError if a stage requires a layer no earlier stage provides."""
    provided: set[str] = set()
    problems = []
    for cls in classes:
        missing = set(cls.requires) - provided
        if missing:
            problems.append(f"stage {cls.name!r} requires {', '.join(sorted(missing))}, "
                            f"which no earlier stage provides")
        provided |= set(cls.provides)
    if problems:
        raise PipelineError("; ".join(problems))


class Pipeline:
    """An ordered chain of processors. Call it on a string, a dict or a Document."""

    def __init__(self, stages: Iterable[str | Processor] | None = None,
                 config: dict[str, dict] | None = None) -> None:
        config = config or {}
        names = list(DEFAULT_STAGES if stages is None else stages)
        classes = [type(s) if isinstance(s, Processor) else stage_class(s) for s in names]
        check_requirements(classes)
        # Loading builds hundreds of thousands of long-lived objects (word lists, tries, patterns):
        # the cyclic collector would walk them again and again while they are built and find
        # nothing to free, which was a tenth of the start-up. It is off for the build only.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.processors: tuple[Processor, ...] = tuple(
                s if isinstance(s, Processor) else cls(**config.get(cls.name, {}))
                for s, cls in zip(names, classes))
        finally:
            if was_enabled:
                gc.enable()
        from pipeline.text import compiled
        compiled.save()  # the patterns compiled for the first time, for the next process

    @property
    def stage_names(self) -> list[str]:
        return [p.name for p in self.processors]

    def make_doc(self, item: str | dict | Document, id: str | None = None,
                 meta: dict | None = None) -> Document:
        if isinstance(item, Document):
            return item
        if isinstance(item, str):
            return Document(item, id=id, meta=meta)
        if isinstance(item, dict):
            return Document.from_dict(item)
        raise InvalidDocument(f"cannot make a document from {type(item).__name__}")

    def __call__(self, item: str | dict | Document, id: str | None = None,
                 meta: dict | None = None) -> Document:
        """Run the stages over ``item`` (a text, a ``{"id", "text", "meta"}`` record or a Document)
        and return the Document.

        A Document passed in is annotated in place. A stage it already went through (its name is in
        ``doc.done``) does not run again, so calling ``nlp(doc)`` twice gives the same document as
        calling it once (no entity twice), and a second pipeline only adds the stages it has that
        the first had not. A problem with ``meta.published`` is added to ``doc.warnings``
        whatever the stages.
        """
        doc = self.make_doc(item, id=id, meta=meta)
        published_date(doc)  # records a warning when meta.published is not a date
        for proc in self.processors:
            if proc.name in doc.done:
                continue
            proc(doc)
            doc.done.add(proc.name)
        return doc

    def pipe(self, items: Iterable[str | dict | Document],
             on_error: Callable[[Any, Exception], None] | None = None,
             doc_timeout: float = 0) -> Iterator[Document]:
        """Process items lazily, in order. With ``on_error``, a failing item is reported and skipped.

        ``doc_timeout`` (seconds, 0: none) gives each item a time budget: items then run in a forked
        worker process that is replaced when one overruns, and the item fails with
        :class:`pipeline.runtime.supervise.DocumentTimeout` (see that module).
        """
        if doc_timeout > 0:
            yield from self._pipe_supervised(items, on_error, doc_timeout)
            return
        for item in items:
            try:
                yield self(item)
            except Exception as exc:  # noqa: BLE001 - reported, never silently lost
                if on_error is None:
                    raise
                on_error(item, exc)

    def _pipe_supervised(self, items, on_error, doc_timeout: float) -> Iterator[Document]:
        from pipeline.runtime.supervise import DocumentTimeout, WorkerFailure, run_supervised

        def run(item):
            try:
                return self(item)
            except Exception as exc:  # noqa: BLE001 - travels back to the parent and is raised there
                return exc

        for item, outcome in run_supervised(items, run, workers=1, timeout=doc_timeout):
            if isinstance(outcome, WorkerFailure):
                outcome = DocumentTimeout(outcome.reason) if outcome.reason.startswith("timeout") \
                    else RuntimeError(outcome.reason)
            if isinstance(outcome, Exception):
                if on_error is None:
                    raise outcome
                on_error(item, outcome)
            else:
                yield outcome

    def __repr__(self) -> str:
        return f"Pipeline({self.stage_names})"
