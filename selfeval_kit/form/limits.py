"""The limits on what the tool reads: every bound on input size, in one frozen options object.

Each limit is checked before the work it bounds: a file's size by ``stat`` before it is read, the
values of a YAML document (its aliases expanded) before it is turned into Python objects, the
number of indicators before they are validated one by one. A limit passed is a problem naming
the file, the path where there is one, the size found and the limit.

The limits are sized so that what the tool writes it can read back: a form at every per-form
limit at once (`max_indicators` indicators, `max_form_chars` characters of text in all, each of
the characters the one YAML escapes longest, ``\\U0010FFFF``, 10 bytes) dumps to a YAML file of
2.1 MB; with the one JSON escapes longest (a control character, ``\\u0001``, 6 bytes), to a JSON
file of 1.4 MB: both well under `max_yaml_bytes` (tests/form/test_limits.py builds that form,
writes it both ways and reads it back).

The bundled 2022 forms are far inside every limit: at most 18 indicators, 1,874 characters of
text, 1,043 in one field, 7.5 KB of YAML.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_DEPTH",
    "MAX_FORM_CHARS",
    "MAX_INDICATORS",
    "MAX_JSON_BYTES",
    "MAX_PARQUET_BYTES",
    "MAX_PARQUET_FORMS",
    "MAX_PARQUET_GROUP_BYTES",
    "MAX_PROFILE_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_YAML_BYTES",
    "MAX_YAML_VALUES",
    "Limits",
]

MAX_YAML_BYTES = 5 * 1024 * 1024  # a YAML form is a few KiB; the largest a form within the limits writes is 2.1 MB
MAX_JSON_BYTES = 64 * 1024 * 1024  # ~10,000 forms of the 2022 kind; reading one this large takes ~0.5 GB and ~4 s
# Parquet is compressed (synthetic forms: ~0.4 KB a form against ~5.6 KB of JSON), and read a row
# group at a time: a file may be larger than a JSON one, a row group no larger.
MAX_PARQUET_BYTES = 512 * 1024 * 1024
MAX_PARQUET_FORMS = 2_000_000  # a province's forms over many years
MAX_PARQUET_GROUP_BYTES = MAX_JSON_BYTES  # one row group unpacked, as the file's metadata states it
MAX_PROFILE_BYTES = 1024 * 1024  # a rules profile is a few hundred bytes; the built-in ones at most 3 KB
MAX_YAML_VALUES = 100_000  # a form within the limits holds ~17,000 (17 per indicator)
# Mappings and lists inside each other (a form nests four). Below libyaml's own limit (1000
# levels in PyYAML 6.0.4 and later, none before), so that the same message comes whichever PyYAML
# is installed.
MAX_DEPTH = 500
MAX_INDICATORS = 1_000  # national templates have 10-30; the bundled forms at most 18
MAX_TEXT_CHARS = 10_000  # one text field; the bundled forms' longest is 1,043
MAX_FORM_CHARS = 200_000  # all the text fields of one form together; the bundled forms' most is 1,874


@dataclass(frozen=True)
class Limits:
    """The bounds on input size (defaults: the module constants, documented there).

    Parameters
    ----------
    max_yaml_bytes
        The size of one YAML form file, checked by ``stat`` before reading.
    max_json_bytes
        The size of one JSON file (one form, or a list of forms as ``selfeval export`` writes).
    max_profile_bytes
        The size of one rules profile file.
    max_yaml_values
        The values (scalars, lists and mappings) one YAML document may hold once its aliases
        are expanded; checked before the document is turned into Python objects, so that an
        alias bomb ("billion laughs") is refused in milliseconds.
    max_depth
        How deeply lists and mappings may nest in a YAML document, aliases expanded.
    max_indicators
        The indicators of one form.
    max_text_chars
        The characters of one text field of a form.
    max_form_chars
        The characters of all the text fields of one form together.
    max_parquet_bytes
        The size of one Parquet file of forms, checked by ``stat`` before reading.
    max_parquet_forms
        The forms (rows) of one Parquet file, checked from its metadata before reading.
    max_parquet_group_bytes
        The unpacked size of one row group of a Parquet file, as its metadata states it,
        checked before any row is read (a row group is read whole).
    """

    max_yaml_bytes: int = MAX_YAML_BYTES
    max_json_bytes: int = MAX_JSON_BYTES
    max_profile_bytes: int = MAX_PROFILE_BYTES
    max_yaml_values: int = MAX_YAML_VALUES
    max_depth: int = MAX_DEPTH
    max_indicators: int = MAX_INDICATORS
    max_text_chars: int = MAX_TEXT_CHARS
    max_form_chars: int = MAX_FORM_CHARS
    max_parquet_bytes: int = MAX_PARQUET_BYTES
    max_parquet_forms: int = MAX_PARQUET_FORMS
    max_parquet_group_bytes: int = MAX_PARQUET_GROUP_BYTES


DEFAULT_LIMITS = Limits()
