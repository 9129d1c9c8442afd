//! Turning a parsed document into compressed output, copied from the input's own bytes.
//!
//! Every kept value is a slice of the input, so `"key": value` reads exactly as
//! it did (spacing, escapes, number formatting). What is left out becomes a
//! marker placed where JSON allows a string: an array element, a `"...": "[…]"`
//! member, or the tail of a shortened string. Containers are walked with
//! recursion bounded by `MAX_DEPTH`; anything deeper is one marker.

use super::limits::{Limits, NAME_KEYS};
use super::line_index::LineIndex;
use super::lists::WORTH_A_MARKER;
use super::parse::{Doc, Kind, Node, Shape, NONE};
use super::query::{Hit, Query, WEIGHT_ONE};
use super::Piece;

/// Deeper containers than this are replaced by one marker.
pub const MAX_DEPTH: u32 = 64;
/// An object with more members than this, nearly all scalars, is a map: head, tail and matches.
const MAP_KEYS: usize = 32;
/// An object with at least this many members, nearly all objects, is a map of records.
const RECORD_MAP_KEYS: usize = 8;
/// How many objects, spread over a map, `alike` compares with its middle one.
const ALIKE_SAMPLE: usize = 7;
/// An object with fewer API link fields than this keeps them.
const MIN_LINKS: usize = 3;
/// Arrays shorter than this are never treated as record lists.
const MIN_RECORDS: usize = 2;

/// Collects output text and markers, merging adjacent text.
#[derive(Default)]
pub struct Out {
    pieces: Vec<Piece>,
    buf: String,
}

impl Out {
    fn push(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    fn marker(
        &mut self,
        count: u64,
        unit: &'static str,
        lines: (u32, u32),
        bytes: Option<(u32, u32)>,
    ) {
        if !self.buf.is_empty() {
            self.pieces.push(Piece::Text(std::mem::take(&mut self.buf)));
        }
        self.pieces.push(Piece::Omit {
            count,
            unit,
            lines,
            bytes,
        });
    }

    fn finish(mut self) -> Vec<Piece> {
        if !self.buf.is_empty() {
            self.pieces.push(Piece::Text(self.buf));
        }
        self.pieces
    }
}

/// How a kept member's value is written.
#[derive(Clone)]
pub(super) enum Sub {
    /// Whole, with the usual policies for big containers, at this depth.
    Full(u32),
    /// A scalar with these string limits.
    Scalar((usize, usize)),
    /// A nested object cut to these members; its omissions are counted by the enclosing marker.
    Nested(Vec<u32>),
}

/// The container a list of items sits in.
#[derive(Clone, Copy)]
pub enum List {
    Array(u32),
    Object(u32),
    /// Top-level values of a JSON Lines input.
    Virtual,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    Full,
    Summary,
}

pub struct Renderer<'a> {
    pub(super) text: &'a str,
    pub(super) doc: &'a Doc<'a>,
    pub(super) lines: &'a LineIndex,
    pub(super) query: &'a Query,
    pub(super) hits: &'a [Hit],
    pub(super) lim: Limits,
    /// Per term: whether a hit of it singles an item out (it is not in most of its siblings).
    pub(super) strong: Vec<bool>,
    pub(super) out: Out,
}

impl<'a> Renderer<'a> {
    pub fn new(
        text: &'a str,
        doc: &'a Doc<'a>,
        lines: &'a LineIndex,
        query: &'a Query,
        hits: &'a [Hit],
        lim: Limits,
    ) -> Self {
        Renderer {
            text,
            doc,
            lines,
            query,
            hits,
            lim,
            strong: vec![true; query.terms.len()],
            out: Out::default(),
        }
    }

    pub fn render(mut self) -> Vec<Piece> {
        let len = self.text.len() as u32;
        match self.doc.shape.clone() {
            Shape::Single(root) => {
                let n = self.node(root);
                self.orig(0, n.start);
                self.value(root, 0);
                self.orig(n.end, len);
            }
            Shape::Sequence(roots) => {
                let (first, last) = (
                    self.node(roots[0]).start,
                    self.node(roots[roots.len() - 1]).end,
                );
                self.orig(0, first);
                self.records(List::Virtual, &roots, 0);
                self.orig(last, len);
            }
            Shape::NotJson => {}
        }
        self.out.finish()
    }

    // ---- small helpers -------------------------------------------------------------------

