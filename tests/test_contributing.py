"""The contributor's path: CONTRIBUTING.md, issue forms, the pull-request template and workflow, pre-commit.

Everything CONTRIBUTING.md shows is checked against the real thing: the
validator's messages are what the validator prints, the template and the
examples are valid data, the dates it promises are what the review rules
compute, and every option it names exists.
"""
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, PYTHON, ROOT, TODAY
from insatsguiden.domain.freshness import add_months, agreement_due, DEFAULTS
from insatsguiden.model.loader import load_text
from insatsguiden.model.schema import load_schema, vocabulary
from insatsguiden.tools.semantic_diff import diff, line
from insatsguiden.model.validate import check, validate_text

CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
MINIMAL = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")


def code_block_after(marker: str) -> str:
    """The fenced code block that follows an HTML comment marker like <!-- mall: ny-insats -->."""
    match = re.search(re.escape(marker) + r"\s*```yaml\n(.*?)```", CONTRIBUTING, re.S)
    assert match, f"{marker} saknas i CONTRIBUTING.md"
    return match.group(1)


def insert_insats(text: str, entry: str) -> str:
    assert text.count("\nej_tackta_behov:\n") == 1
    return text.replace("\nej_tackta_behov:\n", "\n" + entry + "ej_tackta_behov:\n")


# --- CONTRIBUTING.md ------------------------------------------------------------------------

VALIDATOR_EXAMPLE = re.compile(r"```text\n\$ python scripts/validate.py (tests/fixtures/invalid/\S+\.yaml)\n(.*?)```", re.S)


def test_contributing_covers_every_task():
    for words in ("Edit this file", "Commit changes…", "Create a new branch for this commit and start a pull request",
                  "Propose changes", "Create pull request", "python scripts/new_insats.py", "senast_reviderad",
                  "status: stangd", "sedan:", "anteckning:", "bekraftad:", "FIL:RAD:KOLUMN: meddelande",
                  "bash scripts/serve.sh", "schema/insatser.schema.json", "python scripts/diff_data.py --base origin/main"):
        assert words in CONTRIBUTING, words


