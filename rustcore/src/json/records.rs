//! What sets each record of a list apart: the question's terms, odd values, extremes.
//!
//! Field statistics are gathered over the top-level members of every record:
//! a field with one value in all records is a constant (said once); a
//! status-like field (`status`, `state`, `conclusion`, ...) marks every record
//! off its majority value as an anomaly; a categorical field's rare values and a
//! field few records carry do too; numbers far from their mean are outliers.
//! Query terms are weighted by how few records hold them (a term in every
//! record singles nothing out), so "failed" finds the failed runs whether it
//! is written in `conclusion`, `status` or a message.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::parse::{Doc, Kind, Node, NONE};
use super::query::{Extreme, Hit, Query, Term, TermKind, WEIGHT_ONE};

/// The multiply-rotate hash used by rustc (FxHash): keys here are short field names and values,
/// where SipHash's per-call cost dominated. Fixed, so runs cannot differ (maps are never iterated
/// for output order anyway).
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Fields whose values are a record's state: any value but the usual one is news.
#[rustfmt::skip]
const STATUS_KEYS: &[&str] = &[
    "status", "state", "conclusion", "result", "outcome", "level", "severity", "health",
    "exit_code", "exitcode", "returncode", "return_code", "success", "ok", "passed", "failed",
    "error", "errors",
];
/// Words that make a value or a field name look like trouble.
#[rustfmt::skip]
const TROUBLE: &[&str] = &[
    "fail", "error", "cancel", "timed_out", "timeout", "fatal", "critical", "crash", "denied",
    "reject", "abort", "broken", "invalid", "exception", "panic", "unhealthy", "down",
];
/// Scalar values longer than this are not counted as categories.
const CATEGORY_BYTES: usize = 80;
/// An object with at least this many members, most of them objects or lists, is a map keyed by
/// data (`"dependencies": {"gopd": {...}, ...}`): its keys are names a question can ask for. One
/// is enough: a package with a single dependency (`"once": {"dependencies": {"wrappy": {...}}}`)
/// names it the same way.
const MAP_MIN_MEMBERS: u32 = 1;
/// A match must score at least this much, and at least this share of the best match.
const MIN_MATCH: f64 = 1.0;
const MATCH_SHARE: f64 = 0.5;

/// 16 bytes a record: a list can hold millions.
pub struct ItemInfo {
    pub score: f64,
    pub anomaly: u32,
    pub matched: bool,
    /// Holds the maximum (or minimum) of a field the question asks about.
    pub extreme: bool,
}

pub struct Stats<'t> {
    pub items: Vec<ItemInfo>,
    /// Members (node ids, ascending) whose value is why their record is odd.
    odd_members: Vec<u32>,
    /// Per query term: whether it singles records out here.
    pub strong: Vec<bool>,
    pub constants: Vec<&'t str>,
    pub query_fields: Vec<&'t str>,
}

impl Stats<'_> {
    /// Whether member `m`'s value is why its record is odd.
    pub fn is_odd(&self, m: u32) -> bool {
        self.odd_members.binary_search(&m).is_ok()
    }

    pub fn is_constant(&self, key: &str) -> bool {
        self.constants.contains(&key)
    }

    pub fn is_query_field(&self, key: &str) -> bool {
        self.query_fields.contains(&key)
    }
}

struct Field<'t> {
    key: &'t str,
    present: u32,
    first: &'t str,
    same: bool,
    scalar: bool,
    /// Value counts while the field still looks categorical; `None` once it has too many values.
    counts: Option<Map<&'t str, u32>>,
    numbers: Vec<(f64, usize)>,
}

fn key_of<'t>(text: &'t str, doc: &Doc<'_>, m: u32) -> &'t str {
    let n = doc.node(m);
    if !n.has_key() || n.key_end < n.key_start + 2 {
        return "";
    }
    &text[n.key_start as usize + 1..n.key_end as usize - 1]
}

fn troubled(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    TROUBLE.iter().any(|t| lower.contains(t))
}

