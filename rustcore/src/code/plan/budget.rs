//! A plan for a token budget that keeps the file's structure: the outline first (every class and
//! function signature with its decorators, imports and the rest summarized when they must go), then
//! bodies by relevance until the budget is spent. Only when the signatures alone exceed the budget
//! do they go, a group at a time (a class's members under one marker, then top-level definitions),
//! so a budget never leaves only the imports.
//!
//! Sizes are the planner's estimates (each line's tokens, a marker's); the caller measures the
//! output and asks again with a smaller budget when the estimate fell short.

use std::collections::HashMap;

use super::{DefKind, Elision, Lang, Plan, Planner};

/// A definition's signature lines: those the outline keeps at any budget (the spine).
struct Spine {
    line: Vec<bool>,
}

/// The elisions of a plan as a cover of the lines, merged and extended as the budget presses.
struct Cover<'p, 'a> {
    planner: &'p Planner<'a>,
    /// Disjoint elisions, by first line.
    elisions: Vec<Elision>,
    /// The estimated output: tokens of the lines shown plus a marker per elision.
    cost: f64,
    marker: f64,
}

impl<'p, 'a> Cover<'p, 'a> {
    fn new(planner: &'p Planner<'a>, elisions: Vec<Elision>) -> Self {
        let marker = planner.marker_tokens + 4.0;
        let n = planner.src.len();
        let hidden: f64 = elisions
            .iter()
            .map(|e| planner.tokens_of(e.first, e.last))
            .sum();
        let cost =
            planner.tokens_of(0, n.saturating_sub(1)) - hidden + marker * elisions.len() as f64;
        Cover {
            planner,
            elisions,
            cost,
            marker,
        }
    }

    /// What hiding `first..=last` (with the elisions it touches, and those next to it across blank
    /// lines only) would save, and the span it would take.
    fn probe(&self, first: usize, last: usize) -> (f64, usize, usize, usize, usize) {
        let src = self.planner.src;
        let mut first = first;
        let mut last = last;
        // Elisions touching or adjacent (across blank lines) to the span join it.
        let mut lo = self.elisions.partition_point(|e| e.last < first);
        while lo > 0 {
            let prev = &self.elisions[lo - 1];
            if (prev.last + 1..first).all(|i| src.is_blank(i)) {
                lo -= 1;
            } else {
                break;
            }
        }
        let mut hi = lo;
        loop {
            if hi < self.elisions.len() {
                let e = &self.elisions[hi];
                if e.first <= last + 1 || (last + 1..e.first).all(|i| src.is_blank(i)) {
                    hi += 1;
                    continue;
                }
            }
            break;
        }
        if lo < hi {
            first = first.min(self.elisions[lo].first);
            last = last.max(self.elisions[hi - 1].last);
        }
        let hidden_before: f64 = self.elisions[lo..hi]
            .iter()
            .map(|e| self.planner.tokens_of(e.first, e.last))
            .sum();
        let shown = self.planner.tokens_of(first, last) - hidden_before;
        let saving = shown + self.marker * (hi - lo) as f64 - self.marker;
        (saving, first, last, lo, hi)
    }

    /// Hides `first..=last` under one marker (merged with the elisions it touches), unless that
    /// would cut a shell block (see [`Planner::shell_gap`]).
    fn hide(&mut self, first: usize, last: usize) -> f64 {
        let (saving, first, last, lo, hi) = self.probe(first, last);
        let glue = if self.planner.lang == Lang::Shell {
            match self.planner.shell_gap(first, last) {
                Some(glue) => glue,
                None => return 0.0,
            }
        } else {
            self.planner.gap(first, last)
        };
        self.elisions.splice(lo..hi, std::iter::once(glue));
        self.cost -= saving;
        saving
    }
}

impl<'a> Planner<'a> {
    /// The glue for lines `first..=last` left out as a gap in the outline.
    fn gap(&self, first: usize, last: usize) -> Elision {
        self.lang.gap(first, last, self.src.indent(first))
    }

