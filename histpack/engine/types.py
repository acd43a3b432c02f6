"""Table Schema v1 field types as DuckDB SQL: one expression turns a text cell into its typed value,
or NULL when the cell is not a valid value of the type (frictionless's `type-error`).

The expressions follow what frictionless 5 accepts (Python `int()`, `Decimal()`, `strptime`,
`dateutil.isoparse` …) as closely as SQL allows; where they cannot, `unsupported` says so.
"""

from __future__ import annotations

from histpack.model.schema import DUCK_TYPES
from histpack.project.sql import literal

TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]
SPACE = r"[ \t\n\r\x0b\x0c]*"
# Plain numbers, read by a bare cast (`_plain_first`) to the value the general expression gives them: up
# to 15 digits before and after a point. Plain integers and dates are those a bare cast prints back as
# the very text (`_round_trip_first`), cheaper than a pattern (printing a double is not: numbers keep theirs).
PLAIN_NUMBER = r"-?[0-9]{1,15}(\.[0-9]{1,15})?"
YEAR = r"([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"  # 0001-9999: Python's dates have no year 0
OFFSET = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)"
DIGITS = r"[0-9]+(_[0-9]+)*"
SPACE_CHARACTERS = "' \t\n\r\x0b\x0c'"  # Python's str.strip() whitespace in ASCII, as one SQL literal


def _strip(x: str) -> str:
    return f"trim({x}, {SPACE_CHARACTERS})"


def _plain_first(x: str, plain: str, value: str, general: str) -> str:
    """`value` where `x` is a plain form (`plain`, a pattern every general reading accepts with the same
    value), else the `general` expression: a fast path, never a different verdict (tests/test_engine_types.py)."""
    return f"CASE WHEN regexp_full_match({x}, {literal(plain)}) THEN {value} ELSE {general} END"


def _round_trip_first(x: str, sql_type: str, general: str) -> str:
    """The bare cast where it prints back as the very text (a plain form: `7`, not `007` or `+7`; a date
    as YYYY-MM-DD), else the `general` expression: as `_plain_first`, without a regular expression per cell."""
    value = f"TRY_CAST({x} AS {sql_type})"
    return f"CASE WHEN CAST({value} AS VARCHAR) = {x} THEN {value} ELSE {general} END"


def _gate(x: str, pattern: str, then: str) -> str:
    return f"CASE WHEN regexp_full_match({x}, {literal(pattern)}) THEN {then} END"


def _format(value) -> str:
    value = str(value or "default")
    return value.removeprefix("fmt:")


WIDE = "x-histpack-wide-integer"  # set by the engine on its own copy of a field whose integers overflow BIGINT


def sql_type(field: dict) -> str:
    if field.get(WIDE) is True:
        return "HUGEINT"
    return DUCK_TYPES.get(field.get("type", "string"), "VARCHAR")


