"""HTML as this machine has it: `python -m pydoc -w MODULE` pages and HTML documentation shipped with installed
software (the Rust toolchain's docs, packages' pages).

Needles are text as it stands in the page's source, so a faithful rendering keeps them: runs of text between
tags with no character reference inside (`&nbsp;`, `&lt;`), at least 8 characters.
"""

from __future__ import annotations

import glob
import random
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from benchmarks.fresh._core import MAX_INPUT_BYTES, Context, Found, Skip, Unavailable, generator, needles_of
from benchmarks.fresh._places import cargo_registry, files_under, pick, read_text, site_packages, stdlib

__all__ = ["TextRuns", "html_files"]

# Modules whose import opens a window or a browser, prints, or needs a display.
_NO_IMPORT = frozenset(
    {"antigravity", "this", "turtle", "turtledemo", "idlelib", "tkinter", "pydoc_data", "lib2to3", "ensurepip",
     "venv", "webbrowser", "__hello__", "__phello__", "pty", "tty", "getpass", "crypt"}
)  # fmt: skip


class TextRuns(HTMLParser):
    """The page's title and, per heading (h1-h4), the text runs of the paragraphs after it, as raw source text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.title = ""
        self.sections: list[tuple[str, list[str]]] = []
        self._stack: list[str] = []
        self._heading: list[str] | None = None
        self._in_paragraph = False
        self._broken = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading = []
        elif tag == "p":
            self._in_paragraph = True
        self._stack.append(tag)
        self._broken = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            heading = " ".join("".join(self._heading).split())
            if heading:
                self.sections.append((heading, []))
            self._heading = None
        elif tag == "p":
            self._in_paragraph = False
        self._broken = True

    def handle_entityref(self, name: str) -> None:
        self._broken = True

    def handle_charref(self, name: str) -> None:
        self._broken = True

    def handle_data(self, data: str) -> None:
        if self._stack[-1:] == ["title"] and not self.title:
            self.title = data.strip()
        if self._heading is not None:
            self._heading.append(data)
        elif self._in_paragraph and self.sections and self._stack[-1:] != ["script"]:
            runs = self.sections[-1][1]
            if self._broken or not runs:
                runs.append(data)
            else:
                runs[-1] += data
        self._broken = False


def _heading_question(rng: random.Random, text: str, source: str, drawn: str) -> Found:
    """ "What does the page say under “H”?" for a heading of the HTML `text` followed by a paragraph, drawn with the
    seed; needles: the longest text run of its first paragraphs, and the page title. `drawn` says where the page
    came from (the start of the notes). Raises Skip where the page has no such heading."""
    parser = TextRuns()
    parser.feed(text)
    sections = [(h, [r.strip() for r in runs if len(r.strip()) >= 30]) for h, runs in parser.sections]
    sections = [(h, runs) for h, runs in sections if runs and len(h) >= 3]
    heading, runs = pick(rng, sections, "headings followed by a paragraph")
    longest = max(runs[:4], key=len)
    title = parser.title
    about = f" “{title}”" if title else ""
    return Found(
        source=source,
        query=f"What does the page{about} say under “{heading}”?",
        needles=needles_of([longest, *([title] if title else [])], text),
        notes=f"{drawn}; a heading followed by a paragraph drawn with the seed; needles = the longest text run "
        "(30+ characters, no character reference) of its first paragraphs, and the page title.",
        text=text,
    )


def html_files() -> list[Path]:
    """HTML documentation shipped on this machine: the Rust toolchain's, the installed packages', /usr/share/doc."""
    roots = [site_packages(), Path("/usr/share/doc")]
    try:
        sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True, timeout=30).stdout
        roots.append(Path(sysroot.strip()) / "share" / "doc")
    except (OSError, subprocess.SubprocessError):
        pass
    out: list[Path] = []
    for root in roots:
        if root.is_dir():
            out += files_under(root, (".html", ".htm"), 8000, MAX_INPUT_BYTES)
    return out


@generator("html_doc_page", "html")
def html_doc_page(ctx: Context, rng: random.Random) -> Found:
    files = html_files()
    for _ in range(10):
        path = pick(rng, files, "HTML documentation pages", machine=True)
        text = read_text(path)
        if text is None:
            continue
        try:
            return _heading_question(
                rng, text, f"cat {path}", "An HTML documentation page of this machine drawn with the seed"
            )
        except Skip:
            continue
    raise Skip("no HTML page with a heading and a paragraph found in 10 draws")


_PYDOC_ENTRY = re.compile(
    r'<dt><a name="(?P<anchor>[\w.-]*)"><strong>(?P<name>\w+)</strong></a>(?P<sig>\([^<&]*\))</dt>'
)


@generator("pydoc_html", "html")
def pydoc_html(ctx: Context, rng: random.Random) -> Found:
    modules = sorted(
        p.stem
        for p in files_under(stdlib(), (".py",), 3000, 150_000)
        if p.parent == stdlib() and not p.stem.startswith("_") and p.stem not in _NO_IMPORT
    )
    for _ in range(6):
        module = pick(rng, modules, "stdlib modules")
        folder = ctx.scratch("pydoc_html")
        try:
            ctx.run([ctx.python, "-m", "pydoc", "-w", module], cwd=folder, timeout_s=30)
        except Skip:
            continue
        page = folder / f"{module}.html"
        text = read_text(page) if page.is_file() else None
        if text is None or len(text.encode()) > MAX_INPUT_BYTES:
            continue
        entries = [m for m in _PYDOC_ENTRY.finditer(text) if len(m["sig"]) >= 8 and text.count(m["sig"]) == 1]
        if not entries:
            continue
        entry = pick(rng, entries, "documented functions")
        owner = entry["anchor"].rsplit("-", 1)[0]
        name = f"{owner}.{entry['name']}" if owner else entry["name"]
        return Found(
            source=f"python -m pydoc -w {module}",
            query=f"What are the parameters of {name} in the {module} module's documentation?",
            needles=needles_of([entry["sig"], f"Python: module {module}"], text),
            notes="A stdlib module drawn with the seed, documented by pydoc -w; a function or method whose "
            "signature text occurs once drawn with the seed; needles = the signature and the page title.",
            text=text,
        )
    raise Skip("no pydoc page with a distinct signature found in 6 draws")


# A documented member on a rustdoc page: its anchor, then the first paragraph of its docblock.
_RUSTDOC_MEMBER = re.compile(
    r'<section id="(?P<kind>method|tymethod|structfield|variant)\.(?P<name>\w+)"[^>]*>(?:(?!<section ).)*?'
    r'<div class="docblock">\s*<p>(?P<first>[^<&]*)',
    re.S,
)
# Where a page's own members end: trait implementations (Clone, From...) carry the standard library's words.
_RUSTDOC_IMPLS = re.compile(
    r'id="(?:trait-implementations|synthetic-implementations|blanket-implementations|implementors)"'
)


@generator(
    "rustdoc_page",
    "html",
    slow=True,
    gap="query (html): a method's doc sentence under its kept signature is dropped (the question names the method)",
)
def rustdoc_page(ctx: Context, rng: random.Random) -> Found:
    """A page of `cargo doc --offline --no-deps` for a crate cargo downloaded (those whose dependencies resolve
    offline): a struct, enum or trait page with its methods' docblocks, as rustdoc writes it."""
    cargo = ctx.tool("cargo")
    crates = cargo_registry("src")
    if not crates:
        raise Unavailable("cargo's registry holds no unpacked crates")
    for crate in rng.sample(crates, min(len(crates), 6)):
        folder = ctx.scratch("rustdoc_page") / crate.name
        shutil.copytree(crate, folder)
        target = ctx.workdir / "rustdoc-target"
        env = {"CARGO_TARGET_DIR": str(target), "CARGO_TERM_COLOR": "never", "RUSTDOCFLAGS": ""}
        try:
            ctx.run([cargo, "doc", "--offline", "--no-deps", "--lib"], cwd=folder, env=env, timeout_s=120)
        except Skip:
            continue
        name = crate.name.rsplit("-", 1)[0].replace("-", "_")
        pages = sorted((target / "doc" / name).rglob("*.html")) if (target / "doc" / name).is_dir() else []
        pages = [p for p in pages if p.name.startswith(("struct.", "enum.", "trait.")) and p.stat().st_size > 8000]
        rng.shuffle(pages)
        for page in pages:
            text = read_text(page)
            if text is None or len(text.encode()) > MAX_INPUT_BYTES:
                continue
            own = _RUSTDOC_IMPLS.search(text)
            members = [
                m
                for m in _RUSTDOC_MEMBER.finditer(text, 0, own.start() if own else len(text))
                if len(m["first"].strip()) >= 30 and text.count(m["first"].strip()) == 1
                and text.count(f'id="{m["kind"]}.{m["name"]}"') == 1
            ]  # fmt: skip
            if not members:
                continue
            member = members[rng.randrange(len(members))]
            title = TextRuns()
            title.feed(text[: text.find("</title>") + 8])
            item = page.name.split(".")[1]
            what = {"structfield": "field", "variant": "variant"}.get(member["kind"], "method")
            return Found(
                source=f"cargo doc --offline --no-deps ({crate.name}): {page.relative_to(target / 'doc')}",
                query=f"What does the {what} {item}::{member['name']} do, per the documentation page?",
                needles=needles_of([member["first"], title.title], text),
                notes="A crate from cargo's registry drawn with the seed (one whose dependencies resolve offline), "
                "documented by cargo doc; a struct, enum or trait page drawn with the seed; a member of its own (not "
                "of a trait implementation) whose docblock starts with a text run of 30+ characters said once on the "
                "page drawn with the seed; needles = that "
                "run and the page title.",
                text=text,
            )
    raise Skip("no crate documented offline with a fitting member in 6 draws")


