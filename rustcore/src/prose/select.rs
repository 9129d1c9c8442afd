//! Which lines of prose to keep within a token target, and the runs left out that become markers.
//!
//! Every heading line stays, and the whole of each documentation entry the question names (an
//! option, a function, a stanza: see [`crate::prose::entries`]). Entries' head lines come next,
//! outermost first and then in order, within a share of the target (a manual's outline is its options). Then units are added
//! most valuable first until the target is
//! reached: relevance to the question (or to a section whose heading it names), then the first
//! sentence of each section, then density. A unit is skipped when it would overshoot the target
//! (its lines plus the marker it adds or saves), when it nearly repeats one already kept (word
//! trigrams), or when it is a short line repeating a heading (a table of contents).

use std::cmp::Ordering;
use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use crate::prose::blocks::{is_blank, Kind};
use crate::prose::entries;
use crate::prose::units::{self, UnitKind};
use crate::prose::Doc;
use crate::terms::{self, char_len, QueryTerms};
use crate::tokens::{self, Encoding};

/// Without a target, aim for this share of the input's tokens (headings come on top when they alone exceed it).
const DEFAULT_SHARE: f64 = 0.12;
const MIN_TARGET: i64 = 300;
const CONTENT_FLOOR: f64 = 0.05;
/// A section whose heading matches the question lends its units this share of the heading's relevance.
const SECTION_WEIGHT: f64 = 0.9;
const LEAD_BONUS: f64 = 0.15;
const RELEVANT_LEAD_BONUS: f64 = 0.1;
/// Units right under a heading the question names come before every other unit.
const QUOTED_SECTION_BONUS: f64 = 1.0;
/// Units more alike than this (word-trigram Jaccard) to one already kept are dropped as near-duplicates.
const DUPLICATE: f64 = 0.7;
/// Past this many units density is not scored (relevance and position still order them).
const MANY_UNITS: usize = 20_000;
/// Under a budget, lines are counted one by one up to this many lines; beyond, estimated by length.
const EXACT_LINES: usize = 5_000;
/// A heading shares at most this many of its entries per word with a line checked against it.
const HEADINGS_PER_WORD: usize = 64;
/// The share of what is left of the target that entries' head lines may take, without a question
/// and with one.
const HEADS_SHARE: f64 = 0.6;
const HEADS_SHARE_ASKED: f64 = 0.3;
/// Without a question or a budget, entries' head lines may take this share of the input's tokens
/// even past the default target.
const HEADS_OF_INPUT: f64 = 0.25;

/// One sentence signal and its weight: the built-in ones, or values computed by the caller (one per
/// unit, then one per section path: see [`Doc::texts`]).
#[derive(Debug, Clone, Copy)]
pub enum Signal<'a> {
    Relevance(f64),
    Density(f64),
    Values(f64, &'a [f64]),
}

pub struct Options<'a> {
    pub query: Option<&'a str>,
    /// Tokens to aim for; None: a share of the input's.
    pub target: Option<i64>,
    /// Count each line's tokens (else estimate them from the whole text's count).
    pub exact: bool,
    pub encoding: Encoding,
    /// What one more marker line costs in tokens.
    pub marker_tokens: usize,
    pub signals: &'a [Signal<'a>],
    /// `(first line of a fenced block, what keeping it costs)` where that is not its size.
    pub fence_costs: &'a [(usize, usize)],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub kept: Vec<bool>,
    /// Heading lines (always kept), ascending.
    pub headings: Vec<usize>,
}

/// Lines `first..=last` left out behind one marker, except `shown` (headings and blank lines between
/// runs of left-out sections, written after the marker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub first: usize,
    pub last: usize,
    pub shown: Vec<usize>,
}