def test_validator_examples_are_what_the_validator_prints():
    examples = VALIDATOR_EXAMPLE.findall(CONTRIBUTING)
    assert len(examples) >= 4
    for fixture, shown in examples:
        completed = subprocess.run([PYTHON, "scripts/validate.py", fixture], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert completed.returncode == 1
        assert shown == completed.stdout + completed.stderr, fixture


def test_new_insats_template_is_valid():
    """The copy/paste template, at the end of the insatser list, passes the schema and every rule.

    It names ids of the real data (ludvika-ami, utredning-evi-uma-rehab-2021 …); in the small test
    file those are unresolved references, which is the only thing allowed to be reported.
    """
    template = code_block_after("<!-- mall: ny-insats -->")
    assert template.startswith("  - id: ")
    text = insert_insats(MINIMAL, template)
    data = load_text(text, "mall.yaml")
    problems = check(data, "mall.yaml", TODAY)
    unresolved = [p for p in problems if "som inte finns under" in p.message]
    assert problems == unresolved, [p.text() for p in problems]
    named = {m for p in unresolved for m in re.findall(r"'([a-z0-9-]+)' som inte finns", p.message)}
    assert named == {"arbetstraning", "ludvika-ami", "utredning-evi-uma-rehab-2021"}
    entry = data["insatser"][-1]
    assert "telefon" not in entry["kontakter"][0], "mallen ska inte innehålla påhittade kontaktuppgifter"


def test_new_insats_template_is_valid_with_those_ids(tmp_path):
    """The same template in a file that has the ids it names: no problems at all."""
    template = code_block_after("<!-- mall: ny-insats -->")
    text = MINIMAL.replace("  - id: bostad\n", "  - id: arbetstraning\n    namn: Arbetsträning\n    beskrivning: Träna arbete.\n"
                                             "  - id: bostad\n", 1)
    text = text.replace("kallor:\n  - id: rapport\n", "kallor:\n  - id: utredning-evi-uma-rehab-2021\n    titel: Utredning\n"
                                                      "    utgivare: Ludvika kommun\n    datum: \"2021-09\"\n  - id: rapport\n", 1)
    text = text.replace("organisationer:\n", "organisationer:\n  - id: ludvika-ami\n    namn: AMI Ludvika\n    typ: kommun\n"
                                              "    kallor:\n      - kalla: rapport\n        avsnitt: \"1\"\n", 1)
    result = validate_text(insert_insats(text, template), "mall.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]


def test_intake_stop_example_is_valid_and_its_date_is_right():
    example = code_block_after("<!-- exempel: intagsstopp -->")
    old = "    intag:\n      status: oppen\n"
    assert MINIMAL.count(old) == 1
    data_text = MINIMAL.replace(old, example)
    result = validate_text(data_text, "intag.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    intake = result.catalogue.insatser["boendestod"]["intag"]
    assert intake["status"] == "stangd" and set(intake) == {"status", "sedan", "anteckning", "bekraftad"}
    due = add_months(dt.date.fromisoformat(intake["bekraftad"]), DEFAULTS["intag_max_manader"])
    assert f"som aktuell i {DEFAULTS['intag_max_manader']} månader" in CONTRIBUTING
    assert f"senast **{due.isoformat()}**" in CONTRIBUTING


DATA = (ROOT / "data" / "insatser.yaml").read_text(encoding="utf-8")


def _in_record(text: str, section: str, record_id: str, old: str, new: str) -> str:
    """`text` with `old` replaced by `new` inside one record of a section."""
    start = text.index(f"\n  - id: {record_id}\n", text.index(f"\n{section}:\n"))
    at = text.index(old, start)
    assert text.find("\n  - id: ", start + 1) == -1 or at < text.find("\n  - id: ", start + 1)
    return text[:at] + new + text[at + len(old):]


def test_follow_up_example_is_valid_in_the_real_data():
    example = code_block_after("<!-- exempel: indikatorer -->")
    text = _in_record(DATA, "insatser", "ludvikamodellen", "    senast_granskad:\n", example + "    senast_granskad:\n")
    result = validate_text(text, "indikatorer.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    assert [i["typ"] for i in result.catalogue.insatser["ludvikamodellen"]["indikatorer"]] == ["tidsserie", "fordelning"]
    for words in ("andel är över 100 %", "slutar innan\nden börjar", "inte blir 100", "citattecken"):
        assert words in CONTRIBUTING, words


def test_decision_examples_are_valid_in_the_real_data():
    example = code_block_after("<!-- exempel: beslut -->").replace("uma-som-ordinarie-verksamhet", "exempel-beslut")
    text = DATA.replace("\n# --- Vägvisaren", "\n" + example + "\n# --- Vägvisaren", 1)
    result = validate_text(text, "beslut.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    assert "exempel-beslut" in {d["id"] for d in result.catalogue.decisions_for_insats("uma")}
    taken = code_block_after("<!-- exempel: beslut-fattat -->")
    text = text.replace("    status: vantar\n    insatser: [uma, rehabteamet]\n    forvaltare:\n      roll: LSG – Lokala samverkansgruppen Ludvika och Smedjebacken\n    anmarkning: Utredningen anger ingen tidsgräns.\n    kallor:\n      - kalla: utredning-evi-uma-rehab-2021\n        avsnitt: \"7.3\"\n\n",
                        taken + "    insatser: [uma, rehabteamet]\n    kallor:\n      - kalla: utredning-evi-uma-rehab-2021\n        avsnitt: \"7.3\"\n\n", 1)
    result = validate_text(text, "beslut.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    assert result.catalogue.beslut["exempel-beslut"]["status"] == "fattat"


def test_owner_example_is_valid_in_the_real_data():
    example = code_block_after("<!-- exempel: forvaltare -->")
    old = "    forvaltare:\n      roll: AMI Ludvika kommun, ansvarig för att överenskommelsen hålls aktuell\n"
    text = _in_record(DATA, "overenskommelser", "evi-2018", old, example)
    result = validate_text(text, "forvaltare.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    assert result.catalogue.overenskommelser["evi-2018"]["forvaltare"]["github"] == "anna-samordnare"


def test_revised_agreement_example_and_its_dates():
    example = code_block_after("<!-- exempel: reviderad -->")
    snippet = load_text(example.replace("\n    ", "\n").lstrip(), "exempel")
    rule = snippet["revision"]
    before = agreement_due({"revision": rule, "senast_reviderad": "2018-04"})[0]
    after = agreement_due({"revision": rule, "senast_reviderad": snippet["senast_reviderad"]})[0]
    assert f"blir det **{after.isoformat()}**" in CONTRIBUTING
    assert f"försenad sedan\n  {before.isoformat()}" in CONTRIBUTING or f"försenad sedan {before.isoformat()}" in CONTRIBUTING
    # The snippet's lines replace the agreement's in the test file and the result is valid.
    text = MINIMAL.replace('    senast_reviderad: "2018-04"\n', "").replace("    status: foljs_inte\n", "")
    text = text.replace("    revision:\n      regel: arligt_fonster\n      fonster_fran_manad: 1\n      fonster_till_manad: 3\n", example)
    assert validate_text(text, "avtal.yaml", TODAY).ok


def test_summary_example_is_what_the_diff_prints():
    old = {"insatser": [{"id": "evi-ludvika", "namn": "EVI Ludvika (En Väg In)",
                         "kontakter": [{"roll": "EVI-koordinator (AMI Ludvika)", "telefontid": "Mån–fre 9–11", "verifierad": "2025-10-01"}]}]}
    new = {"insatser": [{"id": "evi-ludvika", "namn": "EVI Ludvika (En Väg In)",
                         "kontakter": [{"roll": "EVI-koordinator (AMI Ludvika)", "telefontid": "Mån–tor 9–11", "verifierad": "2026-11-20"}]}]}
    (shown,) = [line(change) for change in diff(old, new)]
    assert f"*{shown}*" in CONTRIBUTING


def test_value_tables_match_the_schema():
    for name in ("intagsstatus", "insatstyp"):
        for value in vocabulary(name):
            assert re.search(rf"^\| `{value}` \| ", CONTRIBUTING, re.M), f"{name}: {value}"
    for name in ("insatstyp", "intagsstatus", "remittent", "forsorjning", "overenskommelsestatus", "revisionstyp", "organisationstyp"):
        assert f"| `{name}` |" in CONTRIBUTING and name in load_schema()["$defs"]


def test_dotted_field_names_exist_in_the_schema():
    properties: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            properties.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(load_schema())
    dotted = {name for name in re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", CONTRIBUTING)
              if not re.search(r"\.(ya?ml|json|md|py|sh)$", name)}  # file names
    assert {"intag.status", "revision.regel", "giltighet.till"} <= dotted
    for name in dotted:
        assert all(part in properties for part in name.split(".")), name


def test_new_insats_options_in_contributing_exist():
    from insatsguiden.tools.scaffold import build_parser

    known = {option for action in build_parser()._actions for option in action.option_strings}
    block = CONTRIBUTING.split("python scripts/new_insats.py --namn", 1)[1].split("```", 1)[0]
    used = set(re.findall(r"(--[a-z-]+)", "--namn" + block))
    assert len(used) >= 12 and used <= known, used - known


def test_contributing_links_to_existing_files():
    for target in re.findall(r"\]\(([^)#:]+)\)", CONTRIBUTING):
        assert (ROOT / target).exists(), target


# --- issue forms and the pull-request template -------------------------------------------------

FORMS = ROOT / ".github" / "ISSUE_TEMPLATE"
ELEMENT_KEYS = {
    "markdown": ({"value"}, {"value"}),
    "input": ({"label"}, {"label", "description", "placeholder", "value"}),
    "textarea": ({"label"}, {"label", "description", "placeholder", "value", "render"}),
    "dropdown": ({"label", "options"}, {"label", "description", "options", "multiple", "default"}),
    "checkboxes": ({"label", "options"}, {"label", "description", "options"}),
}


def load_form(name: str) -> dict:
    return load_text((FORMS / name).read_text(encoding="utf-8"), name)


@pytest.mark.parametrize("name", ["ny-insats.yml", "andrade-uppgifter.yml", "intagsstopp.yml"])
def test_issue_form_follows_githubs_syntax(name):
    """The rules of GitHub's issue-form syntax that a typo would break."""
    form = load_form(name)
    assert set(form) <= {"name", "description", "title", "labels", "assignees", "projects", "type", "body"}
    assert form["name"] and form["description"] and form["body"]
    ids, labels = set(), set()
    for element in form["body"]:
        kind = element["type"]
        required, allowed = ELEMENT_KEYS[kind]
        assert set(element) <= {"type", "id", "attributes", "validations"}, element
        attributes = element["attributes"]
        assert required <= set(attributes) <= allowed, element
        if kind == "markdown":
            assert "id" not in element and "validations" not in element
            continue
        if "id" in element:
            assert re.fullmatch(r"[A-Za-z0-9_-]+", element["id"]) and element["id"] not in ids
            ids.add(element["id"])
        assert attributes["label"] not in labels
        labels.add(attributes["label"])
        if kind == "dropdown":
            options = attributes["options"]
            assert options and len(set(options)) == len(options) and "None" not in options
        if kind == "checkboxes":
            assert "validations" not in element and all(set(o) <= {"label", "required"} for o in attributes["options"])
        if "validations" in element:
            assert set(element["validations"]) == {"required"} and isinstance(element["validations"]["required"], bool)


def test_issue_forms_have_the_fields_the_pages_prefill():
    names = {load_form(n)["name"] for n in ("ny-insats.yml", "andrade-uppgifter.yml", "intagsstopp.yml")}
    assert names == {"Ny insats", "Ändrade uppgifter", "Intagsstopp"}
    for name in ("andrade-uppgifter.yml", "intagsstopp.yml"):
        (record_id,) = [e for e in load_form(name)["body"] if e.get("id") == "id"]
        assert record_id["type"] == "input" and record_id["validations"]["required"] is True
    statuses = next(e for e in load_form("intagsstopp.yml")["body"] if e.get("id") == "status")["attributes"]["options"]
    assert {re.search(r"\((\w+)\)$", option).group(1) for option in statuses} <= set(vocabulary("intagsstatus"))
    config = load_form("config.yml")
    assert set(config) <= {"blank_issues_enabled", "contact_links"} and isinstance(config["blank_issues_enabled"], bool)


def test_pull_request_template_checklist():
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] (.+)$", template, re.M)
    assert len(items) >= 5
    joined = "\n".join(items)
    for words in ("python scripts/validate.py", "källa", "personuppgifter", "påhittade kontaktuppgifter", "Datumen stämmer"):
        assert words in joined, words


# --- the pull-request workflow --------------------------------------------------------------------

WORKFLOW = ROOT / ".github" / "workflows" / "pull-request.yml"


def test_pull_request_workflow_passes_actionlint():
    completed = subprocess.run([str(Path(sys.executable).parent / "actionlint"), str(WORKFLOW)], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_pull_request_workflow_steps():
    workflow = load_text(WORKFLOW.read_text(encoding="utf-8"), "pull-request.yml")
    assert set(workflow["on"]) == {"pull_request"}
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    uses = [step.get("uses", "") for step in steps]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert uses[0] == "actions/checkout@v4"
    python = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    order = [runs.index(command) for command in (
        "bash scripts/setup.sh requirements.txt", "git fetch", "scripts/validate.py --format github",
        'scripts/diff_data.py --base "origin/${BASE_REF}" --format markdown >> "$GITHUB_STEP_SUMMARY"', "mkdocs build --strict")]
    assert order == sorted(order)
    fetch = next(step for step in steps if "git fetch" in step.get("run", ""))
    summary = next(step for step in steps if "diff_data.py" in step.get("run", ""))
    for step in (fetch, summary):
        assert step["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert "refs/remotes/origin/${BASE_REF}" in fetch["run"]
    assert summary["if"] == "${{ !cancelled() }}"  # the summary also when validation failed
    build = next(step for step in steps if "mkdocs build" in step.get("run", ""))
    assert build["env"]["NO_MKDOCS_2_WARNING"] == "1"
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["uses"] == "actions/upload-artifact@v4" and upload["with"]["path"] == "site/"
    for script in re.findall(r"scripts/[a-z_]+\.(?:py|sh)", runs):
        assert (ROOT / script).exists(), script


def test_workflow_summary_command_works_like_in_ci(tmp_path):
    """The summary step's command, run as the workflow runs it, against a base fetched as origin/<branch>."""
    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}

    def git(cwd, *args):
        completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60)
        assert completed.returncode == 0, completed.stderr

    origin, clone = tmp_path / "origin", tmp_path / "clone"
    (origin / "data").mkdir(parents=True)
    git(origin, "init", "--quiet", "--initial-branch=main")
    (origin / "data" / "insatser.yaml").write_text(MINIMAL, encoding="utf-8")
    git(origin, "add", ".")
    git(origin, "commit", "--quiet", "-m", "start")
    git(tmp_path, "clone", "--quiet", "--depth=1", f"file://{origin}", str(clone))
    git(clone, "update-ref", "-d", "refs/remotes/origin/main")  # as after actions/checkout of a pull request
    (clone / "data" / "insatser.yaml").write_text(MINIMAL.replace("      status: oppen", "      status: pausad"), encoding="utf-8")
    workflow = load_text(WORKFLOW.read_text(encoding="utf-8"), "pull-request.yml")
    steps = next(iter(workflow["jobs"].values()))["steps"]
    fetch = next(step for step in steps if "git fetch" in step.get("run", ""))["run"]
    summary = next(step for step in steps if "diff_data.py" in step.get("run", ""))["run"]
    # The checkout holds the code too: the script's default data file is the checkout's.
    for directory in ("insatsguiden", "scripts", "schema"):
        shutil.copytree(ROOT / directory, clone / directory, ignore=shutil.ignore_patterns("__pycache__"))
    assert summary.startswith(".venv/bin/python scripts/diff_data.py ")
    summary = summary.replace(".venv/bin/python scripts/diff_data.py", f"{PYTHON} scripts/diff_data.py --today {TODAY}")
    step_summary = tmp_path / "summary.md"
    for command in (fetch, summary):
        # In the workflow, setup.sh installs the checkout's own package into its .venv; here the
        # shared .venv's editable install points at this repository, so the clone's package goes first.
        completed = subprocess.run(["bash", "-e", "-c", command], cwd=clone, capture_output=True, text=True, timeout=60,
                                   env={**env, "BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(step_summary),
                                        "PYTHONPATH": str(clone)})
        assert completed.returncode == 0, completed.stderr
    text = step_summary.read_text(encoding="utf-8")
    assert text.startswith("## Ändringar i `data/insatser.yaml`\n\nJämfört med `origin/main`: 0 nya, 1 ändrad, 0 borttagna.")
    assert "intagsstatus Öppen för nya deltagare → Pausad" in text


# --- pre-commit -------------------------------------------------------------------------------------

def pre_commit_hook() -> dict:
    config = load_text((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"), ".pre-commit-config.yaml")
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (hook,) = repo["hooks"]
    return hook


def test_pre_commit_hook_selects_only_the_data_file():
    hook = pre_commit_hook()
    assert hook["language"] in ("system", "python") and hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    assert pattern.search("data/insatser.yaml")
    for other in ("data/insatser.yaml.bak", "tests/fixtures/valid/minimal.yaml", "xdata/insatser.yaml", "data/insatserXyaml"):
        assert not pattern.search(other), other


@pytest.mark.parametrize("fixture,exit_code", [("valid/minimal.yaml", 0), ("invalid/bad_enum.yaml", 1)])
def test_pre_commit_hook_entry_validates(tmp_path, fixture, exit_code):
    """The entry as pre-commit runs it: from the repository root, with the file name appended."""
    hook = pre_commit_hook()
    command = hook["entry"].split()
    assert command[0] == "python"
    data = tmp_path / "insatser.yaml"
    data.write_bytes((FIXTURES / fixture).read_bytes())
    completed = subprocess.run([PYTHON, *command[1:], str(data), "--today", TODAY.isoformat()], cwd=ROOT,
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == exit_code, completed.stdout + completed.stderr


def test_pre_commit_pins_match_requirements():
    hook = pre_commit_hook()
    assert hook["language"] == "python"  # its own environment, so a plain `python` on PATH is enough
    pins = dict(line.strip().split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    normal = {name.lower().replace("_", "-"): version for name, version in pins.items()}
    for requirement in hook["additional_dependencies"]:
        name, version = requirement.split("==")
        assert normal[name.lower().replace("_", "-")] == version, requirement


def test_pre_commit_dependencies_cover_what_validation_imports():
    """The hook runs in its own environment with only these packages; validation must not need others."""
    probe = (
        "import json, runpy, sys\n"
        "sys.argv = ['validate.py', sys.argv[1], '--today', sys.argv[2]]\n"
        "try:\n"
        "    runpy.run_path('scripts/validate.py', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "names = {m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'insatsguiden', '__main__'}\n"
        "print(json.dumps(sorted(n for n in names if not n.startswith('_'))), file=sys.stderr)\n")
    completed = subprocess.run([PYTHON, "-c", probe, str(FIXTURES / "invalid" / "bad_enum.yaml"), TODAY.isoformat()],
                               cwd=ROOT, capture_output=True, text=True, timeout=60)
    imported = json.loads(completed.stderr.strip().splitlines()[-1])
    assert "yaml" in imported and "jsonschema" in imported
    from importlib.metadata import packages_distributions
    distributions = packages_distributions()
    pinned = {requirement.split("==")[0].lower().replace("_", "-") for requirement in pre_commit_hook()["additional_dependencies"]}
    # Modules without a distribution (cython_runtime from PyYAML's C extension) come with their package.
    needed = {dist.lower().replace("_", "-") for module in imported for dist in distributions.get(module, [])}
    assert {"pyyaml", "jsonschema", "jsonschema-rs"} <= needed
    assert needed <= pinned, needed - pinned