def typed(field: dict, x: str, notes: list[str], where: str, plain_first: bool = True) -> str:
    """SQL for the typed value of text expression `x` (already NULL for a missing value); with
    `plain_first=False`, without the fast path for plain forms (the reference the tests hold it to)."""
    kind = field.get("type", "string")
    fmt = _format(field.get("format"))
    name = field.get("name")

    def note(what: str) -> None:
        notes.append(f"{where}: field `{name}`: {what}")

    if kind in ("string", "any"):
        if kind == "string" and fmt not in ("default",):
            patterns = {
                "email": r"[^@\s]+@[^@\s]+\.[^@\s]+",
                "uri": r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*",
                "uuid": r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
                "binary": r"([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?",
            }
            if fmt in patterns:
                note(f"string format {fmt!r} is checked with a regular expression (frictionless uses a "
                     "full parser; rare values may differ)")
                return _gate(x, patterns[fmt], x)
            note(f"string format {fmt!r} is not checked (read as plain text)")
        return x
    if kind == "integer":
        s = _strip(x)
        if field.get("bareNumber", True) is False:
            s = f"regexp_replace({s}, '((^[^-0-9]*)|([^0-9]*$))', '', 'g')"
        target = sql_type(field)  # BIGINT, or HUGEINT for a column with larger integers
        general = _gate(s, r"[+-]?" + DIGITS, f"TRY_CAST(replace({s}, '_', '') AS {target})")
        if field.get("bareNumber", True) is False or not plain_first:
            return general
        return _round_trip_first(x, target, general)
    if kind == "number":
        s = _strip(x)
        group, decimal = field.get("groupChar", ""), field.get("decimalChar", ".")
        if field.get("bareNumber", True) is False:
            s = f"regexp_replace({s}, '((^[^-0-9]*)|([^0-9]*$))', '', 'g')"
        if group:
            s = f"replace({s}, {literal(group)}, '')"
        if decimal != ".":
            s = f"CASE WHEN strpos({s}, '.') = 0 THEN replace({s}, {literal(decimal)}, '.') END"
        pattern = (r"[+-]?((" + DIGITS + r")(\.(" + DIGITS + r")?)?|\.(" + DIGITS + r"))([eE][+-]?" + DIGITS + ")?"
                   r"|[+-]?([Ii][Nn][Ff]([Ii][Nn][Ii][Tt][Yy])?|[Nn][Aa][Nn])")
        general = _gate(s, pattern, f"TRY_CAST(replace({s}, '_', '') AS DOUBLE)")
        if field.get("bareNumber", True) is False or group or decimal != "." or not plain_first:
            return general
        return _plain_first(x, PLAIN_NUMBER, f"CAST({x} AS DOUBLE)", general)
    if kind == "boolean":
        trues = [str(v) for v in field.get("trueValues", TRUE_VALUES)]
        falses = [str(v) for v in field.get("falseValues", FALSE_VALUES)]
        t = f"{x} IN ({', '.join(map(literal, trues))})" if trues else "false"
        f = f"{x} IN ({', '.join(map(literal, falses))})" if falses else "false"
        return f"CASE WHEN {t} THEN true WHEN {f} THEN false END"
    if kind == "date":
        if fmt == "default":
            general = _gate(x, YEAR + r"-(0?[1-9]|1[0-2])-(0?[1-9]|[12][0-9]|3[01])",
                            f"CAST(try_strptime({x}, '%Y-%m-%d') AS DATE)")
            plain = f"CASE WHEN length({x}) = 10 THEN {x} END"  # DuckDB prints a year beyond 9999 too
            return _round_trip_first(plain, "DATE", general) if plain_first else general
        if fmt == "any":
            note("date format 'any' is read as ISO 8601 only (frictionless guesses with dateutil)")
            return f"TRY_CAST({x} AS DATE)"
        return f"CAST(try_strptime({x}, {literal(fmt)}) AS DATE)"
    if kind == "datetime":
        if fmt == "default":
            # an offset makes the value an instant: it is kept as that instant in UTC (two offsets are two
            # instants, as in frictionless), a datetime without one as written
            iso = f"substr({x}, 1, 10) || 'T' || substr({x}, 12)"
            return _gate(x, YEAR + r"-[0-9]{2}-[0-9]{2}.[0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]+)?" + OFFSET + "?",
                         f"CASE WHEN regexp_matches({x}, {literal(OFFSET + '$')}) "
                         f"THEN make_timestamp(epoch_us(TRY_CAST({iso} AS TIMESTAMPTZ))) "
                         f"ELSE TRY_CAST({iso} AS TIMESTAMP) END")
        if fmt == "any":
            note("datetime format 'any' is read as ISO 8601 only (frictionless guesses with dateutil)")
            return f"TRY_CAST({x} AS TIMESTAMP)"
        return f"try_strptime({x}, {literal(fmt)})::TIMESTAMP"
    if kind == "time":
        if fmt == "default":
            return _gate(x, r"[0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]+)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?",
                         f"TRY_CAST(regexp_extract({x}, '^[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}') AS TIME)")
        if fmt == "any":
            note("time format 'any' is read as ISO 8601 only (frictionless guesses with dateutil)")
            return f"TRY_CAST({x} AS TIME)"
        return f"CAST(try_strptime({x}, {literal(fmt)}) AS TIME)"
    if kind == "year":
        s = _strip(x)
        return (f"CASE WHEN length({x}) = 4 AND regexp_full_match({s}, {literal('[+]?' + DIGITS)}) "
                f"THEN TRY_CAST(replace({s}, '_', '') AS INTEGER) END")
    if kind == "yearmonth":
        part = SPACE + r"[+-]?" + DIGITS + SPACE
        return (f"CASE WHEN regexp_full_match({x}, {literal(part + '-' + part)}) AND "
                f"TRY_CAST(replace(trim(split_part({x}, '-', 2)), '_', '') AS INTEGER) BETWEEN 1 AND 12 THEN {x} END")
    if kind == "duration":
        number = r"[0-9]+([,.][0-9]+)?"
        pattern = (r"[+-]?P(?:(" + number + "Y)?(" + number + "M)?(" + number + "W)?(" + number + "D)?"
                   r"(T(" + number + "H)?(" + number + "M)?(" + number + "S)?)?)")
        return (f"CASE WHEN regexp_full_match({x}, {literal(pattern)}) AND NOT regexp_full_match({x}, '[+-]?PT?') "
                f"AND NOT regexp_full_match({x}, '.*T') THEN {x} END")
    if kind == "geopoint":
        if fmt == "default":
            lon, lat = f"TRY_CAST(trim(split_part({x}, ',', 1)) AS DOUBLE)", f"TRY_CAST(trim(split_part({x}, ',', 2)) AS DOUBLE)"
            shape = f"length({x}) - length(replace({x}, ',', '')) = 1"
        elif fmt == "array":
            lon, lat = f"TRY_CAST(json_extract({x}, '$[0]') AS DOUBLE)", f"TRY_CAST(json_extract({x}, '$[1]') AS DOUBLE)"
            shape = f"json_valid({x}) AND json_type({x}) = 'ARRAY' AND json_array_length({x}) = 2"
        else:
            lon, lat = f"TRY_CAST(json_extract({x}, '$.lon') AS DOUBLE)", f"TRY_CAST(json_extract({x}, '$.lat') AS DOUBLE)"
            shape = f"json_valid({x}) AND json_type({x}) = 'OBJECT' AND len(json_keys({x})) = 2"
        return f"CASE WHEN {shape} AND {lon} BETWEEN -180 AND 180 AND {lat} BETWEEN -90 AND 90 THEN {x} END"
    if kind in ("object", "array", "geojson"):
        if kind == "geojson":
            note("geojson is checked as a JSON object only (not against the GeoJSON schema)")
        shape = "ARRAY" if kind == "array" else "OBJECT"
        return f"CASE WHEN json_valid({x}) AND json_type({x}) = '{shape}' THEN {x} END"
    note(f"type {kind!r} is not a Table Schema v1 type; read as text")
    return x
