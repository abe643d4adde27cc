"""Calendars (site/calendars.py): parsed back with icalendar and compared with the review findings."""
import datetime as dt
import re

import pytest
import yaml
from icalendar import Calendar

from conftest import FIXTURES, TODAY
from insatsguiden.model.validate import validate_text
from insatsguiden.site import calendars
from insatsguiden.site.render import Site
from test_tables import AGREEMENT_TITLE, FORMULA_NAME, QUOTED_NAME, hostile_site

DAY = dt.timedelta(days=1)
STAMP = dt.datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=dt.timezone.utc)
CALENDAR_KINDS = {"overenskommelse", "beslut", "granskning", "intag"}  # contacts are not in the calendars
PAGES = {"overenskommelser": "overenskommelser/", "beslut": "beslut/", "insatser": "insatser/"}


def parse(data: bytes) -> Calendar:
    """Parse strictly the way a subscriber's client would, and check the wire format on the way."""
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line and b"\r" not in line for line in lines), "CRLF only"
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)  # folded at 75 octets
    # RFC 5545 puts an event's properties before its alarms; the new Outlook drops what comes after.
    for block in re.findall(rb"BEGIN:VEVENT\r\n(.*?)END:VEVENT\r\n", data, re.S):
        assert b"BEGIN:VALARM" in block and block.endswith(b"END:VALARM\r\n")
    parsed = Calendar.from_ical(data)
    assert parsed.errors == []
    for component in parsed.walk():
        assert component.errors == [], (component.name, component.errors)
    assert str(parsed["VERSION"]) == "2.0" and str(parsed["CALSCALE"]) == "GREGORIAN"
    assert str(parsed["METHOD"]) == "PUBLISH" and str(parsed["PRODID"]).startswith("-//Insatsguiden//")
    assert str(parsed["X-WR-CALNAME"]).startswith("Insatsguiden: granskning")
    return parsed


def events(parsed: Calendar) -> dict[str, object]:
    found = {str(event["UID"]): event for event in parsed.walk("VEVENT")}
    assert len(found) == len(parsed.walk("VEVENT")), "UIDs are unique"
    return found


def check_event(event, start: dt.date, end: dt.date, overdue: bool) -> None:
    assert event.decoded("DTSTART") == start and type(event.decoded("DTSTART")) is dt.date  # all-day
    assert event.decoded("DTEND") == end
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["TRANSP"]) == "TRANSPARENT"
    alarms = event.walk("VALARM")
    assert len(alarms) == 1
    alarm = alarms[0]
    assert str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"])
    assert alarm.decoded("TRIGGER") == (dt.timedelta(0) if overdue else -dt.timedelta(days=30))


def org_ids_by_rule(catalogue, finding) -> list[str]:
    """The README's rule, written out: agreement → ansvarig; decision → the organisation that decides, if named;
    insats → drivs_av, else its kommuners' förbund."""
    if finding.section == "overenskommelser":
        return [catalogue.overenskommelser[finding.record_id]["ansvarig"]]
    if finding.section == "beslut":
        body = catalogue.beslut[finding.record_id]["beslutas_av"]
        return [body["organisation"]] if "organisation" in body else []
    insats = catalogue.insatser[finding.record_id]
    if insats.get("drivs_av"):
        return insats["drivs_av"]
    return sorted({catalogue.kommuner[k]["samordningsforbund"] for k in insats["malgrupp"].get("kommuner", [])
                   if catalogue.kommuner[k].get("samordningsforbund")})


@pytest.fixture(scope="module")
def hostile():
    site = hostile_site()
    return site, calendars.files(site)


@pytest.fixture(scope="module")
def default(default_catalogue):
    site = Site.build(default_catalogue, TODAY)
    return site, calendars.files(site)