/// The lines of `doc` to keep (see the module docs).
pub fn select(lines: &[&str], doc: &Doc, opts: &Options<'_>) -> Selection {
    let n = lines.len();
    let cost = line_costs(lines, opts.exact, opts.encoding);
    let total: i64 = cost.iter().sum();
    let mut kept = vec![false; n];
    let mut is_heading = vec![false; n];
    for block in doc.blocks.iter().filter(|b| b.kind == Kind::Heading) {
        for i in block.first..=block.last {
            is_heading[i] = true;
            kept[i] = true;
        }
    }
    let outline: i64 = (0..n).filter(|&i| is_heading[i]).map(|i| cost[i]).sum();
    let target = opts.target.unwrap_or_else(|| {
        // The outline is kept whatever it costs; the content gets at least a floor of its own on top.
        let floor = MIN_TARGET.max((CONTENT_FLOOR * total as f64) as i64);
        ((DEFAULT_SHARE * total as f64) as i64).max(outline + floor)
    });
    let marker = opts.marker_tokens as i64;
    // Gaps are counted as the output will show them: headings do not split a gap, so only kept
    // content lines and content still to decide take part.
    let mut content = Vec::with_capacity(n + 1);
    content.push(0usize);
    for (i, line) in lines.iter().enumerate() {
        content.push(content[i] + usize::from(!is_heading[i] && !is_blank(line)));
    }
    let gaps = GapCounter {
        content: &content,
        n,
    };
    let mut kept_content: BTreeSet<usize> = BTreeSet::new();
    let mut used = outline + marker * i64::from(gaps.any_between(0, n as i64 - 1));
    let mut keep = |first: usize, last: usize, limit: i64, used: &mut i64, kept: &mut Vec<bool>| {
        let new: Vec<usize> = (first..=last).filter(|&i| !kept[i]).collect();
        if new.is_empty() {
            return;
        }
        let size: i64 = new.iter().map(|&i| cost[i]).sum();
        let extra = size + marker * gaps.delta(&kept_content, first, last);
        if *used + extra > limit {
            return;
        }
        for &i in &new {
            kept[i] = true;
            if !is_heading[i] {
                kept_content.insert(i);
            }
        }
        *used += extra;
    };
    let asked = opts.query.filter(|q| !q.is_empty());
    if let Some(query) = asked {
        // What the question names is kept whatever the default share; under a budget, within it.
        let limit = if opts.exact { target } else { i64::MAX };
        for k in entries::named(&doc.entries, lines, query) {
            let (first, last) = doc.entries[k].pinned(lines);
            keep(first, last, limit, &mut used, &mut kept);
            keep(first, first, limit, &mut used, &mut kept);
        }
    }
    let share = if asked.is_some() {
        HEADS_SHARE_ASKED
    } else {
        HEADS_SHARE
    };
    let mut heads_limit = used + ((target - used).max(0) as f64 * share) as i64;
    if asked.is_none() && opts.target.is_none() {
        // Without a question or a budget the heads are the outline: kept up to a share of the input.
        heads_limit = heads_limit.max((HEADS_OF_INPUT * total as f64) as i64);
    }
    // Outermost first (a module's classes and functions before their methods), then in order.
    let depth = |mut k: usize| {
        let mut d = 0;
        while let Some(o) = doc.entries[k].owner {
            (k, d) = (o, d + 1);
        }
        d
    };
    let mut heads: Vec<(usize, usize)> = (0..doc.entries.len()).map(|k| (depth(k), k)).collect();
    heads.sort_unstable();
    for entry in heads.into_iter().map(|(_, k)| &doc.entries[k]) {
        if used >= heads_limit {
            break;
        }
        // A description cheaper than the marker that would stand for it comes with its head.
        let rest: i64 = (entry.first + 1..=entry.last).map(|i| cost[i]).sum();
        let last = if rest <= marker {
            entry.last
        } else {
            entry.first
        };
        keep(entry.first, last, heads_limit, &mut used, &mut kept);
    }
    let scores = scores(doc, opts);
    let mut order: Vec<usize> = (0..doc.units.len()).collect();
    order.sort_by(|&a, &b| {
        let by_score = scores[b].partial_cmp(&scores[a]).unwrap_or(Ordering::Equal);
        by_score.then(doc.units[a].first.cmp(&doc.units[b].first))
    });
    let fence_costs: FxHashMap<usize, usize> = opts.fence_costs.iter().copied().collect();
    let mut duplicates = Duplicates::default();
    let headings = HeadingIndex::new(doc);
    for k in order {
        if used >= target {
            break;
        }
        let unit = &doc.units[k];
        let new: Vec<usize> = (unit.first..=unit.last).filter(|&i| !kept[i]).collect();
        if new.is_empty() {
            continue;
        }
        let delta = gaps.delta(&kept_content, unit.first, unit.last);
        let mut size: i64 = new.iter().map(|&i| cost[i]).sum();
        if unit.kind == UnitKind::Block(Kind::Fence) {
            if let Some(&c) = fence_costs.get(&unit.first) {
                size = size.min(c as i64);
            }
        }
        let extra = size + marker * delta;
        if used + extra > target {
            continue;
        }
        let grams = duplicates.shingles(&unit.text);
        if duplicates.repeats(&grams) || headings.repeats(&unit.text) {
            continue;
        }
        for &i in &new {
            kept[i] = true;
            if !is_heading[i] {
                kept_content.insert(i);
            }
        }
        duplicates.keep(grams);
        used += extra;
    }
    let headings = (0..n).filter(|&i| is_heading[i]).collect();
    Selection { kept, headings }
}