/// Statistics and per-record findings for the records `items`.
pub fn analyse<'t>(
    text: &'t str,
    doc: &Doc,
    items: &[u32],
    query: &Query,
    hits: &[Hit],
) -> Stats<'t> {
    let n = items.len();
    let max_categories = (n / 4).max(3);
    let mut fields: Vec<Field<'t>> = Vec::new();
    let mut index: Map<&'t str, usize> = Map::default();
    // The members of record `k`, walked again each pass rather than collected (a Vec per record
    // would cost more than the records' nodes).
    let members = |k: usize| {
        let node = doc.node(items[k]);
        let first = if node.kind == Kind::Object {
            node.first_child
        } else {
            NONE
        };
        doc.children_iter(&Node {
            first_child: first,
            ..node
        })
    };
    for k in 0..n {
        for m in members(k) {
            let node = doc.node(m);
            let key = key_of(text, doc, m);
            let raw = &text[node.start as usize..node.end as usize];
            let f = *index.entry(key).or_insert_with(|| {
                fields.push(Field {
                    key,
                    present: 0,
                    first: raw,
                    same: true,
                    scalar: true,
                    counts: Some(Map::default()),
                    numbers: Vec::new(),
                });
                fields.len() - 1
            });
            let field = &mut fields[f];
            field.present += 1;
            field.same &= raw == field.first;
            if node.kind.is_container() {
                field.scalar = false;
            } else if raw.len() <= CATEGORY_BYTES {
                if let Some(counts) = &mut field.counts {
                    *counts.entry(raw).or_insert(0) += 1;
                    if counts.len() > max_categories {
                        field.counts = None;
                    }
                }
            } else {
                field.counts = None;
            }
            if node.kind == Kind::Number {
                if let Ok(v) = raw.parse::<f64>() {
                    if v.is_finite() {
                        field.numbers.push((v, k));
                    }
                }
            }
        }
    }
    let constants: Vec<&str> = if n >= 3 {
        fields
            .iter()
            .filter(|f| f.present as usize == n && f.same)
            .map(|f| f.key)
            .collect()
    } else {
        Vec::new()
    };
    let query_fields: Vec<&str> = if query.is_empty() {
        Vec::new()
    } else {
        fields
            .iter()
            .filter(|f| !f.key.ends_with("_url") && query.name_matches(f.key))
            .map(|f| f.key)
            .collect()
    };

    let mut infos: Vec<ItemInfo> = (0..n)
        .map(|_| ItemInfo {
            score: 0.0,
            matched: false,
            anomaly: 0,
            extreme: false,
        })
        .collect();
    let majority: Vec<Option<&str>> = fields
        .iter()
        .map(|f| {
            let mut best: Option<(&str, u32)> = None;
            for (&v, &c) in f.counts.iter().flatten() {
                if best.is_none_or(|(bv, bc)| c > bc || (c == bc && v < bv)) {
                    best = Some((v, c));
                }
            }
            best.map(|(v, _)| v)
        })
        .collect();
    let outliers: Vec<Option<(f64, f64)>> = fields
        .iter()
        .map(|f| {
            if n < 8 || f.numbers.len() < 8 {
                return None;
            }
            let len = f.numbers.len() as f64;
            let mean = f.numbers.iter().map(|x| x.0).sum::<f64>() / len;
            let var = f.numbers.iter().map(|x| (x.0 - mean).powi(2)).sum::<f64>() / len;
            (var > 0.0).then(|| (mean, var.sqrt()))
        })
        .collect();
    let mut odd_members = Vec::new();
    for k in 0..n {
        let info = &mut infos[k];
        if doc.node(items[k]).kind == Kind::Bad {
            info.anomaly += 5;
        }
        for m in members(k) {
            let node = doc.node(m);
            let key = key_of(text, doc, m);
            let Some(&f) = index.get(key) else { continue };
            let field = &fields[f];
            if field.same && field.present as usize == n {
                continue;
            }
            let raw = &text[node.start as usize..node.end as usize];
            let lower = key.to_ascii_lowercase();
            let mut weight = 0;
            let categorical = field
                .counts
                .as_ref()
                .filter(|_| !node.kind.is_container() && raw.len() <= CATEGORY_BYTES);
            let is_majority = majority[f] == Some(raw);
            if let Some(counts) = categorical {
                if STATUS_KEYS.contains(&lower.as_str()) && counts.len() >= 2 && !is_majority {
                    weight += if troubled(raw) { 5 } else { 3 };
                } else if n >= 5
                    && !is_majority
                    && counts.get(raw).copied().unwrap_or(0) as usize <= (n / 10).max(1)
                {
                    weight += 2;
                }
            }
            if n >= 10 && (field.present as usize) * 10 <= n {
                weight += if troubled(key) { 3 } else { 1 };
            }
            if let (Some((mean, sd)), Kind::Number) = (outliers[f], node.kind) {
                if raw
                    .parse::<f64>()
                    .is_ok_and(|v| (v - mean).abs() > 3.0 * sd)
                {
                    weight += 1;
                }
            }
            if weight > 0 {
                info.anomaly += weight;
                odd_members.push(m);
            }
        }
    }

    let mut strong = vec![true; query.terms.len()];
    if !query.is_empty() && n > 0 {
        score_items(doc, items, query, hits, &mut infos, &mut strong);
    }
    if let Some(extreme) = query.extreme {
        for f in fields
            .iter()
            .filter(|f| query_fields.contains(&f.key) && !f.numbers.is_empty())
        {
            let best = f.numbers.iter().copied().reduce(|a, b| {
                let better = match extreme {
                    Extreme::Max => b.0 > a.0,
                    Extreme::Min => b.0 < a.0,
                };
                if better {
                    b
                } else {
                    a
                }
            });
            if let Some((_, k)) = best {
                infos[k].extreme = true;
            }
        }
    }
    odd_members.sort_unstable();
    Stats {
        items: infos,
        odd_members,
        strong,
        constants,
        query_fields,
    }
}

