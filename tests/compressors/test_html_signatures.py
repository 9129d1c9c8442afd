"""API pages: a question about a method's parameters keeps that method's signature, on real pydoc pages.

The pages are written at test time by `python -m pydoc -w` for stdlib modules; the methods asked about are those
several classes of the page define under one name (``__init__``), so only the class the question names tells which
signature is the answer.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compressors._html import section_opening, signature_lines
from tests.compressors.lines_helpers import compress_with

MODULES = ("threading", "argparse", "csv", "configparser", "smtplib", "zipfile")
# `<dt><a name="Class-method"><strong>method</strong></a>(self, ...)</dt>`, as pydoc writes a method.
_METHOD = re.compile(r'<dt><a name="(\w+)-(__init__)"><strong>__init__</strong></a>(\([^<]*\))</dt>')


def _pydoc_page(module: str, where: Path) -> str:
    subprocess.run([sys.executable, "-m", "pydoc", "-w", module], cwd=where, capture_output=True, check=True)
    return (where / f"{module}.html").read_text(encoding="utf-8", errors="replace")


def test_the_signature_of_the_method_asked_about_is_kept_among_same_named_ones(tmp_path: Path) -> None:
    checked = 0
    for module in MODULES:
        page = _pydoc_page(module, tmp_path)
        methods = [(cls, sig) for cls, _, sig in _METHOD.findall(page)]
        sigs = [sig for _, sig in methods]
        for cls, sig in methods:
            if sigs.count(sig) != 1 or page.count(sig) != 1:
                continue
            query = f"What are the parameters of {cls}.__init__ in the {module} module's documentation?"
            out = compress_with("html", page, query)
            text = html.unescape(sig)
            assert f"__init__{text}" in out, f"{module}.{cls}.__init__{text} lost"
            checked += 1
    assert checked >= 5, f"only {checked} methods with a signature of their own in {MODULES}"


def test_signature_lines_prefer_the_class_the_question_names() -> None:
    lines = [
        "class Reader(Base)",
        "__init__(self, path)",
        "read(self, n=-1)",
        "class Writer(Base)",
        "__init__(self, path, mode='w')",
        "The method __init__(self) is called by everyone.",
    ]
    assert signature_lines(lines, "What are the parameters of Writer.__init__?") == [3, 4]
    assert signature_lines(lines, "What does `read` take? Its signature?") == [2]
    assert signature_lines(lines, "How do I open a file?") == []


def test_rust_and_sphinx_style_signatures_count_as_definitions() -> None:
    lines = [
        "pub const unsafe fn from_raw_parts<'a, T>(data: *const T, len: usize) -> &'a [T]",
        "class smtpd.SMTPChannel(server, conn, addr)",
        "slice::from_raw_parts(ptr, len) is unsafe; see above",
    ]
    assert signature_lines(lines, "What does core::slice::from_raw_parts take?") == [0]
    assert signature_lines(lines, "What are the parameters of smtpd.SMTPChannel?") == [1]


@pytest.mark.parametrize("module", MODULES[:2])
def test_a_question_naming_no_function_keeps_the_page_as_before(module: str, tmp_path: Path) -> None:
    page = _pydoc_page(module, tmp_path)
    lines = page.splitlines()
    assert signature_lines(lines, f"What does the {module} module do?") == []


def _doc_page(sections: int) -> str:
    body = []
    for k in range(sections):
        body.append(f'<h2 id="s{k}"><a class="doc-anchor" href="#s{k}">§</a>Topic number {k} of the guide</h2>')
        body.append(f"<p>Paragraph {k} explains the guide topic {k} with ordinary words about the guide.</p>")
        body.append(f"<p>A second paragraph of topic {k} adds detail number {k * 7} to the guide.</p>")
    return "<html><head><title>Guide</title></head><body><main>" + "\n".join(body) + "</main></body></html>\n"


def test_the_opening_of_the_section_a_question_quotes_is_kept() -> None:
    page = _doc_page(80)
    out = compress_with("html", page, "What does the page “Guide” say under “§Topic number 41 of the guide”?")
    assert "Paragraph 41 explains the guide topic 41" in out
    assert "A second paragraph of topic 41 adds detail number 287" in out


def test_section_opening_stops_at_the_next_heading() -> None:
    lines = ["# Intro", "", "x", "", "## Safety", "", "Never twice.", "", "Or thrice.", "", "## Next", "", "y"]
    assert section_opening(lines, "What is under “Safety”?") == [6, 8]
    assert section_opening(lines, "What about safety?") == []
