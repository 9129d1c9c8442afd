//! Data shaped as a hierarchy of lines: listings (`tree`, `du`, `find`,
//! `npm ls`, `ls -lR`, `git log --stat`, tables) and configuration files
//! (YAML, TOML, INI, `key=value`, Dockerfiles). A format module says what
//! each line is, which earlier line it belongs to and what it names; this
//! module decides what survives within a budget.
//!
//! What survives, strongest first: headers (a table's column line, a file's
//! `==> path <==`), rows the query points at with every line above them in
//! the hierarchy (a YAML key's parents, a package's dependent, a file's
//! directory), what the format marks as notable (the largest sizes, a
//! commit's subject), then the structure breadth first: top-level entries,
//! the first children of each, a spread sample of long runs. A row matches
//! by what its path covers: `failurePolicy: ""` under `admissionWebhooks:`
//! under `prometheusOperator:` answers `prometheusOperator.admissionWebhooks.failurePolicy`,
//! and a row whose name is exactly what the query names (a path, a package,
//! a key) ranks above rows that merely contain it. Markers are cut at the
//! boundaries of top-level groups next to a shown group, so each says how
//! much of its own group it hides.

use crate::lines::{render_with_breaks, Costs, Lines, Piece, PlainLines, Planner};
use crate::prose::entries;
use crate::query::{score_mask, Query};
use crate::terms::stem;

/// No line (a root has no parent).
pub const NONE: u32 = u32::MAX;

/// Priorities, highest first; a line with priority 0 is never offered.
pub const P_HEADER: u32 = 1000;
/// Notable rows the query asks for by a superlative ("the largest file").
pub const P_ASKED: u32 = 960;
const P_QUERY: u32 = 560;
/// Matches scoring at least this share of the best one rank above headers.
const P_STRONG: u32 = 1100;
const STRONG_SHARE: f32 = 0.8;
/// The lines of a documentation entry the query names, above every strong match (`P_STRONG` and
/// its share), head first.
const P_NAMED: u32 = 1400;
const P_NAMED_LINES: u32 = 80;
/// Lines of a named entry raised whatever the question says of them.
const P_NAMED_HEAD: usize = 16;
/// Notable rows: record heads, extremes of a size column.
pub const P_NOTABLE: u32 = 720;
const P_STRUCTURE: u32 = 600;
/// Below this many rows, a term on most of them may still be what the question is about.
const MIN_ROWS_FOR_COMMON: usize = 8;
/// At most this many lines rank as query matches.
const MAX_QUERY_LINES: usize = 400;
/// Matches scoring below this share of the best one are not query matches.
const QUERY_SHARE: f32 = 0.3;
/// At most this many of the best matches bring the block they head, if it is small.
const MAX_BLOCKS: usize = 4;
const BLOCK_SHARE: f32 = 0.5;
const MAX_BLOCK_LINES: usize = 80;

/// What a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Blank,
    /// Kept whatever the budget: a table's header and its rule, a file header, a final summary.
    Header,
    /// A row, a key, an entry.
    Node,
    /// Kept only when the query points at it.
    Comment,
}

/// The hierarchy of a text's lines, as a format module read it.
pub struct Outline {
    /// The line each line belongs to (an earlier line), or [`NONE`].
    pub parent: Vec<u32>,
    pub role: Vec<Role>,
    /// The byte range of the line's content that names what the line stands for.
    pub name: Vec<(u32, u32)>,
    /// Whether the name is whole (a full path) rather than one step below the parent's.
    pub absolute: Vec<bool>,
    /// Joins the names of a path (`/` for files, `.` for keys).
    pub sep: u8,
    /// Priorities the format gives some lines (0: none); the structure rule covers the rest.
    pub boost: Vec<u32>,
    /// Lines not ranked by the structure rule (beyond the format's boost): e.g. rows past a
    /// sample that the format samples itself.
    pub unranked: Vec<bool>,
}

