//! Line-level building blocks of the line compressors (logs, search results,
//! diffs, the fallback): a line index, ANSI stripping, template keys, and the
//! planner that turns "which lines matter how much" into kept runs and
//! omission markers within a token budget. What a query asks of the lines is
//! `query.rs`, which reads lines through this module and not the other way round.
//!
//! A line ends at `\n`; a `\r` before it belongs to the line's terminator, so
//! CRLF text round-trips byte for byte. Line numbers in [`Piece::Omit`] are
//! 1-based and inclusive, the numbering the store's `lines(h, a, b)` uses.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::tokens::{self, Encoding};

pub use crate::template::{line_hash, template_key, template_text, Templates};

/// Kept lines longer than this (in bytes) are shortened with a `chars` marker.
pub const LONG_LINE_BYTES: usize = 2000;
/// How much of a shortened line is kept (in bytes, cut at a char boundary).
pub(crate) const LONG_LINE_KEEP: usize = 600;
/// No text costs fewer tokens than its bytes divided by this (runs of one repeated character
/// come closest), so a run of lines longer than a marker's tokens times this is never cheaper.
const CHEAP_GAP_BYTES_PER_TOKEN: usize = 32;
/// Refused offers in a row after which a planner stops counting (its budget is spent).
const GIVE_UP_AFTER: usize = 64;

/// Byte offsets of the lines of a text.
pub struct Lines<'a> {
    text: &'a str,
    /// `starts[i]` is where line `i` begins; `starts[len]` is `text.len()`.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 40 + 2);
        starts.push(0);
        for nl in memchr::memchr_iter(b'\n', text.as_bytes()) {
            starts.push(nl + 1);
        }
        if *starts.last().unwrap_or(&0) != text.len() {
            starts.push(text.len());
        }
        if text.is_empty() {
            starts.clear();
            starts.push(0);
        }
        Lines { text, starts }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where line `i` begins in the text.
    pub fn start(&self, i: usize) -> usize {
        self.starts[i]
    }

    /// Line `i` with its terminator.
    pub fn raw(&self, i: usize) -> &'a str {
        &self.text[self.starts[i]..self.starts[i + 1]]
    }

    /// Where line `i` starts and where the next begins (its terminator included), as byte offsets.
    pub fn bounds(&self, i: usize) -> (usize, usize) {
        (self.starts[i], self.starts[i + 1])
    }

    /// Line `i` without `\n` or `\r\n`.
    pub fn content(&self, i: usize) -> &'a str {
        let raw = self.raw(i);
        let raw = raw.strip_suffix('\n').unwrap_or(raw);
        raw.strip_suffix('\r').unwrap_or(raw)
    }

    /// Lines `a..b` (0-based, exclusive end) with their terminators, as one slice.
    pub fn span(&self, a: usize, b: usize) -> &'a str {
        &self.text[self.starts[a]..self.starts[b]]
    }

    /// The line holding byte `at` of the text, searching forward from line `from`
    /// (pass 0, or the answer for an earlier byte).
    pub fn line_of(&self, at: usize, from: usize) -> usize {
        let rest = &self.starts[from + 1..self.starts.len() - 1];
        from + rest.partition_point(|&s| s <= at)
    }

    /// How many lines `text` has (as `Lines::new(text).len()`, without the index).
    pub fn count(text: &str) -> usize {
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        newlines + usize::from(!text.is_empty() && !text.ends_with('\n'))
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).map(move |i| self.content(i))
    }
}

/// Where each line of `text` starts, then where the text ends: `Lines::count(text) + 1` offsets, in
/// order, handed to `out` one at a time (so a caller can write them into a buffer of its own width).
/// Offsets count bytes, or characters when `chars` is set (what a Python `str` is indexed by).
pub fn for_each_start(text: &str, chars: bool, mut out: impl FnMut(usize)) {
    let bytes = text.as_bytes();
    let chars = chars && !text.is_ascii();
    let measure = |part: &[u8]| if chars { char_count(part) } else { part.len() };
    out(0);
    let (mut at, mut counted) = (0, 0);
    for nl in memchr::memchr_iter(b'\n', bytes) {
        counted += measure(&bytes[at..=nl]);
        at = nl + 1;
        out(counted);
    }
    if at < bytes.len() {
        out(counted + measure(&bytes[at..]));
    }
}