/// Each unit's score: its signals, lifted by its section's relevance and by leading its section.
fn scores(doc: &Doc, opts: &Options<'_>) -> Vec<f64> {
    let texts = doc.texts();
    let mut totals = vec![0.0; texts.len()];
    let mut add = |weight: f64, values: &mut dyn Iterator<Item = f64>| {
        for (total, value) in totals.iter_mut().zip(values) {
            *total += weight * value;
        }
    };
    for signal in opts.signals {
        match *signal {
            Signal::Relevance(weight) => add(
                weight,
                &mut units::relevance(&texts, opts.query).into_iter(),
            ),
            Signal::Density(weight) if doc.units.len() <= MANY_UNITS => {
                add(weight, &mut texts.iter().map(|t| units::density(t)));
            }
            Signal::Density(_) => {}
            Signal::Values(weight, values) => add(weight, &mut values.iter().copied()),
        }
    }
    let asked = opts.query.is_some_and(|q| !q.is_empty());
    let mut named = vec![false; doc.sections.len()];
    for s in opts
        .query
        .map(|q| named_sections(doc, q))
        .unwrap_or_default()
    {
        named[s] = true;
    }
    let (own, by_section) = totals.split_at(doc.units.len());
    doc.units
        .iter()
        .zip(own)
        .map(|(unit, &value)| {
            // The text right under a heading the question names is what it asks for, whatever the
            // rest of the document shares of the heading's words.
            let naming = unit.section.is_some_and(|s| named[s]);
            let section = match unit.section {
                Some(_) if naming => 1.0,
                Some(s) if asked => by_section[s],
                _ => 0.0,
            };
            let lifted = SECTION_WEIGHT * section;
            let mut score = if lifted > value { lifted } else { value } + LEAD_BONUS * unit.lead;
            if section >= 0.5 && unit.lead >= 1.0 {
                score += RELEVANT_LEAD_BONUS;
            }
            if naming {
                score += QUOTED_SECTION_BONUS;
            }
            score
        })
        .collect()
}