impl Outline {
    pub fn new(n: usize, sep: u8) -> Self {
        Outline {
            parent: vec![NONE; n],
            role: vec![Role::Node; n],
            name: vec![(0, 0); n],
            absolute: vec![false; n],
            sep,
            boost: vec![0; n],
            unranked: vec![false; n],
        }
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Sets line `i`'s name to `name`, a slice of `content` (the line without its end).
    pub fn set_name(&mut self, i: usize, content: &str, name: &str) {
        let start = name.as_ptr() as usize - content.as_ptr() as usize;
        self.name[i] = (start as u32, (start + name.len()) as u32);
    }

    /// Depth of every line: 0 for roots, one more than its parent otherwise.
    pub fn depths(&self) -> Vec<u16> {
        let mut depth = vec![0u16; self.len()];
        for i in 0..self.len() {
            let p = self.parent[i];
            if p != NONE {
                depth[i] = depth[p as usize].saturating_add(1);
            }
        }
        depth
    }

    /// For each line, the end (exclusive) of the run of lines below it in the hierarchy: its
    /// descendants, with the blank lines and comments among them.
    pub fn subtree_ends(&self) -> Vec<u32> {
        let n = self.len();
        let mut end: Vec<u32> = (1..=n as u32).collect();
        for j in 0..n {
            for a in self.ancestors(j) {
                if end[a] as usize > j {
                    break;
                }
                end[a] = j as u32 + 1;
            }
        }
        end
    }

    /// The ancestors of `i`, nearest first.
    fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let mut at = self.parent[i];
        std::iter::from_fn(move || {
            if at == NONE {
                return None;
            }
            let here = at as usize;
            at = self.parent[here];
            Some(here)
        })
    }

    /// The lowercase path of names from the nearest absolute ancestor down to `i`.
    fn path_of(&self, lines: &Lines<'_>, i: usize) -> Vec<u8> {
        let mut steps = vec![i];
        if !self.absolute[i] {
            for a in self.ancestors(i) {
                steps.push(a);
                if self.absolute[a] {
                    break;
                }
            }
        }
        let mut out = Vec::new();
        for &k in steps.iter().rev() {
            let (a, b) = self.name[k];
            if a == b {
                continue;
            }
            if !out.is_empty() && out.last() != Some(&self.sep) {
                out.push(self.sep);
            }
            let content = lines.content(k).as_bytes();
            let name = &content[(a as usize).min(content.len())..(b as usize).min(content.len())];
            out.extend(name.iter().map(u8::to_ascii_lowercase));
        }
        out
    }
}

/// Whether a query term names the path `path` (lowercase): a phrase ending the path or
/// its last step at a boundary (`ua-parser-js` names `.../ua-parser-js@0.7.40`,
/// `lib/rack` names `./rack-protection/lib/rack`), or a word equal to the last step.
fn names(path: &[u8], term: &[u8], phrase: bool, sep: u8) -> bool {
    let boundary = |b: u8| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80);
    let last_step = path
        .iter()
        .rposition(|&b| b == sep || b == b'/' || b == b' ')
        .map_or(0, |k| k + 1);
    if phrase {
        let term = term.strip_prefix(b"./").unwrap_or(term);
        if term.is_empty() {
            return false;
        }
        let step = &path[last_step..];
        let hex = |s: &[u8]| s.iter().all(u8::is_ascii_hexdigit);
        if term.len() >= 7 && hex(term) && step.starts_with(term) && hex(step) {
            // An abbreviated commit or object hash.
            return true;
        }
        let found = memchr::memmem::rfind(path, term);
        return found.is_some_and(|at| {
            let end = at + term.len();
            let before = at == 0 || boundary(path[at - 1]);
            let after = end == path.len()
                || (end >= last_step && boundary(path[end]) && !path[end..].contains(&sep));
            before && after
        });
    }
    let step: &[u8] = &path[last_step..];
    let step = &step[..step
        .iter()
        .position(|&b| b == b'@' || b == b'=' || b == b':')
        .unwrap_or(step.len())];
    if step.is_empty() || !step.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    // All ASCII letters, so a str.
    stem(std::str::from_utf8(step).unwrap_or("")).as_bytes() == term
}

