//! Turning a parsed document into compressed output, copied from the input's own bytes.
//!
//! Every kept value is a slice of the input, so `"key": value` reads exactly as
//! it did (spacing, escapes, number formatting). What is left out becomes a
//! marker placed where JSON allows a string: an array element, a `"...": "[…]"`
//! member, or the tail of a shortened string. Containers are walked with
//! recursion bounded by `MAX_DEPTH`; anything deeper is one marker.

use super::parse::{Doc, Kind, LineIndex, Node, Shape};
use super::query::{Hit, Query};
use super::records::{analyse, ItemInfo, Stats};
use super::Piece;

/// Deeper containers than this are replaced by one marker.
pub const MAX_DEPTH: u32 = 64;
/// An object with more members than this, nearly all scalars, is a map: head, tail and matches.
const MAP_KEYS: usize = 32;
/// An object with at least this many members, nearly all objects, is a map of records.
const RECORD_MAP_KEYS: usize = 8;
/// Leaving out less than this many bytes saves nothing once the marker is paid for.
const WORTH_A_MARKER: u32 = 160;
/// An object with fewer API link fields than this keeps them.
const MIN_LINKS: usize = 3;
/// Arrays shorter than this are never treated as record lists.
const MIN_RECORDS: usize = 2;
/// A record list whose container spans fewer bytes than this, all on one line, stays on one line.
const ONE_LINE_BYTES: u32 = 1024;

/// Fields that identify a record; kept on every summarised item.
const IDENT: &[&str] = &[
    "id",
    "number",
    "name",
    "full_name",
    "login",
    "username",
    "state",
    "status",
    "conclusion",
    "title",
    "html_url",
    "sha",
    "created_at",
    "filename",
    "file",
    "path",
    "event",
    "type",
    "version",
    "key",
    "email",
    "ref",
    "severity",
    "level",
    "result",
    "outcome",
    "tag_name",
    "timestamp",
    "date",
    "time",
    "code",
    "kind",
    "head_branch",
    "branch",
    "submitted_at",
    "published_at",
    "ts",
    "@timestamp",
    "datetime",
];
/// Nested objects that stand for a person or account; summarised to their name-like fields.
const PEOPLE: &[&str] = &[
    "user",
    "author",
    "actor",
    "owner",
    "committer",
    "creator",
    "assignee",
    "sender",
    "requested_reviewer",
    "merged_by",
    "closed_by",
    "reviewer",
    "head",
    "base",
];
/// Fields inside a nested object that name it.
const NAME_KEYS: &[&str] = &[
    "login",
    "name",
    "full_name",
    "title",
    "id",
    "ref",
    "sha",
    "date",
    "email",
    "number",
    "key",
    "label",
    "state",
    "status",
];
/// Long free-text fields whose start a summary keeps.
const TEXT_KEYS: &[&str] = &[
    "body",
    "message",
    "description",
    "text",
    "content",
    "comment",
    "summary",
    "msg",
    "error",
    "reason",
    "detail",
    "details",
];

/// How much to keep; higher levels keep less.
#[derive(Clone, Debug)]
pub struct Limits {
    pub full_cap: usize,
    pub summary_cap: usize,
    pub small: usize,
    pub reps: bool,
    pub list_head: usize,
    pub list_tail: usize,
    pub list_hits: usize,
    /// Strings over `.1` characters keep their first `.0`, in items kept whole.
    pub full_text: (usize, usize),
    /// The same for identifying fields of summaries.
    pub ident_text: (usize, usize),
    /// The same for free text in summaries; `None` drops it.
    pub snippet: Option<(usize, usize)>,
    pub nested_full_bytes: u32,
    /// Say the fields every record shares once, up front.
    pub note: bool,
}

/// The last level keeps the skeleton and markers only.
pub const MAX_LEVEL: u8 = 5;

