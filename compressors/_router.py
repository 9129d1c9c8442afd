"""Content detection: which compressor a text needs.

The scan runs in the Rust core (`rustcore._lines.detect_content`): one pass over a
bounded sample plus cheap whole-input checks, so routing a 10 MB log costs
about as much as routing a 64 KB one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccr import CompressorError
from compressors._base import CONTENT_TYPES
from rustcore._lines import detect_content

__all__ = ["COMPRESSOR_FOR_TYPE", "Detection", "detect", "resolve_content_type", "type_for_name"]

# Which compressor serves each content type; the first one registered wins.
COMPRESSOR_FOR_TYPE: dict[str, str] = {
    "json": "json",
    "code": "code",
    "log": "log",
    "search": "search",
    "diff": "diff",
    "html": "html",
    "markdown": "prose",
    "text": "prose",
    "mixed": "mixed",
    "listing": "listing",
    "config": "config",
}


_CODE_SUFFIXES = frozenset(
    {
        *(".py", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".go", ".rs", ".java", ".kt", ".c", ".h"),
        *(".cc", ".cpp", ".cxx", ".hpp", ".hh", ".cs", ".rb", ".php", ".swift", ".scala", ".lua", ".sh", ".bash"),
    }
)
_SUFFIX_TYPES = {
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".rst": "markdown",
    ".html": "html",
    ".htm": "html",
    ".log": "log",
    ".diff": "diff",
    ".patch": "diff",
    ".yaml": "config",
    ".yml": "config",
    ".toml": "config",
    ".ini": "config",
    ".cfg": "config",
    ".conf": "config",
    ".properties": "config",
    ".env": "config",
    # XML data and settings: the config outline keeps their nesting (the page compressor looks for an article).
    **dict.fromkeys(
        (".xml", ".svg", ".pom", ".csproj", ".fsproj", ".vbproj", ".props", ".targets", ".plist", ".xsd"),
        "config",
    ),
    **dict.fromkeys((".xsl", ".xslt", ".rss", ".atom", ".resx", ".nuspec", ".xaml", ".wsdl"), "config"),
    ".csv": "listing",
    ".tsv": "listing",
}
# Files named by what they are rather than by a suffix.
_NAME_TYPES = {"dockerfile": "config", "containerfile": "config", ".env": "config"}


def type_for_name(name: str) -> str | None:
    """The content type a file name suggests (`x.py` code, `values.yaml` config, `Dockerfile` config), or
    None when it suggests none (`.txt`, `.out`, no suffix): a hint for `detect`, never the answer."""
    lower = name.lower()
    if lower in _NAME_TYPES or lower.startswith(("dockerfile.", ".env.")):
        return _NAME_TYPES.get(lower, "config")
    suffix = lower[lower.rfind(".") :] if "." in lower[1:] else ""
    if suffix in _CODE_SUFFIXES:
        return "code"
    return _SUFFIX_TYPES.get(suffix)


@dataclass(frozen=True, slots=True)
class Detection:
    content_type: str
    language: str | None = None


def detect(text: str, hint: str | None = None, *, name_hint: str | None = None) -> Detection:
    """The content type of `text` (one of `CONTENT_TYPES`) and, for code, its language.

    `name_hint` is what the text's file name suggests (`type_for_name`): taken only where the
    content shows some of that type's traits, never an override. `hint` is what the text's
    producer usually prints (`headroom exec` reads the command line): weaker, it only settles
    a close call, where no other type's traits clearly outweigh the hinted type's.
    """
    content_type, language = detect_content(text, hint, name_hint=name_hint)
    return Detection(content_type, language)


# Types a command line's hint may settle for text that shows no type's signals (a test run or build, a diff, a search).
HINT_TYPES = ("log", "diff", "search")


def resolve_content_type(
    content_type: str | None, text: str, hint: str | None = None, *, name_hint: str | None = None
) -> Detection:
    """`content_type` as given (validated), or detected when it is None or "auto".

    `name_hint` (the text's file name, `type_for_name`) and `hint` (its producer: `headroom exec` reads the
    command line) never override what the scan found: see `detect`. An input the scan left as plain text (no
    type's signals) takes a producer's hint of `HINT_TYPES`.
    """
    if content_type in (None, "auto"):
        found = detect(text, hint, name_hint=name_hint)
        if hint in HINT_TYPES and found.content_type == "text":
            return Detection(hint)
        return found
    if content_type not in CONTENT_TYPES:
        raise CompressorError(f"unknown content type {content_type!r}; use auto or one of {', '.join(CONTENT_TYPES)}")
    if content_type == "code":
        # The caller said what it is, not which language: take the language when the scan agrees it is code.
        found = detect(text)
        return Detection("code", found.language if found.content_type == "code" else None)
    return Detection(content_type)