/// Query priorities of the lines: what a line's path covers, with a bonus where the line is
/// what the query names.
fn query_priorities(
    lines: &Lines<'_>,
    outline: &Outline,
    query: &Query,
    budget: usize,
) -> Vec<u32> {
    let n = outline.len();
    let mut pri = vec![0u32; n];
    if query.is_empty() {
        return pri;
    }
    let masks = query.match_lines(lines);
    let mut weights = query.weights(&masks);
    // A term on most rows (the directory every path of a `du` lies in, the package every
    // file of `pip show -f` belongs to) points at none of them: it would rank every row alike,
    // ahead of what the rest of the question picks out (its largest file, the file it names).
    let rows = (0..n).filter(|&i| outline.role[i] == Role::Node).count();
    if rows >= MIN_ROWS_FOR_COMMON {
        for (k, w) in weights.iter_mut().enumerate() {
            let df = (0..n)
                .filter(|&i| outline.role[i] == Role::Node && masks[i] & (1 << k) != 0)
                .count();
            if 2 * df > rows {
                *w = 0.0;
            }
        }
    }
    let terms: Vec<(&[u8], bool)> = query.terms().collect();
    let mut path_mask = vec![0u64; n];
    let mut score = vec![0f32; n];
    let mut named = vec![false; n];
    for i in 0..n {
        if outline.role[i] == Role::Blank {
            continue;
        }
        let p = outline.parent[i];
        let inherited = if p == NONE { 0 } else { path_mask[p as usize] };
        path_mask[i] = masks[i] | inherited;
        if path_mask[i] == 0 {
            continue;
        }
        score[i] = score_mask(path_mask[i], &weights);
        if masks[i] != 0 {
            let path = outline.path_of(lines, i);
            let mut bonus = 0.0;
            let mut m = masks[i];
            while m != 0 {
                let k = m.trailing_zeros() as usize;
                m &= m - 1;
                let (term, phrase) = terms[k];
                if names(&path, term, phrase, outline.sep) {
                    bonus += weights[k];
                }
            }
            if bonus > 0.0 {
                named[i] = true;
                score[i] += bonus;
            }
        }
    }
    let best = score.iter().copied().fold(0.0f32, f32::max);
    if best <= 0.0 {
        return pri;
    }
    let mut ranked: Vec<usize> = (0..n)
        .filter(|&i| score[i] >= QUERY_SHARE * best && outline.role[i] != Role::Blank)
        .collect();
    ranked.sort_by(|&a, &b| {
        score[b]
            .total_cmp(&score[a])
            .then((masks[b] != 0).cmp(&(masks[a] != 0)))
            .then(a.cmp(&b))
    });
    ranked.truncate(MAX_QUERY_LINES);
    // The strongest matches outrank even headers (a row asked about comes with the headers
    // above it); the others rank between the notable rows and the structure.
    let query_pri = |i: usize| {
        let share = score[i] / best;
        if share >= STRONG_SHARE {
            P_STRONG + (share * 100.0) as u32
        } else {
            P_QUERY + (share * 330.0) as u32
        }
    };
    // The best matches bring the block they head, or else the block of the line they sit in
    // (a commit's lines for its subject, a rule's for its name, a section's for its key):
    // what surrounds the line the query names is what answers it.
    let ends = outline.subtree_ends();
    let mut blocks = Vec::new();
    for &i in &ranked {
        if blocks.len() == MAX_BLOCKS || (score[i] < BLOCK_SHARE * best && !blocks.is_empty()) {
            break;
        }
        if masks[i] == 0 {
            continue;
        }
        let head = if ends[i] as usize > i + 1 || outline.parent[i] == NONE {
            i
        } else {
            outline.parent[i] as usize
        };
        let end = ends[head] as usize;
        let bytes = lines.span(head, end).len();
        if end <= head + 1 || end - head > MAX_BLOCK_LINES || bytes / 4 > budget / 3 {
            continue;
        }
        if blocks.contains(&head) {
            continue;
        }
        blocks.push(head);
        let within = query_pri(i).saturating_sub(1);
        for p in &mut pri[head..end] {
            *p = (*p).max(within);
        }
    }
    for i in ranked {
        // The best matches outrank all but headers; weak ones rank with the top-level structure.
        let own = query_pri(i) + if masks[i] != 0 { 10 } else { 0 } + if named[i] { 9 } else { 0 };
        pri[i] = pri[i].max(own);
    }
    pri
}

