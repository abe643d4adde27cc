"""Property-based fuzzing (Hypothesis) of the loader and the validator.

Whatever a contributor pastes into the data file, loading and validation must
answer with problems at real positions, never with a crash: `decode` and
`load_text` raise only `DataError`; `validate_text` and `validate_bytes` never
raise; a result is either valid with a catalogue or invalid without one.
Derandomised, so a failure in CI is the same failure on every machine.
"""
import copy
import datetime as dt

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import FIXTURES, TODAY
from insatsguiden.model.loader import decode, load_text
from insatsguiden.model.problems import DataError
from insatsguiden.model.validate import validate_bytes, validate_text

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NAME = "fuzz.yaml"
MINIMAL_TEXT = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")
MINIMAL_LINES = MINIMAL_TEXT.splitlines(keepends=True)
MINIMAL_DATA = yaml.safe_load(MINIMAL_TEXT)

# Characters and tokens that mean something to YAML, or to the checks after it.
YAML_SPECIAL = [
    ": ", ":", "- ", "-", "#", " #", "&a ", "*a", "!tag ", "!!str ", "!!python/object:os.system ", "<<: ", "? ",
    "{", "}", "[", "]", ",", '"', "'", "|", ">", "|-", ">+", "%YAML 1.1\n", "@", "`", "\t", "---\n", "...\n",
    "\\", "\\x", "\n", "\r\n", "\r", "  ", "    ", "\ufeff", "\u2028", "\u0085", "\u202e", "\x00", "\x07",
    "0x1F", "0o17", "1e400", ".inf", "~", "null", "yes", "off", "2026-02-30", "99999999999999999999", "<script>",
    "javascript:", "](javascript:alert(1))", "<https://x.se>", "&amp;", "&#x3C;", "{{ 7*7 }}", "%",
]


def _check_problems(problems, text: str | None = None) -> None:
    assert problems, "an error must say what is wrong"
    for problem in problems:
        assert problem.file == NAME
        assert problem.line >= 1 and problem.col >= 1, problem
        assert problem.message.strip(), problem
        if text is not None:
            # Positions point into the file (PyYAML also counts \r, U+0085, U+2028/9 as line breaks).
            lines = max(text.count("\n"), len(text.splitlines())) + 1
            assert problem.line <= lines, (problem, lines)


def _check_result(result, text: str | None = None) -> None:
    if result.ok:
        assert result.catalogue is not None and result.problems == []
    else:
        assert result.catalogue is None
        _check_problems(result.problems, text)


def _load(text: str) -> None:
    try:
        load_text(text, NAME)
    except DataError as error:
        _check_problems(error.problems, text)


# --- arbitrary input ---------------------------------------------------------

@FUZZ
@given(st.text())
def test_load_text_of_any_text_returns_or_raises_data_error(text):
    _load(text)


@FUZZ
@given(st.binary())
def test_decode_of_any_bytes_returns_text_or_raises_data_error(raw):
    try:
        text = decode(raw, NAME)
    except DataError as error:
        _check_problems(error.problems)
    else:
        assert isinstance(text, str)


@FUZZ
@given(st.text())
def test_validate_text_of_any_text_never_raises(text):
    _check_result(validate_text(text, NAME, TODAY), text)


@FUZZ
@given(st.binary() | st.text().map(lambda text: text.encode("utf-8", "surrogatepass")))
def test_validate_bytes_of_any_bytes_never_raises(raw):
    _check_result(validate_bytes(raw, NAME, TODAY))


# --- mutations of a valid file, as text ---------------------------------------

# One character from anywhere in Unicode (without surrogates, which UTF-8 cannot hold).
_ANY_CHAR = st.characters(exclude_categories=["Cs"])
_INSERT = st.sampled_from(YAML_SPECIAL) | _ANY_CHAR | st.text(max_size=8)


