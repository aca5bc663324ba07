"""Stage 2, data in: read response files (:mod:`.io`, with the one data fingerprint), map survey
platforms' columns back to item ids (:mod:`.harmonize`: KoboToolbox/ODK, LimeSurvey, REDCap) and
validate answers against an instrument (:mod:`.validation`)."""

from .harmonize import from_limesurvey, from_redcap, harmonize_columns
from .io import FORMATS, data_fingerprint, file_sha256, frame_sha256, read_responses, write_table
from .validation import ValidatedResponses, describe_outlying, outlying_codes, resolve_ids, validate_responses

__all__ = ["read_responses", "write_table", "file_sha256", "frame_sha256", "data_fingerprint", "FORMATS",
           "validate_responses", "ValidatedResponses", "resolve_ids", "outlying_codes", "describe_outlying",
           "harmonize_columns", "from_limesurvey", "from_redcap"]