/// Where a sibling at `rank` of `count` stands in a breadth-first sample: the first
/// three, the last, then a binary subdivision of the run (the middle before the quarters).
fn sibling_level(rank: u32, count: u32) -> Option<u32> {
    if rank < 3 {
        return Some(rank);
    }
    if rank + 1 == count {
        return Some(3);
    }
    let bits = 32 - count.leading_zeros();
    let tz = rank.trailing_zeros();
    // Down to about sixteen samples of a long run; the rest only when asked about.
    (tz + 4 >= bits).then(|| 4 + bits - tz)
}

/// Structure priorities: shallow lines first (depth counted from `top`, the first depth
/// with more than one line), and among siblings the sample order.
fn structure_priorities(outline: &Outline, depth: &[u16], top: u16) -> Vec<u32> {
    let n = outline.len();
    let mut count = vec![0u32; n + 1];
    let mut rank = vec![0u32; n];
    let slot = |p: u32| if p == NONE { n } else { p as usize };
    for (i, r) in rank.iter_mut().enumerate() {
        if outline.role[i] == Role::Node && !outline.unranked[i] {
            let s = slot(outline.parent[i]);
            *r = count[s];
            count[s] += 1;
        }
    }
    (0..n)
        .map(|i| {
            if outline.role[i] != Role::Node || outline.unranked[i] {
                return 0;
            }
            let total = count[slot(outline.parent[i])];
            sibling_level(rank[i], total).map_or(0, |level| {
                let d = u32::from(depth[i].saturating_sub(top).min(8));
                P_STRUCTURE.saturating_sub(60 * d + 12 * level).max(1)
            })
        })
        .collect()
}

/// Blocks larger than this many lines are not compared for repeats.
const MAX_REPEAT_BLOCK: usize = 400;

/// Lines that only repeat what an earlier block of the same shape already shows: where
/// siblings head blocks whose lines carry the same names at the same depths (Deployments
/// in a multi-document manifest, `[remote "x"]` sections, services of one kind), each later
/// block's lines are paired in order with the first block's, and those with the same text
/// (`kind: Deployment`, `cpu: 500m`) are marked. What sets a block apart (its `name:`, its
/// image) keeps its place in the structure order.
fn repeated(lines: &Lines<'_>, outline: &Outline, depth: &[u16], ends: &[u32]) -> Vec<bool> {
    use std::hash::{Hash, Hasher};
    let n = outline.len();
    let mut same = vec![false; n];
    let mut first: rustc_hash::FxHashMap<(u32, u64), usize> = rustc_hash::FxHashMap::default();
    let nodes = |i: usize| (i + 1..ends[i] as usize).filter(|&j| outline.role[j] == Role::Node);
    for i in 0..n {
        let end = ends[i] as usize;
        if outline.role[i] == Role::Blank || end - i > MAX_REPEAT_BLOCK || nodes(i).nth(1).is_none()
        {
            continue;
        }
        let mut h = rustc_hash::FxHasher::default();
        for j in nodes(i) {
            let (a, b) = outline.name[j];
            let content = lines.content(j).as_bytes();
            (i32::from(depth[j]) - i32::from(depth[i])).hash(&mut h);
            content[(a as usize).min(content.len())..(b as usize).min(content.len())].hash(&mut h);
        }
        let template = *first.entry((outline.parent[i], h.finish())).or_insert(i);
        if template == i {
            continue;
        }
        for (t, j) in nodes(template).zip(nodes(i)) {
            if lines.content(t).trim() == lines.content(j).trim() {
                same[j] = true;
            }
        }
    }
    same
}

/// The first depth that holds more than one line (below a single root such as `du`'s `.`).
fn top_level(outline: &Outline, depth: &[u16]) -> u16 {
    let mut per_depth = [0usize; 4];
    for i in 0..outline.len() {
        if outline.role[i] == Role::Node && (depth[i] as usize) < per_depth.len() {
            per_depth[depth[i] as usize] += 1;
        }
    }
    per_depth.iter().position(|&c| c > 1).unwrap_or(0) as u16
}