/// The sections whose own heading the question names: it quotes the heading ("what does it say
/// about \u{201c}Contributing\u{201d}") or holds every term of a heading of several words. A heading
/// of one word may be a word the question uses for something else ("what changed" and a changelog's
/// `Changed` sections), and a heading the document repeats (`Added` under each version) names no
/// one section.
fn named_sections(doc: &Doc, query: &str) -> Vec<usize> {
    let asked = QueryTerms::parse(query);
    let quoted: Vec<String> = terms::quoted(query).into_iter().map(normal).collect();
    let titles: Vec<String> = doc.sections.iter().map(|s| normal(&s.title)).collect();
    let mut seen: FxHashMap<&str, usize> = FxHashMap::default();
    for title in &titles {
        *seen.entry(title.as_str()).or_insert(0) += 1;
    }
    // A version heading (`## [v1.0.1](…compare/v1.0.0...v1.0.1) - 2024-12-06`, `readline (8.2-1.2)
    // unstable; urgency=medium`) is named by its version, whatever else it holds: its own version
    // is the first one in its visible text (link targets left out), and it names one section only.
    let asked_versions = versions(query);
    let title_versions: Vec<Option<String>> = doc
        .sections
        .iter()
        .map(|s| versions(&without_link_targets(&s.title)).into_iter().next())
        .collect();
    let mut version_count: FxHashMap<&str, usize> = FxHashMap::default();
    for v in title_versions.iter().flatten() {
        *version_count.entry(v.as_str()).or_insert(0) += 1;
    }
    let mut named: Vec<usize> = (0..titles.len())
        .filter(|&k| {
            let title = &titles[k];
            if let Some(v) = &title_versions[k] {
                if version_count[v.as_str()] == 1 && asked_versions.contains(v) {
                    return true;
                }
            }
            if seen[title.as_str()] > 1 {
                return false;
            }
            if quoted.contains(title) {
                return true;
            }
            let mut words = terms::terms(title);
            words.sort_unstable();
            words.dedup();
            words.len() >= 2 && words.iter().all(|w| asked.terms.contains(w))
        })
        .collect();
    // A section with no text of its own (a version over its `Added` and `Fixed`) is named for
    // what its subsections hold.
    let mut own_text = vec![false; titles.len()];
    for s in doc.units.iter().filter_map(|u| u.section) {
        own_text[s] = true;
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); titles.len()];
    for (child, section) in doc.sections.iter().enumerate() {
        if let Some(parent) = section.parent {
            children[parent].push(child);
        }
    }
    let mut is_named = vec![false; titles.len()];
    for &s in &named {
        is_named[s] = true;
    }
    let mut k = 0;
    while k < named.len() {
        let s = named[k];
        if !own_text[s] {
            for &child in &children[s] {
                if !is_named[child] {
                    is_named[child] = true;
                    named.push(child);
                }
            }
        }
        k += 1;
    }
    named
}

/// The version numbers in `text` (`1.0.0`, `8.2-1.2`, `2.0.0rc1`; a leading `v` dropped), in order:
/// a word that starts with a digit, holds a dot between digits, and is made of letters, digits
/// and `. - + ~` only.
fn versions(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "()[]<>,;:'\"`*!?/".contains(c))
        .map(|w| w.trim_end_matches('.'))
        .map(|w| w.strip_prefix(['v', 'V']).unwrap_or(w))
        .filter(|w| {
            let b = w.as_bytes();
            b.first().is_some_and(u8::is_ascii_digit)
                && b.windows(3)
                    .any(|t| t[0].is_ascii_digit() && t[1] == b'.' && t[2].is_ascii_digit())
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-+~".contains(c))
        })
        .map(str::to_ascii_lowercase)
        .collect()
}