/// Characters in valid UTF-8: every byte that does not continue a sequence starts one.
fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// `s` without ANSI escape sequences (colours, cursor moves, OSC titles).
pub fn strip_ansi(s: &str) -> Cow<'_, str> {
    if !s.as_bytes().contains(&0x1b) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('[') => {
                chars.next();
                // CSI: parameters and intermediates up to a final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                chars.next();
                // OSC: up to BEL or ESC \.
                while let Some(c) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' {
                        chars.next();
                        break;
                    }
                }
            }
            Some(_) => {
                chars.next();
            }
            None => {}
        }
    }
    Cow::Owned(out)
}

/// One part of compressed output: kept text, or an omission to be written as a marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// `count` `unit`s left out, and how to get them back (the marker's selector):
    /// - `lines` (1-based, inclusive) alone: those whole lines;
    /// - `bytes` (`a..b`, end exclusive): text cut from inside a line, exactly those bytes;
    ///   `lines` then names the line holding them, for when byte offsets of the text are
    ///   not those of the original (input that was not valid UTF-8);
    /// - `template`: every line of that collapsed template ([`crate::logs::template_lines`]),
    ///   restricted to `lines` when set.
    Omit {
        count: usize,
        unit: &'static str,
        lines: Option<(usize, usize)>,
        bytes: Option<(usize, usize)>,
        template: Option<u32>,
    },
}

impl Piece {
    /// `count` `unit`s over lines `a..=b` (1-based).
    pub fn omit_lines(count: usize, unit: &'static str, a: usize, b: usize) -> Piece {
        Piece::Omit {
            count,
            unit,
            lines: Some((a, b)),
            bytes: None,
            template: None,
        }
    }
}

/// How a gap of omitted lines is counted in its marker.
pub trait GapUnit {
    /// The unit and count for omitted lines `a..b` (0-based, exclusive end).
    fn describe(&self, a: usize, b: usize) -> (&'static str, usize);
}

/// Every omitted line counts as a line.
pub struct PlainLines;

impl GapUnit for PlainLines {
    fn describe(&self, a: usize, b: usize) -> (&'static str, usize) {
        ("lines", b - a)
    }
}

/// Token accounting for a plan: exact per-line costs (computed lazily) and a marker's cost.
pub struct Costs {
    enc: Encoding,
    marker: usize,
    cache: Vec<u32>,
    exact: bool,
}

const UNKNOWN: u32 = u32::MAX;

impl Costs {
    pub fn new(n_lines: usize, enc: Encoding, marker_tokens: usize) -> Self {
        Costs {
            enc,
            marker: marker_tokens.max(1),
            cache: vec![UNKNOWN; n_lines],
            exact: true,
        }
    }

    /// Costs from the fast estimate instead of exact counts: for a soft
    /// ceiling (no caller budget), where a fifth either way does not matter
    /// and exact counting would be most of the time spent.
    pub fn estimated(mut self) -> Self {
        self.exact = false;
        self
    }

    /// Whether the budget these costs serve is a soft ceiling (the caller set
    /// none), which is when costs are estimated.
    pub fn soft(&self) -> bool {
        !self.exact
    }

    fn count(&self, text: &str) -> usize {
        if self.exact {
            tokens::count(text, self.enc)
        } else {
            tokens::estimate(text)
        }
    }

    pub fn marker(&self) -> usize {
        self.marker
    }

    pub fn encoding(&self) -> Encoding {
        self.enc
    }

    pub fn line(&mut self, lines: &Lines<'_>, i: usize) -> usize {
        if self.cache[i] == UNKNOWN {
            let raw = lines.raw(i);
            let n = if raw.len() > LONG_LINE_BYTES {
                // Shortened when kept: its head plus a marker.
                self.count(head_at_char_boundary(raw, LONG_LINE_KEEP)) + self.marker + 1
            } else {
                self.count(raw)
            };
            self.cache[i] = u32::try_from(n).unwrap_or(UNKNOWN - 1);
        }
        self.cache[i] as usize
    }
}

pub(crate) fn head_at_char_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Which lines survive: chosen greedily by priority within a token budget,
/// each addition paying for its own tokens and for the markers it adds or saves.
pub struct Planner<'l, 'a> {
    lines: &'l Lines<'a>,
    costs: Costs,
    keep: Vec<bool>,
    kept: BTreeSet<usize>,
    used: usize,
    budget: usize,
    refused: usize,
}

impl<'l, 'a> Planner<'l, 'a> {
    /// `budget` is the ceiling in tokens for the whole output, `reserved` of it
    /// already spoken for (notes the caller adds).
    pub fn new(lines: &'l Lines<'a>, costs: Costs, budget: usize, reserved: usize) -> Self {
        let n = lines.len();
        let used = reserved + if n > 0 { costs.marker() } else { 0 };
        Planner {
            lines,
            costs,
            keep: vec![false; n],
            kept: BTreeSet::new(),
            used,
            budget,
            refused: 0,
        }
    }

