"""Follow-up figures (`indikatorer`) as static SVG charts, tables and text summaries.

Each indicator becomes a Vega-Lite chart built with Vega-Altair and rendered
to SVG at build time by vl-convert (offline: no JavaScript on the page, no
request anywhere). A time series (tidsserie) is a bar per period, a
distribution (fordelning) a horizontal bar per category; one colour per chart
and the value written on every bar, so nothing is told by colour alone.

Pages show a chart as `<img src="diagram/<hash>.svg" alt="summary">`, not inline:
the same file serves the insats page and the Uppföljning page (rendered and
downloaded once), scripts in an SVG loaded as an image never run, and the
page's HTML stays small. The alt text is the generated summary; the same
figures stand in a table beside the chart.

The file name is a hash of the Vega-Lite specification, so a chart is
rendered once per content, whichever pages show it, kept in memory for the
next build under `mkdocs serve`, and kept on disk for the next build in the
cache folder the hook names (.cache/insatsguiden beside mkdocs.yml, as
mkdocs-material keeps its social cards in .cache/): a cached file is checked
like a fresh rendering before it is used. Rendering takes some 30 ms of CPU
per chart, so large catalogues are rendered in worker processes (`files()`).

Validation (model/steering_rules.py) has already refused whatever cannot be
drawn; a chart that still fails raises ChartError naming the insats and the
indicator, and every SVG is checked (no script, event handler, foreignObject
or external reference) before it is published.
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import textwrap
import xml.etree.ElementTree as ET
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ..model.dates import parse_partial

CHART_DIRECTORY = "diagram"
SERIES, DISTRIBUTION = "tidsserie", "fordelning"
PERCENT = "procent"
# Bars #3949ab on white: 7.7:1 (graphic objects need 3:1); text and axes #1f1f1f and #595959: 16:1 and 7:1.
# The light grid (#d9d9d9) only helps the eye: every bar carries its value, so nothing depends on it.
BAR_COLOUR = "#3949ab"
TEXT_COLOUR = "#1f1f1f"
AXIS_COLOUR = "#595959"
# A generic family: the reader's own sans-serif, never a web font.
FONT = "sans-serif"
FONT_SIZE = 14
LOCALE = "sv-SE"          # numbers on the axes: 10 000, not 10,000
WIDTH = 420
LABEL_WIDTH = 24          # characters per line of a category name on the axis
PARALLEL_FROM = 24        # charts to render before worker processes pay off (each starts in ~1 s)
MAX_WORKERS = 4
CACHE_SIZE = 20_000       # rendered charts kept between builds (mkdocs serve)

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
SHORT_MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([0-9.]+)"[^>]*?\sheight="([0-9.]+)"')


class ChartError(RuntimeError):
    """A chart that could not be drawn or whose SVG is not safe to publish."""


@dataclass(frozen=True)
class Row:
    label: str          # period or category as the table and the summary say it
    axis_label: str     # the same, short, as the chart's axis says it
    value: int
    text: str           # the value as written on the chart and in the summary: "1 234" or "24 %"
    cell: str           # the value in the table, whose column names the unit: "1 234" or "24"
    note: str | None    # the value's own anmarkning (Markdown)


@dataclass(frozen=True)
class Chart:
    insats_id: str
    indicator_id: str
    kind: str
    title: str
    unit_label: str          # on the axis: "antal" or "procent, %"
    column: str              # the table's value column: "Antal" or "Andel (%)"
    period: str | None       # a distribution's period, or None
    rows: tuple[Row, ...]
    total: int | None        # a count distribution's sum
    summary: str
    spec_json: str
    key: str

    @property
    def path(self) -> str:
        return f"{CHART_DIRECTORY}/{self.key}.svg"

    @property
    def alt(self) -> str:
        shape = "Stapeldiagram" if self.kind == SERIES else "Liggande stapeldiagram"
        return f"{shape}. {self.summary}"

    @property
    def total_text(self) -> str:
        return number(self.total, "antal") if self.total is not None else ""

    @property
    def has_notes(self) -> bool:
        return any(row.note for row in self.rows)

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of the rendered SVG in pixels (renders it if no build has yet)."""
        if self.key not in _SVG:
            cached = _size_in_cache(self.key)
            if cached is not None:
                return cached
        text = svg(self)
        found = _SIZE.match(text)  # vl-convert's root element: <svg ... width="422" height="144" ...>
        if found:
            return round(float(found[1])), round(float(found[2]))
        root = ET.fromstring(text)
        return round(float(root.get("width"))), round(float(root.get("height")))