/// `text` without the targets of its Markdown links (`[v1.0.1](https://…)` reads `[v1.0.1]`).
fn without_link_targets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..at + 1]);
        rest = &rest[at + 2..];
        match rest.find(')') {
            Some(end) => rest = &rest[end + 1..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// `text` lowercased, its runs of white space one space.
fn normal(text: &str) -> String {
    terms::lower(text.trim())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Tokens per line: counted (under a budget, for texts of moderate length), else each line's share
/// of the whole text's count by characters; blank lines cost nothing here.
fn line_costs(lines: &[&str], exact: bool, enc: Encoding) -> Vec<i64> {
    if exact && lines.len() <= EXACT_LINES {
        return lines
            .iter()
            .map(|l| {
                if is_blank(l) {
                    0
                } else {
                    tokens::count(l, enc) as i64
                }
            })
            .collect();
    }
    let text = lines.concat();
    let per_char = tokens::count(&text, enc) as f64 / char_len(&text).max(1) as f64;
    lines
        .iter()
        .map(|l| {
            if is_blank(l) {
                0
            } else {
                ((char_len(l) as f64 * per_char).round_ties_even() as i64).max(1)
            }
        })
        .collect()
}

/// Counts the markers an output needs from the kept content lines.
struct GapCounter<'a> {
    /// `content[i]`: content lines (non-blank, not headings) before line `i`.
    content: &'a [usize],
    n: usize,
}

impl GapCounter<'_> {
    /// Whether lines `lo..=hi` hold a content line.
    fn any_between(&self, lo: i64, hi: i64) -> bool {
        hi >= lo && self.content[hi as usize + 1] > self.content[lo as usize]
    }

    /// How many more markers the output needs once lines `first..=last` are kept (-1, 0 or 1).
    fn delta(&self, kept: &BTreeSet<usize>, first: usize, last: usize) -> i64 {
        let before = kept.range(..first).next_back().map_or(-1, |&b| b as i64);
        let after = kept
            .range(last + 1..)
            .next()
            .map_or(self.n as i64, |&a| a as i64);
        let had = self.any_between(before + 1, after - 1);
        let left = self.any_between(before + 1, first as i64 - 1);
        let right = self.any_between(last as i64 + 1, after - 1);
        i64::from(left) + i64::from(right) - i64::from(had)
    }
}

type Trigram = (u64, u64, u64);

/// Word trigrams of the units kept so far, indexed by trigram so a check touches only units that share one.
#[derive(Default)]
struct Duplicates {
    postings: FxHashMap<Trigram, Vec<u32>>,
    sizes: Vec<usize>,
}

impl Duplicates {
    /// The distinct word trigrams of `text`, sorted; empty under three words (such a text can
    /// repeat nothing, and nothing can repeat it).
    fn shingles(&self, text: &str) -> Vec<Trigram> {
        let keys: Vec<u64> = units::words(text).map(|w| units::word_key(&w)).collect();
        let mut grams: Vec<Trigram> = keys.windows(3).map(|w| (w[0], w[1], w[2])).collect();
        grams.sort_unstable();
        grams.dedup();
        grams
    }

    fn repeats(&self, grams: &[Trigram]) -> bool {
        if grams.len() < 3 {
            return false;
        }
        let mut shared: FxHashMap<u32, usize> = FxHashMap::default();
        for gram in grams {
            for &k in self.postings.get(gram).into_iter().flatten() {
                *shared.entry(k).or_insert(0) += 1;
            }
        }
        shared
            .into_iter()
            .any(|(k, s)| s as f64 / (grams.len() + self.sizes[k as usize] - s) as f64 >= DUPLICATE)
    }

    fn keep(&mut self, grams: Vec<Trigram>) {
        let k = self.sizes.len() as u32;
        self.sizes.push(grams.len());
        for gram in grams {
            self.postings.entry(gram).or_default().push(k);
        }
    }
}

/// The word sets of the headings, found by word, to spot table-of-contents entries that repeat one.
struct HeadingIndex {
    by_word: FxHashMap<u64, Vec<usize>>,
}

impl HeadingIndex {
    fn new(doc: &Doc) -> Self {
        let mut by_word: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
        let titles = doc
            .blocks
            .iter()
            .filter(|b| b.kind == Kind::Heading && !is_blank(&b.title));
        for (k, block) in titles.enumerate() {
            for word in distinct_words(&block.title) {
                by_word.entry(word).or_default().push(k);
            }
        }
        HeadingIndex { by_word }
    }

    /// Whether `text` is short and its words are (nearly) all in one heading.
    fn repeats(&self, text: &str) -> bool {
        if self.by_word.is_empty() {
            return false;
        }
        let words = distinct_words(text);
        if words.is_empty() || words.len() > 12 {
            return false;
        }
        let allowed = (words.len() / 5).max(1);
        let mut counts: FxHashMap<usize, usize> = FxHashMap::default();
        for word in &words {
            for &k in self
                .by_word
                .get(word)
                .into_iter()
                .flatten()
                .take(HEADINGS_PER_WORD)
            {
                *counts.entry(k).or_insert(0) += 1;
            }
        }
        counts.values().any(|&c| words.len() - c <= allowed)
    }
}

/// The distinct lowercased words of `text`, by key (see `units::word_key`).
fn distinct_words(text: &str) -> Vec<u64> {
    let mut words: Vec<u64> = units::words(text).map(|w| units::word_key(&w)).collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// The runs of lines not kept that become markers: blank lines go with their gap, runs cheaper than
/// a marker (`marker_tokens`) are shown instead, and runs separated only by headings and blank lines
/// share one marker with those lines shown under it.
pub fn gaps(
    lines: &[&str],
    kept: &[bool],
    headings: &[usize],
    marker_tokens: usize,
    enc: Encoding,
) -> Vec<Gap> {
    let n = lines.len();
    let blank: Vec<bool> = lines.iter().map(|l| is_blank(l)).collect();
    let mut is_heading = vec![false; n];
    for &h in headings.iter().filter(|&&h| h < n) {
        is_heading[h] = true;
    }
    let mut shown = kept.to_vec();
    shown.resize(n, false);
    // A blank line is shown when the lines around it are.
    let mut next_shown = vec![true; n + 1];
    for i in (0..n).rev() {
        next_shown[i] = if blank[i] {
            next_shown[i + 1]
        } else {
            shown[i]
        };
    }
    let mut previous = false;
    for i in 0..n {
        if blank[i] {
            shown[i] = previous && next_shown[i + 1];
        } else {
            previous = shown[i];
        }
    }
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < n {
        if shown[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < n && !shown[j + 1] {
            j += 1;
        }
        let span = &lines[i..=j];
        if blank[i..=j].iter().any(|b| !b) && costs_more(span, marker_tokens, enc) {
            runs.push((i, j));
        } else {
            shown[i..=j].iter_mut().for_each(|s| *s = true);
        }
        i = j + 1;
    }
    let mut out: Vec<Gap> = Vec::new();
    for (first, last) in runs {
        if let Some(prev) = out.last_mut() {
            let between = prev.last + 1..first;
            if between
                .clone()
                .all(|k| shown[k] && (blank[k] || is_heading[k]))
            {
                prev.shown.extend(between);
                prev.last = last;
                continue;
            }
        }
        out.push(Gap {
            first,
            last,
            shown: Vec::new(),
        });
    }
    out
}

/// Whether `lines` hold more than `tokens` tokens (long text is not counted: no token spans 16 characters).
fn costs_more(lines: &[&str], tokens: usize, enc: Encoding) -> bool {
    let size: usize = lines.iter().map(|l| char_len(l)).sum();
    size > 16 * tokens || tokens::count(&lines.concat(), enc) > tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options<'a>(
        query: Option<&'a str>,
        target: Option<i64>,
        signals: &'a [Signal<'a>],
    ) -> Options<'a> {
        Options {
            query,
            target,
            exact: true,
            encoding: Encoding::O200kBase,
            marker_tokens: 20,
            signals,
            fence_costs: &[],
        }
    }

    const SIGNALS: [Signal<'static>; 2] = [Signal::Relevance(1.0), Signal::Density(0.15)];

    fn guide() -> String {
        let mut text =
            String::from("# Guide\n\nIntro sentence about the guide. It has more words here.\n\n");
        for k in 0..12 {
            text += &format!("## Part {k}\n\nPart {k} opens with this sentence. Filler sentence number {k} goes on and on about nothing in particular.\n\n");
        }
        text += "## Retention\n\nThe audit journal retention period is ninety days. Other notes follow.\n";
        text
    }

    #[test]
    fn headings_stay_and_the_sentence_asked_about_is_kept() {
        let text = guide();
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let doc = Doc::parse(&lines);
        let selection = select(
            &lines,
            &doc,
            &options(Some("audit journal retention"), Some(120), &SIGNALS),
        );
        for &h in &selection.headings {
            assert!(selection.kept[h]);
        }
        let asked = lines
            .iter()
            .position(|l| l.contains("ninety days"))
            .unwrap();
        assert!(selection.kept[asked]);
        assert!(
            selection.kept.iter().filter(|&&k| k).count()
                < lines.iter().filter(|l| !is_blank(l)).count()
        );
    }

    #[test]
    fn near_duplicates_are_kept_once() {
        let sentence = "The quick brown fox jumps over the lazy dog near the river bank today.";
        let text = format!("{sentence}\n\n{sentence}\n\nSomething else entirely different is said here at length.\n");
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let doc = Doc::parse(&lines);
        let selection = select(&lines, &doc, &options(Some("fox"), Some(1000), &SIGNALS));
        assert!(selection.kept[0]);
        assert!(!selection.kept[2]);
    }

    #[test]
    fn runs_separated_only_by_headings_share_one_marker() {
        let lines = ["# A\n", "gone one\n", "# B\n", "\n", "gone two\n", "kept\n"];
        let kept = [true, false, true, false, false, true];
        let gaps = gaps(&lines, &kept, &[0, 2], 0, Encoding::O200kBase);
        assert_eq!(
            gaps,
            [Gap {
                first: 1,
                last: 4,
                shown: vec![2]
            }]
        );
    }

    #[test]
    fn a_run_cheaper_than_its_marker_is_shown() {
        let lines = ["kept\n", "x\n", "kept\n"];
        assert!(gaps(&lines, &[true, false, true], &[], 50, Encoding::O200kBase).is_empty());
    }

    /// A project README: the title section's own text, then sections that all mention the project.
    fn readme() -> String {
        let mut text = String::from("# widget\n\nWidget negotiates content types for servers.\n\n");
        for k in 0..10 {
            text += &format!("## widget.part{k}()\n\nThe widget part {k} returns the widget settings for part {k}.\n\n");
        }
        text
    }

    fn kept_line(text: &str, query: &str, needle: &str) -> bool {
        // The outline and about two more lines.
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let doc = Doc::parse(&lines);
        let outline: i64 = doc
            .sections
            .iter()
            .map(|s| tokens::count(lines[doc.blocks[s.heading].first], Encoding::O200kBase) as i64)
            .sum();
        let target = Some(outline + 40);
        let selection = select(&lines, &doc, &options(Some(query), target, &SIGNALS));
        let at = lines.iter().position(|l| l.contains(needle)).unwrap();
        selection.kept[at]
    }

    #[test]
    fn the_text_under_a_heading_the_question_quotes_comes_first() {
        let text = readme();
        let intro = "Widget negotiates content types";
        assert!(kept_line(
            &text,
            "What does the README say about \u{201c}widget\u{201d}?",
            intro
        ));
        // Unquoted, one word that every section shares names no section in particular.
        assert!(!kept_line(
            &text,
            "What does the README say about widget?",
            intro
        ));
    }

    #[test]
    fn a_version_heading_is_named_by_its_version_whatever_else_it_holds() {
        let mut text = String::from("# Changelog\n\nAll notable changes are documented here ([format](https://keepachangelog.com/en/1.0.0/)).\n\n");
        for (v, prev) in [("1.0.2", "1.0.1"), ("1.0.1", "1.0.0")] {
            text += &format!("## [v{v}](https://github.com/o/p/compare/v{prev}...v{v}) - 2024-12-06\n\n### Commits\n\n- Change {v} [`954a663`](https://github.com/o/p/commit/954a66)\n\n");
        }
        text += "## v1.0.0 - 2024-02-12\n\n### Commits\n\n- Initial implementation [`3e154e1`](https://github.com/o/p/commit/3e154e)\n\n";
        text += "pkg (2.1-1.2) unstable; urgency=medium\n\n  * Upload to unstable.\n\n -- A B <a@b.org>  Thu, 25 Aug 2022 16:40:30 +0200\n\n";
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let doc = Doc::parse(&lines);
        let titles = |query: &str| -> Vec<String> {
            named_sections(&doc, query)
                .into_iter()
                .map(|k| doc.sections[k].title.clone())
                .collect()
        };
        assert_eq!(
            titles("What changed in version 1.0.0 of p?"),
            ["v1.0.0 - 2024-02-12", "Commits"]
        );
        assert_eq!(titles("What changed in version 1.0.1 of p?").len(), 2);
        assert_eq!(
            versions("What changed in version 2.1-1.2 of pkg?"),
            ["2.1-1.2"]
        );
        assert_eq!(
            versions("pkg (2.1-1.2) unstable; urgency=medium"),
            ["2.1-1.2"]
        );
    }

    #[test]
    fn a_heading_the_document_repeats_or_one_shared_word_names_no_section() {
        let mut text = String::from("# Parser notes\n\nIntro.\n\n");
        for v in (1..=3).rev() {
            text += &format!("## 1.{v}.0\n\n### Changed\n\n- Reworked option {v}.\n\n### Fixed\n\n- Fixed crash {v}.\n\n");
        }
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let doc = Doc::parse(&lines);
        let titles = |query: &str| -> Vec<String> {
            named_sections(&doc, query)
                .into_iter()
                .map(|k| doc.sections[k].title.clone())
                .collect()
        };
        // The version has no text of its own: its subsections hold what it says.
        assert_eq!(
            titles("What changed in 1.3.0?"),
            ["1.3.0", "Changed", "Fixed"]
        );
        assert!(titles("What does it say about \u{201c}Changed\u{201d}?").is_empty());
        assert_eq!(titles("What do the parser notes say?"), ["Parser notes"]);
        assert_eq!(
            titles("What do the \u{201c}parser notes\u{201d} say?"),
            ["Parser notes"]
        );
    }
}