    pub fn used(&self) -> usize {
        self.used
    }

    fn gap_delta(&self, i: usize) -> isize {
        let prev = self.kept.range(..i).next_back().map_or(-1, |&p| p as isize);
        let next = self
            .kept
            .range(i + 1..)
            .next()
            .map_or(self.lines.len() as isize, |&q| q as isize);
        let i = i as isize;
        isize::from(i - prev > 1) + isize::from(next - i > 1) - 1
    }

    /// Keeps line `i` if it fits; returns whether it is kept.
    ///
    /// Once [`GIVE_UP_AFTER`] offers in a row have been refused the budget is
    /// taken as spent and later offers are refused without counting tokens.
    pub fn offer(&mut self, i: usize) -> bool {
        if self.keep[i] {
            return true;
        }
        if self.refused >= GIVE_UP_AFTER {
            return false;
        }
        let delta = self.gap_delta(i);
        let line = self.costs.line(self.lines, i);
        let marker = self.costs.marker();
        let new_used = (self.used + line) as isize + delta * marker as isize;
        let new_used = new_used.max(0) as usize;
        if new_used > self.budget {
            self.refused += 1;
            return false;
        }
        self.refused = 0;
        self.used = new_used;
        self.keep[i] = true;
        self.kept.insert(i);
        true
    }

    /// Keeps all of `group` (in order) or, if they do not all fit, none of them: a row and
    /// the lines above it that say what it is. Returns whether they are kept.
    pub fn offer_all(&mut self, group: &[usize]) -> bool {
        let (used, refused) = (self.used, self.refused);
        let mut added = Vec::new();
        for &i in group {
            if self.keep[i] {
                continue;
            }
            if !self.offer(i) {
                for k in added {
                    self.keep[k] = false;
                    self.kept.remove(&k);
                }
                self.used = used;
                self.refused = refused + 1;
                return false;
            }
            added.push(i);
        }
        true
    }

