//! Which ranges of an outlined file to leave out: every function body but those the question
//! points at, comment tails, long literals and the middles of long runs; then, when the question
//! names a definition (or a budget presses), whole definitions, least relevant first.
//!
//! Sizes are sums of each line's token count (the caller counts every line once): within a token or
//! two of a range's own count, which is all a choice between ranges needs; the caller counts the
//! output exactly.

use std::collections::HashMap;

mod budget;

use super::relevance;
use super::{DefKind, Elision, Lang, Outline, Source};

/// Scores: a qualified match (`Session.get` on `get` inside `Session`) outranks a bare name match.
pub const QUALIFIED: f64 = 10.0;
pub const EXACT: f64 = 8.0;
pub const PARTIAL: f64 = 4.0;
pub const FOLDED: f64 = 5.0;
pub const WEAK: f64 = 2.0;
/// The most a question's plain words add to a function that answers them best (below `PARTIAL`:
/// words never name a definition).
pub const TERMS: f64 = 3.0;
/// A plain word naming one definition of the file names it from this length on.
const UNIQUE_NAME_CHARS: usize = 5;

/// Whole bodies kept for a question may take this share of the file's tokens.
const MENTION_SHARE: f64 = 0.2;
const NAMED_SHARE: f64 = 0.35;
const MAX_MENTIONED: usize = 3;
/// An elision must save at least this many tokens beyond its own marker.
const MIN_SAVING: f64 = 6.0;
/// In a long run of one-line siblings, this many lead it; shorter gaps stay.
const RUN_HEAD: usize = 3;
const MIN_RUN_GAP: usize = 6;

/// The names a question asks about (see `compressors._code_relevance`).
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Dotted names, split: `Session.get` is `["Session", "get"]`.
    pub paths: Vec<Vec<String>>,
    /// Names written like code.
    pub strong: Vec<String>,
    /// Other words, lower-cased.
    pub weak: Vec<String>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.strong.is_empty() && self.weak.is_empty()
    }

    /// Names whose appearance inside a body counts as the body matching the question.
    pub fn mention_terms(&self) -> Vec<String> {
        let mut terms: Vec<String> = self.strong.clone();
        for path in &self.paths {
            terms.extend(path.iter().filter(|p| p.chars().count() >= 3).cloned());
        }
        terms.sort();
        terms.dedup();
        terms
    }

    /// The question's words and the names in it that `defined` does not hold, for the term
    /// splitter: a name that names a definition has found its answer already.
    pub fn words(&self, defined: &dyn Fn(&str) -> bool) -> Vec<&str> {
        let mut words: Vec<&str> = self.strong.iter().map(String::as_str).collect();
        words.extend(self.paths.iter().flatten().map(String::as_str));
        words.retain(|w| !defined(w));
        words.extend(self.weak.iter().map(String::as_str));
        words
    }
}

/// How directly `query` names a definition called `name` inside `qualifiers`.
pub fn score_name(name: &str, qualifiers: &[String], query: &Query) -> f64 {
    if name.is_empty() || query.is_empty() {
        return 0.0;
    }
    let mut best: f64 = 0.0;
    for path in &query.paths {
        let (last, head) = match path.split_last() {
            Some(split) => split,
            None => continue,
        };
        if name == last {
            let qualified = head.last().is_some_and(|q| qualifiers.contains(q));
            best = best.max(if qualified { QUALIFIED } else { PARTIAL });
        } else if head.iter().any(|p| p == name) {
            best = best.max(PARTIAL);
        }
    }
    if query.strong.iter().any(|s| s == name) {
        // A name the question writes only inside a dotted path (`Session` of `Session.get`, or
        // `get` without its `Session`) qualifies what it asks about rather than naming it.
        let in_a_path = query.paths.iter().any(|p| p.contains(&name.to_string()));
        best = best.max(if in_a_path && best < QUALIFIED {
            PARTIAL
        } else {
            EXACT
        });
    } else {
        let folded = name.to_lowercase();
        if query.strong.iter().any(|s| s.to_lowercase() == folded) {
            best = best.max(FOLDED);
        } else if folded.chars().count() >= 4 && query.weak.contains(&folded) {
            best = best.max(WEAK);
        }
    }
    best
}

