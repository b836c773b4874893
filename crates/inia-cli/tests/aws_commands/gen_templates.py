"""Writes a random CloudFormation template for the YAML comparisons of cfn_commands.rs:
`json SEED FILE` a JSON template whose values are strings built from the pieces that
steer PyYAML's quoting and folding (indicators, line breaks, non-ASCII, YAML 1.1 words),
numbers, nulls, nested lists and mappings (keys too); `yaml SEED FILE` a YAML template
of block and flow collections, quoted and plain scalars in YAML 1.1's implicit forms and
short-form intrinsic functions. Both tools package the file; their outputs must match."""
import json
import random
import sys

mode, seed, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(seed)

PIECES = ["a", "b c", " ", "  ", "\n", "\t", ":", ": ", "#", " #", "-", "- ", "?", "'",
          '"', "\\", "\u00e9", "\u2615", "\U0001f600", "yes", "no", "010", "1.5", "~",
          "null", "2010-09-09", "x" * 30, "word ", "[", "]", "{", "}", ",", "&", "*", "!",
          "|", ">", "%", "@", "`", "\r", "\x85", "\u2028", "---", "...", "<<", "="]
PLAINS = ["a", "b c", "yes", "No", "ON", "off", "y", "n", "010", "0o17", "0x1F", "0b101",
          "1_000", "+12", "-0", "1:20", "1:20.5", "1.5", "1e5", "1.0e+5", "-.inf", ".NaN",
          ".5", "~", "null", "Null", "", "2010-09-09", "2001-12-14t21:59:43.10-05:00",
          "2001-12-14 21:59:43.10 -5", "x: y", "a#b", "${AWS::Region}", "true", "False",
          "12.", "0.", "-1_0", "0755", "1__2"]
TAGS = ["!Ref", "!Sub", "!GetAtt", "!Base64", "!Condition"]


def text():
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))


def value(depth=0):
    r = rng.random()
    if depth > 3 or r < 0.5:
        return text()
    if r < 0.6:
        return rng.choice([None, True, 1, -3, 1.25, 1e20, 0])
    if r < 0.8:
        return [value(depth + 1) for _ in range(rng.randint(0, 3))]
    return {text() or "k": value(depth + 1) for _ in range(rng.randint(0, 3))}


def scalar():
    p = rng.choice(PLAINS)
    r = rng.random()
    if r < 0.6 and ": " not in p:
        return p
    if r < 0.8:
        return "'" + p.replace("'", "''") + "'"
    return '"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"'


def node(indent, depth):
    r = rng.random()
    if depth > 3 or r < 0.45:
        if rng.random() < 0.15:
            arg = rng.choice(["a", "a.b", "'x y'", "[a, b]", "{k: v}"])
            return " " + rng.choice(TAGS) + " " + arg
        return " " + scalar()
    if r < 0.55:
        return " [" + ", ".join(scalar() or "''" for _ in range(rng.randint(0, 3))) + "]"
    pad = " " * indent
    if r < 0.75:
        return "".join("\n" + pad + "-" + node(indent + 2, depth + 1)
                       for _ in range(rng.randint(1, 3)))
    return "".join("\n" + pad + "k%d:" % i + node(indent + 2, depth + 1)
                   for i in range(rng.randint(1, 3)))


if mode == "json":
    props = {"p%d" % i: value() for i in range(8)}
    doc = json.dumps({"Resources": {"R": {"Type": "AWS::SQS::Queue", "Properties": props}}})
else:
    doc = "Resources:\n  R:\n    Type: AWS::SQS::Queue\n    Properties:" + "".join(
        "\n      p%d:%s" % (i, node(8, 0)) for i in range(6)) + "\n"
with open(path, "w", encoding="utf-8") as f:
    f.write(doc)
