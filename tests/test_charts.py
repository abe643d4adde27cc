"""Follow-up charts (site/charts.py, templates/_indikator.html): static SVG that is safe and says what the data says.

Every chart of the default data and of generated valid indicators renders; its SVG parses as XML, holds every
value as a label and nothing that runs or fetches; text from data is escaped; the table beside it holds exactly
the data's values; the summary names every value; the insats page and the Uppföljning page show the same files.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import ROOT, TODAY
from insatsguiden.model.steering_rules import check_indicators
from insatsguiden.site import charts
from insatsguiden.site.charts import ChartError, chart, period_label, render_all, svg, unsafe_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
INSATS = {"id": "testinsats", "namn": "Testinsats"}
CITE = {"kalla": "kalla", "avsnitt": "1"}


def _texts(document: str) -> list[str]:
    """Every text node of the SVG as the reader sees it (lines of a multi-line label joined by a newline)."""
    root = ET.fromstring(document)
    found = []
    for text in root.iter(SVG_NS + "text"):
        lines = [span.text or "" for span in text.iter(SVG_NS + "tspan")]
        found.append("\n".join(lines) if lines else (text.text or ""))
    return found


def _distribution(names: list[str], unit: str = "antal", values: list[int] | None = None) -> dict:
    values = values or [10 + n for n in range(len(names))]
    return {"id": "fordelning", "namn": "Fördelning", "enhet": unit, "typ": "fordelning",
            "period": {"fran": "2021-01", "till": "2021-06"},
            "varden": [{"kategori": f"k{n}", "namn": name, "varde": value}
                       for n, (name, value) in enumerate(zip(names, values))], "kalla": CITE}


def _indicators_of(catalogue) -> list[tuple[dict, dict]]:
    return [(insats, indicator) for insats in catalogue.insatser.values() for indicator in insats.get("indikatorer") or []]


# --- Swedish labels -------------------------------------------------------------------

@pytest.mark.parametrize("fran, till, long, short", [
    ("2021-01", "2021-06", "januari–juni 2021", "jan–jun 2021"),
    ("2021", "2021", "2021", "2021"),
    ("2019", "2021", "2019–2021", "2019–2021"),
    ("2021-01", "2021-12", "2021", "2021"),
    ("2021-03", "2021-03", "mars 2021", "mar 2021"),
    ("2020-11", "2021-02", "november 2020–februari 2021", "nov 2020–feb 2021"),
    ("2021-03-15", "2021-06-30", "15 mars–30 juni 2021", "15 mar–30 jun 2021"),
    ("2021-03-15", "2021-03-15", "15 mars 2021", "15 mar 2021"),
    ("2020-12-01", "2021-01", "1 december 2020–31 januari 2021", "1 dec 2020–31 jan 2021"),
])
def test_periods_are_labelled_in_swedish(fran, till, long, short):
    assert period_label({"fran": fran, "till": till}) == long
    assert period_label({"fran": fran, "till": till}, short=True) == short


def test_summary_of_a_yearly_series_names_the_years_and_the_highest(default_catalogue):
    sot = default_catalogue.insatser["samordningsteamet-vasteras"]
    made = chart(sot, next(i for i in sot["indikatorer"] if i["id"] == "nya-deltagare"))
    assert made.summary == ("Nya deltagare januari–juni: 41 (2018), 42 (2019), 26 (2020), 46 (2021). "
                            "Högst 2021, lägst 2020.")
    share = chart(sot, next(i for i in sot["indikatorer"] if i["id"] == "avslut-kunde-inte-delta"))
    assert share.summary.startswith("Slutade för att de inte kunde ta del av insatsen, januari–juni varje år: 15\u00a0% (2018)")


# --- the default data's charts ---------------------------------------------------------

def test_every_default_chart_is_safe_xml_with_every_value_as_a_label(default_catalogue):
    pairs = _indicators_of(default_catalogue)
    assert len(pairs) == 11
    for insats, indicator in pairs:
        made = chart(insats, indicator)
        document = svg(made)
        root = ET.fromstring(document)   # parses as XML
        assert root.tag == SVG_NS + "svg" and unsafe_svg(document) is None
        assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1].lower() in ("script", "foreignobject")]
        assert not [a for e in root.iter() for a in e.attrib if a.rsplit("}", 1)[-1].lower().startswith("on")]
        assert "http" not in re.sub(r'xmlns(:xlink)?="[^"]*"', "", document), "no external reference, no font URL"
        assert "@font-face" not in document and "font-family=\"sans-serif\"" in document
        texts = _texts(document)
        for value in indicator["varden"]:
            assert charts.number(value["varde"], indicator["enhet"]) in texts, (indicator["id"], value)
        for name in (value.get("namn") for value in indicator["varden"]):
            if name:
                assert charts._wrap(name) in texts, name
        unit = "procent, %" if indicator["enhet"] == "procent" else "antal"
        assert unit in texts, "the unit is on the axis"


def test_every_value_is_in_the_summary(default_catalogue):
    for insats, indicator in _indicators_of(default_catalogue):
        made = chart(insats, indicator)
        for row in made.rows:
            assert row.text in made.summary and row.text in made.alt, (indicator["id"], row)
        if indicator["typ"] == "fordelning":
            assert all(value["namn"] in made.summary for value in indicator["varden"])


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(colour: str, background: str = "#ffffff") -> float:
    high, low = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colours_have_enough_contrast_on_white(default_catalogue):
    insats, indicator = _indicators_of(default_catalogue)[1]
    root = ET.fromstring(svg(chart(insats, indicator)))
    text_fills = {e.get("fill") for e in root.iter(SVG_NS + "text")}
    assert text_fills and all(_contrast(fill) >= 4.5 for fill in text_fills), text_fills
    bar_fills = {e.get("fill") for e in root.iter(SVG_NS + "path") if "mark-rect" in (e.get("class") or "")
                 or e.get("fill") == charts.BAR_COLOUR}
    bar_fills |= {e.get("fill") for g in root.iter(SVG_NS + "g") if "mark-rect" in (g.get("class") or "")
                  for e in g.iter(SVG_NS + "path")}
    assert charts.BAR_COLOUR in bar_fills and all(_contrast(fill) >= 3 for fill in bar_fills - {None}), bar_fills
    assert _contrast(charts.AXIS_COLOUR) >= 3


def test_the_specification_is_valid_vega_lite(default_catalogue):
    import altair as alt

    for insats, indicator in _indicators_of(default_catalogue)[:3]:
        spec = json.loads(chart(insats, indicator).spec_json)
        alt.LayerChart.from_dict(spec, validate=True)


def _series(values: list[int], unit: str = "antal") -> dict:
    return {"id": "serie", "namn": "Serie", "enhet": unit, "typ": "tidsserie",
            "varden": [{"period": {"fran": str(2000 + n), "till": str(2000 + n)}, "varde": value}
                       for n, value in enumerate(values)], "kalla": CITE}


@pytest.mark.parametrize("first, second", [
    (_series([5, 9, 7]), _series([50, 3, 2])),
    (_series(list(range(1, 10))), _series(list(range(20, 29)))),                      # many periods: slanted labels
    (_series([40, 60], "procent"), _series([10, 90], "procent")),
    (_distribution(["Ett", "Två"]), _distribution(["Tre", "Fyra"], values=[300, 7])),
    (_distribution(["Ett mycket långt namn på en kategori som bryts"] * 1 + ["Kort"]),
     _distribution(["Ett annat mycket långt namn som också bryts", "Kort"], values=[1, 2])),
])
def test_charts_of_one_shape_share_a_template_but_not_their_values(first, second):
    # vega_lite_spec fills a template Altair built once per shape: each chart must still carry its own values,
    # description and scale, and nothing of the template's placeholder.
    import altair as alt

    made = [chart(INSATS, first), chart(INSATS, second)]
    specs = [json.loads(m.spec_json) for m in made]
    for m, spec in zip(made, specs):
        alt.LayerChart.from_dict(spec, validate=True)
        assert spec["description"] == m.summary
        assert [v["varde"] for v in spec["data"]["values"]] == [row.value for row in m.rows]
        assert [v["text"] for v in spec["data"]["values"]] == [row.text for row in m.rows]
        domains = [layer["encoding"][axis]["scale"]["domain"] for layer in spec["layer"]
                   for axis in ("x", "y") if "scale" in layer["encoding"].get(axis, {})]
        assert len(domains) == 2 and domains[0] == domains[1] and domains[0][1] > max(row.value for row in m.rows)
        assert str(charts._TOP_SENTINEL) not in m.spec_json
    assert specs[0]["data"] != specs[1]["data"] and made[0].key != made[1].key
    # Apart from values, description and the end of the scale, the two are the same chart.
    assert _shape(specs[0]) == _shape(specs[1])


def _shape(spec: dict) -> dict:
    shape = {k: v for k, v in spec.items() if k not in ("data", "description")}
    return json.loads(re.sub(r'"domain": \[0, [0-9.e+]+\]', '"domain": "end"', json.dumps(shape)))


# --- hostile text and unsafe output ------------------------------------------------------

def test_names_from_data_are_escaped_in_the_svg():
    hostile = ["<script>alert(1)</script>", "Tom & Jerry", 'Citat "här"', "Slut ]]> här", "<!-- x -->"]
    made = chart(INSATS, _distribution(hostile))
    document = svg(made)
    root = ET.fromstring(document)
    assert [e for e in root.iter() if e.tag.rsplit("}", 1)[-1].lower() == "script"] == []
    texts = _texts(document)
    for name in hostile:
        assert charts._wrap(name) in texts, name  # the parsed text is the name itself, not markup
    assert "<script>" not in document and "<!-- x -->" not in document
    assert unsafe_svg(document) is None


@pytest.mark.parametrize("document, reason", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "onload"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>', "foreignobject"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     '<image xlink:href="https://example.org/a.png"/></svg>', "image"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     '<g><path xlink:href="https://example.org/x"/></g></svg>', "hänvisar utåt"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://example.org/f.css);</style></svg>', "CSS"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><text style="font-family: x; src: url(https://e.org/f.woff)">a</text></svg>',
     "url()"),
    ('<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "DOCTYPE"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><text>a</svg>', "XML"),
    ('<html><body/></html>', "rotelementet"),
])
def test_unsafe_svg_is_refused(document, reason):
    problem = unsafe_svg(document)
    assert problem is not None and reason.lower() in problem.lower(), problem


def test_an_unsafe_or_failing_render_stops_with_the_insats_and_the_indicator(monkeypatch):
    made = chart(INSATS, _distribution(["Ett unikt namn för felet"]))
    monkeypatch.setattr(charts, "_render", lambda spec: (True, '<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'))
    with pytest.raises(ChartError, match=r"måttet 'fordelning' i insatsen 'testinsats'.*publiceras inte.*onload"):
        svg(made)
    monkeypatch.setattr(charts, "_render", lambda spec: (False, "RuntimeError('vega')"))
    with pytest.raises(ChartError, match=r"måttet 'fordelning' i insatsen 'testinsats' kunde inte ritas"):
        render_all([made], workers=1)
    assert made.key not in charts._SVG


# --- rendered once per content ----------------------------------------------------------------

def test_each_chart_is_rendered_once_whatever_shows_it(monkeypatch):
    calls = []
    real = charts._render
    monkeypatch.setattr(charts, "_render", lambda spec: calls.append(spec) or real(spec))
    indicator = _distribution(["Rendered once", "Twice?"])
    first, again = chart(INSATS, indicator), chart(INSATS, json.loads(json.dumps(indicator)))
    assert first is again
    render_all([first, again], workers=1)
    svg(first), svg(again), first.size
    assert len(calls) == 1


# --- kept on disk between builds ------------------------------------------------------------------

def test_the_cache_folder_serves_the_next_build_and_a_tampered_file_is_drawn_anew(tmp_path):
    made = chart(INSATS, _distribution(["Cachad kategori", "En till"]))
    charts._SVG.pop(made.key, None)
    render_all([made], workers=1, cache=tmp_path)
    cached = tmp_path / f"{made.key}.svg"
    drawn = cached.read_text(encoding="utf-8")
    assert drawn == svg(made) and unsafe_svg(drawn) is None
    # The next build (nothing in memory) takes the file as it is: a harmless change shows it was read.
    marked = drawn.replace('class="marks"', 'class="marks ur-cachen"', 1)
    assert marked != drawn
    cached.write_text(marked, encoding="utf-8")
    charts._SVG.pop(made.key)
    render_all([made], workers=1, cache=tmp_path)
    assert svg(made) == marked and made.size == chart(INSATS, _distribution(["Cachad kategori", "En till"])).size
    # A file that would run something is never published: the chart is drawn anew and the file replaced.
    cached.write_text(drawn.replace("<rect ", '<rect onload="alert(1)" ', 1), encoding="utf-8")
    charts._SVG.pop(made.key)
    render_all([made], workers=1, cache=tmp_path)
    assert svg(made) == drawn and cached.read_text(encoding="utf-8") == drawn
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_cache_folder_is_named_by_the_renderer_version_and_locale(tmp_path):
    import vl_convert

    assert charts.cache_folder(tmp_path) == tmp_path / f"diagram-vl-convert-{vl_convert.__version__}-{charts.LOCALE}"


# --- generated valid indicators always draw ---------------------------------------------------

_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Cf")), min_size=1,
                 max_size=60).map(str.strip).filter(bool)


@st.composite
def valid_indicators(draw) -> dict:
    unit = draw(st.sampled_from(["antal", "procent"]))
    top = 100 if unit == "procent" else 10**7
    if draw(st.booleans()):
        start = draw(st.integers(1990, 2030))
        count = draw(st.integers(1, 14))
        monthly = draw(st.booleans())
        periods = ([{"fran": f"{start + m // 12}-{m % 12 + 1:02d}", "till": f"{start + m // 12}-{m % 12 + 1:02d}"}
                    for m in range(count)] if monthly else
                   [{"fran": f"{start + y}-01", "till": f"{start + y}-06"} for y in range(count)])
        values = draw(st.lists(st.integers(0, top), min_size=count, max_size=count))
        return {"id": "serie", "namn": draw(_names), "enhet": unit, "typ": "tidsserie",
                "varden": [{"period": p, "varde": v} for p, v in zip(periods, values)], "kalla": CITE}
    names = draw(st.lists(_names, min_size=1, max_size=9))
    if unit == "procent":
        cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=len(names) - 1, max_size=len(names) - 1)))
        values = [b - a for a, b in zip([0, *cuts], [*cuts, 100])]
    else:
        values = draw(st.lists(st.integers(0, top), min_size=len(names), max_size=len(names)))
    indicator = _distribution(names, unit, values)
    if draw(st.booleans()):
        del indicator["period"]
        indicator["anmarkning"] = "Källan anger ingen period."
    return indicator


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_indicators())
def test_valid_generated_indicators_always_draw(indicator):
    data = {"insatser": [{**INSATS, "indikatorer": [indicator]}]}
    assert list(check_indicators(data, dt.date(2026, 11, 23))) == [], "the generator makes valid data"
    made = chart(INSATS, indicator)
    document = svg(made)
    assert unsafe_svg(document) is None
    texts = _texts(document)
    for row in made.rows:
        assert row.text in texts and row.text in made.summary
    if indicator["typ"] == "fordelning":
        for row in made.rows:
            assert charts._wrap(row.axis_label) in texts


# --- the built pages ----------------------------------------------------------------------------

def _page(site: Path, address: str) -> BeautifulSoup:
    return BeautifulSoup((site / address / "index.html").read_text(encoding="utf-8"), "html.parser")


def _cells(table) -> list[tuple[str, str]]:
    return [(row.th.get_text(" ", strip=True), row.td.get_text(strip=True)) for row in table.select("tbody tr")]


def test_the_insats_page_of_samordningsteamet_shows_its_charts(built_site, default_catalogue):
    sot = default_catalogue.insatser["samordningsteamet-vasteras"]
    html = _page(built_site, "insatser/samordningsteamet-vasteras")
    heading = html.find(id="uppfoljning-i-siffror")
    assert heading is not None and heading.get_text() == "Uppföljning i siffror"
    sections = html.select("section.ig-indikator")
    assert [s.find(["h3"]).get_text() for s in sections] == [i["namn"] for i in sot["indikatorer"]]
    for section, indicator in zip(sections, sot["indikatorer"]):
        image = section.select_one("figure.ig-diagram img")
        target = (built_site / "insatser" / "samordningsteamet-vasteras" / image["src"]).resolve()
        assert target.is_file() and target.parent.name == "diagram"
        assert int(image["width"]) > 200 and int(image["height"]) > 100
        made = chart(sot, indicator)
        assert image["alt"] == made.alt and all(charts.number(v["varde"], indicator["enhet"]) in image["alt"]
                                                for v in indicator["varden"])
        # The table holds exactly the data's values, with th scope and the unit in caption and header.
        table = section.select_one("table")
        expected = [str(v["varde"]) for v in indicator["varden"]]
        assert [value for _, value in _cells(table)] == expected
        assert {th["scope"] for th in table.select("th")} == {"col", "row"}
        assert made.unit_label in table.caption.get_text()
        assert table.select("thead th")[1].get_text() == ("Andel (%)" if indicator["enhet"] == "procent" else "Antal")
        assert "Källa: Utvärdering av nya antagningsrutinen i Samordningsteamet" in section.get_text()
        if indicator.get("anmarkning"):
            assert section.select_one(".ig-indikator-anmarkning") is not None
    remittent = sections[3].select_one("table")
    assert _cells(remittent)[0] == ("Socialkontor Ekonomi (SKE)", "64")
    assert remittent.select_one("tfoot td").get_text() == "116"
    notes = sections[5].select_one("table")   # avslutade-per-remittent: one value has its own note
    assert "Anmärkning" in notes.thead.get_text() and "summarad anger 6" in notes.get_text()


def test_the_uppfoljning_page_groups_every_indicator_by_insats(built_site, default_catalogue):
    html = _page(built_site, "uppfoljning")
    article = html.select_one("article")
    assert article.h1.get_text() == "Uppföljning"
    assert "avsnitt 6.2.2" in article.get_text()
    followed = sorted((i for i in default_catalogue.insatser.values() if i.get("indikatorer")),
                      key=lambda i: i["namn"].lower())
    headings = article.select("h2")
    assert [h.get_text() for h in headings[:len(followed)]] == [i["namn"] for i in followed]
    assert len(article.select("section.ig-indikator")) == sum(len(i["indikatorer"]) for i in followed) == 11
    for insats in followed:
        link = article.find("h2", id=insats["id"]).find_next("a")
        assert link["href"] == f"../insatser/{insats['id']}/"
    # The same indicator is the same file on both pages: rendered and downloaded once.
    on_page = {Path(img["src"]).name for img in article.select("figure img")}
    sot = _page(built_site, "insatser/samordningsteamet-vasteras")
    assert {Path(img["src"]).name for img in sot.select("figure.ig-diagram img")} <= on_page
    assert on_page == {p.name for p in (built_site / "diagram").glob("*.svg")}
    # Anchors are unique on the page and the nav names the page.
    ids = [tag["id"] for tag in html.select("[id]")]
    assert len(ids) == len(set(ids))
    assert "Uppföljning" in [a.get_text(strip=True) for a in html.select("nav.md-nav--primary a")]


def test_published_charts_are_safe(built_site):
    files = sorted((built_site / "diagram").glob("*.svg"))
    assert len(files) == 11
    for path in files:
        assert unsafe_svg(path.read_text(encoding="utf-8")) is None


def test_print_keeps_an_indicator_on_one_page():
    css = (ROOT / "docs" / "assets" / "insatsguiden.css").read_text(encoding="utf-8")
    printing = "".join(re.findall(r"@media print \{(.*?)\n\}", css, re.S))
    assert re.search(r"\.ig-indikator[^{]*\{[^}]*break-inside: avoid", printing)


def test_uppfoljning_is_in_the_nav_between_granskning_and_andringar():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"Granskning: granskning/index.md\n *- Uppföljning: uppfoljning/index.md\n *- Ändringar:", nav)


def test_the_synthetic_catalogue_has_valid_indicators():
    from insatsguiden.model.validate import validate_text
    from insatsguiden.tools.synthetic import catalogue, catalogue_yaml

    text = catalogue_yaml(40)
    assert text == catalogue_yaml(40)
    result = validate_text(text, "syntetisk.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems[:5]]
    indicators = [i for insats in catalogue(40)["insatser"] for i in insats.get("indikatorer", [])]
    assert {(i["typ"], i["enhet"]) for i in indicators} == {("tidsserie", "antal"), ("tidsserie", "procent"),
                                                          ("fordelning", "antal"), ("fordelning", "procent")}


def test_large_numbers_are_written_the_swedish_way():
    indicator = {"id": "stora", "namn": "Stora tal", "enhet": "antal", "typ": "tidsserie", "kalla": CITE,
                 "varden": [{"period": {"fran": "2020", "till": "2020"}, "varde": 12_345_678},
                            {"period": {"fran": "2021", "till": "2021"}, "varde": 0}]}
    made = chart(INSATS, indicator)
    texts = _texts(svg(made))
    assert "12\u00a0345\u00a0678" in texts and "12\u00a0345\u00a0678 (2020)" in made.summary
    ticks = [t for t in texts if t[:1].isdigit() and t not in ("0", "12\u00a0345\u00a0678", "2020", "2021")]
    assert ticks and all("," not in t and re.fullmatch(r"\d{1,3}(\u00a0\d{3})*", t) for t in ticks), ticks


def test_the_uppfoljning_page_without_any_figures_says_so():
    import yaml

    from insatsguiden.model.validate import validate_text
    from insatsguiden.site.render import Site, render_page, site_pages
    from insatsguiden.tools.synthetic import _NoAliasDumper, catalogue

    data = catalogue(12)
    for insats in data["insatser"]:
        insats.pop("indikatorer", None)
    result = validate_text(yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False), "x.yaml", TODAY)
    assert result.ok
    site = Site.build(result.catalogue, TODAY)
    page = next(p for p in site_pages(site.catalogue) if p.template == "uppfoljning.html")
    html = BeautifulSoup(render_page(page, site).html, "html.parser")
    assert "Ingen insats har ännu några siffror" in html.get_text()
    assert html.select("section.ig-indikator") == [] and html.find(id="utan-siffror") is not None
    coordinated = [i for i in data["insatser"] if i["typ"] in ("samordnad", "projekt")]
    assert len(html.select("#utan-siffror ~ ul li")) == len(coordinated) > 0
    assert charts.files(site) == {}
