//! The fallback line compressor, for text no other compressor claims: repeated lines dropped, the
//! lines the query matches, then the head and the tail, within the budget.

use std::collections::HashSet;

use crate::lines::{Costs, Lines, Piece, PlainLines, Planner};
use crate::query::Query;

/// Lines kept from the start and from the end.
const HEAD: usize = 60;
const TAIL: usize = 30;

/// The fallback: repeated lines dropped, then the head and the tail, within the budget.
///
/// Priorities: lines matching the query, then the first lines, then the last;
/// exact repeats of a line already seen are never kept.
pub fn compress(text: &str, query: &Query, budget: usize, costs: Costs) -> Vec<Piece> {
    let lines = Lines::new(text);
    let n = lines.len();
    let mut seen = HashSet::new();
    let mut first_seen = vec![false; n];
    for (i, line) in lines.iter().enumerate() {
        first_seen[i] = seen.insert(line.trim_end());
    }
    let scores = query.score_lines(&lines);
    let mut order: Vec<(u32, usize)> = Vec::with_capacity(n);
    let head = HEAD.min(n);
    let tail = TAIL.min(n - head);
    for i in 0..n {
        let pri = if !first_seen[i] {
            0
        } else if scores[i] > 0.0 {
            900 + (scores[i] * 10.0).min(99.0) as u32
        } else if i < head {
            800
        } else if i >= n - tail {
            700
        } else {
            0
        };
        order.push((pri, i));
    }
    // Higher priority first; among equals, the head reads best front to back.
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut planner = Planner::new(&lines, costs, budget, 0);
    for &(pri, i) in &order {
        if pri == 0 {
            break;
        }
        planner.offer(i);
    }
    planner.finish(&PlainLines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::Encoding;

    fn costs(n: usize) -> Costs {
        Costs::new(n, Encoding::O200kBase, 20)
    }

    #[test]
    fn fallback_drops_repeats_first() {
        let mut text = String::new();
        for i in 0..300 {
            if i % 2 == 0 {
                // Long enough that showing it costs more than a marker.
                text.push_str(&"same line again ".repeat(12));
                text.push('\n');
            }
            text.push_str(&format!("distinct {i}\n"));
        }
        let q = Query::parse("");
        let pieces = compress(&text, &q, 100_000, costs(600));
        let kept: String = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Text(t) => Some(t.as_str()),
                Piece::Omit { .. } => None,
            })
            .collect();
        assert_eq!(kept.matches(&"same line again ".repeat(12)).count(), 1);
        assert!(kept.contains("distinct 299"));
    }

    proptest::proptest! {
        #[test]
        fn no_text_or_query_makes_it_panic(text in "(\\PC|\n|\r){0,400}", query in "\\PC{0,40}") {
            let n = Lines::count(&text);
            let _ = compress(&text, &Query::parse(&query), 300, costs(n));
        }
    }
}