    pub(super) fn node(&self, i: u32) -> Node {
        self.doc.node(i)
    }

    pub(super) fn orig(&mut self, a: u32, b: u32) {
        if b > a {
            self.out.push(&self.text[a as usize..b as usize]);
        }
    }

    pub(super) fn lit(&mut self, s: &str) {
        self.out.push(s);
    }

    pub(super) fn slice(&self, a: u32, b: u32) -> &'a str {
        &self.text[a as usize..b as usize]
    }

    /// The key of member `m`, without its quotes.
    pub(super) fn key(&self, m: u32) -> &'a str {
        let n = self.doc.node(m);
        if !n.has_key() || n.key_end < n.key_start + 2 {
            return "";
        }
        self.slice(n.key_start + 1, n.key_end - 1)
    }

    /// The lines holding bytes `a..b` (not empty), and whether they hold nothing else but blanks
    /// and the separators around it (`,`), so that redeeming the lines gives what was left out.
    pub(super) fn lines_for(&self, a: u32, b: u32) -> ((u32, u32), bool) {
        let (la, lb) = (self.lines.line_of(a), self.lines.line_of(b.max(a + 1) - 1));
        let (start, end) = self.lines.span_of(la, lb);
        let bytes = self.text.as_bytes();
        let filler = |s: &[u8]| s.iter().all(|c| c.is_ascii_whitespace() || *c == b',');
        let whole = filler(&bytes[start as usize..a as usize])
            && filler(&bytes[(b as usize).min(end as usize)..end as usize]);
        ((la, lb), whole)
    }

    pub(super) fn marker(&mut self, count: u64, unit: &'static str, a: u32, b: u32) {
        let (lines, whole) = self.lines_for(a, b);
        let bytes = (!whole && b > a).then_some((a, b));
        self.out.marker(count.max(1), unit, lines, bytes);
    }

    /// A marker written as a JSON string.
    pub(super) fn marker_str(&mut self, count: u64, unit: &'static str, a: u32, b: u32) {
        self.lit("\"");
        self.marker(count, unit, a, b);
        self.lit("\"");
    }

    pub(super) fn hits_in(&self, a: u32, b: u32) -> &'a [Hit] {
        let hits = self.hits;
        let lo = hits.partition_point(|h| h.pos < a);
        let hi = hits.partition_point(|h| h.pos < b);
        &hits[lo..hi]
    }

    /// Whether a term that singles records out occurs in `a..b` as content: in a value, not
    /// as a word inside a URL or a version in a key.
    pub(super) fn strong_hit(&self, a: u32, b: u32) -> bool {
        self.hits_in(a, b)
            .iter()
            .any(|h| self.strong[h.term as usize] && h.weight >= WEIGHT_ONE)
    }

    /// Like `strong_hit`, but any occurrence counts (map keys are data).
    pub(super) fn strong_hit_anywhere(&self, a: u32, b: u32) -> bool {
        self.hits_in(a, b)
            .iter()
            .any(|h| self.strong[h.term as usize])
    }

    /// `self.strong` narrowed to terms found in at most half of `items` (members or elements):
    /// a term in most of them singles none out. Returns the previous flags for restoring.
    pub(super) fn narrow_strength(&mut self, items: &[u32]) -> Vec<bool> {
        let mut df = vec![0usize; self.strong.len()];
        let mut seen = vec![usize::MAX; self.strong.len()];
        for (k, &it) in items.iter().enumerate() {
            let n = self.doc.node(it);
            for h in self.hits_in(n.member_start(), n.end) {
                let t = h.term as usize;
                if seen[t] != k {
                    seen[t] = k;
                    df[t] += 1;
                }
            }
        }
        let narrowed: Vec<bool> = self
            .strong
            .iter()
            .zip(&df)
            .map(|(&s, &d)| s && (items.len() < 4 || d * 2 <= items.len()))
            .collect();
        std::mem::replace(&mut self.strong, narrowed)
    }

    pub(super) fn children(&self, i: u32) -> Vec<u32> {
        self.doc.children(i)
    }

    // ---- values ------------------------------------------------------------------------------

    /// Writes value `i` whole, applying the list and map policies to big containers.
    pub(super) fn value(&mut self, i: u32, depth: u32) {
        let n = self.node(i);
        match n.kind {
            Kind::String => self.string(i, self.lim.full_text),
            Kind::Bad => self.bad(i),
            Kind::Number | Kind::Bool | Kind::Null => self.orig(n.start, n.end),
            _ if n.opaque => self.elide(i),
            _ if n.first_child == NONE => self.orig(n.start, n.end),
            _ if depth >= MAX_DEPTH => self.elide(i),
            Kind::Array => self.array(i, depth),
            Kind::Object => self.object(i, depth),
        }
    }

    /// A whole subtree as one marker (too deep to walk).
    pub(super) fn elide(&mut self, i: u32) {
        let n = self.node(i);
        let unit = if n.kind == Kind::Object {
            "keys"
        } else {
            "items"
        };
        self.marker_str(u64::from(self.doc.count(&n)), unit, n.start, n.end);
    }

    pub(super) fn array(&mut self, i: u32, depth: u32) {
        let kids = self.children(i);
        let objects = kids
            .iter()
            .filter(|&&k| self.doc.node(k).kind == Kind::Object)
            .count();
        if kids.len() >= MIN_RECORDS && objects * 10 >= kids.len() * 6 {
            self.records(List::Array(i), &kids, depth);
        } else {
            self.scalars(List::Array(i), &kids, depth);
        }
    }

    pub(super) fn object(&mut self, i: u32, depth: u32) {
        let kids = self.children(i);
        let n = kids.len();
        let containers = kids
            .iter()
            .filter(|&&k| self.doc.node(k).kind.is_container())
            .count();
        let objects = kids
            .iter()
            .filter(|&&k| self.doc.node(k).kind == Kind::Object)
            .count();
        if n > MAP_KEYS && (n - containers) * 10 >= n * 9 && self.data_keys(&kids) {
            self.scalars(List::Object(i), &kids, depth);
        } else if n >= RECORD_MAP_KEYS && objects * 10 >= n * 8 && self.alike(&kids) {
            self.records(List::Object(i), &kids, depth);
        } else if depth == 0 {
            let keep: Vec<(u32, Sub)> = kids.iter().map(|&m| (m, Sub::Full(depth + 1))).collect();
            self.emit_object(i, &kids, &keep, None);
        } else {
            self.whole(i, &kids, &kids, depth);
        }
    }

    /// An object kept whole but for its API link fields (`forks_url`, `events_url`, ...), which
    /// come in dozens, are derived from the record's name, and are marked unless the question
    /// points into one.
    pub(super) fn whole(&mut self, i: u32, kids: &[u32], candidates: &[u32], depth: u32) {
        let links = candidates.iter().filter(|&&m| self.is_link(m)).count();
        let mut omitted = 0u64;
        let keep: Vec<(u32, Sub)> = candidates
            .iter()
            .filter(|&&m| {
                let n = self.doc.node(m);
                let drop =
                    links >= MIN_LINKS && self.is_link(m) && !self.strong_hit(n.start, n.end);
                omitted += u64::from(drop);
                !drop
            })
            .map(|&m| (m, Sub::Full(depth + 1)))
            .collect();
        self.emit_object(i, kids, &keep, Some(omitted));
    }

    pub(super) fn is_link(&self, m: u32) -> bool {
        let key = self.key(m);
        key.ends_with("_url") && key != "html_url" && {
            let n = self.doc.node(m);
            n.kind == Kind::String && self.slice(n.start, n.end).starts_with("\"http")
        }
    }

    /// Whether most keys are data (versions, dates, paths, ids) rather than field names.
    pub(super) fn data_keys(&self, kids: &[u32]) -> bool {
        let data = kids
            .iter()
            .filter(|&&m| {
                !self
                    .key(m)
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c == b'_')
            })
            .count();
        data * 2 >= kids.len()
    }

    /// Whether most of these objects share most of their keys with the middle one (a map of
    /// records): judged on a few spread over the map, so one odd entry at either end (a lock
    /// file's root package `""` before its hundreds of `node_modules/...`) does not decide it.
    pub(super) fn alike(&self, kids: &[u32]) -> bool {
        let keys = |i: u32| -> Vec<&str> {
            let mut k: Vec<&str> = self.doc.children(i).iter().map(|&m| self.key(m)).collect();
            k.sort_unstable();
            k
        };
        let Some(&middle) = kids.get(kids.len() / 2) else {
            return false;
        };
        let km = keys(middle);
        let sample: Vec<u32> = (0..ALIKE_SAMPLE)
            .map(|s| kids[s * (kids.len() - 1) / (ALIKE_SAMPLE - 1)])
            .collect();
        let like = sample
            .iter()
            .filter(|&&i| {
                let ki = keys(i);
                let shared = ki.iter().filter(|k| km.binary_search(k).is_ok()).count();
                shared * 2 >= ki.len().max(km.len()) && shared > 0
            })
            .count();
        like * 3 >= sample.len() * 2
    }

    /// A value inside an object kept whole: big nested entities (a user with twenty URLs) are
    /// summarised with their own marker, keeping what the question points at.
    pub(super) fn member(&mut self, m: u32, depth: u32) {
        let n = self.node(m);
        if n.kind == Kind::Object && depth > 0 && depth < MAX_DEPTH && self.is_big_entity(&n) {
            self.entity(m, depth);
        } else {
            self.value(m, depth);
        }
    }

    pub(super) fn is_big_entity(&self, n: &Node) -> bool {
        if n.end - n.start <= self.lim.nested_full_bytes
            || self.doc.children_iter(n).nth(5).is_none()
        {
            return false;
        }
        let kids: Vec<u32> = self.doc.children_iter(n).collect();
        if self.data_keys(&kids) {
            // Keyed by data (versions, paths): a map, not a record with fields.
            return false;
        }
        // A record mixes kinds of values (ids, flags, links); names mapped to strings of one
        // kind (dependencies, headers) are data to keep.
        let kinds = |k: Kind| kids.iter().any(|&m| self.doc.node(m).kind == k);
        let mixed = [Kind::String, Kind::Number, Kind::Bool, Kind::Null]
            .into_iter()
            .filter(|&k| kinds(k))
            .count()
            >= 2;
        if !mixed && !kids.iter().any(|&m| self.key(m).ends_with("_url")) {
            return false;
        }
        let scalars = self
            .doc
            .children_iter(n)
            .filter(|&k| !self.doc.node(k).kind.is_container())
            .count();
        scalars * 10 >= kids.len() * 6
    }

    /// An object cut to its name-like fields and what the question names, with its own marker.
    pub(super) fn entity(&mut self, i: u32, depth: u32) {
        let kids = self.children(i);
        let saved = self.narrow_strength(&kids);
        let mut keep: Vec<(u32, Sub)> = kids
            .iter()
            .filter_map(|&m| {
                let n = self.doc.node(m);
                if n.kind.is_container() {
                    // What the question names inside stays, with the way down to it.
                    let hit = self.strong_hit(n.member_start(), n.end);
                    return hit.then_some((m, Sub::Full(depth + 1)));
                }
                let named = in_list(NAME_KEYS, self.key(m))
                    || (self.query.name_matches(self.key(m)) && !self.key(m).ends_with("_url"))
                    || self.strong_hit(n.start, n.end);
                named.then_some((m, Sub::Scalar(self.lim.ident_text)))
            })
            .collect();
        if keep.is_empty() {
            if let Some(&m) = kids
                .iter()
                .find(|&&m| !self.doc.node(m).kind.is_container())
            {
                keep.push((m, Sub::Scalar(self.lim.ident_text)));
            }
        }
        let omitted = (kids.len() - keep.len()) as u64;
        self.emit_object(i, &kids, &keep, Some(omitted));
        self.strong = saved;
    }

    /// A string, its start kept verbatim and the rest marked when it is longer than `limit.1` characters.
    pub(super) fn string(&mut self, i: u32, (keep, over): (usize, usize)) {
        let n = self.node(i);
        let body_start = n.start + 1;
        let body_end = if n.closed { n.end - 1 } else { n.end };
        let body = self.slice(body_start.min(body_end), body_end);
        if body.len() <= over || body.chars().count() <= over {
            self.orig(n.start, n.end);
            return;
        }
        let cut = body_start + cut_point(body, keep) as u32;
        if body_end - cut <= WORTH_A_MARKER {
            // The rest costs less than its marker would.
            self.orig(n.start, n.end);
            return;
        }
        let omitted = self.slice(cut, body_end).chars().count() as u64;
        self.orig(n.start, cut);
        self.lit(" ");
        self.marker(omitted, "chars", cut, body_end);
        if n.closed {
            self.lit("\"");
        }
    }

    /// A line of a JSON Lines input that does not parse: kept, shortened when very long.
    pub(super) fn bad(&mut self, i: u32) {
        let n = self.node(i);
        let raw = self.slice(n.start, n.end);
        let (keep, over) = (self.lim.full_text.0 * 2, self.lim.full_text.1 * 2);
        if raw.len() <= over {
            self.orig(n.start, n.end);
            return;
        }
        let cut = n.start + cut_point(raw, keep) as u32;
        if n.end - cut <= WORTH_A_MARKER {
            self.orig(n.start, n.end);
            return;
        }
        let omitted = self.slice(cut, n.end).chars().count() as u64;
        self.orig(n.start, cut);
        self.lit(" ");
        self.marker(omitted, "chars", cut, n.end);
    }

    // ---- objects with a subset of members -----------------------------------------------------

    /// Writes object `i` with only the members in `keep` (in input order), separators copied from
    /// the input, and a `"...": "[N keys omitted…]"` member at the end when `omitted` says so.
    pub(super) fn emit_object(
        &mut self,
        i: u32,
        kids: &[u32],
        keep: &[(u32, Sub)],
        omitted: Option<u64>,
    ) {
        let n = self.node(i);
        if kids.is_empty() {
            self.orig(n.start, n.end);
            return;
        }
        let first = self.node(kids[0]);
        self.orig(n.start, first.member_start());
        let mut k = 0;
        let mut wrote = false;
        for (idx, &m) in kids.iter().enumerate() {
            if k >= keep.len() || keep[k].0 != m {
                continue;
            }
            let sub = keep[k].1.clone();
            k += 1;
            let mn = self.node(m);
            if wrote {
                self.orig(self.doc.node(kids[idx - 1]).end, mn.member_start());
            }
            self.orig(mn.key_start, mn.start);
            self.sub(m, sub);
            wrote = true;
        }
        if let Some(count) = omitted.filter(|&c| c > 0) {
            if wrote {
                if kids.len() >= 2 {
                    let sep = self.slice(first.end, self.doc.node(kids[1]).member_start());
                    self.lit(sep);
                } else {
                    self.lit(", ");
                }
            }
            let colon = self.slice(first.key_end, first.start);
            self.lit("\"...\"");
            self.lit(colon);
            self.marker_str(count, "keys", n.start, n.end);
        }
        let last = self.node(kids[kids.len() - 1]);
        self.orig(last.end, n.end);
    }

    pub(super) fn sub(&mut self, m: u32, sub: Sub) {
        match sub {
            Sub::Full(depth) => self.member(m, depth),
            Sub::Scalar(limit) => {
                if self.doc.node(m).kind == Kind::String {
                    self.string(m, limit);
                } else {
                    let n = self.node(m);
                    self.orig(n.start, n.end);
                }
            }
            Sub::Nested(keep) => {
                let kids = self.children(m);
                let keep: Vec<(u32, Sub)> = keep
                    .into_iter()
                    .map(|k| (k, Sub::Scalar(self.lim.ident_text)))
                    .collect();
                self.emit_object(m, &kids, &keep, None);
            }
        }
    }
}