fn is_name_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Whether `term` occurs in `text` as a whole name.
fn mentions(text: &str, term: &str) -> bool {
    text.match_indices(term).any(|(at, _)| {
        !is_name_char(text[..at].chars().next_back())
            && !is_name_char(text[at + term.len()..].chars().next())
    })
}

/// A set of elisions and whether each is valid by construction.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub elisions: Vec<Elision>,
    /// Which elisions are a definition's own body (the fallback when the rest breaks the syntax).
    pub bodies: Vec<bool>,
    /// Every elision is one of the outline's own ranges, or a definition that stands alone.
    pub proven: bool,
    /// The text kept around the elisions (one more than them) and each elision's line end: the
    /// output, but for the markers.
    pub kept: Vec<String>,
    pub endings: Vec<&'static str>,
}

impl Plan {
    fn new(src: &Source, elisions: Vec<Elision>, bodies: Vec<bool>, proven: bool) -> Plan {
        let mut kept = Vec::with_capacity(elisions.len() + 1);
        let mut endings = Vec::with_capacity(elisions.len());
        let mut at = 0;
        for el in &elisions {
            kept.push(src.text[src.line_start(at)..src.line_start(el.first.max(at))].to_string());
            let line = src.line(el.last);
            endings.push(if line.ends_with("\r\n") {
                "\r\n"
            } else if line.ends_with('\n') {
                "\n"
            } else {
                ""
            });
            at = el.last + 1;
        }
        kept.push(src.text[src.line_start(at)..].to_string());
        Plan {
            elisions,
            bodies,
            proven,
            kept,
            endings,
        }
    }
}

/// An outlined file and the figures the plan weighs ranges by.
pub struct Planner<'a> {
    src: &'a Source<'a>,
    outline: &'a Outline,
    lang: Lang,
    /// Tokens before each line, then the total.
    before: Vec<usize>,
    marker_tokens: f64,
    pub scores: Vec<f64>,
    /// Each function's relevance to the question's plain words (`relevance::term_scores`).
    pub worded: Vec<f64>,
}

impl<'a> Planner<'a> {
    /// `line_tokens` holds each line's token count; `marker_tokens` a marker's (its widest form).
    pub fn new(
        src: &'a Source<'a>,
        outline: &'a Outline,
        lang: Lang,
        line_tokens: &[usize],
        marker_tokens: usize,
    ) -> Self {
        let mut before = Vec::with_capacity(src.len() + 1);
        before.push(0);
        for line in 0..src.len() {
            before.push(before[line] + line_tokens.get(line).copied().unwrap_or(0));
        }
        Planner {
            src,
            outline,
            lang,
            before,
            marker_tokens: marker_tokens as f64,
            scores: vec![0.0; outline.definitions.len()],
            worded: vec![0.0; outline.definitions.len()],
        }
    }

    /// About how many tokens lines `first..=last` hold.
    pub fn tokens_of(&self, first: usize, last: usize) -> f64 {
        if last < first || first >= self.src.len() {
            return 0.0;
        }
        (self.before[last.min(self.src.len() - 1) + 1] - self.before[first]) as f64
    }

