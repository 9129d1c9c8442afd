//! The parts of an outline every language shares: comment runs, long literals, runs of one-line
//! siblings, and the glue that replaces a brace-delimited body.

use std::collections::HashMap;

use super::lex::Comment;
use super::{CommentRun, Definition, Elision, Run, Source};

/// A block whose interior is shorter than this stays: its marker would cost about as much.
pub(super) const MIN_BODY_LINES: usize = 2;
const MIN_COMMENT_LINES: usize = 3;
const MIN_LITERAL_LINES: usize = 8;
/// A run of one-line siblings must be this long to be shortened.
const MIN_RUN: usize = 12;

pub(super) fn sized(el: Elision) -> Option<Elision> {
    (el.last + 1 >= el.first + MIN_BODY_LINES && el.last >= el.first).then_some(el)
}

/// The elision of the lines strictly inside `{` at `open` and `}` ending at `close_end`, when both
/// stand at the edges of their lines.
pub(super) fn brace_body(src: &Source, open: usize, close_end: usize) -> Option<Elision> {
    let (open_line, close_line) = src.span(open, close_end);
    if !src.rest_is_comment(open + 1, b"//") || !src.starts_line(close_end - 1) {
        return None;
    }
    if close_line < open_line + 2 {
        return None;
    }
    let (first, last) = (open_line + 1, close_line - 1);
    let indent = src.first_indent(first, last);
    sized(Elision::new(first, last, format!("{indent}/* "), " */"))
}

fn all_in(text: &str, set: &[u8]) -> bool {
    text.bytes().all(|c| set.contains(&c))
}

/// Consecutive whole-line comments of one indent (a block comment alone) grouped into runs; a run
/// right above one of `definitions` is its doc.
pub(super) fn comment_runs(
    src: &Source,
    comments: &[Comment],
    line_comment: &str,
    definitions: &[Definition],
) -> Vec<CommentRun> {
    let defs_by_start: HashMap<usize, usize> = definitions
        .iter()
        .enumerate()
        .map(|(k, d)| (d.first, k))
        .collect();
    let defs_by_start = &defs_by_start;
    let mut runs = Vec::new();
    let mut group: Vec<(usize, usize, bool)> = Vec::new();
    let flush = |group: &mut Vec<(usize, usize, bool)>, runs: &mut Vec<CommentRun>| {
        if !group.is_empty() {
            runs.push(comment_run(group, src, line_comment, defs_by_start));
            group.clear();
        }
    };
    for c in comments {
        let (start, end) = (c.start as usize, c.end as usize);
        let alone = src.starts_line(start) && src.after_on_line(end).trim_ascii().is_empty();
        if !alone {
            flush(&mut group, &mut runs);
            continue;
        }
        let (first, last) = (c.line as usize, c.end_line as usize);
        let block = first != last || src.bytes[start..].starts_with(b"/*");
        if block {
            flush(&mut group, &mut runs);
            group.push((first, last, true));
            flush(&mut group, &mut runs);
            continue;
        }
        if let Some(&(gfirst, glast, _)) = group.last() {
            if glast + 1 != first || src.indent(first) != src.indent(gfirst) {
                flush(&mut group, &mut runs);
            }
        }
        group.push((first, last, false));
    }
    flush(&mut group, &mut runs);
    runs
}

fn comment_run(
    group: &[(usize, usize, bool)],
    src: &Source,
    line_comment: &str,
    defs_by_start: &HashMap<usize, usize>,
) -> CommentRun {
    let first = group[0].0;
    let last = group[group.len() - 1].1;
    let mut run = CommentRun {
        first,
        last,
        tail: None,
        doc_for: defs_by_start.get(&(last + 1)).copied(),
    };
    if last + 1 < first + MIN_COMMENT_LINES {
        return run;
    }
    // A first line of only punctuation (`/**`, `#####`) is not the head worth keeping.
    let keep = if all_in(src.body(first), b" \t/*!#=-") {
        first + 1
    } else {
        first
    };
    if keep + 1 >= last {
        return run;
    }
    if group[0].2 {
        let text = &src.bytes[src.line_start(first)..src.line_start(last + 1)];
        if memchr::memmem::find_iter(text, b"/*").count() > 1 {
            // A nested comment (Rust): cutting its middle could leave an opener unclosed.
            return run;
        }
        let closing = src.body(last).trim();
        let next = src.line(keep + 1);
        let ws = next.len() - next.trim_start_matches([' ', '\t']).len();
        let mut before = next[..ws].to_string();
        let rest = &next[ws..];
        if let Some(after_star) = rest.strip_prefix('*') {
            let pad = after_star.len() - after_star.trim_start_matches([' ', '\t']).len();
            before.push('*');
            before.push_str(&after_star[..pad]);
        }
        if before.ends_with('*') {
            before.push(' ');
        }
        if closing == "*/" {
            run.tail = Some(Elision::new(keep + 1, last - 1, before, ""));
        } else if closing.ends_with("*/") && !closing.contains("/*") {
            run.tail = Some(Elision::new(keep + 1, last, before, " */"));
        }
        return run;
    }
    let line = src.line(first).trim_start_matches([' ', '\t']);
    let token = comment_lead(line).unwrap_or(line_comment);
    run.tail = Some(Elision::new(
        keep + 1,
        last,
        format!("{}{token} ", src.indent(first)),
        "",
    ));
    run
}