    /// Keeps every run of omitted lines (cut where `breaks[i]` is set, as the markers will be)
    /// whose text costs no more than the marker that would stand for it: a marker never costs
    /// more than what it hides. Costs are exact (the runs are short); output only shrinks.
    pub fn fill_cheap_gaps(&mut self, breaks: &[bool]) {
        let n = self.lines.len();
        let marker = self.costs.marker();
        let mut i = 0;
        while i < n {
            if self.keep[i] {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n && !self.keep[j] && !breaks.get(j).copied().unwrap_or(false) {
                j += 1;
            }
            let span = self.lines.span(i, j);
            if span.len() <= marker * CHEAP_GAP_BYTES_PER_TOKEN
                && tokens::count(span, self.costs.encoding()) <= marker
            {
                let cost: usize = (i..j).map(|k| self.costs.line(self.lines, k)).sum();
                for k in i..j {
                    self.keep[k] = true;
                    self.kept.insert(k);
                }
                self.used = (self.used + cost).saturating_sub(marker);
            }
            i = j;
        }
    }

    /// The output: kept runs verbatim (over-long lines shortened), each gap one marker.
    pub fn finish(mut self, unit: &dyn GapUnit) -> Vec<Piece> {
        self.fill_cheap_gaps(&[]);
        render(self.lines, &self.keep, unit)
    }

    pub fn keep_flags(&self) -> &[bool] {
        &self.keep
    }

    /// The costs back (with every line counted so far), for another plan or a measure.
    pub fn into_costs(self) -> Costs {
        self.costs
    }
}

/// Kept runs verbatim (over-long lines shortened), each gap one marker.
pub fn render(lines: &Lines<'_>, keep: &[bool], unit: &dyn GapUnit) -> Vec<Piece> {
    render_with_breaks(lines, keep, &[], unit)
}

/// As [`render`], but a gap is cut in two wherever `breaks[i]` is set
/// (a marker per file or per section rather than one across them).
pub fn render_with_breaks(
    lines: &Lines<'_>,
    keep: &[bool],
    breaks: &[bool],
    unit: &dyn GapUnit,
) -> Vec<Piece> {
    let n = lines.len();
    let mut out = Output::new(lines);
    let mut i = 0;
    while i < n {
        if keep[i] {
            out.keep(i);
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < n && !keep[j] && !breaks.get(j).copied().unwrap_or(false) {
            j += 1;
        }
        let (unit, count) = unit.describe(i, j);
        out.omit(Piece::omit_lines(count.max(1), unit, i + 1, j));
        i = j;
    }
    out.finish()
}

/// Pieces built line by line: kept lines verbatim (over-long ones shortened
/// with a `chars` marker) and omissions, each starting a line of its own.
pub struct Output<'l, 'a> {
    lines: &'l Lines<'a>,
    pieces: Vec<Piece>,
    text: String,
}

impl<'l, 'a> Output<'l, 'a> {
    pub fn new(lines: &'l Lines<'a>) -> Self {
        Output {
            lines,
            pieces: Vec::new(),
            text: String::new(),
        }
    }

    /// Line `i` (0-based), kept.
    pub fn keep(&mut self, i: usize) {
        let lines = self.lines;
        let raw = lines.raw(i);
        if raw.len() <= LONG_LINE_BYTES {
            self.text.push_str(raw);
            return;
        }
        let content = lines.content(i);
        let head = head_at_char_boundary(content, LONG_LINE_KEEP);
        self.text.push_str(head);
        flush(&mut self.pieces, &mut self.text);
        let cut = content[head.len()..].chars().count();
        let start = lines.starts[i];
        self.pieces.push(Piece::Omit {
            count: cut.max(1),
            unit: "chars",
            lines: Some((i + 1, i + 1)),
            bytes: Some((start + head.len(), start + content.len())),
            template: None,
        });
        self.text.push_str(&raw[content.len()..]);
        if raw.len() == content.len() {
            self.text.push('\n');
        }
    }

    /// An omission, on a line of its own.
    pub fn omit(&mut self, piece: Piece) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        flush(&mut self.pieces, &mut self.text);
        self.pieces.push(piece);
    }

    pub fn finish(mut self) -> Vec<Piece> {
        flush(&mut self.pieces, &mut self.text);
        self.pieces
    }
}

fn flush(pieces: &mut Vec<Piece>, text: &mut String) {
    if !text.is_empty() {
        pieces.push(Piece::Text(std::mem::take(text)));
    }
}

/// What the compressor tests share about pieces.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Lines, Piece};