    /// Scores every definition: its name against the question, and for a function the question's
    /// names used in its body.
    pub fn score(&mut self, query: &Query) {
        if query.is_empty() {
            return;
        }
        let terms = query.mention_terms();
        let lines: Vec<Vec<usize>> = terms.iter().map(|t| self.mention_lines(t)).collect();
        let defs = &self.outline.definitions;
        let question =
            relevance::question_terms(&query.words(&|w| defs.iter().any(|d| d.name == w)));
        let relevance = relevance::term_scores(self.src, self.outline, &question);
        self.worded.clone_from(&relevance);
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for d in defs {
            *by_name.entry(d.name.to_lowercase()).or_default() += 1;
        }
        for (k, d) in self.outline.definitions.iter().enumerate() {
            let mut score = score_name(&d.name, &d.qualifiers, query);
            // A plain word that is the name of exactly one definition here names it (`fopen` in
            // "what are the parameters of fopen"); short words are too often English.
            let folded = d.name.to_lowercase();
            if d.name.chars().count() >= UNIQUE_NAME_CHARS
                && by_name.get(&folded) == Some(&1)
                && query.weak.contains(&folded)
            {
                score = score.max(EXACT);
            }
            if d.kind == DefKind::Function && score < PARTIAL && !d.wrapper {
                if let (Some((first, last)), false) = (d.body_span, terms.is_empty()) {
                    let named = lines.iter().filter(|l| any_between(l, first, last)).count();
                    score += named.min(3) as f64 * 0.5;
                }
                score += TERMS * relevance[k];
            }
            self.scores[k] = score;
        }
    }

    /// The lines where `term` occurs as a whole name, in order.
    fn mention_lines(&self, term: &str) -> Vec<usize> {
        let text = self.src.text;
        let mut out: Vec<usize> = Vec::new();
        if term.is_empty() {
            return out;
        }
        for (at, _) in text.match_indices(term) {
            let whole = !is_name_char(text[..at].chars().next_back())
                && !is_name_char(text[at + term.len()..].chars().next());
            if whole {
                let line = self.src.line_of(at);
                if out.last() != Some(&line) {
                    out.push(line);
                }
            }
        }
        out
    }

    /// The functions to keep whole, most relevant first, and whether one is named outright: those
    /// the question names (within `NAMED_SHARE` of the file), then those its plain words point at
    /// (within `MENTION_SHARE` more, at most `MAX_MENTIONED`); without a name, the functions with any
    /// score (names used in their bodies too), within `MENTION_SHARE`. The first of each group is
    /// kept whatever its size.
    pub fn whole(&self) -> (Vec<usize>, bool) {
        let defs = &self.outline.definitions;
        let functions: Vec<usize> = (0..defs.len())
            .filter(|&k| defs[k].kind == DefKind::Function && defs[k].body.is_some())
            .collect();
        let at_least = |s: f64| {
            functions
                .iter()
                .copied()
                .filter(|&k| self.scores[k] >= s)
                .collect::<Vec<_>>()
        };
        let mut named = at_least(EXACT);
        if named.is_empty() {
            named = at_least(PARTIAL);
        }
        let total = self.tokens_of(0, self.src.len().saturating_sub(1));
        let mut chosen: Vec<usize> = Vec::new();
        let mut used = 0.0;
        let mut take = |mut pool: Vec<usize>, by: &[f64], budget: f64, limit: usize| {
            pool.sort_by(|&a, &b| by[b].total_cmp(&by[a]).then(a.cmp(&b)));
            let mut taken = 0;
            for k in pool {
                let cost = defs[k].body_span.map_or(0.0, |(a, b)| self.tokens_of(a, b));
                if chosen.contains(&k) || (taken > 0 && (used + cost > budget || taken >= limit)) {
                    continue;
                }
                chosen.push(k);
                used += cost;
                taken += 1;
            }
        };
        if named.is_empty() {
            let pool = functions
                .iter()
                .copied()
                .filter(|&k| self.scores[k] > 0.0)
                .collect();
            take(pool, &self.scores, MENTION_SHARE * total, MAX_MENTIONED);
        } else {
            let n = named.len();
            take(named, &self.scores, NAMED_SHARE * total, n);
            let worded = functions
                .iter()
                .copied()
                .filter(|&k| self.worded[k] > 0.0)
                .collect();
            take(
                worded,
                &self.worded,
                (NAMED_SHARE + MENTION_SHARE) * total,
                MAX_MENTIONED,
            );
        }
        let exact = chosen.iter().any(|&k| self.scores[k] >= EXACT) || !self.named().is_empty();
        (chosen, exact)
    }

