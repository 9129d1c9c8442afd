"""Documentation and changelogs of installed software: READMEs, package descriptions, .rst/.md docs, and
CHANGELOG/HISTORY/NEWS files (Markdown, reST, Debian changelogs).

Prose: a section drawn with the seed; the needle is the first sentence of its first paragraph that stands on
its own (50+ characters, not opening with "This", "It", "See"...); the question is written from the heading.
Changelogs: a version heading drawn with the seed (not the newest); needles = the heading and its first entry.
"""

from __future__ import annotations

import random
import re
import shlex
from pathlib import Path

from benchmarks.fresh._core import MAX_INPUT_BYTES, Context, Found, Skip, generator, needle_of, needles_of
from benchmarks.fresh._places import files_under, npm_files, pick, read_text, site_packages

__all__ = ["Section", "sections", "version_headings"]

_MD_HEADING = re.compile(r"^(#{1,4})\s+(?P<title>.+?)\s*#*\s*$")
_RST_RULE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")
_LEANING = ("This", "It ", "Its ", "For example", "See ", "These", "That", "Here", "They", "Also", "Note")
# Lines that open no sentence: list items, quotes, tables, fences, directives, HTML, images and badges, indented
# code, and Markdown link reference definitions (`[name]: https://...`, which a reader never sees as text).
_NOT_PROSE = re.compile(r"^\s*(?:[-*+>|]|\d+\.\s|```|~~~|\.\. |:\w+:|<|!\[|\[!\[|\t| {4}|\[[^\]]+\]:\s)")


class Section:
    """A heading and the lines under it (up to the next heading)."""

    def __init__(self, title: str, heading: str, body: list[str]) -> None:
        self.title, self.heading, self.body = title, heading, body

    def first_sentence(self) -> str | None:
        """The first sentence of the first paragraph of prose, as it stands in the text (line breaks kept)."""
        paragraph: list[str] = []
        fenced = False
        for line in [*self.body, ""]:
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
                if paragraph:
                    break
                continue
            if fenced or (line.strip() and not paragraph and _NOT_PROSE.match(line)):
                continue
            if line.strip():
                paragraph.append(line)
                continue
            if paragraph:
                break
        if not paragraph:
            return None
        text = "\n".join(paragraph)
        m = re.search(r"[.!?](?=\s|$)", text)
        sentence = text[: m.end()] if m else text
        if len(sentence) < 50 or sentence.lstrip().startswith(_LEANING) or "`" in sentence[:3]:
            return None
        return sentence.strip()[:200].rstrip()


def _underlined(lines: list[str], i: int) -> bool:
    """Whether line `i` is a reST title: unindented text over a rule of one repeated character at least as long."""
    line = lines[i]
    if i + 1 >= len(lines) or not line.strip() or line.startswith(" ") or _RST_RULE.match(line):
        return False
    return bool(_RST_RULE.match(lines[i + 1])) and len(lines[i + 1].strip()) >= len(line.strip())


def sections(text: str) -> list[Section]:
    """Markdown (`#` headings) or reST (underlined titles) sections of a document."""
    lines = text.splitlines()
    heads: list[tuple[int, str, int]] = []  # (line of the heading, title, lines the heading takes)
    fenced = False
    for i, line in enumerate(lines):
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        if fenced:
            continue
        m = _MD_HEADING.match(line)
        if m:
            heads.append((i, m["title"].strip("*_` "), 1))
        elif _underlined(lines, i):
            heads.append((i, line.strip(), 2))
    out = []
    for k, (i, title, size) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        out.append(Section(title, lines[i], lines[i + size : end]))
    return out


def _doc_files() -> list[Path]:
    out: list[Path] = []
    out += [p for p in npm_files((".md",), 1500, 200_000) if p.stem.upper() == "README"]
    packages = site_packages()
    out += [p for p in files_under(packages, ("METADATA",), 1500, 200_000)]
    out += [p for p in files_under(packages, (".rst", ".md"), 1500, 200_000) if "LICENSE" not in p.name.upper()]
    return out


