"""Issue 13 for the steering group: pending decisions in the review machinery, owners in the weekly report,
the decision pages and banners, and *Läget* (on screen and printed on A4)."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import replace

import pytest
from bs4 import BeautifulSoup

from conftest import TODAY, run_script
from test_freshness import AGREEMENT
from insatsguiden.domain.freshness import OK, OVERDUE, SOON, evaluate, message, sentence
from insatsguiden.domain.review_report import as_json, as_markdown, as_text, by_owner, mention, valid_account
from insatsguiden.model.catalogue import Catalogue
from insatsguiden.model.loader import load_text
from insatsguiden.model.validate import check
from insatsguiden.site.render import Site, render_page, site_pages
from insatsguiden.tools.tracking import decide, gh_commands, mentions_to_notify

D = dt.date

DECISION = """beslut:
  - id: b
    fraga: Ska insatsen bli kvar?
    beslutas_av: {{namn: Styrgruppen, organisation: o}}
    vackt: "2021-09"
{dates}
    status: {status}
{extra}
    insatser: [i]
    overenskommelser: [a]
    forvaltare: {{roll: Samordnare, github: {account}}}
    kallor: [{{kalla: k, avsnitt: "1"}}]
"""


def catalogue(today: D, dates: str = '    senast: "2026-03"', status: str = "vantar", extra: str = "",
              account: str = "anna-samordnare", agreement_owner: str = "") -> Catalogue:
    text = (AGREEMENT.replace("{rule}", 'revision: {regel: fast_datum, datum: "2026-06-01"}')
            .replace("{confirmed}", ', bekraftad: "2026-01-01"').replace("{verified}", ', verifierad: "2026-01-01"')
            .replace("{reviewed}", "2026-01-01"))
    if agreement_owner:
        text = text.replace("    status: gallande\n", f"    status: gallande\n    forvaltare: {agreement_owner}\n", 1)
    text += DECISION.format(dates=dates, status=status, extra=extra, account=account)
    data = load_text(text, "t.yaml")
    problems = check(data, "t.yaml", today)
    assert not problems, [p.text() for p in problems]
    return Catalogue.from_data(data, "t.yaml")


def decision_finding(today: D, **kwargs):
    found = [f for f in evaluate(catalogue(today, **kwargs), today) if f.kind == "beslut"]
    return found[0] if found else None


# --- review dates ------------------------------------------------------------------------------------------

def test_a_deadline_counts_from_its_last_day_and_is_named_in_the_sentence():
    assert decision_finding(D(2026, 3, 31)).state == SOON            # "2026-03": due on the 31st
    late = decision_finding(D(2026, 4, 1))
    assert (late.state, late.due, late.field, late.offset_days) == (OVERDUE, D(2026, 3, 31), "senast", 1)
    assert sentence(late) == "Beslutet skulle ha fattats senast 2026-03-31 – försenad sedan 1 dag."


def test_without_a_deadline_the_next_check_is_due_and_the_sentence_says_so():
    finding = decision_finding(D(2026, 11, 23), dates='    nasta_avstamning: "2026-10-01"')
    assert (finding.field, finding.due, finding.state) == ("nasta_avstamning", D(2026, 10, 1), OVERDUE)
    assert sentence(finding) == "Frågan skulle ha stämts av senast 2026-10-01 – försenad sedan 1 månad."


def test_a_deadline_wins_over_the_next_check():
    finding = decision_finding(D(2026, 1, 1), dates='    senast: "2026-09-30"\n    nasta_avstamning: "2026-02-01"')
    assert (finding.field, finding.due) == ("senast", D(2026, 9, 30))


def test_the_warning_period_is_the_agreements():
    assert decision_finding(D(2026, 1, 30)).state == SOON     # 60 days before 2026-03-31 (varning_dagar)
    assert decision_finding(D(2026, 1, 29)).state == OK


def test_taken_and_no_longer_relevant_decisions_fall_due_never():
    taken = '    utfall: Insatsen blir kvar.\n    beslutat: "2026-02-01"'
    assert decision_finding(D(2027, 1, 1), status="fattat", extra=taken) is None
    assert decision_finding(D(2027, 1, 1), status="inaktuellt") is None


def test_every_finding_carries_the_records_owner():
    today = D(2026, 11, 23)
    found = evaluate(catalogue(today, agreement_owner="{roll: Avtalsansvarig}"), today)
    decision = next(f for f in found if f.kind == "beslut")
    agreement = next(f for f in found if f.kind == "overenskommelse")
    review = next(f for f in found if f.kind == "granskning")
    assert (decision.owner_role, decision.owner_github, decision.owner) == ("Samordnare", "anna-samordnare", "Samordnare")
    assert (agreement.owner_role, agreement.owner_github, agreement.owner) == ("Avtalsansvarig", None, "Avtalsansvarig")
    assert (review.owner_role, review.owner) == (None, review.responsible)   # no forvaltare: who is responsible
    assert message(decision) == ("Ska insatsen bli kvar?: Beslutet skulle ha fattats senast 2026-03-31 – försenad "
                                 "sedan 7 månader. Beslutas av: Org. Hålls aktuell av: Samordnare.")
    document = json.loads(as_json(found, "t.yaml", today))["fynd"]
    shown = next(f for f in document if f["kind"] == "beslut")
    assert shown["forvaltare"] == {"roll": "Samordnare", "github": "anna-samordnare"} and shown["agare"] == "Samordnare"
    assert shown["section"] == "beslut" and shown["kind_label"] == "Beslut"
    assert next(f for f in document if f["kind"] == "granskning")["forvaltare"] is None


def test_default_data_has_eight_overdue_decisions_in_every_format(default_catalogue):
    found = [f for f in evaluate(default_catalogue, TODAY) if f.kind == "beslut"]
    assert len(found) == len(default_catalogue.pending_decisions()) == 8
    assert all(f.state == OVERDUE for f in found)
    evi = next(f for f in found if f.record_id == "revision-av-evi-overenskommelsen")
    assert (evi.field, evi.due) == ("senast", D(2022, 3, 31))
    text = run_script("scripts/check_freshness.py", "--today", "2026-11-23")
    assert text.returncode == 1
    line = next(l for l in text.stdout.splitlines() if "Ska UMA bli ordinarie" in l)
    assert re.match(r"^data/insatser\.yaml:\d+:\d+: Försenad: Ska UMA bli ordinarie verksamhet, och i så fall inom "
                    r"Rehabteamet\?: Frågan skulle ha stämts av senast 2022-09-30 – försenad sedan 4 år\.", line)
    github = run_script("scripts/check_freshness.py", "--today", "2026-11-23", "--format", "github").stdout
    assert "Beslutet skulle ha fattats senast 2022-03-31" in github
    markdown = run_script("scripts/check_freshness.py", "--today", "2026-11-23", "--format", "markdown").stdout
    assert "| Beslut |" in markdown and "| Beslut (avstämning) |" in markdown
    document = json.loads(run_script("scripts/check_freshness.py", "--today", "2026-11-23", "--format", "json").stdout)
    assert sum(f["kind"] == "beslut" for f in document["fynd"]) == 8


# --- the weekly report, by owner -----------------------------------------------------------------------------

def test_report_groups_overdue_items_by_owner_and_mentions_each_account_once():
    today = D(2026, 11, 23)
    found = evaluate(catalogue(today, agreement_owner="{roll: Avtalsansvarig, github: bo-avtal}"), today)
    report = as_markdown(found, "t.yaml", today)
    assert report.count("@anna-samordnare") == 1 and report.count("@bo-avtal") == 1
    assert "### Samordnare (@anna-samordnare): 1 försenade" in report
    assert "### Avtalsansvarig (@bo-avtal): 1 försenade" in report
    # Each owner's list holds its own records only.
    section = report.split("### Samordnare (@anna-samordnare)")[1].split("###")[0]
    assert "Ska insatsen bli kvar?" in section and "Avtalet" not in section


def test_report_groups_items_due_soon_by_owner_without_mentioning_anyone():
    # Both records fall due within the warning period: the decision 2026-12-01, the agreement 2026-12-10.
    today = D(2026, 11, 23)
    found = evaluate(catalogue(today, dates='    senast: "2026-12-01"',
                               agreement_owner="{roll: Avtalsansvarig, github: bo-avtal}"), today)
    soon = {f.record_name: f.owner for f in found if f.state == SOON}
    assert soon.get("Ska insatsen bli kvar?") == "Samordnare" and len(set(soon.values())) >= 2, soon
    report = as_markdown(found, "t.yaml", today)
    part = report.split("## Snart dags per förvaltare")[1]
    assert "@" not in part   # nobody is notified before anything is late
    sections = {block.split("\n", 1)[0]: block for block in part.split("#### ")[1:]}
    samordnare = next(block for heading, block in sections.items() if heading.startswith("Samordnare: "))
    others = [block for heading, block in sections.items() if not heading.startswith("Samordnare: ")]
    assert "Ska insatsen bli kvar?" in samordnare and "| Insatsen" not in samordnare
    assert others and all("Ska insatsen bli kvar?" not in block for block in others)
    for heading, block in sections.items():
        rows = [line for line in block.splitlines() if line.startswith("| ") and "---" not in line][1:]
        assert heading.endswith(f": {len(rows)} snart dags")
    assert sum(int(h.rsplit(": ", 1)[1].split()[0]) for h in sections) == sum(f.state == SOON for f in found)
    # One role is one heading, whether or not an item names the role's account.
    twins = [replace(f, owner_role="Samordnare", owner_github=account)
             for f, account in zip([f for f in found if f.state == SOON], ("anna-samordnare", None, "bo-avtal"))]
    assert as_markdown(twins, "t.yaml", today).count("#### Samordnare: 3 snart dags") == 1
    # The agreement is overdue, the decision only due soon: only the agreement's owner is notified.
    assert mentions_to_notify("", report) == ["bo-avtal"]


def test_an_account_is_printed_only_as_a_valid_name():
    assert valid_account("anna-samordnare") and valid_account("a" * 39)
    for bad in ("", "a" * 40, "-anna", "anna-", "an--na", "anna samordnare", "anna\n@eve", "@anna", "anna_s",
                "anna)\n### x", None, 12):
        assert not valid_account(bad), bad
        assert mention(bad) == ""


def test_hostile_text_in_the_report_mentions_nobody(default_catalogue):
    today = D(2026, 11, 23)
    found = evaluate(catalogue(today, account="anna-samordnare"), today)
    hostile = [f.__class__(**{**f.__dict__, "owner_role": "Roll @eve [x](https://evil) <b>",
                             "record_name": "@mallory **fet**", "owner_github": "eve\n### @x"}) for f in found]
    report = as_markdown(hostile, "t.yaml", today)
    assert not re.search(r"(?<!\\)@(eve|mallory|x)\b", report), report
    assert "[x](https://evil)" not in report and "\\[x\\](https://evil)" in report   # a link only as text
    assert "<b>" not in report
    groups = by_owner([f for f in hostile if f.state == OVERDUE])
    assert all(group.account is None for group in groups)


def test_text_format_names_the_owner():
    today = D(2026, 11, 23)
    text = as_text(evaluate(catalogue(today), today), "t.yaml")
    assert "Hålls aktuell av: Samordnare." in text


# --- the tracking issue notifies the owners whose list changed --------------------------------------------------

def _report(rows_anna: str, rows_bo: str) -> str:
    return ("<!-- insatsguiden-granskning -->\n# Granskning av Insatsguiden 2026-11-23\n\n## Försenade per förvaltare\n\n"
            f"### Samordnare (@anna): 1 försenade\n\n| a | {rows_anna} |\n\n"
            f"### Avtal (@bo): 1 försenade\n\n| b | {rows_bo} |\n\n### Utan konto: 1 försenade\n\n| c |\n")


def test_an_update_comments_to_notify_only_the_owners_whose_list_changed():
    old, new = _report("x", "y"), _report("x", "z")
    assert mentions_to_notify(old, new) == ["bo"]
    plan = decide([{"number": 4, "body": old}], new, overdue=3)
    assert plan.action == "update" and plan.comment.count("@") == 1 and "@bo" in plan.comment
    commands = gh_commands(plan, "org/repo", "report.md", "comment.md")
    assert commands[-1] == ["gh", "issue", "comment", "4", "--repo", "org/repo", "--body-file", "comment.md"]
    assert all(plan.comment not in part for command in commands for part in command)
    # A new owner is notified; an unchanged list is not.
    assert mentions_to_notify(_report("x", "y").replace("### Avtal (@bo)", "### Avtal"), new) == ["bo"]
    assert decide([{"number": 4, "body": new}], new, overdue=3).comment == ""
    # Opening the issue notifies everyone mentioned in its body; no comment is needed.
    assert decide([], new, overdue=3).comment == ""


def test_a_forged_heading_in_the_body_notifies_nobody():
    forged = _report("x", "y").replace("### Utan konto", "### Utan \\(\\@eve\\)")
    assert mentions_to_notify("", forged) == ["anna", "bo"]


# --- pages -----------------------------------------------------------------------------------------------

def render(site: Site, url: str) -> BeautifulSoup:
    page = next(p for p in site_pages(site.catalogue) if p.url == url)
    return BeautifulSoup(render_page(page, site).html, "html.parser")


def test_a_pending_decision_shows_a_banner_on_what_it_concerns():
    today = D(2026, 11, 23)
    site = Site.build(catalogue(today), today)
    for url in ("insatser/i/", "overenskommelser/a/"):
        banner = next(p for p in render(site, url).select("p.ig-granskning") if "Beslut väntar" in p.get_text())
        text = " ".join(banner.get_text(" ", strip=True).split())
        assert text.startswith("Beslut väntar: Ska insatsen bli kvar? – Styrgruppen.")
        assert "försenad sedan 7 månader" in text                     # overdue in words, not by colour alone
        assert "ig-granskning-forsenad" in banner["class"] and banner.get("hidden") is None
        assert banner.select_one("a")["href"].endswith("beslut/b/")
        assert banner["data-ig-due"] == "2026-03-31" and banner["data-ig-subject"] == "Beslutet"
    assert "Hålls aktuell av Samordnare" in render(site, "beslut/b/").get_text(" ", strip=True)


def test_a_taken_decision_shows_its_outcome_and_no_banner():
    today = D(2026, 11, 23)
    site = Site.build(catalogue(today, status="fattat", extra='    utfall: Insatsen blir **kvar**.\n    beslutat: "2026-02-01"'),
                      today)
    assert "Beslut väntar" not in render(site, "insatser/i/").get_text()
    page = render(site, "beslut/b/")
    assert "Beslutet är fattat 2026-02-01." in page.get_text() and page.select_one("#utfall")
    assert page.select_one(".ig-beslut-fattat strong") is not None and "kvar" in page.select_one(".ig-beslut-fattat").get_text()
    listing = render(site, "beslut/")
    assert "Fattade beslut (1)" in listing.get_text() and "Väntar på beslut (0)" in listing.get_text()


def test_a_decision_no_longer_relevant_is_listed_apart():
    today = D(2026, 11, 23)
    site = Site.build(catalogue(today, status="inaktuellt"), today)
    listing = render(site, "beslut/").get_text(" ", strip=True)
    assert "Inte längre aktuella (1)" in listing and "Väntar på beslut (0)" in listing
    assert "Beslut väntar" not in render(site, "insatser/i/").get_text()


def test_the_owners_github_account_stays_off_the_pages():
    today = D(2026, 11, 23)
    site = Site.build(catalogue(today), today)
    for url in ("insatser/i/", "overenskommelser/a/", "beslut/b/", "beslut/", "laget/", "granskning/"):
        assert "anna-samordnare" not in str(render(site, url)), url


def test_granskning_lists_decisions_under_who_decides(built_site, default_catalogue):
    page = BeautifulSoup((built_site / "granskning" / "lsg-ludvika-smedjebacken" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    links = {a["href"] for a in page.select("article a[href]")}
    assert "../../beslut/uma-som-ordinarie-verksamhet/" in links
    assert "Beslut som väntar, avstämning" in page.get_text()
    document = json.loads((built_site / "granskning.json").read_text(encoding="utf-8"))
    assert sum(f["kind"] == "beslut" for f in document["fynd"]) == 8


# --- Läget -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def laget(built_site):
    return BeautifulSoup((built_site / "laget" / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_laget_has_what_the_board_needs(laget, default_catalogue):
    article = laget.select_one("article")
    text = " ".join(article.get_text(" ", strip=True).split())
    assert article.select_one("h1").get_text(strip=True) == "Läget 2026-11-23"
    assert [h["id"] for h in article.select("h2")] == ["overenskommelser", "beslut-som-vantar", "per-forvaltare", "luckor",
                                                       "siffror"]
    # Overdue agreements and decisions, with who decides and since when.
    assert "Överenskommelse om EVI (En Väg In) i Ludvika och Smedjebacken" in text and "Försenad 7 år" in text
    assert len(article.select("section[aria-labelledby=beslut-som-vantar] tbody tr")) == 8
    uma = next(r for r in article.select("section[aria-labelledby=beslut-som-vantar] tbody tr") if "UMA" in r.get_text())
    assert [td.get_text(" ", strip=True) for td in uma.select("td")][1:3] == ["LSG, med finansieringsfrågan hos Finsam",
                                                                               "2020-10-31"]
    # Per owner, with links to the Granskning pages.
    owners = article.select("section[aria-labelledby=per-forvaltare] tbody tr")
    assert owners and all(row.select("a[href*='granskning/']") for row in owners)
    assert "Ansvarig chef för UMA och Rehabteamet, AMI Ludvika kommun" in text
    # Needs with nothing to refer to, per kommun, from the same coverage logic as Täckning.
    for kommun in default_catalogue.kommuner.values():
        heading = article.select_one(f"#luckor-{kommun['id']}")
        assert heading is not None and heading.get_text(strip=True) == kommun["namn"]
        listed = [a.get_text(strip=True) for a in heading.find_next("ul").select("li > a:first-child")]
        expected = [n["namn"] for n in default_catalogue.behov.values() if not default_catalogue.open_for(n["id"], kommun["id"])]
        assert listed == expected, kommun["id"]
    # The follow-up charts, from the charts engineer's macro.
    assert article.select("section[aria-labelledby=siffror] .ig-indikator img[src$='.svg']")


def test_laget_prints_on_a_sensible_number_of_a4_pages_without_a_heading_at_a_page_end(browser, site_url):
    from pypdf import PdfReader

    context = browser.new_context(locale="sv-SE")
    tab = context.new_page()
    tab.goto(site_url + "laget/", wait_until="load")
    tab.emulate_media(media="print")
    # Each heading with the first line of what follows it: a heading ends a page when it is a page's last line
    # and the next page starts with its content (a table cell may also read "Smedjebacken").
    following = {" ".join(heading.split()): " ".join(after.split()) for heading, after in tab.evaluate(
        """() => [...document.querySelectorAll('article h2, article h3, article h4')].map(h => [h.innerText,
             ((h.nextElementSibling && h.nextElementSibling.innerText) || '').trim().split('\\n')[0]])""")}
    pdf = tab.pdf(format="A4", print_background=False)
    context.close()
    reader = PdfReader(io.BytesIO(pdf))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, (width, height)   # A4 in points
    print(f"\nLäget: {len(reader.pages)} A4-sidor, {len(pdf) // 1024} KB")
    assert 2 <= len(reader.pages) <= 25, len(reader.pages)
    texts = [page.extract_text() or "" for page in reader.pages]
    assert "Läget 2026-11-23" in texts[0]
    pages = [[" ".join(l.split()) for l in text.splitlines() if l.strip()] for text in texts]
    assert all(pages)
    for number, (lines, next_lines) in enumerate(zip(pages, pages[1:]), start=1):
        after = following.get(lines[-1])
        ends_with_heading = after is not None and after[:15] and next_lines[0][:15] == after[:15]
        assert not ends_with_heading, f"sidan {number} slutar med rubriken {lines[-1]!r}"
    # Navigation and the header are not printed.
    assert "Vägvisare" not in texts[0].split("Läget 2026-11-23")[0]


def test_an_insats_period_shows_its_start_not_its_position_in_the_file(built_site):
    """A record's mappings carry their position as an attribute `start`; Jinja's dot lookup found it before the key
    ("från (1277, 7)"), so the template reads the key."""
    page = BeautifulSoup((built_site / "insatser" / "uma" / "index.html").read_text(encoding="utf-8"), "html.parser")
    period = next(div for div in page.select("dl.ig-fakta div") if div.dt.get_text(strip=True) == "Period")
    assert period.dd.get_text(" ", strip=True) == "från 2017 till 2020-10-31"