    /// The definitions the question names outright (`Wait` in "where is the class Wait defined",
    /// `Session.get`), with the members of the containers among them: the declaration asked about.
    fn named(&self) -> Vec<usize> {
        let defs = &self.outline.definitions;
        let named: Vec<usize> = (0..defs.len())
            .filter(|&k| self.scores[k] >= EXACT)
            .collect();
        (0..defs.len())
            .filter(|&k| {
                named.contains(&k)
                    || named.iter().any(|&c| {
                        defs[c].kind == DefKind::Container
                            && defs[c].first <= defs[k].first
                            && defs[k].last <= defs[c].last
                    })
            })
            .collect()
    }

    fn saving(&self, el: &Elision) -> f64 {
        let glue = (el.before.trim().chars().count()
            + el.after.trim().chars().count()
            + el.closing.chars().count()
            + 3)
            / 3;
        self.tokens_of(el.first, el.last) - self.marker_tokens - glue as f64
    }

    /// The elisions for one level of detail: every body but the `whole` ones, comment tails, long
    /// literals, the middles of long runs. A type defined inside a function body keeps its header
    /// (the body goes around it); with `collapse_types`, the bodies of types that hold no other type
    /// go too.
    pub fn plan(&self, whole: &[usize], collapse_types: bool, mention_terms: &[String]) -> Plan {
        let defs = &self.outline.definitions;
        let kept = |k: usize| whole.contains(&k);
        let mut candidates: Vec<(Elision, bool)> = Vec::new();
        let mut split = false;
        let containers = self.containers();
        // The named definitions each function's body holds as statements of its own, directly or
        // in blocks of statements (with those blocks' opening and closing lines): their signatures
        // are part of the outline, so the body goes around them.
        let mut shown: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
        let mut in_blocks: Vec<usize> = Vec::new();
        for c in defs {
            if let (Some(p), true) = (c.parent, c.standalone && !c.name.is_empty()) {
                let spans = shown.entry(p).or_default();
                spans.push((c.first, c.last));
                spans.extend(c.within.iter().flat_map(|&(o, e)| [(o, o), (e, e)]));
                if !c.within.is_empty() {
                    in_blocks.push(p);
                }
            }
        }
        for (k, d) in defs.iter().enumerate() {
            let Some(body) = &d.body else { continue };
            if d.wrapper || kept(k) {
                continue;
            }
            if d.kind == DefKind::Function {
                // A function kept whole inside this body (a nested helper the question asks about)
                // stays, as a type defined here does: the body goes around it.
                let mut inner = inner_types(&containers, d.body_span);
                if let Some((a, b)) = d.body_span {
                    inner.extend(
                        whole
                            .iter()
                            .map(|&w| (defs[w].first, defs[w].last))
                            .filter(|&(f, l)| a <= f && l <= b && (f, l) != (d.first, d.last)),
                    );
                    inner.sort_unstable();
                    inner.dedup();
                    // The outermost spans only.
                    let mut outer: Vec<(usize, usize)> = Vec::new();
                    for span in inner {
                        if outer.last().is_none_or(|o| span.0 > o.1) {
                            outer.push(span);
                        }
                    }
                    inner = outer;
                }
                let direct = shown.get(&k).map_or(&[][..], Vec::as_slice);
                // A body cut around a type it defines may keep lines of nested blocks apart; one cut
                // around its own statements leaves whole statements out.
                split |= in_blocks.contains(&k) || inner.iter().any(|s| !direct.contains(s));
                inner.extend(direct);
                inner.sort_unstable();
                inner.dedup();
                let mut outer: Vec<(usize, usize)> = Vec::new();
                for span in inner {
                    if outer.last().is_none_or(|o| span.0 > o.1) {
                        outer.push(span);
                    }
                }
                if outer.is_empty() {
                    candidates.push((body.clone(), true));
                } else if self.lang == Lang::Shell {
                    // A shell body cut around what it holds could leave the kept part outside
                    // the `case` or loop it belongs to: the body stays, and the blocks inside it
                    // give way one by one.
                } else {
                    let pieces = split_around(self.src, self.lang, body, &outer);
                    candidates.extend(pieces.into_iter().map(|e| (e, false)));
                }
            } else if collapse_types
                && !holds_types(&containers, d.first, d.last)
                && !whole
                    .iter()
                    .any(|&w| d.first <= defs[w].first && defs[w].last <= d.last)
            {
                candidates.push((body.clone(), true));
            }
        }
        for run in &self.outline.comments {
            if let Some(tail) = &run.tail {
                if run.doc_for.is_none_or(|k| !kept(k)) {
                    candidates.push((tail.clone(), false));
                }
            }
        }
        candidates.extend(self.outline.literals.iter().map(|e| (e.clone(), false)));
        candidates.extend(
            self.run_elisions(mention_terms)
                .into_iter()
                .map(|e| (e, false)),
        );
        let mut kept_spans: Vec<(usize, usize)> =
            whole.iter().filter_map(|&k| defs[k].body_span).collect();
        kept_spans.sort_unstable();
        candidates.sort_by_key(|(e, _)| (e.first, std::cmp::Reverse(e.last)));
        let mut chosen = Vec::new();
        let mut bodies = Vec::new();
        let mut reach: Option<usize> = None;
        for (el, body) in candidates {
            if reach.is_some_and(|r| el.first <= r)
                || kept_spans
                    .iter()
                    .any(|&(a, b)| a <= el.first && el.last <= b)
            {
                continue;
            }
            if self.saving(&el) < MIN_SAVING {
                continue;
            }
            reach = Some(el.last);
            chosen.push(el);
            bodies.push(body);
        }
        Plan::new(self.src, chosen, bodies, !split)
    }