# --- numbers and periods in Swedish ------------------------------------------------

def number(value: int, unit: str) -> str:
    text = f"{value:,}".replace(",", "\u00a0")
    return f"{text}\u00a0%" if unit == PERCENT else text


def _parts(value: str) -> tuple[int, int | None, int | None]:
    pieces = [int(p) for p in str(value).split("-")]
    return pieces[0], (pieces[1] if len(pieces) > 1 else None), (pieces[2] if len(pieces) > 2 else None)


def _month_span(period: dict) -> tuple[int, int, int, int, bool]:
    """(start year, start month, end year, end month, has days)."""
    (y1, m1, d1), (y2, m2, d2) = _parts(period["fran"]), _parts(period["till"])
    has_days = d1 is not None or d2 is not None
    return y1, m1 or 1, y2, m2 or 12, has_days


def period_label(period: dict, short: bool = False) -> str:
    """'januari–juni 2021' (short: 'jan–jun 2021'), '2021', '2019–2021', '15 mars–30 juni 2021'."""
    names = SHORT_MONTHS if short else MONTHS
    y1, m1, y2, m2, has_days = _month_span(period)
    if has_days:
        start, end = parse_partial(period["fran"]), parse_partial(period["till"])
        first, last = start[0], end[1]
        left = f"{first.day} {names[first.month - 1]}"
        right = f"{last.day} {names[last.month - 1]} {last.year}"
        if first == last:
            return right
        return f"{left}–{right}" if first.year == last.year else f"{left} {first.year}–{right}"
    if m1 == 1 and m2 == 12:
        return str(y1) if y1 == y2 else f"{y1}–{y2}"
    if y1 == y2:
        return f"{names[m1 - 1]} {y1}" if m1 == m2 else f"{names[m1 - 1]}–{names[m2 - 1]} {y1}"
    return f"{names[m1 - 1]} {y1}–{names[m2 - 1]} {y2}"


def _yearly_span(periods: list[dict]) -> str | None:
    """'januari–juni' when every period is the same months of a different year, '' for whole years, else None."""
    spans = [_month_span(p) for p in periods]
    if any(has_days or y1 != y2 for y1, _, y2, _, has_days in spans):
        return None
    if len({(m1, m2) for _, m1, _, m2, _ in spans}) != 1 or len({y1 for y1, *_ in spans}) != len(spans):
        return None
    _, m1, _, m2, _ = spans[0]
    if (m1, m2) == (1, 12):
        return ""
    return MONTHS[m1 - 1] if m1 == m2 else f"{MONTHS[m1 - 1]}–{MONTHS[m2 - 1]}"


