"""The report as a results section (issue 15): the HTML page in a real headless browser (it
renders, its tables and figures are there, no request leaves the machine), the same tables in
Word, LaTeX that compiles, Markdown, the Russian version, and the section choice."""

from __future__ import annotations

import html.parser
import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import psychometrics as pm
from psychometrics.exceptions import OptionError
from psychometrics.reporting.document import Document, Figure, Paragraph, Section, Table
from psychometrics.reporting.report import build_report

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install "
                                                            "chromium; .ci/run installs it)")
TEX = shutil.which("pdflatex")


@pytest.fixture(scope="module")
def report():
    inst = pm.InstrumentRegistry([ROOT / "instruments"]).get("vpc_teachers")
    raw = pm.read_responses(ROOT / "data" / "vpc_teachers_example.csv")
    model = (ROOT / "analyses" / "models" / "vpc_triangle.lav").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_report(raw, inst, model=model, cluster="school", groups=["loc", "response_language"],
                            efa=["confidence", "challenge", "support"])


@pytest.fixture(scope="module")
def doc(report):
    return report.document()


@pytest.fixture(scope="module")
def page(doc, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(doc.to_html(), encoding="utf-8")
    return path


class _Counter(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, int] = {}
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        for k in ("src", "href", "xlink:href"):
            if k in a and tag != "a":
                self.sources.append(a[k])


def test_sections_in_results_order_with_numbered_tables_and_figures(doc):
    ids = [s.id for s in doc.sections]
    assert ids == ["sample", "items", "reliability", "efa", "cfa", "structural", "invariance", "groups", "participation",
                   "method", "references", "appendix"]
    captions = [t.caption for t in doc.tables()]
    assert captions[0] == "Sample characteristics" and "Internal consistency of the scales" in captions
    assert {"Fit of the measurement model", "Standardized factor loadings", "Discriminant validity", "Regression paths",
            "Indirect effects", "Item wording", "Item statistics", "Provenance"} <= set(captions)
    figs = [f.caption for f in doc.figures()]
    assert "Path diagram" in figs and "Scree plot and parallel analysis" in figs
    assert sum(c.startswith("Answers to the items of") for c in figs) >= 4       # one Likert chart per scale group


def test_html_is_self_contained_with_a_working_table_of_contents(doc, page):
    text = page.read_text()
    p = _Counter()
    p.feed(text)
    assert p.tags["table"] == len(doc.tables()) and p.tags["svg"] == len(doc.figures())
    assert all(link.startswith("#") and link[1:] in p.ids for link in p.links)        # TOC -> sections
    assert not [s for s in p.sources if not s.startswith(("#", "data:"))]             # nothing to fetch
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert not re.search(r"<(script|link|iframe)\b", text)
    assert "@media print" in text
    # APA text everywhere: no Python booleans, no leading zero on p, no p of 0.000
    body = re.sub(r"<svg.*?</svg>", "", text, flags=re.S)
    assert "True" not in body and "False" not in body and not re.search(r"p [=<>] 0\.", body)
    assert not re.search(r"<td[^>]*>0\.000</td><td[^>]*>(fixed|\.|<)", body)      # no SE of 0 before a p


def test_table_one_and_the_example_data_numbers(doc, report):
    t1 = doc.tables()[0].frame
    loc = t1[t1["Category"].isin(["Urban (city or town)", "Rural (village)"])]
    assert loc["n"].tolist() == [258, 382]                                            # the data's counts
    bands = t1.iloc[list(t1["Characteristic"]).index("Teaching experience band"):][["Category"]].head(4)["Category"].tolist()
    assert bands[0].startswith("0-3")            # the classification's own order, not alphabetical
    ind = report.analyses["indirect"]
    assert ind["method"].iloc[0].startswith("Monte Carlo")       # FIML: no bootstrap refits
    assert (ind["ci_lower"] > 0).all()


@needs_browser
def test_renders_in_chromium_and_no_request_leaves_the_machine(page, tmp_path):
    def visit(target: Path, name: str):
        log = tmp_path / f"{name}.json"
        shot = tmp_path / f"{name}.png"
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / name}",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", f"--log-net-log={log}", "--window-size=1200,3000"]
        dom = subprocess.run(args + ["--dump-dom", target.as_uri()], capture_output=True, text=True, timeout=120).stdout
        subprocess.run(args + [f"--screenshot={shot}", target.as_uri()], capture_output=True, timeout=120)
        return dom, _page_requests(log), shot

    dom, requests, shot = visit(page, "report")
    assert dom.count("<table") == page.read_text().count("<table") and "<svg" in dom
    assert requests == [], requests
    from PIL import Image

    im = Image.open(shot).convert("L")
    dark = sum(1 for v in im.getdata() if v < 128) / (im.width * im.height)
    assert im.size == (1200, 3000) and 0.005 < dark < 0.5          # text and rules drawn, not a blank page
    # the detector itself: a page that loads an image from the network is caught
    control = tmp_path / "control.html"
    control.write_text('<html><body><img src="http://127.0.0.1:9/probe.png"></body></html>')
    assert any("127.0.0.1:9" in r for r in visit(control, "control")[1])


def _page_requests(log: Path) -> list[str]:
    """Network requests the page made (its network partition is file://); Chromium's own service
    calls (partition null) are not the page's."""
    text = log.read_text().rstrip()
    try:
        events = json.loads(text)["events"]
    except json.JSONDecodeError:             # the log of a process that ended without closing it
        events = json.loads(text.rstrip(",") + "]}")["events"]
    return sorted({str(e["params"].get("host")) for e in events
                   if str(e.get("params", {}).get("network_anonymization_key", "")).startswith("file://")})


