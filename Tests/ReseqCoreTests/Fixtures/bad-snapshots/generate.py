#!/usr/bin/env python3
"""Writes the corpus of broken and hostile snapshot files from Snapshots/source.json.

Each broken file is listed in expected.tsv with the field its error must name ("-": the file
as a whole) and a piece of the message. Run from anywhere: python3 generate.py
"""
import copy, json, os

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = json.load(open(os.path.join(HERE, "../../../../Snapshots/source.json")))
TEXT = json.dumps(BASE, indent=2, sort_keys=True)
cases = []  # (file, field, message piece)


def write(name, text, field, piece):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)
    cases.append((name, field, piece))


def mutate(name, field, piece, change):
    d = copy.deepcopy(BASE)
    change(d)
    write(name, json.dumps(d, indent=2, sort_keys=True), field, piece)


def seq(key, value, index=1):
    def change(d):
        if value is KeyError:
            del d["sequences"][index][key]
        else:
            d["sequences"][index][key] = value
    return change


write("empty.json", "", "-", "not valid JSON, or truncated")
write("not-json.json", "formatVersion: 1\nsequences: []\n", "-", "not valid JSON, or truncated")
write("truncated.json", TEXT[: len(TEXT) // 2], "-", "not valid JSON, or truncated")
write("array.json", "[1, 2, 3]", "-", "")
write("nul-bytes.json", "\x00" * 16, "-", "not valid JSON, or truncated")
mutate("format-version-3.json", "formatVersion", "version 3 is not supported", lambda d: d.update(formatVersion=3))
mutate("format-version-string.json", "formatVersion", "expected", lambda d: d.update(formatVersion="1"))
mutate("format-version-missing.json", "formatVersion", "missing", lambda d: d.pop("formatVersion"))
mutate("database-missing.json", "database", "missing", lambda d: d.pop("database"))
mutate("sequences-missing.json", "sequences", "missing", lambda d: d.pop("sequences"))
mutate("sequences-null.json", "sequences", "found null", lambda d: d.update(sequences=None))
mutate("increment-missing.json", "sequences[1].increment", "missing", seq("increment", KeyError))
mutate("increment-zero.json", "sequences[1].increment", "must not be 0", seq("increment", 0))
mutate("increment-text.json", "sequences[1].increment", "expected", seq("increment", "1"))
mutate("increment-float.json", "sequences[1].increment", "", seq("increment", 1.5))
mutate("cache-zero.json", "sequences[1].cache", "must be at least 1", seq("cache", 0))
mutate("cache-negative.json", "sequences[1].cache", "must be at least 1", seq("cache", -5))
mutate("min-greater-than-max.json", "sequences[1].minValue", "greater than maxValue",
       lambda d: d["sequences"][1].update(minValue=100, maxValue=10, start=50, lastValue=50))
mutate("max-outside-type.json", "sequences[1].maxValue", "outside the range of integer", seq("maxValue", 2147483648))
mutate("min-outside-smallint.json", "sequences[1].minValue", "outside the range of smallint",
       lambda d: d["sequences"][1].update(dataType="smallint", minValue=-40000))
mutate("last-value-outside-bounds.json", "sequences[1].lastValue", "outside", seq("lastValue", 0))
mutate("start-outside-bounds.json", "sequences[1].start", "outside", seq("start", -3))
mutate("int64-overflow.json", "sequences[1].maxValue", "", seq("maxValue", 9223372036854775808))
mutate("unknown-data-type.json", "sequences[1].dataType", "", seq("dataType", "numeric"))
mutate("name-null.json", "sequences[1].name", "found null", seq("name", None))
mutate("name-empty.json", "sequences[1].name.name", "an empty name", seq("name", {"schema": "public", "name": ""}))
mutate("name-nul.json", "sequences[1].name.name", "a NUL character", seq("name", {"schema": "public", "name": "a\u0000; DROP TABLE victim; --"}))
mutate("name-too-long.json", "sequences[1].name.name", "63-byte", seq("name", {"schema": "public", "name": "n" * 64}))
mutate("schema-empty.json", "sequences[1].name.schema", "an empty name", seq("name", {"schema": "", "name": "x"}))
mutate("duplicate-sequence.json", "sequences[2].name", "duplicate sequence name",
       lambda d: d["sequences"][2].update(name=d["sequences"][1]["name"]))
mutate("owned-by-column-empty.json", "sequences[1].ownedBy.column", "an empty name",
       lambda d: d["sequences"][1].update(ownedBy={"table": {"schema": "public", "name": "auth_user"}, "column": ""}))
mutate("owned-by-other-schema.json", "sequences[1].ownedBy", "same schema",
       lambda d: d["sequences"][1]["ownedBy"]["table"].update(schema="other"))
mutate("owner-nul.json", "sequences[1].owner", "a NUL character", seq("owner", "postgres\u0000"))
mutate("is-called-text.json", "sequences[1].isCalled", "expected", seq("isCalled", "yes"))
mutate("captured-at-garbage.json", "database.capturedAt", "", lambda d: d["database"].update(capturedAt="yesterday"))
mutate("column-min-greater-than-max.json", "columns[1].minValue", "greater than maxValue",
       lambda d: d["columns"][1].update(minValue=50, maxValue=5))
mutate("column-duplicate.json", "columns[2].ref", "duplicate column",
       lambda d: d["columns"][2].update(ref=d["columns"][1]["ref"]))
mutate("column-default-sequence-nul.json", "columns[1].defaultSequence.name", "a NUL character",
       lambda d: d["columns"][1].update(defaultSequence={"schema": "public", "name": "x\u0000y"}))
mutate("column-data-read-unknown.json", "columns[1].dataRead", "", lambda d: d["columns"][1].update(dataRead="maybe"))
mutate("column-table-too-long.json", "columns[1].ref.table.name", "63-byte",
       lambda d: d["columns"][1]["ref"]["table"].update(name="é" * 32))

with open(os.path.join(HERE, "expected.tsv"), "w") as f:
    f.write("# file\tfield named in the error (- = the file as a whole)\tpiece of the message\n")
    for name, field, piece in cases:
        f.write(f"{name}\t{field}\t{piece}\n")

# A valid snapshot full of hostile names: each must be created verbatim on the target.
HOSTILE = {
    "database": {"capturedAt": "2026-11-26T13:00:00Z", "host": "hostile-source", "name": "hostile_source",
                 "port": "5432", "serverVersion": "15", "serverVersionNumber": 150000,
                 "systemIdentifier": "1"},
    "formatVersion": 1, "warnings": [], "sequences": [], "columns": [],
}
def standalone(schema, name, last):
    return {"cache": 1, "cycle": False, "dataType": "bigint", "increment": 1, "isCalled": True,
            "isIdentity": False, "lastValue": last, "maxValue": 9223372036854775807, "minValue": 1,
            "name": {"schema": schema, "name": name}, "owner": "postgres", "start": 1, "unlogged": False}
names = ['we"ird', "it's", "x; DROP TABLE victim; --", "$$ body $$", "line\nbreak", "-- comment",
         "select", "Robert'); DROP TABLE victim;--", "ünïcødé 🚀", "back\\slash", "a%s%I%L", "\"", "'",
         "tab\there", "*/ /*", "E'\\x41'", "U&\"\\0041\""]
for i, n in enumerate(names):
    HOSTILE["sequences"].append(standalone("Sch\"ema; --", n, 100 + i) if n == "x; DROP TABLE victim; --"
                                else standalone("public", n, 100 + i))
# A serial-like sequence with a default and OWNED BY on a hostile table and column.
s = standalone("Sch\"ema; --", "tab\"le_i\"d_seq; --", 41)
s["ownedBy"] = {"table": {"schema": "Sch\"ema; --", "name": "tab\"le"}, "column": "i\"d"}
HOSTILE["sequences"].append(s)
HOSTILE["columns"].append({"dataRead": "read", "dataType": "bigint", "notNull": True, "tableOwner": "postgres",
    "defaultExpression": "nextval('x'::regclass)", "defaultSequence": {"schema": "Sch\"ema; --", "name": "tab\"le_i\"d_seq; --"},
    "maxValue": 5, "minValue": 1, "ref": {"table": {"schema": "Sch\"ema; --", "name": "tab\"le"}, "column": "i\"d"}})
# An identity column on a table named like a keyword, column named like a keyword.
s = standalone("public", "order_\"select\"_seq", 7)
s["isIdentity"] = True
s["ownedBy"] = {"table": {"schema": "public", "name": "order"}, "column": "select"}
HOSTILE["sequences"].append(s)
HOSTILE["columns"].append({"dataRead": "read", "dataType": "bigint", "notNull": True, "tableOwner": "postgres",
    "identity": "always", "maxValue": 3, "minValue": 1,
    "ref": {"table": {"schema": "public", "name": "order"}, "column": "select"}})
HOSTILE["sequences"].sort(key=lambda s: (s["name"]["schema"], s["name"]["name"]))
with open(os.path.join(HERE, "../hostile-names.json"), "w") as f:
    f.write(json.dumps(HOSTILE, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