    /// The glue for lines `first..=last` of a shell script left out, or None where that would cut
    /// a block: the span must hold each definition whole, lie inside its body, or miss it (a
    /// parser that reads a stray `fi` as a command cannot check it). Between a `case`'s arms a
    /// comment stands in, elsewhere the `:` command.
    fn shell_gap(&self, first: usize, last: usize) -> Option<Elision> {
        let mut in_case = false;
        let mut depth = (0, usize::MAX);
        for d in &self.outline.definitions {
            if d.last < first || last < d.first || (first <= d.first && d.last <= last) {
                continue;
            }
            let (open, close) = d.body_span?;
            if !(open < first && last < close) {
                return None;
            }
            // The innermost block holding the span says what may stand there.
            if close - open < depth.1 - depth.0 {
                depth = (open, close);
                in_case = d.kind == DefKind::Container
                    || d.body.as_ref().is_some_and(|b| b.before.trim() == "#");
            }
        }
        let indent = self.src.indent(first);
        Some(if in_case {
            Elision::new(first, last, format!("{indent}# "), "")
        } else {
            self.gap(first, last)
        })
    }

    /// The signature lines of every definition the outline shows: decorators and the header up to
    /// the body (Python: up to its suite; brace languages: through the opening brace, and the
    /// closing line).
    fn spine(&self, hidden: &[bool]) -> Spine {
        let n = self.src.len();
        let mut line = vec![false; n];
        for d in &self.outline.definitions {
            let mut mark = |a: usize, b: usize| {
                for l in &mut line[a.min(n)..(b + 1).min(n)] {
                    *l = true;
                }
            };
            match d.body_span {
                Some((open, close)) if self.lang == Lang::Python => {
                    mark(d.first, open.saturating_sub(1).max(d.first));
                    let _ = close;
                }
                Some((open, close)) => {
                    mark(d.first, open.max(d.first));
                    mark(close.max(d.first), d.last);
                }
                None => mark(d.first, d.last),
            }
        }
        for (l, &h) in line.iter_mut().zip(hidden) {
            *l &= !h;
        }
        Spine { line }
    }

    /// How often each definition's name is used in the file beyond its own definition: what a
    /// body's place in the file is worth without a question.
    fn centrality(&self) -> Vec<usize> {
        let mut uses: HashMap<&str, usize> = HashMap::new();
        let text = self.src.text;
        let mut start = None;
        for (at, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            let part = c.is_alphanumeric() || c == '_';
            match (part, start) {
                (true, None) => start = Some(at),
                (false, Some(s)) => {
                    *uses.entry(&text[s..at]).or_default() += 1;
                    start = None;
                }
                _ => {}
            }
        }
        self.outline
            .definitions
            .iter()
            .map(|d| {
                uses.get(d.name.as_str())
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(1)
            })
            .collect()
    }