@generator("readme_section", "prose")
def readme_section(ctx: Context, rng: random.Random) -> Found:
    files = _doc_files()
    for _ in range(12):
        path = pick(rng, files, "READMEs and package descriptions", machine=True)
        text = read_text(path)
        if text is None:
            continue
        found = [(s, sentence) for s in sections(text) if (sentence := s.first_sentence()) and sentence in text]
        if not found:
            continue
        section, sentence = pick(rng, found, "sections")
        document = f"{path.parent.name}/{path.name}"
        return Found(
            source=f"cat {path}",
            query=f"What does {document} say about “{section.title}”?",
            needles=needles_of([sentence], text),
            notes="A README / package description / doc page drawn with the seed; a section drawn with the seed "
            "among those whose first paragraph opens with a sentence that stands on its own (50+ characters); "
            "needle = that sentence (first 200 characters); the question names the section's heading.",
            text=text,
        )
    raise Skip("no document with a usable section found in 12 draws")


_VERSION = re.compile(r"\bv?(?P<version>\d+\.\d+(?:\.\d+)?(?:[-.]?(?:rc|a|b|beta|alpha)\d*)?)\b")
_DEBIAN = re.compile(r"^(?P<package>[a-z0-9][a-z0-9.+-]+) \((?P<version>[^)\s]+)\) [^;]+; urgency=")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+\S")


def version_headings(text: str) -> list[tuple[str, str, str]]:
    """(version, heading line, its first entry) for every version heading with an entry under it."""
    lines = text.splitlines()
    heads: list[tuple[int, str, int]] = []
    for i, line in enumerate(lines):
        m = _DEBIAN.match(line)
        if m:
            heads.append((i, m["version"], 1))
            continue
        heading = _MD_HEADING.match(line)
        underlined = _underlined(lines, i)
        candidate = heading["title"] if heading else (line if underlined else None)
        if candidate is None and re.match(r"^v?\d+\.\d+", line):
            candidate = line
        if candidate is not None:
            v = _VERSION.search(candidate[:40])
            if v:
                heads.append((i, v["version"], 2 if underlined else 1))
    out = []
    for k, (i, version, size) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        entry = next((line for line in lines[i + size : end] if _BULLET.match(line)), None)
        if entry is not None and needle_of(entry) and needle_of(lines[i]):
            out.append((version, lines[i], entry))
    return out


def _changelogs() -> list[Path]:
    names = ("CHANGELOG", "CHANGES", "HISTORY", "NEWS", "RELEASE")
    out: list[Path] = []
    out += [p for p in npm_files((), 800, 300_000) if p.name.upper().startswith(names)]
    out += [p for p in files_under(site_packages(), (), 800, 300_000) if p.name.upper().startswith(names)]
    doc = Path("/usr/share/doc")
    if doc.is_dir():
        out += [p for p in files_under(doc, (".gz",), 300, 2_000_000) if p.name.startswith(("changelog", "NEWS"))]
    return out


@generator("changelog", "issue_thread")
def changelog(ctx: Context, rng: random.Random) -> Found:
    files = _changelogs()
    for _ in range(12):
        path = pick(rng, files, "changelogs", machine=True)
        if path.suffix == ".gz":
            lines = rng.randint(300, 4000)
            command = f"zcat {shlex.quote(str(path))} | head -n {lines}"
            text = ctx.run(["sh", "-c", command], ok=lambda c: c in (0, 141))
        else:
            command = f"cat {shlex.quote(str(path))}"
            text = read_text(path) or ""
        if not text or len(text.encode()) > MAX_INPUT_BYTES:
            continue
        versions = version_headings(text)[1:]
        if not versions:
            continue
        version, heading, entry = pick(rng, versions, "version headings")
        package = path.parent.name
        return Found(
            source=command,
            query=f"What changed in version {version} of {package}?",
            needles=needles_of([heading, entry], text),
            notes="A changelog of installed software drawn with the seed (Debian changelogs cut with head -n); a "
            "version heading other than the newest drawn with the seed; needles = the heading and its first entry.",
            text=text,
        )
    raise Skip("no changelog with version headings found in 12 draws")
