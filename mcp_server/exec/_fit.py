"""How much of a large output `headroom exec` prints, per client and per kind of command, and in what form.

- The client's window. Claude Code persists a Bash result over 30,000 characters to a file and shows the model a
  2,000-character preview of it; Gemini CLI keeps the first 8,000 and the last 32,000 characters of one over 40,000;
  Codex (0.171) keeps the two ends of one over its limit, 40,000 bytes where `tool_output_token_limit` is 10,000 as
  headroom sets it (`mcp_server.install._codex`: the limit a user set instead counts; without it a model Codex has
  no metadata for gets 10,000 bytes).
  A compressed output past that window reaches the model cut blindly, header and markers included, so exec fits
  what it prints within the window of the client that ran the command (`--client`, as the hooks set it).
- Search results (the command line names a searcher: `grep`, `rg`, `git grep`) are the answers the agent asked for:
  all of them are printed while they fit the client's window (for a client whose window is not known, while they
  take at most `SEARCH_SHARE` of the output's tokens), and they are printed grouped by directory: a run of matches
  in one directory shows the directory once, on its own line ending in ``/``, and each match below it indented,
  as ``name:line:text``. That is the same matches in fewer tokens (a deep path is most of a `grep -rn` line), so
  all of them fit where a quarter did.
"""

from __future__ import annotations

import re

__all__ = ["CLIENT_WINDOWS", "SEARCH_SHARE", "group_matches", "window_chars", "window_tokens"]

# Characters of a tool result the client shows the model whole (see above); clients not named here cut nothing
# that is known, so the compressor's own budget stands.
CLIENT_WINDOWS = {"claude-code": 30_000, "gemini": 40_000}
SEARCH_SHARE = 0.6
# A match line of `grep -n`, `grep -rn`, `git grep -n`, `rg -n`: the path, the line number, the text.
_MATCH = re.compile(r"([^\s\[][^\n]*?):(\d+):")


def window_chars(client: str) -> int | None:
    """The characters a result of this client's shell tool may have and still reach the model whole (Codex counts
    bytes: exec measures what it prints in bytes, never fewer than its characters)."""
    name = client.split("/", 1)[0]
    if name == "codex":
        from mcp_server.install._codex import window_bytes

        return window_bytes()
    return CLIENT_WINDOWS.get(name)


def window_tokens(window: int, chars: int, tokens: int) -> int:
    """The tokens of ``window`` characters of a text whose ``chars`` characters hold ``tokens`` tokens."""
    return max(1, window * tokens // max(chars, 1))


def group_matches(text: str) -> str | None:
    """``text`` with every run of two or more match lines in one directory grouped under that directory, or None
    when it is not search output (under half of its lines are matches) or nothing groups."""
    lines = text.split("\n")
    parsed: list[tuple[str, str] | None] = []
    matches = 0
    for line in lines:
        found = _MATCH.match(line)
        slash = found.group(1).rfind("/") if found else -1
        if found is None or slash < 0:
            parsed.append(None)
            continue
        matches += 1
        parsed.append((line[: slash + 1], line[slash + 1 :]))
    if 2 * matches < sum(1 for line in lines if line.strip()):
        return None
    # A folder line holds no `:N:` (the path ends at the first), so no match reads as one; a line of the input that
    # starts with two spaces could read as a grouped match: such an output is left as it is.
    if any(line.startswith("  ") for line, found in zip(lines, parsed, strict=True) if found is None):
        return None
    out: list[str] = []
    grouped = False
    i = 0
    while i < len(lines):
        here = parsed[i]
        j = i + 1
        while here is not None and j < len(lines) and (there := parsed[j]) is not None and there[0] == here[0]:
            j += 1
        if here is None or j - i < 2:
            out.append(lines[i])
            i += 1
            continue
        grouped = True
        out.append(here[0])
        out.extend("  " + rest[1] for rest in parsed[i:j] if rest is not None)
        i = j
    return "\n".join(out) if grouped else None
