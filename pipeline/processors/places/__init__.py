"""The places stage: PLACE entities (Vietnamese administrative units before and after the 2025 reform,
countries, foreign cities and regions, named sites and natural features) with their canonical unit.

- :mod:`pipeline.lexicons.places`: the gazetteers, loaded once per process, and the canonical lookup.
- :mod:`~pipeline.processors.places.candidates`: the words of a text and the candidate names.
- :mod:`~pipeline.processors.places.guards`: the context that makes a bare name something else.
- :mod:`~pipeline.processors.places.tagger`: :class:`PlaceTagger`, the stage, which decides.
"""
from pipeline.processors.places.tagger import PlaceTagger

__all__ = ["PlaceTagger"]
