//! The line compressor for inputs with millions of lines, in memory that does not grow with the line count.
//!
//! The other line compressors keep a few dozen bytes of facts per line (its kind, template, cost,
//! priority, the line index itself): on 32 million two-byte lines that is gigabytes. This one reads
//! the text once, a window of whole lines at a time, and keeps only what it may show: the first
//! [`HEAD`] lines, the last [`TAIL`] (a ring), and up to [`MAX_MATCHES`] lines the query names, each
//! with the bitmask of query terms it holds; term frequencies are counted as it goes, so matches are
//! weighed by rarity over the whole text afterwards. A line that repeats one already chosen is not
//! shown twice. Then the budget is spent as the fallback spends it: the best matches, then the head,
//! then the tail, each line paying for the marker it splits a gap into.

use std::collections::{BTreeSet, HashSet, VecDeque};

use crate::lines::{head_at_char_boundary, Lines, Piece, LONG_LINE_BYTES, LONG_LINE_KEEP};
use crate::query::{score_mask, Query};
use crate::template::line_hash;
use crate::tokens::{self, Encoding};

/// Lines kept from the start and from the end, as the fallback keeps them.
const HEAD: usize = 60;
const TAIL: usize = 30;
/// The most query-matching lines remembered (the first ones; later matches only count towards rarity).
pub const MAX_MATCHES: usize = 20_000;
/// Bytes of whole lines read per window.
const WINDOW: usize = 1 << 20;

/// One remembered line: its number (0-based) and byte span (line end included).
#[derive(Clone, Copy)]
struct Seen {
    line: usize,
    start: usize,
    end: usize,
}

/// The pieces of `text` within `budget` tokens (`marker_tokens` per marker; `exact` counts tokens,
/// else estimates them).
pub fn compress(
    text: &str,
    query: &Query,
    budget: usize,
    enc: Encoding,
    marker_tokens: usize,
    exact: bool,
) -> Vec<Piece> {
    let scan = scan(text, query);
    let n = scan.lines;
    if n == 0 {
        return Vec::new();
    }
    let weights = query.weights_from_frequencies(&scan.frequencies, n);
    let mut matches: Vec<(f32, Seen)> = scan
        .matches
        .iter()
        .map(|&(seen, mask)| (score_mask(mask, &weights), seen))
        .collect();
    matches.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.line.cmp(&b.1.line)));
    let order = matches
        .into_iter()
        .map(|(_, seen)| seen)
        .chain(scan.head)
        .chain(scan.tail);

    let count = |s: &str| {
        if exact {
            tokens::count(s, enc)
        } else {
            tokens::estimate(s)
        }
    };
    let marker = marker_tokens.max(1);
    let mut kept: BTreeSet<usize> = BTreeSet::new();
    let mut spans: Vec<Seen> = Vec::new();
    let mut shown: HashSet<u64> = HashSet::new();
    let mut used = marker; // everything omitted: one marker
    let mut refused = 0;
    for seen in order {
        if kept.contains(&seen.line) {
            continue;
        }
        let raw = &text[seen.start..seen.end];
        if !shown.insert(line_hash(raw.trim().as_bytes())) {
            continue;
        }
        let cost = if raw.len() > LONG_LINE_BYTES {
            count(head_at_char_boundary(raw, LONG_LINE_KEEP)) + marker + 1
        } else {
            count(raw)
        };
        let left = seen.line > 0 && !kept.contains(&(seen.line - 1));
        let right = seen.line + 1 < n && !kept.contains(&(seen.line + 1));
        let gaps = match (left, right) {
            (true, true) => marker as isize,
            (false, false) => -(marker as isize),
            _ => 0,
        };
        let total = used as isize + cost as isize + gaps;
        if total > budget as isize {
            refused += 1;
            if refused >= 64 {
                break;
            }
            continue;
        }
        used = total.max(0) as usize;
        kept.insert(seen.line);
        spans.push(seen);
    }
    spans.sort_by_key(|s| s.line);
    render(text, &spans, n)
}

struct Scan {
    lines: usize,
    head: Vec<Seen>,
    tail: VecDeque<Seen>,
    matches: Vec<(Seen, u64)>,
    frequencies: Vec<u32>,
}

