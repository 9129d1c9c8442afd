"""Each chunk is filed under the structure above it: section headings, commit and file, enclosing blocks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ccr import Chunk, LineIndex, Store, chunk_text
from ccr._chunk_context import chunk_contexts, source_subject

GUIDE = (
    "# Deploy guide\n\n"
    "## Rollback\n\nIntro.\n\n"
    "### Database\n\nRestore the snapshot taken before the release.\n\n"
    "```sh\n# not a heading\nmake restore\n```\n\n"
    "## Monitoring\n\nWatch the error rate.\n"
)
LOG_P = (
    "commit 4403c431b1e5d0f0a2b3c4d5e6f708192a3b4c5d\n"
    "Author: Dev <dev@example.com>\n"
    "Date:   Mon Jan 6 10:00:00 2025 +0000\n\n"
    "    Semantic layer: chunk spans follow the store's line model\n\n"
    "diff --git a/ccr/_chunks.py b/ccr/_chunks.py\n"
    "index 1111111..2222222 100644\n"
    "--- a/ccr/_chunks.py\n+++ b/ccr/_chunks.py\n"
    "@@ -10,3 +10,3 @@\n-    old = 1\n+    new = 2\n"
)
CODE = (
    "class Store:\n"
    "    def put(self, data):\n"
    "        if not data:\n"
    "            raise EmptyInputError()\n"
    "        return self._write(data)\n"
    "\n"
    "def helper():\n"
    "    return 1\n"
)


def contexts(text: str, content_type: str, starts: list[int]) -> list[str]:
    chunks = [Chunk(n, n, "") for n in starts]
    return chunk_contexts(LineIndex(text), chunks, content_type)


def test_a_markdown_chunk_is_filed_under_the_headings_of_its_sections_and_fences_hold_none() -> None:
    lines = GUIDE.split("\n")
    restore = lines.index("Restore the snapshot taken before the release.") + 1
    command = lines.index("make restore") + 1
    watch = lines.index("Watch the error rate.") + 1
    found = contexts(GUIDE, "markdown", [1, restore, command, watch])
    assert found[0] == ""
    assert found[1] == "# Deploy guide\n## Rollback\n### Database"
    assert found[2] == found[1]  # "# not a heading" inside the fence is not a heading
    assert found[3] == "# Deploy guide\n## Monitoring"
    assert contexts(GUIDE, "mixed", [watch]) == [found[3]]


def test_a_hunk_is_filed_under_its_commit_subject_and_file() -> None:
    hunk = LOG_P.split("\n").index("@@ -10,3 +10,3 @@") + 1
    (found,) = contexts(LOG_P, "diff", [hunk])
    assert found.split("\n") == [
        "commit 4403c431b1e5d0f0a2b3c4d5e6f708192a3b4c5d",
        "Semantic layer: chunk spans follow the store's line model",
        "diff --git a/ccr/_chunks.py b/ccr/_chunks.py",
    ]


def test_a_code_chunk_is_filed_under_the_lines_that_open_its_blocks() -> None:
    found = contexts(CODE, "code", [4, 5, 8])
    assert found[0] == "class Store:\ndef put(self, data):\nif not data:"
    assert found[1] == "class Store:\ndef put(self, data):"
    assert found[2] == "def helper():"


def test_content_that_names_what_it_is_about_line_by_line_has_no_context() -> None:
    for content_type in ("log", "search", "json", "text", None):
        assert contexts("a\n  b\n    c\n", content_type or "", [3]) == [""]


@given(st.text(alphabet="# \n`~abc:", max_size=300), st.sampled_from(["markdown", "diff", "code", "log"]))
def test_every_chunk_gets_one_context_of_text_above_it(text: str, content_type: str) -> None:
    chunks = chunk_text(text, content_type, max_chars=20, max_lines=3)
    found = chunk_contexts(LineIndex(text), chunks, content_type)
    assert len(found) == len(chunks)
    lines = text.split("\n")
    for chunk, context in zip(chunks, found, strict=True):
        above = {line.strip() for line in lines[: chunk.start_line - 1]}
        assert all(part in above for part in context.split("\n") if part)


def section(title: str, body: str) -> str:
    padding = "".join(
        f"Note {k}: this part of the guide is long enough to need chunks of its own.\n" for k in range(12)
    )
    return f"{title}\n\n{padding}\n{body}\n\n"


def test_search_finds_a_hunk_by_its_commit_subject_and_a_paragraph_by_its_headings(store: Store) -> None:
    filler = "".join(f"+    line_{k} = {k}\n" for k in range(60))
    diff = store.put(LOG_P + filler, content_type="diff")
    hits = store.search("what did the commit about chunk spans following the line model change", limit=3).hits
    assert {hit.hash for hit in hits} == {diff}
    assert any(text == "+    new = 2" for hit in hits for _, text in hit.rows)  # a hunk, under its commit

    guide = store.put(
        "# Operations\n\n"
        + section("## Backups", "")
        + section("### Database", "Restore the database snapshot from the nightly copy.")
        + section("## Rollback", "")
        + section("### Database", "Restore the database snapshot taken before the release."),
        content_type="markdown",
    )
    hit = store.search("rollback: restore the database", limit=1).hits[0]
    assert hit.hash == guide
    assert any("taken before the release" in text for _, text in hit.rows)


def test_a_hit_shows_the_text_under_a_matching_heading_past_the_blank_line(store: Store) -> None:
    body = "".join(f"Line {k} of unrelated notes.\n" for k in range(30))
    digest = store.put(
        f"# Notes\n\n{body}\n## Security\n\nReport vulnerabilities by mail to the team.\n\n{body}",
        content_type="markdown",
    )
    hit = store.search("what does it say about Security", limit=1).hits[0]
    assert hit.hash == digest
    assert any(text == "Report vulnerabilities by mail to the team." for _, text in hit.rows)


LS_R = (
    "./app:\ntotal 8\n-rw-r--r-- 1 dev dev 120 Mar  1 10:00 __init__.py\n"
    "-rw-r--r-- 1 dev dev 900 Mar  1 10:00 main.py\n"
    "\n./app/licenses:\ntotal 4\n-rw-r--r-- 1 dev dev 8414 Mar  1 10:00 __init__.py\n"
)
CONFIG = "[server]\nport = 8080\n\n[database]\nhost = db.internal\npool:\n  size: 5\n  timeout: 30\n"


def test_listing_rows_are_filed_under_their_directory_and_config_lines_under_their_section() -> None:
    assert contexts(LS_R, "listing", [3, 8]) == ["./app:", "./app/licenses:"]
    assert contexts(CONFIG, "config", [2, 5, 7]) == ["[server]", "[database]", "[database]\npool:"]


def test_a_recursive_listing_is_chunked_at_its_directories() -> None:
    starts = [c.start_line for c in chunk_text(LS_R * 3, "listing", max_chars=400, max_lines=40)]
    headers = [n for n, line in enumerate((LS_R * 3).split("\n"), start=1) if line.endswith(":")]
    assert set(starts) <= {1, *headers}


UNDERLINED = (
    "Project\n=======\n\nIntro text.\n\n"
    "Performance\n-----------\n\nMatching thousands of files is slow in pure Python.\n\n"
    "Install\n-------\n\nRun the installer.\n"
)
LOG_STAT = (
    "commit 4d364c2e7b0000000000000000000000000000aa\n"
    "Author: Dev <dev@example.com>\n"
    "Date:   Mon Jan 6 10:00:00 2025 +0000\n\n"
    "    [readme] fix typo\n\n"
    " README.md | 2 +-\n"
    " 1 file changed, 1 insertion(+), 1 deletion(-)\n"
)
PIP_LIST = "Package    Version\n---------- -------\naiofiles   24.1.0\nzstandard  0.23.0\n\nnot a row\n"


def test_underlined_headings_are_sections_as_hash_headings_are() -> None:
    lines = UNDERLINED.split("\n")
    slow = lines.index("Matching thousands of files is slow in pure Python.") + 1
    run = lines.index("Run the installer.") + 1
    assert contexts(UNDERLINED, "markdown", [slow, run]) == ["Project\nPerformance", "Project\nInstall"]
    starts = {c.start_line for c in chunk_text(UNDERLINED, "markdown", max_chars=60)}
    assert {lines.index("Performance") + 1, lines.index("Install") + 1} <= starts


def test_listing_rows_are_filed_under_their_commit_and_their_table_header() -> None:
    assert contexts(LOG_STAT, "listing", [7]) == ["commit 4d364c2e7b0000000000000000000000000000aa\n[readme] fix typo"]
    # The header row holds while the table lasts: a blank line ends it.
    assert contexts(PIP_LIST, "listing", [3, 4, 7]) == ["Package    Version", "Package    Version", ""]


def test_a_question_naming_a_file_finds_the_hunk_under_that_files_header(store: Store) -> None:
    def file_diff(path: str, words: str) -> str:
        body = "".join(f"+    {words} {k}\n" for k in range(70))
        return f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1,3 +1,73 @@\n{body}"

    # Each file's hunk spans two chunks: the second holds no path, only its context does.
    text = file_diff("src/app/lexer/preproc.rs", "skip blanks") + file_diff("src/app/lexer.rs", "skip blanks")
    digest = store.put(text, content_type="diff")
    last = len(text.split("\n")) - 1
    (chunk,) = [c for c in chunk_text(text, "diff") if c.start_line <= last <= c.end_line]
    assert "lexer.rs" not in chunk.text
    first = text.split("\n").index("diff --git a/src/app/lexer.rs b/src/app/lexer.rs") + 1
    spans = [(c.start_line, c.end_line) for c in chunk_text(text, "diff") if c.start_line >= first]
    hits = store.search("How did src/app/lexer.rs change: skip blanks?", limit=len(spans)).hits
    assert {hit.hash for hit in hits} == {digest}
    assert sorted((hit.start_line, hit.end_line) for hit in hits) == spans


def test_an_original_is_filed_under_the_command_line_or_file_its_source_names_not_its_channel() -> None:
    assert source_subject("exec: LC_ALL=C grep -rn --exclude-dir=test -w PipeSocket src/") == "grep PipeSocket src/"
    assert source_subject("exec:cargo test --offline -- --test-threads=1") == "cargo test"
    assert source_subject("mcp:read:/etc/app/values.yaml") == "/etc/app/values.yaml"
    assert source_subject("cli:build.log") == "build.log"
    assert source_subject("hook:Bash: git diff --stat main..topic") == "git diff main..topic"
    assert source_subject("hook:mcp__logs__tail: /var/log/app.log") == "/var/log/app.log"
    for channel in ("api", "exec", "cli", "mcp:compress", "mcp:run", "hook:Bash", "proxy"):
        assert source_subject(channel) == "", channel


def test_a_question_naming_the_command_finds_the_output_it_printed(store: Store) -> None:
    npm = store.put(
        "0 verbose cli /usr/bin/node\n47 error code ENOENT\n48 error path /tmp/app/lib/package.json\n",
        content_type="log",
        source="exec: npm install --offline --loglevel silly",
    )
    store.put(
        "Looking in links: /tmp/wheels\nERROR: No matching distribution found for corp_time\n",
        content_type="log",
        source="exec: pip install -v --no-index corp_time",
    )
    store.put("error code ENOENT\nerror path /tmp/other/package.json\n", content_type="log", source="hook:Bash")
    hits = store.search("Why did npm install fail?").hits
    assert hits[0].hash == npm
    assert any("error code ENOENT" in text for _, text in hits[0].rows)
