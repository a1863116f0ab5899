"""The officials stage: OFFICIAL and PERSON entities, named people with the office the document gives them.

The stage works on ``doc.text`` with compiled regular expressions and uses the MINISTRY entities of
the ``ministries`` stage (and, when present, its ORG entities with a ``ministry`` attribute) and the
PLACE entities of the ``places`` stage to fill ``org`` and to keep places out of names.

Modules, in the order a document goes through them:

- :mod:`~pipeline.processors.officials.lexicon`: the tables (surnames, honorifics, offices, cues,
  agencies of a ministry at a date, well-known office holders) compiled once into patterns;
- :mod:`~pipeline.processors.officials.context`: the per-document context, office mentions, people;
- :mod:`~pipeline.processors.officials.zones`: bylines and photo credits, where nobody is in the story;
- :mod:`~pipeline.processors.officials.offices`: offices, their organisation phrase and its ministry;
- :mod:`~pipeline.processors.officials.names`: where a name starts, Vietnamese or foreign;
- :mod:`~pipeline.processors.officials.holders`: who holds which office (how a name is found);
- :mod:`~pipeline.processors.officials.linking`: later mentions and aliases, names that are one person;
- :mod:`~pipeline.processors.officials.attributes`: ``title``, ``titles``, ``org`` and the entities;
- :mod:`~pipeline.processors.officials.tagger`: :class:`OfficialTagger`, the processor running them.
"""
from pipeline.processors.officials.tagger import OfficialTagger

__all__ = ["OfficialTagger"]