@pytest.mark.parametrize("which", ["default", "hostile"])
def test_every_finding_is_one_event_on_its_due_date_or_today_when_overdue(which, request):
    site, files = request.getfixturevalue(which)
    found = events(parse(files["kalender/alla.ics"]))
    expected = [f for f in site.findings if f.kind in CALENDAR_KINDS]
    assert expected
    for finding in expected:
        event = found.pop(f"{finding.kind}-{finding.record_id}@insatsguiden")
        overdue = finding.state == "forsenad"
        day = TODAY if overdue else finding.due
        check_event(event, day, day + DAY, overdue)
        summary, description = str(event["SUMMARY"]), str(event["DESCRIPTION"])
        assert summary.split(": ", 1)[1] == finding.record_name
        assert summary.startswith("Försena") == overdue
        who = "Beslutas av" if finding.kind == "beslut" else "Ansvarig"
        assert f"{who}: {finding.responsible}." in description
        if finding.kind == "beslut":
            assert summary.startswith(("Beslut senast", "Försenat beslut") if finding.field == "senast" else
                                      ("Stäm av beslut senast", "Försenad avstämning av beslut"))
        if finding.due:
            assert finding.due.isoformat() in description
        page = PAGES[finding.section] + finding.record_id + "/"
        assert description.endswith(f"Sida på Insatsguiden: {page}")
        assert "URL" not in event  # no site_url: a relative address is no URI
    # What is left are the revision windows of the agreements with a yearly window.
    yearly = {a["id"] for a in site.catalogue.overenskommelser.values()
              if a["revision"]["regel"] == "arligt_fonster" and a["status"] != "upphord"}
    assert set(found) == {f"revisionsfonster-{identity}@insatsguiden" for identity in yearly}


def test_windows_span_the_months_of_the_rule(default, hostile):
    # Default data: EVI 2018, window January–March, overdue since 2019-03-31: the next window to use.
    window = events(parse(default[1]["kalender/alla.ics"]))["revisionsfonster-evi-2018@insatsguiden"]
    check_event(window, dt.date(2027, 1, 1), dt.date(2027, 4, 1), overdue=False)
    assert str(window["SUMMARY"]) == "Revisionsfönster: Överenskommelse om EVI (En Väg In) i Ludvika och Smedjebacken"
    assert "januari–mars" in str(window["DESCRIPTION"])
    # Hostile data: revised 2026-02, window November–February: due 2027-02-28, the window runs over the new year.
    found = events(parse(hostile[1]["kalender/alla.ics"]))
    check_event(found["revisionsfonster-avtalet@insatsguiden"], dt.date(2026, 11, 1), dt.date(2027, 3, 1), False)
    check_event(found["overenskommelse-avtalet@insatsguiden"], dt.date(2027, 2, 28), dt.date(2027, 3, 1), False)
    # Intake confirmed 2026-10-01, six months: 2027-04-01; reviewed 2026-01-15, twelve months: 2027-01-15.
    check_event(found["intag-boendestod@insatsguiden"], dt.date(2027, 4, 1), dt.date(2027, 4, 2), False)
    check_event(found["granskning-boendestod@insatsguiden"], dt.date(2027, 1, 15), dt.date(2027, 1, 16), False)


@pytest.mark.parametrize("which", ["default", "hostile"])
def test_one_calendar_per_organisation_responsible_with_exactly_its_events(which, request):
    site, files = request.getfixturevalue(which)
    catalogue = site.catalogue
    everything = events(parse(files["kalender/alla.ics"]))
    wanted: dict[str, set[str]] = {}
    for finding in site.findings:
        if finding.kind not in CALENDAR_KINDS:
            continue
        owners = org_ids_by_rule(catalogue, finding)
        if owners:  # the ids name exactly the organisations freshness calls responsible
            assert ", ".join(catalogue.organisationer[o]["namn"] for o in owners) == finding.responsible
        assert calendars.responsible_organisations(catalogue, finding) == tuple(owners)
        for owner in owners:
            wanted.setdefault(owner, set()).add(f"{finding.kind}-{finding.record_id}@insatsguiden")
            if finding.kind == "overenskommelse":
                wanted[owner].add(f"revisionsfonster-{finding.record_id}@insatsguiden")
    assert set(files) == {"kalender/alla.ics"} | {f"kalender/{owner}.ics" for owner in wanted}
    # What pages link to (the Öppna data page) is exactly what is published.
    assert calendars.organisation_calendars(site) == {owner: f"kalender/{owner}.ics" for owner in sorted(wanted)}
    for owner, uids in wanted.items():
        parsed = parse(files[f"kalender/{owner}.ics"])
        assert str(parsed["X-WR-CALNAME"]) == f"Insatsguiden: granskning, {catalogue.organisationer[owner]['namn']}"
        own = events(parsed)
        assert set(own) == uids
        for uid, event in own.items():
            assert event.to_ical() == everything[uid].to_ical()  # the same event as in the combined calendar