    /// Container spans by first line.
    fn containers(&self) -> Vec<(usize, usize)> {
        let mut spans: Vec<(usize, usize)> = self
            .outline
            .definitions
            .iter()
            .filter(|d| d.kind == DefKind::Container)
            .map(|d| (d.first, d.last))
            .collect();
        spans.sort_unstable();
        spans
    }

    /// The middles of long runs of one-line siblings; the first few, the last and those the
    /// question names stay.
    fn run_elisions(&self, mention_terms: &[String]) -> Vec<Elision> {
        let mut out = Vec::new();
        for run in &self.outline.runs {
            let items = &run.items;
            let Some(&tail) = items.last() else { continue };
            let keep = |i: usize| {
                items[..RUN_HEAD.min(items.len())].contains(&i)
                    || i == tail
                    || mention_terms.iter().any(|t| mentions(self.src.line(i), t))
            };
            let lead = &run.before[self.src.indent(items[0]).len().min(run.before.len())..];
            let mut gap: Vec<usize> = Vec::new();
            for &i in items.iter().chain(std::iter::once(&usize::MAX)) {
                if i != usize::MAX && !keep(i) {
                    gap.push(i);
                    continue;
                }
                if gap.len() >= MIN_RUN_GAP {
                    let before = format!("{}{lead}", self.src.indent(gap[0]));
                    out.push(Elision::new(gap[0], gap[gap.len() - 1], before, &run.after));
                }
                gap.clear();
            }
        }
        out
    }