/// Weighs hits by where they fall: a short value (`"event": "merged"`) says most, a word inside
/// a URL least, a version or number in a key (a map keyed by data) half. A word in a key is a
/// field name (`"status"` in every record: matching it would match them all) and is dropped,
/// unless the key names data: it is one of a map's (an object whose members are mostly objects
/// or lists, such as `npm ls --json`'s dependencies keyed by package) or few objects hold it
/// (`"isexe"` alone under `which`'s dependencies, a field of a lone record), at any depth: a
/// map's key counts as a short value, a rare key as a word of long text. A function word of the question counts only there, and only
/// as the whole key (a package named `once`).
pub fn weigh_hits(text: &str, doc: &Doc, hits: Vec<Hit>, query: &Query) -> Vec<Hit> {
    const URL: u8 = 1;
    const SHORT: u8 = 2;
    const LONG: u8 = 3;
    if hits.is_empty() {
        return hits;
    }
    let in_map = map_members(doc);
    // Keys and scalar values come in document order and never overlap, so the spans are walked
    // beside the hits (sorted by position) instead of being collected: two per value would cost
    // more than the document's nodes.
    let mut spans = (0..doc.len() as u32).flat_map(|i| {
        let n = doc.node(i);
        let kind = if in_map[i as usize / 64] & (1 << (i % 64)) != 0 {
            MAP_KEY
        } else {
            KEY
        };
        let key = n.has_key().then_some((n.key_start, n.key_end, kind));
        let value = (!n.kind.is_container()).then(|| {
            let raw = &text[n.start as usize..n.end as usize];
            let head = &raw.as_bytes()[..raw.len().min(300)];
            let kind =
                if n.kind == Kind::String && raw.starts_with("\"http") && !head.contains(&b' ') {
                    URL
                } else if raw.len() <= CATEGORY_BYTES {
                    SHORT
                } else {
                    LONG
                };
            (n.start, n.end, kind)
        });
        [key, value].into_iter().flatten()
    });
    let mut span = spans.next();
    let placed: Vec<(Hit, Option<Span>)> = hits
        .into_iter()
        .map(|h| {
            while span.is_some_and(|s| s.1 <= h.pos) {
                span = spans.next();
            }
            (h, span.filter(|s| s.0 <= h.pos))
        })
        .collect();
    let rare = rare_keys(text, doc, &placed, query);
    placed
        .into_iter()
        .filter_map(|(mut h, span)| {
            let (a, b, ctx) = span.unwrap_or((0, 0, LONG));
            let term = &query.terms[h.term as usize];
            let data_key = ctx == MAP_KEY || (ctx == KEY && rare.contains(&key_text(text, a, b)));
            let whole = span.is_some() && says_all(text, a, b, h.pos, hit_end(text, &h, term));
            h.weight = match (ctx, &term.kind) {
                (_, TermKind::Key) if !(data_key && whole) => return None,
                // The whole value or key is the term (`"name": "pyo3"`, not `"pyo3-ffi"`).
                (MAP_KEY | SHORT, _) if whole => 3 * WEIGHT_ONE,
                (MAP_KEY, _) => 2 * WEIGHT_ONE,
                // A key few objects hold may still be a field name (`merged_at` of one nested
                // record): it counts, but less than a value saying the word.
                (KEY, TermKind::Word | TermKind::Key) if data_key => WEIGHT_ONE,
                // A word in a common key is a field name; a version or an id in one is data, half.
                (KEY, TermKind::Word) => return None,
                (KEY, _) => WEIGHT_ONE / 2,
                (URL, kind) if *kind != TermKind::Phrase => 1,
                (SHORT, _) => 2 * WEIGHT_ONE,
                _ => WEIGHT_ONE,
            };
            Some(h)
        })
        .collect()
}

