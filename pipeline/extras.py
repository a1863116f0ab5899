"""Optional dependencies: each heavy library is imported only by the feature that needs it, through
:func:`require`, which names the extra to install when it is missing.

=============  ==========================================  =====================================
extra          packages                                    what needs them
=============  ==========================================  =====================================
``spacy``      spacy                                       spaCy interop, DocBin export, displaCy
``hf``         datasets                                    ``pipeline.runtime.hf.annotate_dataset``
``parquet``    pyarrow                                     Parquet input and output
``anchors``    pyvi, underthesea                           the ``pyvi``/``underthesea`` token backends
``dask``       dask[distributed]                           ``--engine dask``
``all``        all of the above
=============  ==========================================  =====================================
"""
from __future__ import annotations

import importlib
from types import ModuleType

EXTRA_OF = {"spacy": "spacy", "datasets": "hf", "pyarrow": "parquet", "pyvi": "anchors",
            "underthesea": "anchors", "dask": "dask", "distributed": "dask"}


class MissingDependency(ImportError):
    """An optional package a feature needs is not installed."""


def require(module: str, feature: str) -> ModuleType:
    """Import ``module`` (e.g. ``"pyarrow.parquet"``) for ``feature``, or raise MissingDependency saying
    which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        extra = EXTRA_OF.get(top, "all")
        raise MissingDependency(f"{feature} needs the package {top}: pip install 'vnextract[{extra}]' "
                                f"(or pip install {top})") from exc
