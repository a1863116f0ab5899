"""Exports of annotated documents to other tools, and imports of their annotations back.

===============  =====================================================================  ========  ================
format           what is written                                                        import    module
===============  =====================================================================  ========  ================
``conll``        token-per-line BIO of the outermost entities (CoNLL-2003 columns:      yes (*)   ``conll``
                 token, POS, tag; ``-DOCSTART-`` between documents, a blank line
                 between sentences; the spaces inside a word become ``_``)
``spacy``        a spaCy ``DocBin`` (``DocBin().from_disk()``), see ``spacy_interop``   yes       ``docbin``
``labelstudio``  Label Studio tasks (``data.text``, ``annotations[].result``) and a     yes       ``labelstudio``
                 labeling config for our labels and attributes
``brat``         brat standoff: ``ID.txt`` + ``ID.ann`` per document,                 yes       ``brat``
                 ``annotation.conf``
``table``        one row per entity (CSV or Parquet) for pandas and DuckDB: document,   no        ``table``
                 label, offsets, canonical name, ids, attributes and its sentence
===============  =====================================================================  ========  ================

(*) CoNLL keeps tokens, not the text: an imported document's text is its tokens joined
by spaces, so entity labels and surfaces survive, offsets do not.

Everything here works on records of the output format (``record``: the labels, the
attributes each label requires, reading and writing annotated JSONL). Imports give such
records back, entities sorted by start (longer first), each with the attributes the
format requires for its label (``None`` when the annotator gave none).

Modules, each importing only those above it in this list:

- ``record``: the record model (labels, required attributes, ``as_record``,
  ``document_from_record``, ``check_record``, ``read_annotated``, ``write_jsonl``, ``token_pieces``)
- ``conll``, ``labelstudio``, ``brat``: one format each, its writer and its reader (no spaCy)
- ``spacy_interop``: our documents as ``spacy.tokens.Doc`` and back, and the spaCy component
- ``table``: the entity table (``export --format table``), streamed; Parquet through pyarrow
- ``docbin``: the ``spacy`` format (``DocBin`` files), through ``spacy_interop``, imported on use
- ``registry``: ``FORMATS``, format name -> writer and reader, for the command line

Outermost entities are ``pipeline.spans.outermost`` over entities in the order of the format.
"""
