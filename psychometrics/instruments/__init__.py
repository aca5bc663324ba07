"""Stage 1, definitions: load, check and use scale definitions stored as data files.

An instrument file (YAML or JSON, ``kind: instrument``) defines response scales, items, scoring
rules, classification rule tables, citations, licence and translation provenance. A battery file
(``kind: battery``) composes instruments into one questionnaire. Both are checked against the
published JSON Schema (``psychometrics/instruments/schema/instrument.schema.json``) and then for
consistency: references between parts, translation completeness, stale translations and the
content hash.

Modules: :mod:`.model` (the typed :class:`Instrument`), :mod:`.keys` (reverse keying, keys
matrix, leaf scales), :mod:`.load` (the one builder and the registry), :mod:`.checks` (schema
and consistency), :mod:`.translations` (hashes, stamp, rehash).
"""

from ..exceptions import InstrumentError, InstrumentWarning
from .checks import check_document, schema, validate_files
from .keys import leaf_scales, reverse_key
from .load import INSTRUMENT_SUFFIXES, InstrumentRegistry, adhoc_instrument, compose, load_instrument
from .model import (
    SCORABLE_TYPES,
    Classification,
    Instrument,
    Item,
    Languages,
    Problem,
    ResponseScale,
    ScoringRule,
    Translation,
)
from .translations import LANG_MAP_FIELDS, canonical_json, content_hash, iter_lang_maps, rehash, stamp_translations, text_hash

__all__ = [
    "Instrument", "Item", "ResponseScale", "ScoringRule", "Classification", "Problem", "Languages", "Translation",
    "InstrumentRegistry", "load_instrument", "compose", "adhoc_instrument",
    "reverse_key", "leaf_scales", "check_document", "schema", "validate_files",
    "canonical_json", "content_hash", "text_hash", "iter_lang_maps", "rehash", "stamp_translations",
    "SCORABLE_TYPES", "INSTRUMENT_SUFFIXES", "LANG_MAP_FIELDS", "InstrumentError", "InstrumentWarning",
]