def _rst_files() -> list[Path]:
    """reStructuredText documents installed with Python: the stdlib's, this environment's packages' and the base
    interpreter's packages' (a site-packages nested in the stdlib, which `files_under` does not enter)."""
    out: set[Path] = set()
    for root in (stdlib(), site_packages(), stdlib() / "site-packages"):
        if root.is_dir():
            out.update(files_under(root, (".rst",), 8000, 200_000))
    return sorted(out)


@generator("docutils_page", "html")
def docutils_page(ctx: Context, rng: random.Random) -> Found:
    """A reStructuredText document of an installed package rendered by docutils (`rst2html`), as a project's
    documentation build or a README preview writes it."""
    tool = next((name for name in ("rst2html", "rst2html.py", "rst2html5") if shutil.which(name)), None)
    if tool is None:
        raise Unavailable("docutils' rst2html is not installed")
    files = _rst_files()
    for _ in range(12):
        path = pick(rng, files, "reStructuredText documents", machine=True)
        try:
            text = ctx.run([ctx.tool(tool), "--quiet", "--no-generator", "--no-datestamp", str(path)], timeout_s=60)
        except Skip:
            continue
        if len(text.encode()) > MAX_INPUT_BYTES:
            continue
        drawn = (
            "A reStructuredText document installed with Python (stdlib or packages) drawn with the seed, "
            "rendered by docutils"
        )
        try:
            return _heading_question(rng, text, f"{tool} {path}", drawn)
        except Skip:
            continue
    raise Skip("no rendered document with a heading and a paragraph found in 12 draws")