/// The comment token a line starts with: `//`, `///`, `//!`, `#`s, `--`.
fn comment_lead(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("//") {
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let rest = rest.strip_prefix('!').unwrap_or(rest);
        return Some(&line[..line.len() - rest.len()]);
    }
    if line.starts_with('#') {
        let n = line.len() - line.trim_start_matches('#').len();
        return Some(&line[..n]);
    }
    line.starts_with("--").then(|| &line[..2])
}

/// Whether any of the sorted `starts` lies in `lo..hi`.
pub(super) fn contains(starts: &[usize], lo: usize, hi: usize) -> bool {
    let at = starts.partition_point(|&s| s < lo);
    at < starts.len() && starts[at] < hi
}

/// The interiors of long bracketed literals (`groups`: byte spans sorted by start, outer first)
/// that hold no function and whose brackets stand at the edges of their lines.
pub(super) fn literals(
    src: &Source,
    groups: &[(usize, usize)],
    fn_starts: &[usize],
    python: bool,
) -> Vec<Elision> {
    let mut out = Vec::new();
    let mut reach = 0usize;
    for &(start, end) in groups {
        if start < reach {
            continue;
        }
        let (first, last) = src.span(start, end);
        if last < first + MIN_LITERAL_LINES + 1 || contains(fn_starts, start, end) {
            continue;
        }
        let lead: &[u8] = if python { b"#" } else { b"//" };
        if !src.rest_is_comment(start + 1, lead) || !src.starts_line(end - 1) {
            continue;
        }
        if python
            && src
                .before_on_line(start)
                .trim_ascii()
                .starts_with(b"__all__")
        {
            continue;
        }
        let indent = src.first_indent(first + 1, last - 1);
        out.push(if python {
            Elision::new(first + 1, last - 1, format!("{indent}# "), "")
        } else {
            Elision::new(first + 1, last - 1, format!("{indent}/* "), " */")
        });
        reach = end;
    }
    out
}

/// One child of a block as the run search sees it.
pub(super) struct Child {
    pub first: usize,
    pub last: usize,
    pub comment: bool,
    /// A one-line statement or member alone on its line (not an import).
    pub single: bool,
    pub kind: u64,
}

/// Long runs of one-line siblings of one kind on consecutive lines (comments may sit between).
pub(super) fn runs_among(children: &[Child], src: &Source, python: bool, out: &mut Vec<Run>) {
    let mut current: Vec<usize> = Vec::new();
    let mut kind = None;
    let mut last_line: isize = -2;
    let close = |current: &[usize], out: &mut Vec<Run>| {
        if current.len() >= MIN_RUN {
            let indent = src.indent(current[0]);
            let (before, after) = if python {
                (format!("{indent}# "), "")
            } else {
                (format!("{indent}/* "), " */")
            };
            out.push(Run {
                items: current.to_vec(),
                before,
                after: after.to_string(),
            });
        }
    };
    for child in children {
        if child.comment {
            if child.first as isize == last_line + 1 {
                last_line = child.last as isize;
            }
            continue;
        }
        if child.single && kind == Some(child.kind) && child.first as isize == last_line + 1 {
            current.push(child.first);
        } else {
            close(&current, out);
            current.clear();
            if child.single {
                current.push(child.first);
                kind = Some(child.kind);
            } else {
                kind = None;
            }
        }
        last_line = child.last as isize;
    }
    close(&current, out);
}

/// A small hash naming a kind of statement, for comparing siblings.
pub(super) fn kind_key(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        h = (h ^ 0xff).wrapping_mul(0x100_0000_01b3);
    }
    h
}
