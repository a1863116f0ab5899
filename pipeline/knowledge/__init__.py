"""Knowledge gathered across a corpus of annotated documents (not from one document alone).

- :mod:`pipeline.knowledge.officials`: the office-holder table built from the explicit OFFICIAL mentions of
  annotated output (``vnextract officials``), its CSV/Parquet writer and its reader, which the officials stage
  uses to resolve bare mentions (``vnextract annotate --officials TABLE`` or ``--link``).
"""