@st.composite
def mutated_text(draw) -> str:
    """minimal.yaml with a few random edits: insertions, deletions, duplicated or swapped lines."""
    lines = list(MINIMAL_LINES)
    for _ in range(draw(st.integers(1, 6))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        edit = draw(st.sampled_from(["insert", "insert", "insert", "delete_chars", "delete_line",
                                     "duplicate_line", "swap_lines", "indent", "replace_value"]))
        if edit == "insert":
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(_INSERT) + line[at:]
        elif edit == "delete_chars":
            start = draw(st.integers(0, len(line)))
            lines[index] = line[:start] + line[start + draw(st.integers(1, 12)):]
        elif edit == "delete_line" and len(lines) > 1:
            del lines[index]
        elif edit == "duplicate_line":
            lines.insert(index, line)
        elif edit == "swap_lines":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif edit == "indent":
            lines[index] = " " * draw(st.integers(0, 9)) + line.lstrip(" ")
        elif edit == "replace_value" and ": " in line:
            key = line.split(": ", 1)[0]
            lines[index] = f"{key}: {draw(st.sampled_from(YAML_SPECIAL) | st.text(max_size=20))}\n"
    return "".join(lines)


@FUZZ
@given(mutated_text())
def test_mutated_file_as_text(text):
    _load(text)
    _check_result(validate_text(text, NAME, TODAY), text)


@FUZZ
@given(mutated_text(), st.sampled_from([b"", b"\xef\xbb\xbf"]), st.booleans())
def test_mutated_file_as_bytes_with_bom_and_crlf(text, bom, crlf):
    if crlf:
        text = text.replace("\n", "\r\n")
    _check_result(validate_bytes(bom + text.encode("utf-8"), NAME, TODAY))


# --- mutations of a valid file, as data (well-formed YAML, wrong content) ----

# Values that exercise the schema and the named rules: ids that exist, dates real
# and impossible, links with allowed and forbidden schemes, markup, wrong types.
INTERESTING_STRINGS = [
    "ludvika", "forbundet", "kommunen", "avtalet", "boendestod", "teamet", "rapport", "bostad", "oppen", "ordinarie",
    "samordnad", "arligt_fonster", "fast_datum", "giltig_till", "2021", "2018-04", "2026-01-15", "2026-02-30",
    "2099-01-01", "0000-00-00", "1949-12-31", "2021-13", "https://example.se", "http://example.se",
    "javascript:alert(1)", "mailto:namn@example.se", "tel:+4624086000", "data:text/html,x", "0240-86 000", "+46",
    "namn@gmail.com", "19121212-1212", "<b>x</b>", "[x](javascript:alert(1))", "<https://x.se>", "", " ", "\n",
    "a" * 500, "Ö", "\u202e", "\x00",
]
_SCALAR = (st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True)
           | st.sampled_from(INTERESTING_STRINGS) | st.text(max_size=30))
_KEYS = st.sampled_from(sorted({key for record in MINIMAL_DATA["insatser"] for key in record}
                               | {"id", "namn", "datum", "status", "regel", "min", "max", "kalla", "avsnitt"})) | st.text(max_size=10)
_VALUE = st.recursive(_SCALAR, lambda children: st.lists(children, max_size=3)
                      | st.dictionaries(_KEYS, children, max_size=3), max_leaves=8)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


@st.composite
def mutated_data(draw) -> str:
    """minimal.yaml loaded, with values replaced, removed or duplicated, dumped back as YAML."""
    data = copy.deepcopy(MINIMAL_DATA)
    for _ in range(draw(st.integers(1, 5))):
        path = draw(st.sampled_from([p for p in _paths(data) if p]))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        edit = draw(st.sampled_from(["replace", "replace", "delete", "duplicate"]))
        if edit == "replace":
            parent[last] = draw(_VALUE)
        elif edit == "delete":
            del parent[last]
        elif isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]))
        if not any(p for p in _paths(data)):
            break
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FUZZ
@given(mutated_data(), st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)))
def test_mutated_data_validates_without_crashing(text, today):
    _check_result(validate_text(text, NAME, today), text)


def test_the_mutations_reach_both_outcomes():
    """The generators are useful only if they produce valid and invalid files alike."""
    outcomes = set()

    @settings(max_examples=200, deadline=None, derandomize=True, database=None)
    @given(mutated_data())
    def collect(text):
        outcomes.add(validate_text(text, NAME, TODAY).ok)

    collect()
    assert outcomes == {True, False}
    assert validate_text(MINIMAL_TEXT, NAME, TODAY).ok