impl Limits {
    pub fn for_level(level: u8) -> Limits {
        match level {
            0 => Limits {
                full_cap: 10,
                summary_cap: 15,
                small: 6,
                reps: true,
                list_head: 5,
                list_tail: 3,
                list_hits: 20,
                full_text: (600, 800),
                ident_text: (200, 300),
                snippet: Some((200, 280)),
                nested_full_bytes: 400,
                note: true,
            },
            1 => Limits {
                full_cap: 6,
                summary_cap: 6,
                small: 4,
                reps: true,
                list_head: 3,
                list_tail: 2,
                list_hits: 10,
                full_text: (400, 520),
                ident_text: (160, 240),
                snippet: Some((120, 180)),
                nested_full_bytes: 300,
                note: true,
            },
            2 => Limits {
                full_cap: 3,
                summary_cap: 3,
                small: 2,
                reps: false,
                list_head: 2,
                list_tail: 1,
                list_hits: 5,
                full_text: (240, 320),
                ident_text: (120, 180),
                snippet: None,
                nested_full_bytes: 200,
                note: true,
            },
            3 => Limits {
                full_cap: 1,
                summary_cap: 1,
                small: 0,
                reps: false,
                list_head: 1,
                list_tail: 0,
                list_hits: 2,
                full_text: (160, 200),
                ident_text: (80, 120),
                snippet: None,
                nested_full_bytes: 0,
                note: true,
            },
            4 => Limits {
                full_cap: 0,
                summary_cap: 1,
                small: 0,
                reps: false,
                list_head: 0,
                list_tail: 0,
                list_hits: 1,
                full_text: (80, 100),
                ident_text: (60, 80),
                snippet: None,
                nested_full_bytes: 0,
                note: false,
            },
            _ => Limits {
                full_cap: 0,
                summary_cap: 0,
                small: 0,
                reps: false,
                list_head: 0,
                list_tail: 0,
                list_hits: 0,
                full_text: (40, 60),
                ident_text: (40, 60),
                snippet: None,
                nested_full_bytes: 0,
                note: false,
            },
        }
    }
}

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

    fn marker(&mut self, count: u64, unit: &'static str, lines: Option<(u32, u32)>) {
        if !self.buf.is_empty() {
            self.pieces.push(Piece::Text(std::mem::take(&mut self.buf)));
        }
        self.pieces.push(Piece::Omit { count, unit, lines });
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
enum Sub {
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
    text: &'a str,
    doc: &'a Doc,
    lines: &'a LineIndex,
    query: &'a Query,
    hits: &'a [Hit],
    lim: Limits,
    /// Per term: whether a hit of it singles an item out (it is not in most of its siblings).
    strong: Vec<bool>,
    out: Out,
}

impl<'a> Renderer<'a> {
    pub fn new(
        text: &'a str,
        doc: &'a Doc,
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

    fn node(&self, i: u32) -> Node {
        self.doc.node(i).clone()
    }

    fn orig(&mut self, a: u32, b: u32) {
        if b > a {
            self.out.push(&self.text[a as usize..b as usize]);
        }
    }

    fn lit(&mut self, s: &str) {
        self.out.push(s);
    }

    fn slice(&self, a: u32, b: u32) -> &'a str {
        &self.text[a as usize..b as usize]
    }

    /// The key of member `m`, without its quotes.
    fn key(&self, m: u32) -> &'a str {
        let n = self.doc.node(m);
        if !n.has_key() || n.key_end < n.key_start + 2 {
            return "";
        }
        self.slice(n.key_start + 1, n.key_end - 1)
    }

    /// The line range a marker for bytes `a..b` names: only when those lines hold little else.
    fn lines_for(&self, a: u32, b: u32) -> Option<(u32, u32)> {
        if b <= a {
            return None;
        }
        let (la, lb) = (self.lines.line_of(a), self.lines.line_of(b - 1));
        let span = u64::from(self.lines.bytes_of(la, lb));
        (span <= 2 * u64::from(b - a) + 256).then_some((la, lb))
    }

    fn marker(&mut self, count: u64, unit: &'static str, a: u32, b: u32) {
        let lines = self.lines_for(a, b);
        self.out.marker(count.max(1), unit, lines);
    }

    /// A marker written as a JSON string.
    fn marker_str(&mut self, count: u64, unit: &'static str, a: u32, b: u32) {
        self.lit("\"");
        self.marker(count, unit, a, b);
        self.lit("\"");
    }

    fn hits_in(&self, a: u32, b: u32) -> &'a [Hit] {
        let hits = self.hits;
        let lo = hits.partition_point(|h| h.pos < a);
        let hi = hits.partition_point(|h| h.pos < b);
        &hits[lo..hi]
    }

    fn strong_hit(&self, a: u32, b: u32) -> bool {
        self.hits_in(a, b)
            .iter()
            .any(|h| self.strong[h.term as usize])
    }

    fn children(&self, i: u32) -> Vec<u32> {
        self.doc.children(i)
    }

    // ---- values ------------------------------------------------------------------------------

    /// Writes value `i` whole, applying the list and map policies to big containers.
    fn value(&mut self, i: u32, depth: u32) {
        let n = self.node(i);
        match n.kind {
            Kind::String => self.string(i, self.lim.full_text),
            Kind::Bad => self.bad(i),
            Kind::Number | Kind::Bool | Kind::Null => self.orig(n.start, n.end),
            _ if n.len == 0 => self.orig(n.start, n.end),
            _ if depth >= MAX_DEPTH => self.elide(i),
            Kind::Array => self.array(i, depth),
            Kind::Object => self.object(i, depth),
        }
    }

    /// A whole subtree as one marker (too deep to walk).
    fn elide(&mut self, i: u32) {
        let n = self.node(i);
        let unit = if n.kind == Kind::Object {
            "keys"
        } else {
            "items"
        };
        self.marker_str(u64::from(n.len), unit, n.start, n.end);
    }

    fn array(&mut self, i: u32, depth: u32) {
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

    fn object(&mut self, i: u32, depth: u32) {
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
    fn whole(&mut self, i: u32, kids: &[u32], candidates: &[u32], depth: u32) {
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

    fn is_link(&self, m: u32) -> bool {
        let key = self.key(m);
        key.ends_with("_url") && key != "html_url" && {
            let n = self.doc.node(m);
            n.kind == Kind::String && self.slice(n.start, n.end).starts_with("\"http")
        }
    }

    /// Whether most keys are data (versions, dates, paths, ids) rather than field names.
    fn data_keys(&self, kids: &[u32]) -> bool {
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

    /// Whether the first and last of these objects share most of their keys (a map of records).
    fn alike(&self, kids: &[u32]) -> bool {
        let keys = |i: u32| -> Vec<&str> {
            let mut k: Vec<&str> = self.doc.children(i).iter().map(|&m| self.key(m)).collect();
            k.sort_unstable();
            k
        };
        let (Some(&a), Some(&b)) = (kids.first(), kids.last()) else {
            return false;
        };
        let (ka, kb) = (keys(a), keys(b));
        let shared = ka.iter().filter(|k| kb.binary_search(k).is_ok()).count();
        shared * 2 >= ka.len().max(kb.len()) && shared > 0
    }

    /// A value inside an object kept whole: big nested entities (a user with twenty URLs) are
    /// summarised with their own marker, keeping what the question points at.
    fn member(&mut self, m: u32, depth: u32) {
        let n = self.node(m);
        if n.kind == Kind::Object && depth > 0 && depth < MAX_DEPTH && self.is_big_entity(&n) {
            self.entity(m);
        } else {
            self.value(m, depth);
        }
    }

    fn is_big_entity(&self, n: &Node) -> bool {
        if n.len < 6 || n.end - n.start <= self.lim.nested_full_bytes {
            return false;
        }
        let scalars = self
            .doc
            .children_iter(n)
            .filter(|&k| !self.doc.node(k).kind.is_container())
            .count();
        scalars * 10 >= n.len as usize * 6
    }

    /// An object cut to its name-like fields and what the question names, with its own marker.
    fn entity(&mut self, i: u32) {
        let kids = self.children(i);
        let mut keep: Vec<(u32, Sub)> = kids
            .iter()
            .filter(|&&m| {
                let n = self.doc.node(m);
                !n.kind.is_container()
                    && (in_list(NAME_KEYS, self.key(m))
                        || (self.query.name_matches(self.key(m)) && !self.key(m).ends_with("_url"))
                        || self.strong_hit(n.start, n.end))
            })
            .map(|&m| (m, Sub::Scalar(self.lim.ident_text)))
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
    }

    /// A string, its start kept verbatim and the rest marked when it is longer than `limit.1` characters.
    fn string(&mut self, i: u32, (keep, over): (usize, usize)) {
        let n = self.node(i);
        let body_start = n.start + 1;
        let body_end = if n.closed { n.end - 1 } else { n.end };
        let body = self.slice(body_start.min(body_end), body_end);
        if body.len() <= over || body.chars().count() <= over {
            self.orig(n.start, n.end);
            return;
        }
        let cut = body_start + cut_point(body, keep) as u32;
        let omitted = self.slice(cut, body_end).chars().count() as u64;
        self.orig(n.start, cut);
        self.lit(" ");
        self.marker(omitted, "chars", cut, body_end);
        if n.closed {
            self.lit("\"");
        }
    }

    /// A line of a JSON Lines input that does not parse: kept, shortened when very long.
    fn bad(&mut self, i: u32) {
        let n = self.node(i);
        let raw = self.slice(n.start, n.end);
        let (keep, over) = (self.lim.full_text.0 * 2, self.lim.full_text.1 * 2);
        if raw.len() <= over {
            self.orig(n.start, n.end);
            return;
        }
        let cut = n.start + cut_point(raw, keep) as u32;
        let omitted = self.slice(cut, n.end).chars().count() as u64;
        self.orig(n.start, cut);
        self.lit(" ");
        self.marker(omitted, "chars", cut, n.end);
    }

    // ---- objects with a subset of members -----------------------------------------------------

    /// Writes object `i` with only the members in `keep` (in input order), separators copied from
    /// the input, and a `"...": "[N keys omitted…]"` member at the end when `omitted` says so.
    fn emit_object(&mut self, i: u32, kids: &[u32], keep: &[(u32, Sub)], omitted: Option<u64>) {
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

    fn sub(&mut self, m: u32, sub: Sub) {
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

    // ---- lists -----------------------------------------------------------------------------------

    /// Arrays of scalars and maps of scalars: head, tail and what the question names.
    fn scalars(&mut self, list: List, items: &[u32], depth: u32) {
        let n = items.len();
        let (head, tail) = (self.lim.list_head, self.lim.list_tail);
        let mut keep = vec![None; n];
        if n <= head + tail + 2 {
            keep.iter_mut().for_each(|k| *k = Some(Mode::Full));
        } else {
            keep.iter_mut()
                .take(head)
                .for_each(|k| *k = Some(Mode::Full));
            keep.iter_mut()
                .skip(n - tail)
                .for_each(|k| *k = Some(Mode::Full));
            let mut budget = self.lim.list_hits;
            for (idx, &it) in items.iter().enumerate() {
                if budget == 0 {
                    break;
                }
                let nd = self.doc.node(it);
                if keep[idx].is_none() && self.strong_hit(nd.member_start(), nd.end) {
                    keep[idx] = Some(Mode::Full);
                    budget -= 1;
                }
            }
        }
        self.emit_list(list, items, &keep, None, depth, false);
    }

    /// Lists of records: the items worth reading in full or in summary, the rest marked.
    fn records(&mut self, list: List, items: &[u32], depth: u32) {
        let saved = std::mem::take(&mut self.strong);
        let stats = analyse(self.text, self.doc, items, self.query, self.hits);
        self.strong = stats.strong.clone();
        let keep = self.select(items, &stats);
        let one_line = match list {
            List::Array(i) | List::Object(i) => {
                let n = self.doc.node(i);
                n.end - n.start >= ONE_LINE_BYTES && !self.slice(n.start, n.end).contains('\n')
            }
            List::Virtual => false,
        };
        self.emit_list(list, items, &keep, Some(&stats), depth, one_line);
        self.strong = saved;
    }

    /// Which items to keep, and how.
    fn select(&self, items: &[u32], stats: &Stats) -> Vec<Option<Mode>> {
        let n = items.len();
        let lim = &self.lim;
        let mut keep: Vec<Option<Mode>> = vec![None; n];
        let mut by_score: Vec<usize> = (0..n).filter(|&k| stats.items[k].matched).collect();
        by_score.sort_by(|&a, &b| {
            stats.items[b]
                .score
                .total_cmp(&stats.items[a].score)
                .then(a.cmp(&b))
        });
        let mut full = 0;
        let mut overflow = Vec::new();
        for &k in &by_score {
            if full < lim.full_cap {
                keep[k] = Some(Mode::Full);
                full += 1;
            } else {
                overflow.push(k);
            }
        }
        for (k, info) in stats.items.iter().enumerate() {
            if info.extreme && lim.full_cap > 0 {
                keep[k] = Some(Mode::Full);
            }
        }
        if n <= lim.small {
            keep.iter_mut()
                .filter(|k| k.is_none())
                .for_each(|k| *k = Some(Mode::Summary));
            return keep;
        }
        let mut anomalies: Vec<usize> = (0..n).filter(|&k| stats.items[k].anomaly > 0).collect();
        anomalies.sort_by(|&a, &b| {
            stats.items[b]
                .anomaly
                .cmp(&stats.items[a].anomaly)
                .then(a.cmp(&b))
        });
        let mut summaries = 0;
        for k in overflow.into_iter().chain(anomalies) {
            if summaries >= lim.summary_cap {
                break;
            }
            if keep[k].is_none() {
                keep[k] = Some(Mode::Summary);
                summaries += 1;
            }
        }
        if lim.reps {
            for k in [0, n - 1] {
                keep[k].get_or_insert(Mode::Summary);
            }
        }
        if keep.iter().all(Option::is_none) && lim.summary_cap > 0 {
            keep[0] = Some(Mode::Summary);
        }
        keep
    }

    /// Writes a list: kept items in input order, one marker per run of omitted ones, the
    /// fields shared by every record said once up front.
    fn emit_list(
        &mut self,
        list: List,
        items: &[u32],
        keep: &[Option<Mode>],
        stats: Option<&Stats>,
        depth: u32,
        one_line: bool,
    ) {
        let n = items.len();
        let is_map = matches!(list, List::Object(_));
        let first = self.node(items[0]);
        let last = self.node(items[n - 1]);
        let container = match list {
            List::Array(i) | List::Object(i) => Some(self.node(i)),
            List::Virtual => None,
        };
        if let Some(c) = &container {
            if one_line {
                self.orig(c.start, c.start + 1);
                self.lit("\n");
            } else {
                self.orig(c.start, first.member_start());
            }
        }
        let mut wrote = 0usize;
        let mut map_markers = 0usize;
        let note = stats.filter(|s| {
            self.lim.note && !is_map && !s.constants.is_empty() && keep.iter().any(Option::is_some)
        });
        if let Some(s) = note {
            self.note(items, s);
            wrote += 1;
        }
        let mut idx = 0;
        while idx < n {
            if wrote > 0 {
                self.list_sep(items, idx, one_line);
            }
            if let Some(mode) = keep[idx] {
                let it = self.node(items[idx]);
                if it.has_key() {
                    self.orig(it.key_start, it.start);
                }
                self.item(items[idx], mode, stats.map(|s| (s, &s.items[idx])), depth);
                idx += 1;
            } else {
                let mut end = idx;
                while end < n && keep[end].is_none() {
                    end += 1;
                }
                let (a, b) = (
                    self.doc.node(items[idx]).member_start(),
                    self.doc.node(items[end - 1]).end,
                );
                if b - a <= WORTH_A_MARKER {
                    // Cheaper to show than to mark: keep them after all.
                    for k in idx..end {
                        if k > idx {
                            self.list_sep(items, k, one_line);
                        }
                        let it = self.node(items[k]);
                        if it.has_key() {
                            self.orig(it.key_start, it.start);
                        }
                        self.item(items[k], Mode::Full, stats.map(|s| (s, &s.items[k])), depth);
                    }
                    idx = end;
                    wrote += 1;
                    continue;
                }
                if is_map {
                    map_markers += 1;
                    let key = if map_markers == 1 {
                        "\"...\"".to_string()
                    } else {
                        format!("\"...{map_markers}\"")
                    };
                    self.lit(&key);
                    let colon = self.slice(first.key_end, first.start);
                    self.lit(colon);
                    self.marker_str((end - idx) as u64, "keys", a, b);
                } else {
                    self.marker_str((end - idx) as u64, "items", a, b);
                }
                idx = end;
            }
            wrote += 1;
        }
        if let Some(c) = &container {
            if one_line {
                self.lit("\n");
                if c.closed {
                    self.orig(c.end - 1, c.end);
                }
            } else {
                self.orig(last.end, c.end);
            }
        }
    }

    /// The separator written before item `idx`: the input's own, or a line break for long one-line lists.
    fn list_sep(&mut self, items: &[u32], idx: usize, one_line: bool) {
        if one_line {
            self.lit(",\n");
            return;
        }
        let at = if idx > 0 { idx } else { 1.min(items.len() - 1) };
        if at == 0 {
            self.lit(", ");
            return;
        }
        let sep = self.slice(
            self.doc.node(items[at - 1]).end,
            self.doc.node(items[at]).member_start(),
        );
        self.lit(sep);
    }

    /// `{"...": "same in all N items", <the shared fields, as the first item writes them>}`.
    fn note(&mut self, items: &[u32], stats: &Stats) {
        let Some(&proto) = items
            .iter()
            .find(|&&i| self.doc.node(i).kind == Kind::Object)
        else {
            return;
        };
        let kids = self.children(proto);
        let p = self.node(proto);
        let (Some(&m0), Some(&mlast)) = (kids.first(), kids.last()) else {
            return;
        };
        let f = self.node(m0);
        let ws = self.slice(p.start + 1, f.member_start()).to_string();
        let colon = self.slice(f.key_end, f.start).to_string();
        self.lit("{");
        self.lit(&ws);
        self.lit("\"...\"");
        self.lit(&colon);
        self.lit(&format!("\"same in all {} items\"", items.len()));
        for &m in &kids {
            if !stats.is_constant(self.key(m)) {
                continue;
            }
            let mn = self.node(m);
            self.lit(",");
            self.lit(&ws);
            self.orig(mn.key_start, mn.start);
            match mn.kind {
                Kind::Object if self.is_big_entity(&mn) => self.entity(m),
                Kind::String => self.string(m, self.lim.ident_text),
                _ => self.value(m, mn.depth),
            }
        }
        let close = self.node(mlast);
        if p.closed {
            self.orig(close.end, p.end);
        } else {
            self.lit("}");
        }
    }

    fn item(&mut self, i: u32, mode: Mode, ctx: Option<(&Stats, &ItemInfo)>, depth: u32) {
        let n = self.node(i);
        match (n.kind, mode, ctx) {
            (Kind::Object, Mode::Full, Some((stats, _))) => {
                let kids = self.children(i);
                let kids_kept: Vec<u32> = kids
                    .iter()
                    .copied()
                    .filter(|&m| !stats.is_constant(self.key(m)))
                    .collect();
                self.whole(i, &kids, &kids_kept, depth);
            }
            (Kind::Object, Mode::Summary, Some((stats, info))) => {
                self.summary(i, stats, info, depth)
            }
            (Kind::String, Mode::Summary, _) => self.string(i, self.lim.ident_text),
            (Kind::Object | Kind::Array, Mode::Summary, None) => self.elide(i),
            _ => self.member(i, depth + 1),
        }
    }

    /// A record cut to what identifies it, what is odd about it and what the question names;
    /// one marker at its end counts everything left out of it.
    fn summary(&mut self, i: u32, stats: &Stats, info: &ItemInfo, depth: u32) {
        let kids = self.children(i);
        let has_html_url = kids.iter().any(|&m| self.key(m) == "html_url");
        let mut keep: Vec<(u32, Sub)> = Vec::new();
        let mut omitted = 0u64;
        for &m in &kids {
            let key = self.key(m);
            if stats.is_constant(key) {
                continue;
            }
            let n = self.node(m);
            let lower = key.to_ascii_lowercase();
            let hit = self.strong_hit(n.member_start(), n.end);
            let ident = in_list(IDENT, &lower) || (lower == "url" && !has_html_url);
            let named = stats.is_query_field(key);
            let odd = info.odd_keys.contains(&m);
            let text = in_list(TEXT_KEYS, &lower) && n.kind == Kind::String;
            let person = in_list(PEOPLE, &lower) && n.kind == Kind::Object;
            match n.kind {
                Kind::Object if person || ident || hit || named || odd => {
                    let sub = self.nested_keep(m);
                    if sub.is_empty() {
                        omitted += 1;
                    } else {
                        omitted += u64::from(n.len) - sub.len() as u64;
                        keep.push((m, Sub::Nested(sub)));
                    }
                }
                Kind::Array if hit || named => keep.push((m, Sub::Full(depth + 1))),
                Kind::Object | Kind::Array => omitted += 1,
                _ if ident || named || odd || hit => {
                    let limit = if hit || named || odd {
                        self.lim.full_text
                    } else {
                        self.lim.ident_text
                    };
                    keep.push((m, Sub::Scalar(limit)));
                }
                _ if text => match self.lim.snippet {
                    Some(limit) => keep.push((m, Sub::Scalar(limit))),
                    None => omitted += 1,
                },
                _ => omitted += 1,
            }
        }
        let kept_bytes: u32 = keep
            .iter()
            .map(|(m, _)| {
                let n = self.doc.node(*m);
                n.end - n.member_start()
            })
            .sum();
        let n = self.node(i);
        let candidates: Vec<u32> = kids
            .iter()
            .copied()
            .filter(|&m| !stats.is_constant(self.key(m)))
            .collect();
        let candidate_bytes: u32 = candidates
            .iter()
            .map(|&m| {
                let n = self.doc.node(m);
                n.end - n.member_start()
            })
            .sum();
        if omitted > 0
            && candidate_bytes.saturating_sub(kept_bytes) <= WORTH_A_MARKER
            && n.end - n.start <= 4 * WORTH_A_MARKER
        {
            self.whole(i, &kids, &candidates, depth);
            return;
        }
        self.emit_object(i, &kids, &keep, Some(omitted));
    }

    /// The members of a nested object a summary keeps: name-like scalars and what the question names.
    fn nested_keep(&self, m: u32) -> Vec<u32> {
        self.doc
            .children(m)
            .into_iter()
            .filter(|&k| {
                let n = self.doc.node(k);
                !n.kind.is_container()
                    && (in_list(NAME_KEYS, &self.key(k).to_ascii_lowercase())
                        || self.strong_hit(n.member_start(), n.end))
            })
            .collect()
    }
}

fn in_list(list: &[&str], key: &str) -> bool {
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
