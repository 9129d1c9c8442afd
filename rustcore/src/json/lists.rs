//! Lists: arrays of scalars, maps, and lists of records, with the items worth keeping chosen.
//!
//! A list of records is analysed once (`records::analyse`); its items are then
//! kept whole, kept as summaries or left out, in input order, with one marker
//! per run of omitted items and the fields every record shares said once.

use super::limits::{IDENT, NAME_KEYS, PEOPLE, TEXT_KEYS};
use super::parse::Kind;
use super::query::WEIGHT_ONE;
use super::records::{analyse, Stats};
use super::render::{in_list, List, Mode, Renderer, Sub};

/// Leaving out less than this many bytes saves nothing once the marker is paid for.
pub(super) const WORTH_A_MARKER: u32 = 160;
/// A record list whose container spans fewer bytes than this, all on one line, stays on one line.
const ONE_LINE_BYTES: u32 = 1024;

impl Renderer<'_> {
    /// Arrays of scalars and maps of scalars: head, tail and what the question names.
    pub(super) fn scalars(&mut self, list: List, items: &[u32], depth: u32) {
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
            let saved = self.narrow_strength(items);
            let mut budget = self.lim.list_hits;
            for (idx, &it) in items.iter().enumerate() {
                if budget == 0 {
                    break;
                }
                let nd = self.doc.node(it);
                if keep[idx].is_none() && self.strong_hit_anywhere(nd.member_start(), nd.end) {
                    keep[idx] = Some(Mode::Full);
                    budget -= 1;
                }
            }
            self.strong = saved;
        }
        self.keep_positions(&mut keep, Mode::Full);
        self.emit_list(list, items, &keep, None, depth, false);
    }

    /// Lists of records: the items worth reading in full or in summary, the rest marked.
    pub(super) fn records(&mut self, list: List, items: &[u32], depth: u32) {
        let saved = std::mem::take(&mut self.strong);
        let mut stats = analyse(self.text, self.doc, items, self.query, self.hits);
        if matches!(list, List::Object(_)) {
            // A map has no place for the note of shared fields: its records keep theirs.
            stats.constants.clear();
        }
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
    pub(super) fn select(&self, items: &[u32], stats: &Stats) -> Vec<Option<Mode>> {
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
        if by_score.is_empty() && lim.full_cap > 0 {
            // A term held by most items singles none out, yet an item holding it as a short value
            // or a map's key (`"@scope/pkg": {...}` under most packages of a tree) answers a
            // question asking for it: the first such item is kept whole.
            let holds = |k: usize| {
                let nd = self.doc.node(items[k]);
                self.hits_in(nd.member_start(), nd.end)
                    .iter()
                    .any(|h| h.weight >= 2 * WEIGHT_ONE)
            };
            if let Some(k) = (0..n).find(|&k| holds(k)) {
                keep[k] = Some(Mode::Full);
            }
        }
        self.keep_positions(&mut keep, Mode::Full);
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
    pub(super) fn emit_list(
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
            self.note(items, s, depth);
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
                self.item(items[idx], mode, stats, depth);
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
                        self.item(items[k], Mode::Full, stats, depth);
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
    pub(super) fn list_sep(&mut self, items: &[u32], idx: usize, one_line: bool) {
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
    pub(super) fn note(&mut self, items: &[u32], stats: &Stats, depth: u32) {
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
                Kind::Object if self.is_big_entity(&mn) => self.entity(m, depth + 2),
                Kind::String => self.string(m, self.lim.ident_text),
                // As deep as the members of a record in this list are written.
                _ => self.value(m, depth + 2),
            }
        }
        let close = self.node(mlast);
        if p.closed {
            self.orig(close.end, p.end);
        } else {
            self.lit("}");
        }
    }

    pub(super) fn item(&mut self, i: u32, mode: Mode, stats: Option<&Stats>, depth: u32) {
        let n = self.node(i);
        match (n.kind, mode, stats) {
            (Kind::Object, Mode::Full, Some(stats)) => {
                let kids = self.children(i);
                let kids_kept: Vec<u32> = kids
                    .iter()
                    .copied()
                    .filter(|&m| !stats.is_constant(self.key(m)))
                    .collect();
                self.whole(i, &kids, &kids_kept, depth);
            }
            (Kind::Object, Mode::Summary, Some(stats)) => self.summary(i, stats, depth),
            (Kind::String, Mode::Summary, _) => self.string(i, self.lim.ident_text),
            (Kind::Object | Kind::Array, Mode::Summary, None) => self.elide(i),
            _ => self.member(i, depth + 1),
        }
    }

    /// A record cut to what identifies it, what is odd about it and what the question names;
    /// one marker at its end counts everything left out of it.
    pub(super) fn summary(&mut self, i: u32, stats: &Stats, depth: u32) {
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
            let odd = stats.is_odd(m);
            let text = in_list(TEXT_KEYS, &lower) && n.kind == Kind::String;
            let person = in_list(PEOPLE, &lower) && n.kind == Kind::Object;
            match n.kind {
                // The question names something inside (a package deep in a dependency map):
                // the way down is kept whole, lists on it thinned by the same rules.
                Kind::Object if hit && self.hit_below(m) => keep.push((m, Sub::Full(depth + 1))),
                Kind::Object if person || ident || hit || named || odd => {
                    let sub = self.nested_keep(m);
                    if sub.is_empty() {
                        omitted += 1;
                    } else {
                        omitted += u64::from(self.doc.count(&n)) - sub.len() as u64;
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
        // What the marker would stand for, nested omissions included: when that is less than
        // the marker itself, the record is shown whole instead.
        let span = |m: u32| {
            let n = self.doc.node(m);
            n.end - n.member_start()
        };
        let kept_at: Vec<u32> = keep.iter().map(|(m, _)| *m).collect();
        let mut omitted_bytes: u32 = kids
            .iter()
            .filter(|&&m| !stats.is_constant(self.key(m)) && !kept_at.contains(&m))
            .map(|&m| span(m))
            .sum();
        for (m, sub) in &keep {
            if let Sub::Nested(inner) = sub {
                let shown: u32 = inner.iter().map(|&k| span(k)).sum();
                omitted_bytes += span(*m).saturating_sub(shown);
            }
        }
        if omitted > 0 && omitted_bytes <= WORTH_A_MARKER {
            let candidates: Vec<u32> = kids
                .iter()
                .copied()
                .filter(|&m| !stats.is_constant(self.key(m)))
                .collect();
            self.whole(i, &kids, &candidates, depth);
            return;
        }
        self.emit_object(i, &kids, &keep, Some(omitted));
    }

    /// The items at the positions the question names (`item 16`: the 17th, as JSON tools count,
    /// and the 16th, as people do) are kept, in every list long enough to have them.
    pub(super) fn keep_positions(&self, keep: &mut [Option<Mode>], mode: Mode) {
        for &p in &self.query.positions {
            for k in [Some(p), p.checked_sub(1)].into_iter().flatten() {
                if let Some(slot) = keep.get_mut(k) {
                    slot.get_or_insert(mode);
                }
            }
        }
    }

    /// Whether a term that singles records out occurs inside a container member of object `m`
    /// (where keeping only `m`'s scalars would lose it).
    pub(super) fn hit_below(&self, m: u32) -> bool {
        self.doc.children(m).into_iter().any(|k| {
            let n = self.doc.node(k);
            n.kind.is_container() && self.strong_hit(n.member_start(), n.end)
        })
    }

    /// The members of a nested object a summary keeps: name-like scalars and what the question names.
    pub(super) fn nested_keep(&self, m: u32) -> Vec<u32> {
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
