"""Shell scripts: detected by their content (a `#!` naming a shell, shell syntax), outlined on the code path
(functions, `if`/loop/`case` blocks and `case` arms as bodies), and every output still a script the shell
reads: `bash -n` / `sh -n`, the real shells of this machine, check what tree-sitter's forgiving bash grammar
would pass (it reads a stray `fi` as a command).

The real scripts are this machine's: the commands in /usr/bin and /usr/sbin written in sh or bash, and bash's
completion files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from structure_helpers import assert_markers_resolve, compress_checked, context, omitted_lines

from compressors import detect
from compressors._code import CodeCompressor

CODE = CodeCompressor()

SCRIPT = """#!/bin/sh
# Rotate the logs of a service and keep a few old ones.
set -e

LOGDIR=${LOGDIR:-/var/log/demo}
KEEP=5

# Print how to call this script.
usage() {
    echo "usage: $0 [-n KEEP] rotate|list" >&2
    echo "  rotate  move each log aside and compress the old ones" >&2
    echo "  list    show the rotated logs" >&2
    exit 2
}

rotate_one() {
    f=$1
    i=$KEEP
    while [ "$i" -gt 1 ]; do
        prev=$((i - 1))
        [ -f "$f.$prev.gz" ] && mv "$f.$prev.gz" "$f.$i.gz"
        i=$prev
    done
    mv "$f" "$f.1"
    gzip "$f.1"
}

function list_rotated {
    for f in "$LOGDIR"/*.gz; do
        echo "$f"
        ls -l "$f"
    done
}

cat <<EOF >/dev/null
A here-document { with braces } and a case ) paren is text.
EOF

case "$1" in
    rotate)
        for f in "$LOGDIR"/*.log; do
            rotate_one "$f"
        done
        echo "rotated"
        ;;
    list)
        list_rotated
        echo "listed"
        echo "done"
        ;;
    *)
        usage
        ;;
esac
"""


def _shell_accepts(text: str, shell: str = "bash") -> bool:
    return subprocess.run([shell, "-n"], input=text.encode(), capture_output=True, check=False).returncode == 0


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="no bash on this machine")


def test_a_script_that_names_its_shell_is_code_in_bash() -> None:
    found = detect(SCRIPT)
    assert (found.content_type, found.language) == ("code", "bash")
    # Without the `#!` line its syntax still says so.
    body = SCRIPT.split("\n", 1)[1]
    assert detect(body).language == "bash"


@needs_bash
def test_function_bodies_give_way_and_the_headers_stay() -> None:
    ctx = context(SCRIPT, language="bash")
    out = compress_checked(CODE, SCRIPT, ctx)
    for header in ("usage() {", "rotate_one() {", "function list_rotated {", 'case "$1" in'):
        assert header in out
    assert 'mv "$f" "$f.1"' not in out
    assert ":  # [" in out
    assert_markers_resolve(SCRIPT, out, ctx)
    assert _shell_accepts(out)


@needs_bash
def test_a_question_naming_a_function_keeps_its_body() -> None:
    ctx = context(SCRIPT, language="bash", query="What does rotate_one do with the old logs?")
    out = compress_checked(CODE, SCRIPT, ctx)
    assert 'mv "$f" "$f.1"' in out
    assert 'gzip "$f.1"' in out
    assert _shell_accepts(out)


@needs_bash
def test_a_case_arm_is_a_body_named_by_its_pattern() -> None:
    ctx = context(SCRIPT, language="bash", query="What does the list command print?")
    out = compress_checked(CODE, SCRIPT, ctx)
    assert "    list)" in out
    assert "    rotate)" in out
    assert _shell_accepts(out)


@needs_bash
def test_a_block_whose_closing_word_shares_a_line_shows_that_word_again() -> None:
    text = (
        'case "$1" in\n  *.gz)\n    if command -v zcat >/dev/null; then\n      zcat "$1"\n      echo ok\n'
        '    else echo "no zcat"; fi ;;\n  *)\n    cat "$1"\n    ;;\nesac\n'
    )
    ctx = context(text, language="bash")
    out = compress_checked(CODE, text, ctx)
    assert _shell_accepts(text)
    assert _shell_accepts(out), out
    if 6 in omitted_lines(out):
        # The hidden lines end with the arm's `;;`, which the glue shows again on a line of its own.
        assert re.search(r"lines=\d+-6\]\n\s*;;\n", out), out


_SHEBANG = re.compile(rb"#! ?/\S*/(?:env +)?(ba|da)?sh\b")


def _system_scripts(limit: int) -> list[tuple[Path, str, str]]:
    """Up to `limit` of this machine's shell scripts that their shell accepts, spread over the folders."""
    found: list[tuple[Path, str, str]] = []
    folders = [Path("/usr/bin"), Path("/usr/sbin"), Path("/usr/share/bash-completion/completions")]
    for folder in folders:
        if not folder.is_dir():
            continue
        taken = 0
        for path in sorted(folder.iterdir()):
            if taken >= limit // len(folders) + 1:
                break
            try:
                if path.is_symlink() or not path.is_file() or not 1500 <= path.stat().st_size <= 60_000:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            match = _SHEBANG.match(data)
            completion = folder.name == "completions"
            if (match is None and not completion) or b"\0" in data:
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            shell = "bash" if completion or (match is not None and match.group(1) == b"ba") else "sh"
            if shutil.which(shell) and _shell_accepts(text, shell):
                found.append((path, text, shell))
                taken += 1
    return found


@needs_bash
def test_this_machines_scripts_stay_scripts_their_shell_reads() -> None:
    scripts = _system_scripts(36)
    if len(scripts) < 5:
        pytest.skip(f"only {len(scripts)} shell scripts on this machine")
    saved = 0
    for path, text, shell in scripts:
        ctx = context(text, language="bash")
        out = CODE.compress(text, ctx)
        assert_markers_resolve(text, out, ctx)
        assert _shell_accepts(out, shell), f"{path}: the output no longer parses with {shell} -n"
        saved += len(out) < len(text)
    assert saved * 2 >= len(scripts), f"only {saved} of {len(scripts)} scripts were shortened"


def test_this_machines_scripts_with_a_shell_line_are_detected_as_bash() -> None:
    scripts = [(p, t) for p, t, _ in _system_scripts(36) if t.startswith("#!") and t.count("\n") >= 30]
    if len(scripts) < 5:
        pytest.skip(f"only {len(scripts)} long shell scripts on this machine")
    wrong = [str(p) for p, t in scripts if (detect(t).content_type, detect(t).language) != ("code", "bash")]
    assert len(wrong) * 20 <= len(scripts), wrong


@needs_bash
def test_under_a_budget_this_machines_scripts_keep_their_blocks_whole() -> None:
    # The budget gives up the lines between signatures: a stretch may not cut an `if`, a loop (`for i do`
    # included) or a `case`, and between a case's arms only a comment may stand in.
    scripts = _system_scripts(24)
    if len(scripts) < 5:
        pytest.skip(f"only {len(scripts)} shell scripts on this machine")
    for path, text, shell in scripts:
        ctx = context(text, language="bash", budget=400)
        out = CODE.compress(text, ctx)
        assert_markers_resolve(text, out, ctx)
        assert _shell_accepts(out, shell), f"{path}: the output at a budget no longer parses with {shell} -n"
