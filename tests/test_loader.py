"""Strict YAML: what the loader accepts, what it refuses, and where it says so."""
import time

import pytest

from insatsguiden.model.loader import MAX_BYTES, MAX_DEPTH, PosDict, decode, load_text, locate
from insatsguiden.model.problems import DataError


def problems_of(text: str) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_text(text, "f.yaml")
    return [p.text() for p in caught.value.problems]


@pytest.mark.parametrize("text, expected", [
    ("a: 0701234567", "0701234567"),      # octal-looking phone number stays text
    ("a: 08-123 45 67", "08-123 45 67"),
    ("a: 2021-09-30", "2021-09-30"),      # dates stay text
    ("a: yes", "yes"),                    # YAML 1.1 booleans are not booleans
    ("a: off", "off"),
    ("a: 1.5", "1.5"),                    # no floats
    ("a: 0x1F", "0x1F"),
    ("a: '12'", "12"),
    ("a: true", True),
    ("a: false", False),
    ("a: 12", 12),
    ("a: -3", -3),
    ("a: ~", None),
    ("a:", None),
])
def test_scalar_resolution(text, expected):
    assert load_text(text, "f.yaml")["a"] == expected


def test_duplicate_key_names_both_lines():
    (message,) = problems_of("a: 1\nb: 2\na: 3\n")
    assert message.startswith("f.yaml:3:1:") and "rad 1 och rad 3" in message


def test_anchor_and_alias_rejected_with_positions():
    messages = problems_of("a: &x 1\nb: *x\n")
    assert messages[0].startswith("f.yaml:1:4:") and "Ankare" in messages[0]
    assert messages[1].startswith("f.yaml:2:4:") and "Alias" in messages[1]


def test_billion_laughs_does_not_expand():
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    started = time.perf_counter()
    messages = problems_of(text)
    assert time.perf_counter() - started < 5  # guard against exponential expansion, not a benchmark
    assert any("Alias" in m for m in messages)


def test_merge_key_and_tags_rejected():
    assert "Sammanslagningsnyckeln" in problems_of("a:\n  <<: {b: 1}\n")[0]
    assert "Taggen" in problems_of("a: !!python/object/apply:os.system [ls]\n")[0]
    assert "Taggen" in problems_of("a: !custom x\n")[0]


def test_nesting_limit_stops_early():
    (message,) = problems_of("a: " + "[" * 100_000)
    assert f"mer än {MAX_DEPTH} nivåer" in message
    assert load_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "f.yaml") is not None


def test_only_one_document():
    assert "ett YAML-dokument" in problems_of("a: 1\n---\nb: 2\n")[0]


def test_tab_indentation_is_explained():
    (message,) = problems_of("a:\n\tb: 1\n")
    assert message.startswith("f.yaml:2:1:") and "Tabbtecken" in message


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\x07", "\x00", "\ufeff"])
def test_invisible_and_control_characters(char):
    (message,) = problems_of(f"a: x\nb: y{char}z\n")
    assert message.startswith("f.yaml:2:5:")


def test_utf8_bom_and_crlf_accepted():
    text = decode(b"\xef\xbb\xbfa: 1\r\nb: \xc3\xa5\r\n", "f.yaml")
    assert load_text(text, "f.yaml") == {"a": 1, "b": "å"}


def test_non_utf8_reports_position():
    with pytest.raises(DataError) as caught:
        decode(b"a: 1\nb: l\xe4n\n", "f.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.col) == (2, 5) and "UTF-8" in problem.message


def test_size_limit():
    with pytest.raises(DataError) as caught:
        decode(b"#" * (MAX_BYTES + 1), "f.yaml")
    assert "för stor" in caught.value.problems[0].message


def test_complex_key_rejected():
    assert "fältnamn" in problems_of("? [a, b]\n: 1\n")[0]


def test_positions_are_recorded():
    data = load_text("x:\n  - id: a\n    namn: Ett\n", "f.yaml")
    assert isinstance(data, PosDict)
    assert locate(data, ("x", 0, "namn")) == (3, 11)
    assert locate(data, ("x", 0, "namn"), key=True) == (3, 5)
    assert locate(data, ("x", 0, "saknas")) == (2, 5)  # nearest existing parent