def _names(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " och " + labels[-1]


def _unique(labels: list[str]) -> list[str]:
    """Axis labels must differ (a nominal scale merges equal ones): number repeats."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return result


# --- the chart ---------------------------------------------------------------------

def _rows(indicator: dict) -> tuple[list[Row], list[str]]:
    """The rows for table and chart, and the labels the summary uses."""
    unit, values = indicator["enhet"], indicator["varden"]
    if indicator["typ"] == SERIES:
        periods = [value["period"] for value in values]
        labels = [period_label(p) for p in periods]
        axis = _unique([period_label(p, short=True) for p in periods])
        span = _yearly_span(periods)
        spoken = [str(_month_span(p)[0]) for p in periods] if span is not None else labels
    else:
        labels = [value["namn"] for value in values]
        axis = _unique(labels)
        spoken = labels
    rows = [Row(label, axis_label, value["varde"], number(value["varde"], unit), number(value["varde"], "antal"),
                value.get("anmarkning"))
            for label, axis_label, value in zip(labels, axis, values)]
    return rows, spoken


def _summary(indicator: dict, rows: list[Row], spoken: list[str], period: str | None, total: int | None) -> str:
    title = indicator["namn"]
    if indicator["typ"] == SERIES:
        span = _yearly_span([value["period"] for value in indicator["varden"]])
        if span and span not in title.lower():
            title += f", {span} varje år"
        parts = [f"{row.text} ({label})" for row, label in zip(rows, spoken)]
        high_word, low_word = "Högst", "lägst"
    else:
        title += f", {period}" if period else " (källan anger ingen period)"
        parts = [f"{label}: {row.text}" for row, label in zip(rows, spoken)]
        high_word, low_word = "Störst:", "Minst:"
    text = f"{title}: {'; '.join(parts) if indicator['typ'] == DISTRIBUTION else ', '.join(parts)}."
    if total is not None:
        text += f" Summa {number(total, 'antal')}."
    values = [row.value for row in rows]
    if len(values) > 1:
        if len(set(values)) == 1:
            text += " Alla värden är lika."
        else:
            high = [label for label, row in zip(spoken, rows) if row.value == max(values)]
            low = [label for label, row in zip(spoken, rows) if row.value == min(values)]
            text += (f" {high_word} {_names(high)}, {low_word} {_names(low)}." if indicator["typ"] == SERIES
                     else f" {high_word} {_names(high)}. {low_word} {_names(low)}.")
    return text


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH, break_long_words=True, break_on_hyphens=False)) or label


# A value no chart has: the templates carry it where each chart's scale ends (see _template).
_TOP_SENTINEL = 987654321.0123


@functools.lru_cache(maxsize=256)
def _template(series: bool, many: bool, step: int, unit_label: str) -> str:
    """The Vega-Lite specification of one shape of chart, built with Altair (JSON text).

    Building a chart with Altair takes some 20-50 ms (it copies and checks its objects at every step), and
    charts of one shape differ only in their values, the end of the scale and the description. So Altair
    builds each shape once, and vega_lite_spec() fills in the rest. tests/test_charts.py checks that charts of
    one shape differ only there and that each is valid Vega-Lite with its own values."""
    import altair as alt

    data = alt.Data(values=[])
    scale = alt.Scale(domain=[0, _TOP_SENTINEL], nice=False, zero=True)
    # Whole numbers with a space between thousands (the sv-SE locale given to vl-convert).
    value_axis = alt.Axis(title=unit_label, format=",d", tickCount=5, grid=True, gridColor="#d9d9d9")
    base = alt.Chart(data)
    if series:
        category = alt.X("etikett:N", sort=None, title=None,
                         axis=alt.Axis(labelAngle=-40 if many else 0, labelLimit=160))
        bars = base.mark_bar(color=BAR_COLOUR).encode(x=category, y=alt.Y("varde:Q", scale=scale, axis=value_axis))
        labels = base.mark_text(dy=-8, color=TEXT_COLOUR, fontSize=FONT_SIZE, fontWeight="bold").encode(
            x=alt.X("etikett:N", sort=None), y=alt.Y("varde:Q", scale=scale), text="text:N")
        size = {"width": alt.Step(step), "height": 220}
    else:
        category = alt.Y("etikett:N", sort=None, title=None,
                         axis=alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=0, labelPadding=6))
        bars = base.mark_bar(color=BAR_COLOUR).encode(y=category, x=alt.X("varde:Q", scale=scale, axis=value_axis))
        labels = base.mark_text(align="left", dx=4, color=TEXT_COLOUR, fontSize=FONT_SIZE, fontWeight="bold").encode(
            y=alt.Y("etikett:N", sort=None), x=alt.X("varde:Q", scale=scale), text="text:N")
        size = {"width": 300, "height": alt.Step(step)}
    chart = (bars + labels).properties(description="", **size).configure(
        font=FONT, background="white", padding=8, aria=False,
        axis={"labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR, "domainColor": AXIS_COLOUR, "tickColor": AXIS_COLOUR,
              "labelFontSize": FONT_SIZE - 1, "titleFontSize": FONT_SIZE, "titleFontWeight": "normal"},
        view={"stroke": None})
    return json.dumps(chart.to_dict(validate=False), ensure_ascii=False)


def vega_lite_spec(indicator: dict, rows: list[Row], unit_label: str, description: str) -> dict:
    """The chart as a Vega-Lite specification: its shape's template (built with Altair) with its values."""
    series = indicator["typ"] == SERIES
    top = max(max(row.value for row in rows), 1)
    if series:
        many, step = len(rows) > 6, max(48, min(90, WIDTH // len(rows)))
    else:
        lines = max(row_label.count("\n") + 1 for row_label in (_wrap(r.axis_label) for r in rows))
        many, step = False, max(30, 16 * lines + 8)
    template = _template(series, many, step, unit_label)
    sentinel = json.dumps(_TOP_SENTINEL)
    if template.count(sentinel) != 2:  # the bars' and the labels' scale
        raise ValueError("mallen för diagrammet har inte skalans slut på två ställen")
    spec = json.loads(template.replace(sentinel, json.dumps(top * (1.18 if series else 1.28))))
    spec["data"] = {"values": [{"etikett": row.axis_label if series else _wrap(row.axis_label), "varde": row.value,
                                "text": row.text} for row in rows]}
    spec["description"] = description
    return spec


def _content_key(indicator: dict) -> str:
    return json.dumps(indicator, sort_keys=True, ensure_ascii=False, default=str)


_CHARTS: OrderedDict[tuple[str, str], Chart] = OrderedDict()
_SVG: OrderedDict[str, str] = OrderedDict()


def _remember(cache: OrderedDict, key: Any, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)


def chart(insats: dict, indicator: dict) -> Chart:
    """The chart, table rows and summary of one indicator (built once per content; SVG rendered on demand)."""
    cache_key = (insats["id"], _content_key(indicator))
    found = _CHARTS.get(cache_key)
    if found is not None:
        return found
    try:
        unit = indicator["enhet"]
        rows, spoken = _rows(indicator)
        period = (period_label(indicator["period"]) if indicator["typ"] == DISTRIBUTION and indicator.get("period")
                  else None)
        total = sum(row.value for row in rows) if indicator["typ"] == DISTRIBUTION and unit != PERCENT else None
        summary = _summary(indicator, rows, spoken, period, total)
        unit_label = "procent, %" if unit == PERCENT else "antal"
        spec = vega_lite_spec(indicator, rows, unit_label, summary)
    except Exception as error:  # the data was validated: this is a defect, said where it happened
        raise ChartError(_where(insats["id"], indicator.get("id")) + f"kunde inte förberedas: {error!r}") from error
    spec_json = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    key = hashlib.sha256(spec_json.encode("utf-8")).hexdigest()[:20]
    made = Chart(insats["id"], indicator["id"], indicator["typ"], indicator["namn"], unit_label,
                 "Andel (%)" if unit == PERCENT else "Antal", period, tuple(rows), total, summary, spec_json, key)
    _remember(_CHARTS, cache_key, made)
    return made


def _where(insats_id: str, indicator_id: Any) -> str:
    return f"Diagrammet för måttet '{indicator_id}' i insatsen '{insats_id}' "


# --- rendering and checking the SVG --------------------------------------------------

_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed", "image", "use", "a", "animate", "set",
                       "handler", "listener"}
_LINK_ATTRIBUTES = {"href", "src"}


def unsafe_svg(text: str) -> str | None:
    """Why an SVG is not safe to publish, or None. Parsed as XML: text nodes are data, never markup."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return "SVG-filen har en DOCTYPE eller entitet"
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        return f"SVG-filen går inte att läsa som XML ({error})"
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        return f"rotelementet är {root.tag}, inte svg"
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in _FORBIDDEN_ELEMENTS:
            return f"SVG-filen innehåller elementet <{name}>"
        if name == "style" and element.text and ("url(" in element.text.lower() or "@import" in element.text.lower()):
            return "SVG-filen hämtar något via CSS"
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                return f"SVG-filen har händelseattributet {local}"
            if local in _LINK_ATTRIBUTES and not value.startswith("#"):
                return f"SVG-filen hänvisar utåt ({local}={value[:60]})"
            lowered = value.lower()
            if "url(" in lowered and not lowered.replace(" ", "").startswith("url(#"):
                return f"SVG-filen hämtar något via url() i {local}"
            if "javascript:" in lowered:
                return f"SVG-filen innehåller javascript: i {local}"
    return None


def _render(spec_json: str) -> tuple[bool, str]:
    """(True, svg) or (False, the error): runs in this process or in a worker."""
    try:
        import vl_convert

        return True, vl_convert.vegalite_to_svg(json.loads(spec_json), format_locale=LOCALE)
    except Exception as error:  # reported by the caller with the insats and the indicator
        return False, repr(error)


def _accept(made: Chart, result: tuple[bool, str]) -> str:
    ok, text = result
    if not ok:
        raise ChartError(_where(made.insats_id, made.indicator_id) + f"kunde inte ritas: {text}")
    problem = unsafe_svg(text)
    if problem:
        raise ChartError(_where(made.insats_id, made.indicator_id) + f"publiceras inte: {problem}.")
    _remember(_SVG, made.key, text)
    return text


_SIZES_FROM: list[Path | None] = [None]  # see sizes_from


def sizes_from(folder: Path | None) -> None:
    """For a process that does not publish the charts (the second process of `mkdocs build` does, from the
    cache folder, checked): Chart.size reads a chart's size from the root tag of its file in this folder
    instead of reading and checking the whole SVG. None: sizes from the checked SVG, as before."""
    _SIZES_FROM[0] = folder


def _size_in_cache(key: str) -> tuple[int, int] | None:
    folder = _SIZES_FROM[0]
    if folder is None:
        return None
    try:
        with open(folder / f"{key}.svg", "rb") as file:
            found = _SIZE.match(file.read(1024).decode("utf-8", "replace"))
        return (round(float(found[1])), round(float(found[2]))) if found else None
    except (OSError, ValueError):
        return None  # no such file, or not a size: from the SVG itself


def svg(made: Chart) -> str:
    """The chart's checked SVG, rendered once per content."""
    found = _SVG.get(made.key)
    return found if found is not None else _accept(made, _render(made.spec_json))


def cache_folder(base: str | os.PathLike) -> Path:
    """Where rendered charts are kept between builds, under base (the project's .cache/insatsguiden).

    A file is named by the hash of its chart's Vega-Lite specification; the folder by the version of
    vl-convert, which bundles Vega and Vega-Lite, and the number locale given to it (which is not in the
    specification), so a new renderer or locale starts from empty."""
    import vl_convert

    return Path(base) / f"diagram-vl-convert-{vl_convert.__version__}-{LOCALE}"


def _from_cache(todo: list[Chart], folder: Path | None) -> list[Chart]:
    """Take what the cache has (checked like a fresh rendering: a cache is a file anyone could edit);
    what is left to render."""
    if folder is None or not folder.is_dir():
        return todo
    left = []
    for made in todo:
        try:
            text = (folder / f"{made.key}.svg").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            left.append(made)
            continue
        if unsafe_svg(text) is None:
            _remember(_SVG, made.key, text)
        else:
            left.append(made)  # drawn anew, and the file replaced
    return left


def _not_in_memory(charts: list[Chart]) -> list[Chart]:
    """Each chart not yet rendered in this process, once per content."""
    return list({c.key: c for c in charts if c.key not in _SVG}.values())


def load_cached(charts: list[Chart], folder: Path) -> None:
    """Take into memory every chart the cache folder has (checked), drawing none."""
    _from_cache(_not_in_memory(charts), folder)


def _to_cache(made: list[Chart], folder: Path | None) -> None:
    if folder is None or not made:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for chart in made:
            temporary = folder / f".{chart.key}.{os.getpid()}.tmp"
            temporary.write_text(_SVG[chart.key], encoding="utf-8")
            temporary.replace(folder / f"{chart.key}.svg")  # never a half-written file under its name
    except OSError:
        pass  # a cache that cannot be written only makes the next build slower


def cache_all(charts: list[Chart], folder: Path) -> None:
    """Draw every chart that the cache folder lacks (in worker processes when there are many) and keep it
    there, reading none of the others: the second process of `mkdocs build` publishes them all from there."""
    lacking = [made for made in {c.key: c for c in charts}.values() if not (folder / f"{made.key}.svg").is_file()]
    _render_missing(_not_in_memory(lacking), None)
    _to_cache(lacking, folder)


def render_all(charts: list[Chart], workers: int | None = None, cache: Path | None = None) -> None:
    """Render every chart not yet rendered (or in the cache folder); in worker processes when there are many."""
    todo = _from_cache(_not_in_memory(charts), cache)
    _render_missing(todo, workers)
    _to_cache(todo, cache)


def _render_missing(todo: list[Chart], workers: int | None) -> None:
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1, math.ceil(len(todo) / PARALLEL_FROM))
    if workers <= 1:
        for made in todo:
            svg(made)
        return
    # Spawned, not forked: vl-convert runs its JavaScript engine on threads that a fork would not copy.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        results = pool.map(_render, [made.spec_json for made in todo], chunksize=max(1, len(todo) // (workers * 8)))
        for made, result in zip(todo, results):
            _accept(made, result)


def site_charts(catalogue: Any) -> list[Chart]:
    return [chart(insats, indicator) for insats in catalogue.insatser.values()
            for indicator in insats.get("indikatorer") or []]


def files(site: Any, cache: Path | None = None) -> dict[str, bytes]:
    """Every chart of the catalogue as diagram/<hash>.svg, the ones in the cache folder read from it."""
    charts = site_charts(site.catalogue)
    render_all(charts, cache=cache)
    return {made.path: svg(made).encode("utf-8") for made in charts}