# A method's detail on a javadoc page: its `<h3>name</h3>`, then the first text run of its description block.
_JAVADOC_METHOD = re.compile(
    r'<section class="detail" id="[^"]*">\s*<h3>(?P<name>\w+)</h3>(?:(?!</section>).)*?'
    r'<div class="block">(?P<first>[^<&]*)',
    re.S,
)
_JDK_PACKAGES = ("java/util/", "java/io/", "java/time/", "java/text/", "java/net/", "java/nio/file/", "java/lang/")


def _jdk() -> tuple[Path, Path] | None:
    """An installed JDK's javadoc and its own source archive (`lib/src.zip`; a dangling link is no archive), the
    JDK with the largest archive when there are several."""
    found = [
        (Path(jdk) / "bin" / "javadoc", Path(jdk) / "lib" / "src.zip")
        for jdk in sorted(glob.glob("/usr/lib/jvm/*"))
        if (Path(jdk) / "lib" / "src.zip").is_file() and (Path(jdk) / "bin" / "javadoc").is_file()
    ]
    return max(found, key=lambda pair: pair[1].stat().st_size) if found else None


@generator(
    "javadoc_page",
    "html",
    slow=True,
    gap="query (html): a method's description under its kept signature is dropped on javadoc pages too (86% with "
    "the question, 43% strict: the description's wrapped lines), as on rustdoc pages",
)
def javadoc_page(ctx: Context, rng: random.Random) -> Found:
    """The javadoc page of one public class of the JDK's own sources (java.base, from the installed JDK's src.zip):
    a method's detail drawn with the seed, asked what it does."""
    jdk = _jdk()
    if jdk is None:
        raise Unavailable("no JDK with javadoc and its source archive (lib/src.zip) is installed")
    javadoc, archive = jdk
    with zipfile.ZipFile(archive) as sources:
        names = sorted(
            info.filename
            for info in sources.infolist()
            if info.filename.startswith("java.base/")
            and info.filename.split("java.base/", 1)[1].startswith(_JDK_PACKAGES)
            and info.filename.endswith(".java")
            and not info.filename.endswith(("package-info.java", "module-info.java"))
            and 5_000 <= info.file_size <= 120_000
        )
        for _ in range(6):
            name = pick(rng, names, "JDK sources")
            folder = ctx.scratch("javadoc_page")
            sources.extract(name, folder / "src")
            argv = [str(javadoc), "-quiet", "-d", "out", "-Xdoclint:none", "--patch-module", "java.base=src/java.base"]
            try:
                ctx.run([*argv, f"src/{name}"], cwd=folder, timeout_s=120)
            except Skip:
                continue
            page = folder / "out" / name.replace(".java", ".html")
            text = read_text(page) if page.is_file() else None
            if text is None or len(text.encode()) > MAX_INPUT_BYTES:
                continue
            titles = Counter(m["name"] for m in _JAVADOC_METHOD.finditer(text))
            methods = [
                m
                for m in _JAVADOC_METHOD.finditer(text)
                if titles[m["name"]] == 1 and len(m["first"].strip()) >= 30 and text.count(m["first"].strip()) == 1
            ]
            if not methods:
                continue
            method = methods[rng.randrange(len(methods))]
            title = TextRuns()
            title.feed(text[: text.find("</title>") + 8])
            cls = Path(name).stem
            return Found(
                source=f"javadoc -d out --patch-module java.base=src {name} (from {archive})",
                query=f"What does the method {cls}.{method['name']} do, per its documentation page?",
                needles=needles_of([method["first"], title.title], text),
                notes="A public class of the JDK's java.base sources drawn with the seed, documented by javadoc; a "
                "method documented once on the page (no overloads) whose description starts with a text run of 30+ "
                "characters said once drawn with the seed; needles = that run (first 200 characters) and the page "
                "title.",
                text=text,
            )
    raise Skip("no JDK class documented with a fitting method in 6 draws")
