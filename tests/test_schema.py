"""The schema is the contract: valid, described, and in step with the code."""
import json

import jsonschema
import pytest

from conftest import FIXTURES, ROOT
from insatsguiden.model import catalogue
from insatsguiden.model import rules
from insatsguiden.model import vocabulary as vocabulary_module
from insatsguiden.model.loader import load_file
from insatsguiden.model.problems import DataError
from insatsguiden.model.schema import _fast_validator, _reference_validator, load_schema, vocabulary


def test_schema_is_valid_draft_2020_12():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _objects(node, path=""):
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            yield path, node
        for key, value in node.items():
            yield from _objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{path}/{index}")


def test_every_object_is_closed_and_every_property_described():
    schema = load_schema()
    defs = schema["$defs"]
    for path, node in _objects(schema):
        assert node.get("additionalProperties") is False, path
        for name, prop in node.get("properties", {}).items():
            target = defs[prop["$ref"].rsplit("/", 1)[1]] if "$ref" in prop else {}
            assert prop.get("description") or target.get("description"), f"{path}/{name}"


def test_vocabularies_give_each_value_a_meaning():
    for name, definition in load_schema()["$defs"].items():
        if "oneOf" in definition:
            for option in definition["oneOf"]:
                assert option["title"] and option["description"], (name, option)


def test_code_constants_exist_in_schema():
    kinds = set(vocabulary("insatstyp"))
    assert catalogue.ORDINARY_KIND in kinds
    assert set(catalogue.REFERABLE_KINDS) <= kinds and set(catalogue.KIND_ORDER) == kinds
    assert set(catalogue.OPEN_INTAKE) <= set(vocabulary("intagsstatus"))
    assert "samordningsforbund" in vocabulary("organisationstyp")


def test_reference_table_covers_every_reference_field():
    assert set(rules.fields_of("ref")) == {pattern for pattern, _ in vocabulary_module.REFERENCES}
    assert {target for _, target in vocabulary_module.REFERENCES} <= set(vocabulary_module.SECTIONS)


def test_named_rules_know_the_date_and_link_fields():
    dates = rules.fields_of("datum", "ungefarligt_datum")
    assert ("insatser", "*", "kontakter", "*", "verifierad") in dates
    assert ("overenskommelser", "*", "senast_reviderad") in dates
    assert ("organisationer", "*", "webb") in rules.fields_of("url")


def _loadable(paths):
    loaded = []
    for path in paths:
        try:
            loaded.append((path, load_file(path)))
        except DataError:
            pass  # rejected by the loader before any schema sees it
    return loaded


@pytest.mark.parametrize("path, data", _loadable(sorted((FIXTURES / "invalid").glob("*.yaml")) + sorted((FIXTURES / "valid").glob("*.yaml"))
                                                 + [ROOT / "data" / "insatser.yaml"]), ids=lambda p: getattr(p, "stem", ""))
def test_fast_and_reference_validators_agree(path, data):
    assert _fast_validator().is_valid(data) == _reference_validator().is_valid(data)


def test_data_file_points_editors_at_the_schema():
    first = (ROOT / "data" / "insatser.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/insatser.schema.json"
    assert json.loads((ROOT / "schema" / "insatser.schema.json").read_text(encoding="utf-8"))