    /// `elisions` plus whole definitions left out, least relevant and farthest from the `whole` ones
    /// first, until the output would come to about `target` tokens (None when nothing can go). The
    /// plan is proven when `elisions` are and every definition left out stands alone on its lines.
    pub fn drop(
        &self,
        elisions: &[Elision],
        proven: bool,
        target: f64,
        whole: &[usize],
    ) -> Option<Plan> {
        let defs = &self.outline.definitions;
        let n = self.src.len();
        let mut protected = vec![false; defs.len()];
        let named = self.named();
        for &w in whole.iter().chain(&named) {
            protected[w] = true;
            let d = &defs[w];
            // What holds it stays, the functions whose bodies go around it too.
            for (k, c) in defs.iter().enumerate() {
                if c.first <= d.first && d.last <= c.last {
                    protected[k] = true;
                }
            }
        }
        let mut doc_start: HashMap<usize, usize> = HashMap::new();
        for run in &self.outline.comments {
            if let Some(k) = run.doc_for {
                doc_start.insert(k, run.first);
            }
        }
        let anchors: Vec<usize> = if whole.is_empty() && named.is_empty() {
            vec![0]
        } else {
            whole.iter().chain(&named).map(|&k| defs[k].first).collect()
        };
        let distance = |k: usize| {
            anchors
                .iter()
                .map(|&a| a.abs_diff(defs[k].first))
                .min()
                .unwrap_or(0)
        };
        // A definition an elision reaches into from outside (the body of a named function that is
        // not kept whole) is gone already.
        let hidden = |k: usize| {
            let d = &defs[k];
            elisions.iter().any(|e| {
                e.first <= d.last && d.first <= e.last && !(d.first <= e.first && e.last <= d.last)
            })
        };
        let mut units: Vec<usize> = (0..defs.len())
            .filter(|&k| {
                // A one-line declaration (a C prototype) goes too: runs of them merge into one marker.
                let lines = defs[k].last > defs[k].first || defs[k].body_span.is_none();
                // A shell script is checked by a parser that reads a stray `fi` as a command:
                // only what leaves it valid by construction goes (not a `case` arm, where no
                // command may stand).
                let valid = self.lang != Lang::Shell || defs[k].standalone;
                !defs[k].wrapper && lines && valid && !protected[k] && !hidden(k)
            })
            .collect();
        if units.is_empty() {
            return None;
        }
        units.sort_by(|&a, &b| {
            let (sa, sb) = (self.scores[a], self.scores[b]);
            (sa > 0.0)
                .cmp(&(sb > 0.0))
                .then(sa.total_cmp(&sb))
                .then(distance(b).cmp(&distance(a)))
                .then(a.cmp(&b))
        });
        // Each kept line's tokens: elided lines count nothing.
        let mut weights: Vec<usize> = (0..n)
            .map(|i| self.before[i + 1] - self.before[i])
            .collect();
        for el in elisions {
            for w in &mut weights[el.first..=el.last.min(n - 1)] {
                *w = 0;
            }
        }
        let mut kept = Vec::with_capacity(n + 1);
        kept.push(0usize);
        for w in &weights {
            kept.push(kept[kept.len() - 1] + w);
        }
        let tokens = |first: usize, last: usize| {
            if last < first {
                0.0
            } else {
                (kept[last + 1] - kept[first]) as f64
            }
        };
        let marker = self.marker_tokens + 4.0;
        let mut total = tokens(0, n - 1) + marker * elisions.len() as f64;
        // Disjoint spans left out, sorted, each with whether its definition stands alone.
        let mut dropped: Vec<(usize, usize, bool)> = Vec::new();
        for &k in &units {
            if total <= target {
                break;
            }
            let d = &defs[k];
            let at = dropped.partition_point(|&(a, _, _)| a <= d.first);
            if at > 0 && dropped[at - 1].1 >= d.last {
                continue; // inside a definition already gone
            }
            let lo = dropped.partition_point(|&(a, _, _)| a < d.first);
            let mut hi = lo;
            while hi < dropped.len() && dropped[hi].1 <= d.last {
                hi += 1;
            }
            let first = doc_start.get(&k).copied().unwrap_or(d.first).min(d.first);
            let inner: f64 = dropped[lo..hi].iter().map(|&(a, b, _)| tokens(a, b)).sum();
            let doc = if first < d.first {
                tokens(first, d.first - 1)
            } else {
                0.0
            };
            let saved = tokens(d.first, d.last) - inner + doc;
            let inner_count = hi - lo;
            dropped.drain(lo..hi);
            let at = dropped.partition_point(|&(a, b, _)| (a, b) < (first, d.last));
            dropped.insert(at, (first, d.last, d.standalone));
            total -= saved - marker * (1.0 - inner_count as f64);
        }
        if dropped.is_empty() {
            return None;
        }
        let standalone = dropped.iter().all(|&(_, _, alone)| alone);
        let dropped: Vec<(usize, usize)> = dropped.into_iter().map(|(a, b, _)| (a, b)).collect();
        let mut comment_line = vec![false; n];
        for run in &self.outline.comments {
            for c in &mut comment_line[run.first..=run.last.min(n - 1)] {
                *c = true;
            }
        }
        let merged = self.merge(&dropped, &comment_line);
        let covered = |el: &Elision| {
            let at = merged.partition_point(|&(a, _)| a <= el.first);
            at > 0 && el.last <= merged[at - 1].1
        };
        let mut out: Vec<(Elision, bool)> = elisions
            .iter()
            .filter(|e| !covered(e))
            .map(|e| (e.clone(), false))
            .collect();
        for &(a, b) in &merged {
            let indent = self.src.indent(a);
            out.push((self.lang.gap(a, b, indent), false));
        }
        out.sort_by_key(|(e, _)| (e.first, std::cmp::Reverse(e.last)));
        let bodies = vec![false; out.len()];
        let elisions = out.into_iter().map(|(e, _)| e).collect();
        Some(Plan::new(self.src, elisions, bodies, proven && standalone))
    }