def test_docx_holds_the_same_tables_with_apa_rules(report, doc, tmp_path):
    from docx import Document as Word
    from docx.oxml.ns import qn

    path = tmp_path / "report.docx"
    report.to_docx(str(path))
    word = Word(str(path))
    assert len(word.tables) == len(doc.tables())
    for wt, t in zip(word.tables, doc.tables()):
        assert [c.text for c in wt.rows[0].cells] == [str(c) for c in t.frame.columns]
        assert len(wt.rows) == len(t.frame) + 1
    first = word.tables[0]
    assert first.style is None or first.style.name != "Table Grid"
    borders = first.rows[0].cells[0]._tc.tcPr.find(qn("w:tcBorders"))
    assert borders.find(qn("w:top")).get(qn("w:val")) == "single"
    assert borders.find(qn("w:left")).get(qn("w:val")) == "nil"          # no vertical rules
    mid = first.rows[2].cells[0]._tc.tcPr.find(qn("w:tcBorders"))
    assert mid.find(qn("w:bottom")).get(qn("w:val")) == "nil"
    assert len(word.inline_shapes) == len(doc.figures())
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Table 1" in text and f"Figure {len(doc.figures())}" in text


def test_latex_is_a_complete_booktabs_document(doc, tmp_path):
    tex = doc.to_latex()
    assert r"\documentclass" in tex.split("\n")[2] and tex.rstrip().endswith(r"\end{document}")
    assert tex.count(r"\toprule") == len(doc.tables()) and r"\usepackage{booktabs" in tex
    body = tex.split(r"\begin{document}")[1]
    assert "=~" not in body
    assert not re.search(r"(?<!\\)[%_#$]", body)          # every special character escaped
    assert r"\ensuremath{\alpha}" in body and "α" not in body


@pytest.mark.skipif(TEX is None, reason="no TeX engine (pdflatex) installed")
def test_latex_compiles(doc, tmp_path):
    (tmp_path / "r.tex").write_text(doc.to_latex(), encoding="utf-8")
    r = subprocess.run([TEX, "-interaction=nonstopmode", "-halt-on-error", "r.tex"], cwd=tmp_path, capture_output=True,
                       timeout=300)
    assert r.returncode == 0, r.stdout.decode("latin-1")[-2000:]
    assert (tmp_path / "r.pdf").stat().st_size > 10_000


def test_markdown_has_numbered_tables_and_embedded_figures(doc):
    md = doc.to_markdown()
    assert md.count("**Table ") == len(doc.tables()) and md.count("](data:image/png;base64,") == len(doc.figures())


def test_russian_headings_and_item_texts(report):
    ru = report.document(lang="ru")
    assert [s.title for s in ru.sections][:3] == ["Данные и выборка", "Распределения ответов", "Надёжность"]
    wording = next(t for t in ru.tables() if t.caption == "Формулировки пунктов").frame
    assert "ru" in wording.columns
    likert = next(f for f in ru.figures() if "Answers" in f.caption or "Ответы" in f.caption)
    assert "Согласен" in likert.svg or "согласен" in likert.svg or "раз" in likert.svg      # category labels in Russian


def test_sections_can_be_chosen_and_unknown_ones_are_named(report):
    d = report.document(sections=["reliability", "structural"])
    assert [s.id for s in d.sections] == ["reliability", "structural"]
    with pytest.raises(OptionError, match="unknown tables"):
        report.document(sections=["tables"])


def test_a_section_without_its_analysis_is_left_out_with_a_note():
    inst = pm.InstrumentRegistry([ROOT / "instruments"]).get("eraut_factors")
    raw = pm.read_responses(ROOT / "data" / "vpc_teachers_example.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report(raw, inst)
    d = rep.document()
    assert "structural" not in [s.id for s in d.sections] and "groups" not in [s.id for s in d.sections]
    notes = next(t for t in d.tables() if t.caption == "Analysis notes").frame["Note"].tolist()
    assert any("section 'cfa' left out: no model given" in n for n in notes)


def test_document_escapes_hostile_text():
    d = Document("<script>x</script>", [Section("s", "A & B", [Paragraph("<img src=x onerror=alert(1)>"),
                                                                Table("t", __import__("pandas").DataFrame({"a": ["<b>"]})),
                                                                Figure("f", "<svg></svg>")])])
    out = d.to_html()
    assert "<script>x" not in out and "<img src=x" not in out and "&lt;b&gt;" in out


@needs_browser
def test_pdf_is_printed_from_the_html(tmp_path):
    out = tmp_path / "r.pdf"
    r = subprocess.run([sys.executable, "-m", "psychometrics", "report", str(ROOT / "data" / "vpc_teachers_example.csv"),
                        "--instrument", "eraut_factors", "--sections", "reliability", "--out", str(out), "--quiet"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 5000


@pytest.mark.parametrize("kwargs, message", [({"sections": ["bogus"]}, "--sections: unknown bogus"),
                                             ({"efa": ["nosuch"]}, "--efa: nosuch are neither scales nor items")])
def test_bad_choices_are_refused_before_the_analyses(kwargs, message, monkeypatch):
    import psychometrics.reporting.analyses as analyses
    import psychometrics.responses.validation as validation

    def never(*a, **k):
        raise AssertionError("the analyses ran before the choice was checked")

    monkeypatch.setattr(analyses, "run_analyses", never)
    monkeypatch.setattr(validation, "validate_responses", never)
    inst = pm.InstrumentRegistry([ROOT / "instruments"]).get("vpc_teachers")
    raw = pm.read_responses(ROOT / "data" / "vpc_teachers_example.csv")
    with pytest.raises(OptionError, match=message):
        build_report(raw, inst, model="f =~ sup01 + sup02 + sup03", **kwargs)
