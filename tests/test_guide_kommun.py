"""One kommun's guide document (the page fetches it from the API) gives the same triage as the whole export.

For generated answer sets with the kommun set, evaluate() on kommun_guide_data(data, kommun)
equals evaluate() on the whole export: every list, reason and order, the count of measures
in other kommuner, the recorded gaps and the förbund to tell. Checked on the site's data, on
the parity tests' richer export (every rule, hand-offs, a second scope question) and on a
synthetic catalogue of 300 insatser spread over many kommuner, where the document must also
be much smaller than the whole.
"""
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TODAY
from insatsguiden.domain.freshness import evaluate as review
from insatsguiden.domain.guide import evaluate, guide_data, guide_form_data, kommun_guide_data
from insatsguiden.model.validate import validate_text
from insatsguiden.tools.synthetic import catalogue_yaml
from test_guide_parity import answer_sets, rich_data


@pytest.fixture(scope="module")
def default_data(default_catalogue):
    return guide_data(default_catalogue, review(default_catalogue, TODAY), TODAY)


@pytest.fixture(scope="module")
def synthetic_data():
    result = validate_text(catalogue_yaml(300), "insatser.yaml", TODAY)
    assert result.ok
    return guide_data(result.catalogue, review(result.catalogue, TODAY), TODAY)


def kommuner(data: dict) -> list[str]:
    question = next(q for q in data["fragor"] if q["typ"] == "kommun")
    return [value for value, _ in question["varden"]]


def check_equal(data: dict, batch: list[dict]) -> int:
    question = next(q for q in data["fragor"] if q["typ"] == "kommun")
    documents = {kommun: kommun_guide_data(data, kommun) for kommun in kommuner(data)}
    rng = random.Random(len(batch))
    for answers in batch:
        kommun = rng.choice(list(documents))
        answers = {**answers, question["id"]: kommun}
        assert evaluate(documents[kommun], answers) == evaluate(data, answers), answers
    return len(batch)


def run(data: dict, examples: int = 8) -> None:
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(st.lists(answer_sets(data), min_size=40, max_size=40))
    def check(batch):
        check_equal(data, batch)

    check()


def test_a_kommun_document_triages_as_the_whole_export_on_the_site_data(default_data):
    run(default_data)


def test_a_kommun_document_triages_as_the_whole_export_on_every_rule(default_data):
    run(rich_data(default_data))


def test_a_kommun_document_triages_as_the_whole_export_on_a_large_catalogue(synthetic_data):
    run(synthetic_data, examples=4)


def test_a_kommun_document_holds_only_what_the_kommun_can_reach(synthetic_data):
    whole = len(json.dumps(synthetic_data, ensure_ascii=False))
    scope = next(q for q in synthetic_data["fragor"] if q["typ"] == "kommun")
    handed_off = {t for c in synthetic_data["villkor"] for t in c["hanvisa_till"]}
    sizes = []
    for kommun in kommuner(synthetic_data):
        document = kommun_guide_data(synthetic_data, kommun)
        kept = {item["id"] for item in document["insatser"]}
        for item in synthetic_data["insatser"]:
            limits = [synthetic_data["villkor"][i] for i in item["villkor"] if synthetic_data["villkor"][i]["fraga"] == scope["id"]]
            outside = any(kommun not in c.get("varden", [c.get("varde")]) for c in limits if c["typ"] == "krav")
            assert (item["id"] in kept) == (not outside), item["id"]
            if outside and item["id"] in handed_off:
                assert document["hanvisningar"][item["id"]] == [item["namn"], item["ej_tillganglig"]]
        # Every condition left is used, and the left-out ones are all counted.
        used = {i for item in document["insatser"] for i in item["villkor"]}
        assert used == set(range(len(document["villkor"])))
        assert sum(count for _, count in document["utanfor"]) == len(synthetic_data["insatser"]) - len(kept)
        assert set(document["forbund"]) <= {kommun}
        assert all(kommun in gap["kommuner"] for gap in document["ej_tackta"])
        # Each synthetic measure serves two of eight kommuner: about a quarter reach each.
        sizes.append(len(json.dumps(document, ensure_ascii=False)) / whole)
    assert max(sizes) < 0.4, sizes


def test_the_page_embeds_questions_not_measures(default_data):
    embedded = guide_form_data(default_data)
    assert "insatser" not in embedded and embedded["fragor"] == default_data["fragor"]
    # Without a kommun question there is no document to fetch: the page carries the whole export.
    without = {**default_data, "fragor": [q for q in default_data["fragor"] if q["typ"] != "kommun"]}
    assert guide_form_data(without) is without and kommun_guide_data(without, "ludvika") is without