/// The group each line belongs to for cutting markers: its ancestor at depth `level`.
fn groups(outline: &Outline, depth: &[u16], level: u16) -> Vec<u32> {
    let n = outline.len();
    let mut group = vec![NONE; n];
    for i in 0..n {
        if depth[i] == level {
            group[i] = i as u32;
        } else if depth[i] > level {
            let p = outline.parent[i];
            group[i] = if p == NONE { NONE } else { group[p as usize] };
        }
    }
    // Comments belong with the line after them (they document it), blank lines with the
    // line before (a record's closing blank line is no group of its own).
    for i in (0..n.saturating_sub(1)).rev() {
        if outline.role[i] == Role::Comment {
            group[i] = group[i + 1];
        }
    }
    for i in 1..n {
        if outline.role[i] == Role::Blank {
            group[i] = group[i - 1];
        }
    }
    group
}

/// Cuts of the gaps: at both ends of each group that shows a line, where the run cut off
/// on each side holds an entry (a run of blank lines and comments is no group's count).
fn group_breaks(group: &[u32], keep: &[bool], role: &[Role]) -> Vec<bool> {
    let n = group.len();
    let mut shown = rustc_hash::FxHashSet::default();
    for i in 0..n {
        if keep[i] && group[i] != NONE {
            shown.insert(group[i]);
        }
    }
    let mut breaks = vec![false; n];
    let mut i = 0;
    while i < n {
        if keep[i] {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < n && !keep[end] {
            end += 1;
        }
        let cuts: Vec<usize> = (i + 1..end)
            .filter(|&k| {
                group[k] != group[k - 1]
                    && (shown.contains(&group[k]) || shown.contains(&group[k - 1]))
            })
            .collect();
        let has_node = |a: usize, b: usize| (a..b).any(|k| role[k] == Role::Node);
        let mut start = i;
        for (c, &cut) in cuts.iter().enumerate() {
            let next = cuts.get(c + 1).copied().unwrap_or(end);
            if has_node(start, cut) && has_node(cut, next) {
                breaks[cut] = true;
                start = cut;
            }
        }
        i = end;
    }
    breaks
}

/// Drops the cuts past the first `room` that split a gap (each adds a marker the plan did not
/// pay for): counts per group are worth showing only while the budget has room for them.
fn limit_breaks(breaks: &mut [bool], keep: &[bool], room: usize) {
    let mut left = room;
    for k in 1..breaks.len() {
        if breaks[k] && !keep[k] && !keep[k - 1] {
            if left == 0 {
                breaks[k] = false;
            } else {
                left -= 1;
            }
        }
    }
}

/// Past this many lines a text is no manual: its documentation entries are not looked for.
const MAX_ENTRY_LINES: usize = 200_000;

/// The lines of the documentation entries the query names (an option of a command's help, a
/// stanza whose value it quotes: `prose::entries`) rank above everything, head first.
fn named_entries(lines: &Lines<'_>, query: &Query, asked: &mut [u32]) {
    let n = lines.len();
    if query.asked.trim().is_empty() || n > MAX_ENTRY_LINES {
        return;
    }
    let raw: Vec<&str> = (0..n).map(|i| lines.raw(i)).collect();
    let all = entries::entries(&raw);
    for k in entries::named(&all, &raw, &query.asked) {
        let (first, last) = all[k].pinned(&raw);
        for (rank, i) in (first..=last.min(n - 1)).enumerate() {
            // Past its first lines an entry (a record whose file list runs on under it) does not outrank
            // the lines the question names elsewhere; its own lines the question names still come first.
            if rank < P_NAMED_HEAD || asked[i] > 0 {
                asked[i] = asked[i].max(P_NAMED - (rank as u32).min(P_NAMED_LINES));
            }
        }
    }
}

/// The compressed text of `lines` read as `outline`, within `budget` tokens.
pub fn compress(
    lines: &Lines<'_>,
    outline: &Outline,
    query: &Query,
    budget: usize,
    costs: Costs,
) -> Vec<Piece> {
    let n = lines.len();
    debug_assert_eq!(outline.len(), n);
    let depth = outline.depths();
    let top = top_level(outline, &depth);
    let mut structure = structure_priorities(outline, &depth, top);
    let ends = outline.subtree_ends();
    for (p, same) in structure
        .iter_mut()
        .zip(repeated(lines, outline, &depth, &ends))
    {
        if same {
            *p = 0;
        }
    }
    let mut asked = query_priorities(lines, outline, query, budget);
    named_entries(lines, query, &mut asked);
    let mut order: Vec<(u32, usize)> = (0..n)
        .filter(|&i| outline.role[i] != Role::Blank)
        .map(|i| {
            let own = if outline.role[i] == Role::Header {
                P_HEADER
            } else {
                0
            };
            (own.max(outline.boost[i]).max(asked[i]).max(structure[i]), i)
        })
        .filter(|&(p, _)| p > 0)
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut costs = costs;
    let marker = costs.marker();
    let budget = if costs.soft() {
        // A soft ceiling gives way to the headers: every file header and a table's column
        // line survive, each with room for the marker after it. So does the row the query
        // names best, with the lines above it (a file's directory headings in `ls -lR`):
        // a small budget must not leave the answer out for the markers its chain needs.
        let headers: usize = (0..n)
            .filter(|&i| outline.role[i] == Role::Header)
            .map(|i| costs.line(lines, i) + marker)
            .sum();
        let best = order
            .first()
            .filter(|&&(p, i)| p >= P_STRONG && outline.role[i] != Role::Header);
        let answer: usize = best.map_or(0, |&(_, i)| {
            let mut chain: Vec<usize> = outline.ancestors(i).collect();
            chain.push(i);
            chain.iter().map(|&k| costs.line(lines, k) + marker).sum()
        });
        budget.max(headers + answer + marker)
    } else {
        budget
    };
    let mut planner = Planner::new(lines, costs, budget, 0);
    let mut chain = Vec::new();
    for &(_, i) in &order {
        // A row is shown with the lines above it in the hierarchy, outermost first, or not at all.
        chain.clear();
        chain.extend(outline.ancestors(i));
        chain.reverse();
        chain.push(i);
        planner.offer_all(&chain);
    }
    let mut breaks = group_breaks(
        &groups(outline, &depth, top),
        planner.keep_flags(),
        &outline.role,
    );
    let room = budget.saturating_sub(planner.used()) / marker.max(1);
    limit_breaks(&mut breaks, planner.keep_flags(), room);
    planner.fill_cheap_gaps(&breaks);
    render_with_breaks(lines, planner.keep_flags(), &breaks, &PlainLines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_names_a_path_it_ends_or_the_step_it_starts() {
        assert!(names(
            b"./rack-protection/lib/rack",
            b"./rack-protection/lib/rack",
            true,
            b'/'
        ));
        assert!(names(
            b"./rack-protection/lib/rack",
            b"lib/rack",
            true,
            b'/'
        ));
        assert!(!names(
            b"./rack-protection/lib/rack/x.rb",
            b"lib/rack",
            true,
            b'/'
        ));
        assert!(!names(
            b"./rack-protection/lib/rackup",
            b"lib/rack",
            true,
            b'/'
        ));
        assert!(names(
            b"karma@6.3.19/ua-parser-js@0.7.40",
            b"ua-parser-js",
            true,
            b'/'
        ));
        assert!(names(
            b"a.admissionwebhooks.failurepolicy",
            b"admissionwebhooks.failurepolicy",
            true,
            b'.'
        ));
        assert!(names(b"requests", b"request", false, b'/'));
        assert!(!names(b"requests-toolbelt", b"request", false, b'/'));
    }

    #[test]
    fn siblings_are_sampled_head_first_then_by_halves() {
        assert_eq!(sibling_level(0, 100), Some(0));
        assert_eq!(sibling_level(99, 100), Some(3));
        let mid = sibling_level(64, 100).unwrap();
        let quarter = sibling_level(32, 100).unwrap();
        assert!(mid < quarter);
        assert_eq!(sibling_level(5, 1000), None);
    }
}