/// Where the word or phrase of hit `h` ends.
fn hit_end(text: &str, h: &Hit, term: &Term) -> u32 {
    if term.kind == TermKind::Phrase {
        return h.pos + term.text.len() as u32;
    }
    let rest = &text[h.pos as usize..];
    let len = rest
        .char_indices()
        .find(|&(_, c)| !c.is_alphanumeric())
        .map_or(rest.len(), |(i, _)| i);
    h.pos + len as u32
}

/// Whether the key or scalar spanning `a..b` holds nothing but `from..to` (and its quotes).
fn says_all(text: &str, a: u32, b: u32, from: u32, to: u32) -> bool {
    let quote = |x: u32, y: u32| y >= x && text[x as usize..y as usize].bytes().all(|c| c == b'"');
    from >= a && to <= b && quote(a, from) && quote(to, b) && from - a <= 1 && b - to <= 1
}

/// `weigh_hits`'s place of a key that is not a map's, and of one that is.
const KEY: u8 = 0;
const MAP_KEY: u8 = 4;

/// Where a hit falls: the span of a key or a scalar (start, end) and which of the two it is.
type Span = (u32, u32, u8);

/// The text of the quoted key spanning `a..b`, without its quotes.
fn key_text(text: &str, a: u32, b: u32) -> &str {
    &text[a as usize + 1..(b as usize - 1).max(a as usize + 1)]
}

/// The keys (not a map's) holding a hit of a word that few objects of the document hold: one,
/// or one in twenty. Names, not field names. Every occurrence of a word is a hit, so the hits
/// themselves count the objects holding each such key (an object holds a key once).
fn rare_keys<'t>(
    text: &'t str,
    doc: &Doc,
    placed: &[(Hit, Option<Span>)],
    query: &Query,
) -> Vec<&'t str> {
    let mut counts: Map<&'t str, (u32, u32)> = Map::default();
    for (h, span) in placed {
        if let (Some((a, b, KEY)), TermKind::Word | TermKind::Key) =
            (span, &query.terms[h.term as usize].kind)
        {
            let entry = counts
                .entry(key_text(text, *a, *b))
                .or_insert((0, u32::MAX));
            if entry.1 != *a {
                *entry = (entry.0 + 1, *a);
            }
        }
    }
    if counts.is_empty() {
        return Vec::new();
    }
    let objects = (0..doc.len() as u32)
        .filter(|&i| doc.kind(i) == Kind::Object)
        .count() as u32;
    counts
        .into_iter()
        .filter(|&(_, (c, _))| c == 1 || c * 20 <= objects)
        .map(|(k, _)| k)
        .collect()
}

/// One bit per node: whether it is a member of a map keyed by data (an object of at least
/// `MAP_MIN_MEMBERS` members, at least four in five of them objects or lists). A bit, not a
/// parent link per node: values carry no parent in the column layout.
fn map_members(doc: &Doc) -> Vec<u64> {
    let mut bits = vec![0u64; doc.len().div_ceil(64)];
    for i in 0..doc.len() as u32 {
        if doc.kind(i) != Kind::Object {
            continue;
        }
        let n = doc.node(i);
        let keyed = || doc.children_iter(&n).filter(|&m| doc.has_key(m));
        let (all, containers) = keyed().fold((0u32, 0u32), |(a, c), m| {
            (a + 1, c + u32::from(doc.kind(m).is_container()))
        });
        if all >= MAP_MIN_MEMBERS && containers * 5 >= all * 4 {
            for m in keyed() {
                bits[m as usize / 64] |= 1 << (m % 64);
            }
        }
    }
    bits
}