/// One pass over `text`, a window of whole lines at a time.
fn scan(text: &str, query: &Query) -> Scan {
    let mut out = Scan {
        lines: 0,
        head: Vec::new(),
        tail: VecDeque::with_capacity(TAIL + 1),
        matches: Vec::new(),
        frequencies: Vec::new(),
    };
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let mut end = (at + WINDOW).min(bytes.len());
        if end < bytes.len() {
            end = match memchr::memchr(b'\n', &bytes[end..]) {
                Some(nl) => end + nl + 1,
                None => bytes.len(),
            };
        }
        let window = Lines::new(&text[at..end]);
        let masks = query.match_lines(&window);
        query.count_frequencies(&masks, &mut out.frequencies);
        for (i, &mask) in masks.iter().enumerate() {
            let (a, b) = window.bounds(i);
            let seen = Seen {
                line: out.lines + i,
                start: at + a,
                end: at + b,
            };
            if seen.line < HEAD {
                out.head.push(seen);
            }
            out.tail.push_back(seen);
            if out.tail.len() > TAIL {
                out.tail.pop_front();
            }
            if mask != 0 && out.matches.len() < MAX_MATCHES {
                out.matches.push((seen, mask));
            }
        }
        out.lines += window.len();
        at = end;
    }
    out
}

/// Kept lines verbatim (over-long ones cut with a `chars` marker), every gap one `lines` marker.
fn render(text: &str, kept: &[Seen], n: usize) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut buf = String::new();
    let mut next = 0; // the first line not yet written or marked
    for seen in kept {
        if seen.line > next {
            if !buf.is_empty() && !buf.ends_with('\n') {
                buf.push('\n');
            }
            flush(&mut pieces, &mut buf);
            pieces.push(Piece::omit_lines(
                seen.line - next,
                "lines",
                next + 1,
                seen.line,
            ));
        }
        let raw = &text[seen.start..seen.end];
        let content = raw.strip_suffix('\n').unwrap_or(raw);
        let content = content.strip_suffix('\r').unwrap_or(content);
        if raw.len() > LONG_LINE_BYTES {
            let head = head_at_char_boundary(content, LONG_LINE_KEEP);
            buf.push_str(head);
            flush(&mut pieces, &mut buf);
            pieces.push(Piece::Omit {
                count: content[head.len()..].chars().count().max(1),
                unit: "chars",
                lines: Some((seen.line + 1, seen.line + 1)),
                bytes: Some((seen.start + head.len(), seen.start + content.len())),
                template: None,
            });
            buf.push_str(&raw[content.len()..]);
            if raw.len() == content.len() {
                buf.push('\n');
            }
        } else {
            buf.push_str(raw);
        }
        next = seen.line + 1;
    }
    if next < n {
        if !buf.is_empty() && !buf.ends_with('\n') {
            buf.push('\n');
        }
        flush(&mut pieces, &mut buf);
        pieces.push(Piece::omit_lines(n - next, "lines", next + 1, n));
    }
    flush(&mut pieces, &mut buf);
    pieces
}

fn flush(pieces: &mut Vec<Piece>, buf: &mut String) {
    if !buf.is_empty() {
        pieces.push(Piece::Text(std::mem::take(buf)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, query: &str, budget: usize) -> String {
        let pieces = compress(
            text,
            &Query::parse(query),
            budget,
            Encoding::O200kBase,
            20,
            true,
        );
        crate::lines::testing::plain(&pieces)
    }

    #[test]
    fn a_million_identical_lines_become_one_line_and_one_marker() {
        let text = "y\n".repeat(1_000_000);
        assert_eq!(
            run(&text, "", 2000),
            "y\n[999999 lines Some((2, 1000000))]\n"
        );
    }

    #[test]
    fn the_line_the_query_names_is_kept_with_the_head_and_tail_around_it() {
        let mut text = String::new();
        for i in 0..200_000 {
            if i == 123_456 {
                text.push_str("ERROR payment declined for order 4711\n");
            } else {
                text.push_str(&format!("{i}\n"));
            }
        }
        let out = run(&text, "why was the payment declined", 3000);
        assert!(out.contains("ERROR payment declined for order 4711\n"));
        assert!(out.starts_with("0\n1\n2\n"));
        assert!(out.ends_with("199999\n"));
        assert!(out.contains("[123396 lines Some((61, 123456))]"));
    }

    proptest::proptest! {
        #[test]
        fn kept_lines_and_markers_cover_every_line_once(
            lines in proptest::collection::vec("[a-c]{0,3}", 0..400),
            budget in 40usize..600,
        ) {
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let n = Lines::count(&text);
            let mut covered = 0;
            for p in compress(&text, &Query::parse("b"), budget, Encoding::O200kBase, 20, true) {
                match p {
                    Piece::Text(t) => covered += Lines::count(&t),
                    Piece::Omit { lines: Some((a, b)), unit: "lines", count, .. } => {
                        proptest::prop_assert_eq!(count, b - a + 1);
                        covered += count;
                    }
                    other => proptest::prop_assert!(false, "unexpected piece {:?}", other),
                }
            }
            proptest::prop_assert_eq!(covered, n);
        }
    }
}