    /// Kept text as is; an omission as `[count unit Some((start, end))]` on its own line.
    pub(crate) fn plain(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Omit {
                    count, unit, lines, ..
                } => format!("[{count} {unit} {lines:?}]\n"),
            })
            .collect()
    }

    /// Where `compress`'s pieces for `rows` (one a line) fail to account for every line once: see
    /// `coverage_gap`.
    pub(crate) fn rows_coverage_gap(
        rows: &[String],
        compress: impl FnOnce(&str) -> Vec<Piece>,
    ) -> Option<String> {
        let text = rows.join("\n") + "\n";
        coverage_gap(&compress(&text), Lines::count(&text))
    }

    /// Where `pieces` fail to account for lines 1..=`total` once each and in order: kept text
    /// advances by its lines, an omission with a line span must start where the last piece
    /// ended and count exactly its span (omissions without one sit inside a line).
    pub(crate) fn coverage_gap(pieces: &[Piece], total: usize) -> Option<String> {
        let mut next = 1;
        for p in pieces {
            match p {
                Piece::Text(t) => next += t.matches('\n').count(),
                Piece::Omit {
                    lines: Some((a, b)),
                    count,
                    ..
                } => {
                    if *a != next || *count != b - a + 1 {
                        return Some(format!("{p:?} after line {}", next - 1));
                    }
                    next = b + 1;
                }
                Piece::Omit { .. } => {}
            }
        }
        (next != total + 1).then(|| format!("pieces end at line {}, not {total}", next - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn costs(n: usize) -> Costs {
        Costs::new(n, Encoding::O200kBase, 20)
    }

    fn starts(text: &str, chars: bool) -> Vec<usize> {
        let mut out = Vec::new();
        for_each_start(text, chars, |s| out.push(s));
        out
    }

    #[test]
    fn starts_follow_the_line_index_in_bytes_and_characters() {
        assert_eq!(starts("", false), vec![0]);
        assert_eq!(starts("a", false), vec![0, 1]);
        assert_eq!(starts("a\r\nb\n", false), vec![0, 3, 5]);
        assert_eq!(starts("\n\n", true), vec![0, 1, 2]);
        assert_eq!(starts("\u{e9}t\u{e9}\nx", false), vec![0, 6, 7]);
        assert_eq!(starts("\u{e9}t\u{e9}\nx", true), vec![0, 4, 5]);
    }

    proptest::proptest! {
        #[test]
        fn starts_are_the_line_boundaries(text in "(a|\u{e9}|\u{1F600}|\r|\n){0,40}") {
            let lines = Lines::new(&text);
            let bytes = starts(&text, false);
            proptest::prop_assert_eq!(bytes.len(), lines.len() + 1);
            for i in 0..lines.len() {
                proptest::prop_assert_eq!(&text[bytes[i]..bytes[i + 1]], lines.raw(i));
            }
            let chars = starts(&text, true);
            let expected: Vec<usize> = bytes.iter().map(|&b| text[..b].chars().count()).collect();
            proptest::prop_assert_eq!(chars, expected);
        }
    }

    #[test]
    fn lines_keep_their_terminators() {
        let l = Lines::new("a\r\nb\nc");
        assert_eq!(l.len(), 3);
        assert_eq!(l.raw(0), "a\r\n");
        assert_eq!(l.content(0), "a");
        assert_eq!(l.content(2), "c");
        assert_eq!(Lines::new("").len(), 0);
        assert_eq!(Lines::new("x\n").len(), 1);
        assert_eq!(Lines::new("\n\n").len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn line_counts_and_positions_agree_with_the_index(text in "(a|\r|\n){0,40}") {
            let lines = Lines::new(&text);
            proptest::prop_assert_eq!(Lines::count(&text), lines.len());
            for i in 0..lines.len() {
                let start = lines.span(0, i).len();
                for at in start..start + lines.raw(i).len() {
                    proptest::prop_assert_eq!(lines.line_of(at, 0), i);
                    proptest::prop_assert_eq!(lines.line_of(at, i), i);
                }
            }
        }
    }

    #[test]
    fn ansi_sequences_are_stripped() {
        assert_eq!(strip_ansi("\x1b[31mFAILED\x1b[0m x"), "FAILED x");
        assert_eq!(strip_ansi("\x1b]0;title\x07ok"), "ok");
        assert!(matches!(strip_ansi("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn planner_never_exceeds_its_budget_and_marks_every_gap() {
        let text: String = (0..200)
            .map(|i| format!("line number {i} of the text\n"))
            .collect();
        let lines = Lines::new(&text);
        let mut p = Planner::new(&lines, costs(lines.len()), 150, 0);
        for i in (0..200).step_by(7) {
            p.offer(i);
        }
        assert!(p.used() <= 150);
        let pieces = p.finish(&PlainLines);
        assert!(pieces
            .iter()
            .all(|p| matches!(p, Piece::Text(_) | Piece::Omit { lines: Some(_), .. })));
        assert_eq!(testing::coverage_gap(&pieces, 200), None);
    }

    #[test]
    fn a_gap_cheaper_than_its_marker_is_kept() {
        let text = "keep me\nx\nkeep me too\n";
        let lines = Lines::new(text);
        let mut p = Planner::new(&lines, costs(3), 1000, 0);
        p.offer(0);
        p.offer(2);
        assert_eq!(p.finish(&PlainLines), vec![Piece::Text(text.to_string())]);
    }

    #[test]
    fn over_long_lines_are_shortened_with_a_chars_marker() {
        let long = "y".repeat(LONG_LINE_BYTES + 500);
        let text = format!("a\n{long}\nb\n");
        let lines = Lines::new(&text);
        let pieces = render(&lines, &[true, true, true], &PlainLines);
        assert!(matches!(
            pieces[1],
            Piece::Omit {
                unit: "chars",
                lines: Some((2, 2)),
                ..
            }
        ));
        if let Piece::Omit { count, bytes, .. } = pieces[1] {
            assert_eq!(count, long.len() - LONG_LINE_KEEP);
            // The bytes cut are exactly the rest of the line.
            let (a, b) = bytes.unwrap();
            assert_eq!(&text[a..b], &long[LONG_LINE_KEEP..]);
        }
    }

    proptest::proptest! {
        #[test]
        fn no_line_makes_the_line_helpers_panic(text in "(\\PC|\n|\r){0,400}") {
            let lines = Lines::new(&text);
            for line in lines.iter() {
                let _ = (template_key(line), template_text(line), strip_ansi(line));
            }
        }
    }
}