    /// Spans joined when only blank lines and comment lines separate them.
    fn merge(&self, spans: &[(usize, usize)], comment_line: &[bool]) -> Vec<(usize, usize)> {
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for &(first, last) in spans {
            if let Some(prev) = merged.last_mut() {
                let filler = first <= prev.1 + 1
                    || (prev.1 + 1..first).all(|i| self.src.is_blank(i) || comment_line[i]);
                if filler {
                    prev.1 = prev.1.max(last);
                    continue;
                }
            }
            merged.push((first, last));
        }
        merged
    }
}

fn any_between(lines: &[usize], first: usize, last: usize) -> bool {
    let at = lines.partition_point(|&l| l < first);
    at < lines.len() && lines[at] <= last
}

/// The line spans of the outermost containers strictly inside a function body.
fn inner_types(
    containers: &[(usize, usize)],
    body_span: Option<(usize, usize)>,
) -> Vec<(usize, usize)> {
    let Some((first, last)) = body_span else {
        return Vec::new();
    };
    let lo = containers.partition_point(|&(a, _)| a <= first);
    let hi = containers.partition_point(|&(a, _)| a < last);
    let mut outer: Vec<(usize, usize)> = Vec::new();
    for &span in &containers[lo..hi.max(lo)] {
        if span.1 < last && outer.last().is_none_or(|o| span.0 > o.1) {
            outer.push(span);
        }
    }
    outer
}

/// `body` cut into the stretches between the `keep` spans. The first keeps the body's glue (a
/// docstring's closing quotes with it); in Python the later ones are `...` statements at the
/// indent of the span before them. A docstring left whole when a span follows it at once is
/// shown as it is.
fn split_around(src: &Source, lang: Lang, body: &Elision, keep: &[(usize, usize)]) -> Vec<Elision> {
    if lang != Lang::Python && !matches!(body.after.trim(), "" | "*/") {
        return vec![body.clone()];
    }
    let mut pieces: Vec<Elision> = Vec::new();
    let mut at = body.first;
    let mut indent = "";
    for &(first, last) in keep
        .iter()
        .chain(std::iter::once(&(body.last + 1, body.last + 1)))
    {
        if first > at {
            let mut piece = Elision::new(
                at,
                (first - 1).min(body.last),
                body.before.clone(),
                &body.after,
            );
            if at == body.first {
                piece.closing.clone_from(&body.closing);
            } else if lang == Lang::Python {
                // Only the first piece may hold the end of a docstring.
                piece.before = format!("{indent}...  # ");
                piece.after = String::new();
            }
            pieces.push(piece);
        }
        indent = src.indent(first.min(src.len().saturating_sub(1)));
        at = at.max(last + 1);
    }
    pieces
}

/// Whether a container spanning `first..=last` holds another.
fn holds_types(containers: &[(usize, usize)], first: usize, last: usize) -> bool {
    let lo = containers.partition_point(|&(a, _)| a < first);
    containers[lo..]
        .iter()
        .take_while(|&&(a, _)| a <= last)
        .filter(|&&(a, b)| (a, b) != (first, last))
        .any(|&(_, b)| b <= last)
}
