"""The ``tokens`` stage: word segmentation and POS tags (:mod:`.tokenizer`), its backends
(:mod:`.backends`) and our own CRF segmenter (:mod:`.crf`)."""
from pipeline.processors.tokens.tokenizer import BACKENDS, Tokenizer, align

__all__ = ["BACKENDS", "Tokenizer", "align"]