pub(super) fn in_list(list: &[&str], key: &str) -> bool {
    list.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Where to cut a string's raw (escaped) body so at least `keep` characters stay: never inside
/// an escape sequence or a surrogate pair, at a space when one follows closely.
fn cut_point(body: &str, keep: usize) -> usize {
    let b = body.as_bytes();
    let mut i = 0usize;
    let mut chars = 0usize;
    while i < b.len() && chars < keep {
        if b[i] == b'\\' {
            let len = if b.get(i + 1) == Some(&b'u') { 6 } else { 2 };
            let next = (i + len).min(b.len());
            // A high surrogate escape travels with the low one that follows it.
            let high = len == 6 && body.get(i + 2..i + 4).is_some_and(is_high_surrogate);
            i = if high && b.get(next) == Some(&b'\\') {
                (next + 6).min(b.len())
            } else {
                next
            };
        } else {
            i += body[i..].chars().next().map_or(1, char::len_utf8);
        }
        chars += 1;
    }
    // Prefer ending at a word break a little further on.
    let window = &b[i..(i + 30).min(b.len())];
    if let Some(k) = window.iter().position(|&c| c == b' ') {
        i += k;
    }
    while i < b.len() && !body.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// `d8`..`db`: the first two hex digits of a high surrogate escape.
fn is_high_surrogate(hex: &str) -> bool {
    let h = hex.as_bytes();
    h.len() == 2
        && h[0].eq_ignore_ascii_case(&b'd')
        && matches!(h[1].to_ascii_lowercase(), b'8'..=b'9' | b'a'..=b'b')
}