    /// The plan for about `budget` tokens: the outline, then whole bodies (`first` in its order,
    /// then by score, by use elsewhere in the file, smallest first) while they fit; when the
    /// outline is over the budget, the lines between signatures go (largest stretch first), then
    /// each class's members under one marker (largest first), then top-level definitions (least
    /// relevant, then last, first).
    pub fn fit(&self, budget: f64, first: &[usize], mention_terms: &[String]) -> Plan {
        let defs = &self.outline.definitions;
        let skeleton = self.plan(&[], false, mention_terms);
        let cover = Cover::new(self, skeleton.elisions.clone());
        if cover.cost <= budget {
            let central = self.centrality();
            let mut order: Vec<(usize, f64)> = skeleton
                .elisions
                .iter()
                .zip(&skeleton.bodies)
                .filter(|&(_, &body)| body)
                .filter_map(|(e, _)| {
                    let k = (0..defs.len()).find(|&k| {
                        defs[k].kind == DefKind::Function
                            && defs[k].body.as_ref().is_some_and(|b| b.first == e.first)
                    })?;
                    Some((k, self.tokens_of(e.first, e.last) - cover.marker))
                })
                .collect();
            order.sort_by(|&(a, ca), &(b, cb)| {
                let rank = |k: usize| first.iter().position(|&f| f == k).unwrap_or(usize::MAX);
                rank(a)
                    .cmp(&rank(b))
                    .then(self.scores[b].total_cmp(&self.scores[a]))
                    .then(central[b].cmp(&central[a]))
                    .then(ca.total_cmp(&cb))
                    .then(a.cmp(&b))
            });
            let mut cost = cover.cost;
            let mut whole = Vec::new();
            for (k, extra) in order {
                if cost + extra <= budget {
                    cost += extra;
                    whole.push(k);
                }
            }
            return self.plan(&whole, false, mention_terms);
        }
        let n = self.src.len();
        let mut cover = cover;
        let mut hidden = vec![false; n];
        for e in &cover.elisions {
            for h in &mut hidden[e.first..=e.last.min(n - 1)] {
                *h = true;
            }
        }
        let spine = self.spine(&hidden);
        // 1. The stretches between signatures, largest saving first.
        let mut stretches: Vec<(usize, usize)> = Vec::new();
        let mut at = 0;
        while at < n {
            if spine.line[at] {
                at += 1;
                continue;
            }
            let start = at;
            while at < n && !spine.line[at] {
                at += 1;
            }
            stretches.push((start, at - 1));
        }
        let mut by_saving: Vec<(f64, usize, usize)> = stretches
            .iter()
            .map(|&(a, b)| (cover.probe(a, b).0, a, b))
            .filter(|&(s, _, _)| s >= super::MIN_SAVING)
            .collect();
        by_saving.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        for (_, a, b) in by_saving {
            if cover.cost <= budget {
                break;
            }
            if cover.probe(a, b).0 >= super::MIN_SAVING {
                cover.hide(a, b);
            }
        }
        // 2. Each container's members under one marker, the largest first.
        if cover.cost > budget {
            let mut inner: Vec<(f64, usize, usize)> = defs
                .iter()
                .filter(|d| d.kind == DefKind::Container && !d.wrapper)
                .filter_map(|d| {
                    let (a, b) = self.interior(d.first, d.last, d.body_span)?;
                    Some((self.tokens_of(a, b), a, b))
                })
                .collect();
            inner.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            for (_, a, b) in inner {
                if cover.cost <= budget {
                    break;
                }
                if cover.probe(a, b).0 >= super::MIN_SAVING {
                    cover.hide(a, b);
                }
            }
        }
        // 3. Top-level definitions, least relevant and last first.
        if cover.cost > budget {
            let inside = |k: usize| {
                let d = &defs[k];
                defs.iter().any(|c| {
                    c.first <= d.first && d.last <= c.last && (c.first, c.last) != (d.first, d.last)
                })
            };
            let mut top: Vec<usize> = (0..defs.len()).filter(|&k| !inside(k)).collect();
            top.sort_by(|&a, &b| self.scores[a].total_cmp(&self.scores[b]).then(b.cmp(&a)));
            for k in top {
                if cover.cost <= budget {
                    break;
                }
                cover.hide(defs[k].first, defs[k].last);
            }
        }
        let bodies = vec![false; cover.elisions.len()];
        Plan::new(self.src, cover.elisions, bodies, false)
    }

    /// The lines inside a container below its header (and above its closing line), when there are
    /// any.
    fn interior(
        &self,
        first: usize,
        last: usize,
        body_span: Option<(usize, usize)>,
    ) -> Option<(usize, usize)> {
        let (open, close) = body_span?;
        let (a, b) = if self.lang == Lang::Python {
            (open.max(first + 1), last)
        } else {
            (open + 1, close.checked_sub(1)?)
        };
        (a <= b).then_some((a, b))
    }
}
