"""XML files as they are on this machine: Maven settings and POMs, D-Bus interfaces, XKB rules, AppStream metadata,
fontconfig, iso-codes, MSBuild templates, SVG images, and the XML shipped in installed Python and npm packages.

One well-formed file (`cat`); a line drawn with the seed among those occurring once that hold a whole element with
short text (`<tag>text</tag>`, under a holder line occurring once, no other line having its tag under it) or a
start tag with attributes; the question names the element (its tag and the element holding it, or its first
attribute's value); needles = that line and the holder's start tag line.
"""

from __future__ import annotations

import functools
import random
import re
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

from benchmarks.fresh._core import Context, Found, generator, needle_of, needles_of
from benchmarks.fresh._places import files_under, npm_files, pick, read_text, site_packages

__all__ = ["xml_files"]

_SUFFIXES = (".xml", ".svg", ".pom", ".csproj", ".plist", ".xsd", ".conf")
_ROOTS = (
    "/etc",
    "/usr/share/xml",
    "/usr/share/dbus-1",
    "/usr/share/X11/xkb/rules",
    "/usr/share/metainfo",
    "/usr/share/maven-repo",
    "/usr/share/fontconfig",
    "/usr/share/doc",
)
# `<name>short text</name>` alone on its line, or a start tag with an attribute.
_TEXT_ELEMENT = re.compile(r"^\s*<(?P<tag>[A-Za-z_][\w:.-]*)(?:\s[^>]*)?>(?P<text>[^<]{1,80})</(?P=tag)>\s*$")
_ATTR_TAG = re.compile(r"^\s*<(?P<tag>[A-Za-z_][\w:.-]*)\s+(?P<attr>[\w:.-]+)=\"(?P<value>[^\"]{2,60})\"")
_START = re.compile(r"^\s*<(?P<tag>[A-Za-z_][\w:.-]*)[\s>/]")


@functools.lru_cache(maxsize=1)
def xml_files() -> tuple[Path, ...]:
    """Well-formed XML files of this machine (1 KB to 200 KB, one element per line mostly), sorted."""
    found: list[Path] = []
    for root in (*map(Path, _ROOTS), site_packages()):
        if root.is_dir():
            found += files_under(root, _SUFFIXES, 1000, 200_000)
    found += npm_files(_SUFFIXES, 1000, 200_000)
    usable = []
    for path in sorted(set(found)):
        text = read_text(path)
        if text is None or not text.lstrip("\ufeff \n").startswith("<") or text.count("\n") < 20:
            continue
        try:
            ElementTree.fromstring(text.encode())
        except ElementTree.ParseError:
            continue
        usable.append(path)
    return tuple(usable)


def _holder(lines: list[str], i: int) -> str | None:
    """The start tag line of the element holding line `i`: the nearest line above, less indented, opening one."""
    indent = len(lines[i]) - len(lines[i].lstrip())
    for j in range(i - 1, -1, -1):
        above = lines[j]
        if above.strip() and len(above) - len(above.lstrip()) < indent:
            return above if _START.match(above) and not above.lstrip().startswith("</") else None
    return None


@generator("xml_file", "config")
def xml_file(ctx: Context, rng: random.Random) -> Found:
    # Drawn source first (a folder of this machine, installed packages), then a file.
    groups: dict[str, list[Path]] = {}
    for path in xml_files():
        groups.setdefault("/".join(path.parts[:4]), []).append(path)
    source = pick(rng, sorted(groups), "XML files", machine=True)
    path = pick(rng, groups[source], "XML files")
    text = ctx.run(["cat", str(path)])
    lines = text.splitlines()
    # A text element is asked for by its tag and holder: only where no other line has the same pair.
    # Its holder line must occur once too, so that naming it points at one place.
    named = [
        (m["tag"], holder.strip())
        if (m := _TEXT_ELEMENT.match(line)) and (holder := _holder(lines, i)) and text.count(holder) == 1
        else None
        for i, line in enumerate(lines)
    ]
    counts = Counter(pair for pair in named if pair is not None)
    # An element asked for by its tag and first attribute: only where no other start tag has the same three, or
    # the question names hundreds of elements and the needle is one of them by chance (fontconfig's
    # `<edit name="lang">` per language).
    tagged = [(m["tag"], m["attr"], m["value"]) if (m := _ATTR_TAG.match(line)) else None for line in lines]
    tag_counts = Counter(t for t in tagged if t is not None)
    candidates = [
        i
        for i, (line, pair, tag) in enumerate(zip(lines, named, tagged, strict=True))
        if (counts[pair] == 1 if pair is not None else tag is not None and tag_counts[tag] == 1)
        and (piece := needle_of(line)) is not None
        and text.count(piece) == 1
    ]
    i = pick(rng, candidates, "elements occurring once")
    line, holder = lines[i], _holder(lines, i)
    where = f" (under {holder.strip()[:80]})" if holder else ""
    if element := _TEXT_ELEMENT.match(line):
        query = f"In {path.name}, what is <{element['tag']}> set to{where}?"
    else:
        tag = _ATTR_TAG.match(line)
        assert tag is not None
        query = f'In {path.name}, what does the <{tag["tag"]}> element with {tag["attr"]}="{tag["value"]}" say?'
    return Found(
        source=f"cat {path}",
        query=query,
        needles=needles_of([line, *([holder] if holder else [])], text),
        notes="An XML file of this machine drawn with the seed (source folder first); an element line occurring "
        "once drawn with the seed; needles = that line and its holder's start tag line.",
        text=text,
    )