def test_hostile_names_round_trip_through_the_parser(hostile):
    site, files = hostile
    for data in files.values():
        parse(data)  # every file, per organisation too, is well-formed
    found = events(parse(files["kalender/alla.ics"]))
    assert str(found["granskning-boendestod@insatsguiden"]["SUMMARY"]) == f"Granska senast: {FORMULA_NAME}"
    assert str(found["granskning-teamet@insatsguiden"]["SUMMARY"]) == f"Försenad granskning: {QUOTED_NAME}"
    assert str(found["overenskommelse-avtalet@insatsguiden"]["SUMMARY"]) == f"Revidera senast: {AGREEMENT_TITLE}"
    raw = files["kalender/alla.ics"].decode("utf-8")
    assert "\\;" in raw and "\\," in raw and "\\\\" in raw  # the library escaped them on the wire


@pytest.mark.parametrize("text", ['a "b", c; d \\ e', "rad 1\nrad 2", "x\u2028y ]]> </script>", "=1+1 å ä ö " * 20])
def test_any_text_in_an_event_round_trips(text):
    entry = calendars.Entry("granskning-x@insatsguiden", "granskning", text, dt.date(2027, 1, 1), dt.date(2027, 1, 2),
                            text, text, "insatser/x/", (), False)
    data = calendars.calendar_file("Insatsguiden: granskning", [calendars.event(entry, STAMP, None).to_ical()])
    event = parse(data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == text and str(event["DESCRIPTION"]) == text


def test_an_absolute_site_url_becomes_the_event_url(default_catalogue):
    site = Site.build(default_catalogue, TODAY)
    site.site_url = "https://exempel.se/guide/"
    found = events(parse(calendars.files(site)["kalender/alla.ics"]))
    event = found["granskning-evi-ludvika@insatsguiden"]
    assert str(event["URL"]) == "https://exempel.se/guide/insatser/evi-ludvika/"
    assert str(event["DESCRIPTION"]).endswith("Sida: https://exempel.se/guide/insatser/evi-ludvika/")


def test_an_organisation_called_alla_cannot_overwrite_the_combined_calendar():
    """The id `alla` is reserved, so kalender/alla.ics is always the combined calendar; the file
    name for an organisation still keeps apart from it should the reservation ever go."""
    data = yaml.safe_load((FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8"))
    renamed = re.sub(r"\bkommunen\b", "alla", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    result = validate_text(renamed, "alla.yaml", TODAY)
    assert not result.ok and any("id 'alla' kan inte användas" in p.message for p in result.problems)
    assert calendars.organisation_file("alla") == "kalender/alla--organisation.ics"


def test_the_built_site_publishes_the_calendars_and_tables(built_site):
    for path in ("kalender/alla.ics", "kalender/ludvika-ami.ics", "csv/insatser.csv", "csv/kontakter.csv",
                 "csv/granskning.csv"):
        assert (built_site / path).is_file(), path
    parsed = parse((built_site / "kalender" / "alla.ics").read_bytes())
    assert len(events(parsed)) > 60


def test_a_pending_decision_is_on_its_deadline_in_the_deciding_organisations_calendar(default_catalogue):
    """Decisions (issue 13) fall due like agreements: a deadline ahead is an event on that day with the
    30-day reminder, in the calendar of the organisation that decides; one with no organisation is only
    in alla.ics; a taken decision is in no calendar."""
    from insatsguiden import DEFAULT_DATA

    text = DEFAULT_DATA.read_text(encoding="utf-8")
    text = text.replace('    beslutas_av:\n      namn: Parterna i EVI-överenskommelsen\n    vackt: "2021-09"\n'
                        '    senast: "2022-03-31"\n',
                        '    beslutas_av:\n      namn: Parterna i EVI-överenskommelsen\n      organisation: ludvika-ami\n'
                        '    vackt: "2021-09"\n    senast: "2027-02-15"\n', 1)
    assert 'senast: "2027-02-15"' in text
    result = validate_text(text, "insatser.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    files = calendars.files(Site.build(result.catalogue, TODAY))
    uid = "beslut-revision-av-evi-overenskommelsen@insatsguiden"
    event = events(parse(files["kalender/alla.ics"]))[uid]
    check_event(event, dt.date(2027, 2, 15), dt.date(2027, 2, 16), overdue=False)
    question = result.catalogue.beslut["revision-av-evi-overenskommelsen"]["fraga"]
    assert str(event["SUMMARY"]) == f"Beslut senast: {question}"
    name = result.catalogue.organisationer["ludvika-ami"]["namn"]
    assert f"Beslutas av: {name}." in str(event["DESCRIPTION"])
    assert str(event["DESCRIPTION"]).endswith("Sida på Insatsguiden: beslut/revision-av-evi-overenskommelsen/")
    assert uid in events(parse(files["kalender/ludvika-ami.ics"]))
    # A decision body without an organisation (the default data's) is in the combined calendar only.
    default_files = calendars.files(Site.build(default_catalogue, TODAY))
    assert uid in events(parse(default_files["kalender/alla.ics"]))
    assert not any(uid.encode() in data for path, data in default_files.items() if path != "kalender/alla.ics")
    # Taken: no longer in any calendar.
    taken = text.replace('    senast: "2027-02-15"\n    status: vantar\n',
                         '    senast: "2027-02-15"\n    status: fattat\n    utfall: Överenskommelsen revideras.\n'
                         '    beslutat: "2026-10-01"\n', 1)
    result = validate_text(taken, "insatser.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    assert all(uid.encode() not in data for data in calendars.files(Site.build(result.catalogue, TODAY)).values())


@pytest.mark.parametrize("value, taken", [
    ("https://exempel.se/guide/", "https://exempel.se/guide/"),
    ("https://exempel.se/guide", "https://exempel.se/guide/"),
    ("https://insatser.finsam.se", "https://insatser.finsam.se/"),
    ("http://127.0.0.1:8000/", None),             # what `mkdocs serve` puts there
    ("http://exempel.se/", None),
    ("javascript:alert(1)//", None),
    ("https://user:pw@exempel.se/", None),
    ("https://exempel.se/?a=1", None),
    ("https://exempel.se/#x", None),
    ("https:///guide/", None),
    ("https://exempel.se/a b/", None),
    ("https://exempel.se/\r\nX-Y: z", None),
    ("https://exempel.se/guide/?", None),
    ("https://exempel.se/#", None),
    ('https://exempel.se/"x"/', None),
    ("https://exempel.se/<x>/", None),
    ("https://exempel.se/\x7f/", None),
    ("https://exempel.se/åäö/", None),            # MkDocs would publish it percent-encoded
    ("", None),
    (None, None),
])
def test_only_a_public_https_site_url_is_used(value, taken):
    from insatsguiden.site.render import published_site_url

    assert published_site_url(value) == taken


def test_site_url_in_mkdocs_yml_reaches_the_calendars(monkeypatch):
    """The hook passes mkdocs.yml's site_url on (tests/test_serve_csp.py loads the hooks the same way)."""
    from mkdocs.config import load_config
    from conftest import ROOT
    from test_serve_csp import _hooks

    monkeypatch.setenv("INSATSGUIDEN_TODAY", TODAY.isoformat())
    monkeypatch.delenv("INSATSGUIDEN_DATA", raising=False)
    hooks = _hooks()
    for given, expected in (("https://exempel.se/guide", "https://exempel.se/guide/"), ("http://127.0.0.1:8000/", None)):
        config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_url=given)
        hooks.on_config(config)
        assert hooks._build.site.site_url == expected
        event = events(parse(calendars.files(hooks._build.site)["kalender/alla.ics"]))["granskning-evi-ludvika@insatsguiden"]
        if expected:
            assert str(event["URL"]) == "https://exempel.se/guide/insatser/evi-ludvika/"
        else:
            assert "URL" not in event