/// Per record, the sum over the query terms it holds of their rarity among the records.
fn score_items(
    doc: &Doc,
    items: &[u32],
    query: &Query,
    hits: &[Hit],
    infos: &mut [ItemInfo],
    strong: &mut [bool],
) {
    let n = items.len();
    let t = query.terms.len();
    // Per record, per term: the best weight it holds (one flat table).
    let mut held: Vec<u8> = vec![0; n * t];
    let mut df = vec![0usize; t];
    for (k, &i) in items.iter().enumerate() {
        let node = doc.node(i);
        let (a, b) = (node.member_start(), node.end);
        let lo = hits.partition_point(|h| h.pos < a);
        let hi = hits.partition_point(|h| h.pos < b);
        let mine = &mut held[k * t..(k + 1) * t];
        for h in &hits[lo..hi] {
            let w = &mut mine[h.term as usize];
            *w = (*w).max(h.weight);
        }
        for (d, &m) in df.iter_mut().zip(mine.iter()) {
            *d += usize::from(m > 0);
        }
    }
    for (s, &d) in strong.iter_mut().zip(&df) {
        *s = if n <= 3 { d < n || n == 1 } else { d * 2 <= n };
    }
    let idf: Vec<f64> = df
        .iter()
        .zip(&query.terms)
        .map(|(&d, term)| {
            let rarity = (1.0 + (n as f64 - d as f64 + 0.5) / (d as f64 + 0.5)).ln();
            let weight = match term.kind {
                TermKind::Phrase => 3.0,
                TermKind::Number => 1.5,
                TermKind::Word => 1.0,
                // Most often just the question's `which`: a package named so is a weak clue.
                TermKind::Key => 0.5,
            };
            rarity * weight
        })
        .collect();
    let mut best = 0.0f64;
    for (info, mine) in infos.iter_mut().zip(held.chunks(t.max(1))) {
        info.score = mine
            .iter()
            .zip(&idf)
            .map(|(&m, &w)| w * f64::from(m) / f64::from(WEIGHT_ONE))
            .sum();
        best = best.max(info.score);
    }
    let floor = MIN_MATCH.max(best * MATCH_SHARE);
    for info in infos.iter_mut() {
        info.matched = info.score >= floor && info.score > 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::{parse, Shape};
    use super::*;

    fn run(text: &str, q: &str) -> (Vec<u32>, Stats<'static>) {
        let text: &'static str = Box::leak(text.to_string().into_boxed_str());
        let doc = Box::leak(Box::new(parse(text)));
        let Shape::Single(root) = doc.shape else {
            panic!("one value")
        };
        let items = doc.children(root);
        let query = Query::parse(q);
        let hits = weigh_hits(text, doc, query.hits(text), &query);
        let stats = analyse(text, doc, &items, &query, &hits);
        (items, stats)
    }

    fn runs(statuses: &[&str]) -> String {
        let items: Vec<String> = statuses
            .iter()
            .enumerate()
            .map(|(i, s)| format!(r#"{{"id": {i}, "repo": "a/b", "conclusion": "{s}"}}"#))
            .collect();
        format!("[{}]", items.join(", "))
    }

    #[test]
    fn constant_fields_are_found() {
        let (_, stats) = run(&runs(&["success", "success", "failure"]), "");
        assert_eq!(stats.constants, vec!["repo"]);
    }

    #[test]
    fn off_majority_status_values_are_anomalies() {
        let mut s = vec!["success"; 12];
        s[4] = "failure";
        s[9] = "skipped";
        let (_, stats) = run(&runs(&s), "");
        let odd: Vec<usize> = (0..12).filter(|&k| stats.items[k].anomaly > 0).collect();
        assert_eq!(odd, vec![4, 9]);
        assert!(
            stats.items[4].anomaly > stats.items[9].anomaly,
            "trouble words weigh more"
        );
    }

    #[test]
    fn query_terms_held_by_few_records_match() {
        let text = r#"[{"t": "the doors open"}, {"t": "seeds split"}, {"t": "doors close"}, {"t": "doors shut"}, {"t": "more"}]"#;
        let (_, stats) = run(text, "which doors split?");
        let matched: Vec<usize> = (0..5).filter(|&k| stats.items[k].matched).collect();
        assert_eq!(matched, vec![1]);
    }

    #[test]
    fn a_word_naming_a_key_of_a_map_keyed_by_data_counts_as_a_short_value() {
        let text = r#"{"name": "app", "dependencies": {"gopd": {"version": "1.2.0"}, "debug": {"version": "4.4.3"}}}"#;
        let q = Query::parse("which version of gopd");
        let hits = weigh_hits(text, &parse(text), q.hits(text), &q);
        let gopd = text.find("gopd").unwrap() as u32;
        // "gopd" is a package name in a map of packages (the whole key: three times a word);
        // "version" stays a field name.
        assert_eq!(
            hits.iter().map(|h| (h.pos, h.weight)).collect::<Vec<_>>(),
            vec![(gopd, 12)]
        );
    }

    #[test]
    fn a_key_few_objects_hold_names_data_at_any_depth_and_a_function_word_only_as_a_whole_key() {
        let text = r#"{"which": {"version": "2.0.2", "dependencies": {"isexe": {"version": "2.0.0"}}},
            "note": {"version": "1", "text": "which once", "strict": true}, "x": {"version": "3"}}"#;
        let doc = parse(text);
        let q = Query::parse("which version of isexe is strict");
        let hits = weigh_hits(text, &doc, q.hits(text), &q);
        let at = |s: &str| text.find(s).unwrap() as u32;
        // `which` and `isexe` key maps (objects of objects, one member is enough): short values,
        // and each is the whole key.
        // `strict` is held by one object: data at any depth, weighed as a word (it may still be a
        // field name). `version` is held by most objects: a field name. The function word
        // `which` counts as the key, not in the text.
        assert_eq!(
            hits.iter().map(|h| (h.pos, h.weight)).collect::<Vec<_>>(),
            vec![(at("which"), 12), (at("isexe"), 12), (at("strict"), 4)]
        );
    }

    #[test]
    fn hits_in_keys_are_dropped_and_short_values_weigh_most() {
        let text = r#"[{"merges_url": "https://x.test/merges", "event": "merged", "body": "this was merged after a long discussion about many things that went on and on and on"}, {"merges_url": "https://x.test/m"}]"#;
        let doc = parse(text);
        let q = Query::parse("when was it merged");
        let hits = weigh_hits(text, &doc, q.hits(text), &q);
        let weights: Vec<u8> = hits.iter().map(|h| h.weight).collect();
        // The URL's word a quarter, the short value that is the word itself three times, the
        // long text's once; the key's word not at all (every record has the field).
        assert_eq!(weights, vec![1, 12, 4]);
        let text = r#"{"1.2.0": "2020-01-01", "1.3.0": "2020-02-01"}"#;
        let q = Query::parse("when was 1.3.0 out");
        let hits = weigh_hits(text, &parse(text), q.hits(text), &q);
        assert_eq!(hits.iter().map(|h| h.weight).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn superlative_marks_the_extreme_of_the_named_field() {
        let text = r#"[{"name": "a", "stargazers_count": 5}, {"name": "b", "stargazers_count": 50}, {"name": "c", "stargazers_count": 7}]"#;
        let (_, stats) = run(text, "Which repository has the most stars?");
        let ext: Vec<usize> = (0..3).filter(|&k| stats.items[k].extreme).collect();
        assert_eq!(ext, vec![1]);
        assert_eq!(stats.query_fields, vec!["stargazers_count"]);
    }

    #[test]
    fn a_status_field_of_free_text_flags_nothing() {
        let items: Vec<String> = (0..20)
            .map(|i| format!(r#"{{"status": "step {i} done"}}"#))
            .collect();
        let (_, stats) = run(&format!("[{}]", items.join(",")), "");
        assert!(stats.items.iter().all(|i| i.anomaly == 0));
    }

    #[test]
    fn numeric_outliers_are_anomalies() {
        let items: Vec<String> = (0..20)
            .map(|i| format!(r#"{{"ms": {}}}"#, if i == 13 { 9000 } else { 100 + i }))
            .collect();
        let (_, stats) = run(&format!("[{}]", items.join(",")), "");
        let odd: Vec<usize> = (0..20).filter(|&k| stats.items[k].anomaly > 0).collect();
        assert_eq!(odd, vec![13]);
    }
}
