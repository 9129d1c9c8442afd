//! A lossless re-encoding for lists of flat records: the keys once, then one row per record.
//!
//! `[{"name": "a", "version": "1"}, ...]` becomes
//! `{"...": "3 records as rows", "columns": ["name", "version"], "rows": [["a", "1"], ...]}`,
//! every value copied verbatim. It is used only when it beats selecting
//! records (nothing to retrieve afterwards) at a similar size, and it always
//! has to save a good share of the original on its own.

use super::parse::{Doc, Kind, Shape};

/// Fewer records than this are not worth a header.
const MIN_ROWS: usize = 4;
/// The table must be at most this share of the original.
const MAX_SHARE: f64 = 0.8;
/// And at most this much bigger than the lossy selection (it saves a retrieval).
const OVER_LOSSY: f64 = 1.25;
const OVER_LOSSY_TOKENS: usize = 40;

/// The table text, when every record is an object of scalars with the same keys in the same order
/// and the table comes to at most `max_bytes` (it is written straight into its one string, and
/// given up as soon as it grows past that).
pub fn lossless(text: &str, doc: &Doc<'_>, max_bytes: usize) -> Option<String> {
    let items = match &doc.shape {
        Shape::Single(root) if doc.node(*root).kind == Kind::Array && doc.node(*root).closed => {
            doc.children(*root)
        }
        Shape::Sequence(roots) => roots.clone(),
        _ => return None,
    };
    if items.len() < MIN_ROWS || doc.truncated {
        return None;
    }
    let slice = |a: u32, b: u32| &text[a as usize..b as usize];
    let columns: Vec<&str> = {
        let first = items[0];
        if doc.node(first).kind != Kind::Object {
            return None;
        }
        doc.children(first)
            .iter()
            .map(|&m| slice(doc.node(m).key_start, doc.node(m).key_end))
            .collect()
    };
    if columns.is_empty() {
        return None;
    }
    let mut out = format!(
        "{{\"...\": \"{} records as rows\", \"columns\": [{}], \"rows\": [\n",
        items.len(),
        columns.join(", ")
    );
    for (k, &it) in items.iter().enumerate() {
        let n = doc.node(it);
        if n.kind != Kind::Object || !n.closed {
            return None;
        }
        if k > 0 {
            out.push_str(",\n");
        }
        out.push('[');
        let mut members = doc.children_iter(&n);
        for (j, col) in columns.iter().enumerate() {
            let m = members.next()?;
            let mn = doc.node(m);
            if mn.kind.is_container() || !mn.closed || slice(mn.key_start, mn.key_end) != *col {
                return None;
            }
            if j > 0 {
                out.push_str(", ");
            }
            out.push_str(slice(mn.start, mn.end));
        }
        if members.next().is_some() {
            return None;
        }
        out.push(']');
        if out.len() > max_bytes {
            return None;
        }
    }
    out.push_str("\n]}\n");
    (out.len() <= max_bytes).then_some(out)
}

/// The most bytes a table may take and still pass `might_be_worth_it`.
pub fn max_bytes(original_bytes: usize, lossy: usize) -> usize {
    (original_bytes * 9 / 10)
        .min(2 * (((lossy as f64) * OVER_LOSSY) as usize + OVER_LOSSY_TOKENS) + 1)
}

/// A cheap first look from byte lengths (JSON tables run at least two bytes a token): whether
/// the table could be close enough to the selection's `lossy` tokens to be counted at all.
pub fn might_be_worth_it(table_bytes: usize, original_bytes: usize, lossy: usize) -> bool {
    table_bytes * 10 <= original_bytes * 9
        && table_bytes / 2 <= ((lossy as f64) * OVER_LOSSY) as usize + OVER_LOSSY_TOKENS
}

/// Whether the table should replace a selection costing `lossy` tokens, given the original's size.
pub fn worth_it(table: usize, lossy: usize, original: usize, budget: Option<usize>) -> bool {
    if budget.is_some_and(|b| table > b) {
        return false;
    }
    (table as f64) <= MAX_SHARE * original as f64
        && (table as f64) <= (lossy as f64) * OVER_LOSSY + OVER_LOSSY_TOKENS as f64
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    #[test]
    fn flat_records_become_rows_with_values_verbatim() {
        let text = r#"[{"name": "a", "v": "1.0"}, {"name": "b\"q", "v": 2}, {"name": "c", "v": null}, {"name": "d", "v": true}]"#;
        let table = lossless(text, &parse(text), usize::MAX).expect("a table");
        assert!(table.contains(r#""columns": ["name", "v"]"#));
        assert!(table.contains(r#"["b\"q", 2]"#));
        assert!(table.contains(r#"["c", null]"#));
        let parsed = parse(&table);
        assert!(matches!(parsed.shape, Shape::Single(_)));
    }

    #[test]
    fn a_table_past_its_size_limit_is_given_up() {
        let text = r#"[{"name": "a", "v": 1}, {"name": "b", "v": 2}, {"name": "c", "v": 3}, {"name": "d", "v": 4}]"#;
        let doc = parse(text);
        let table = lossless(text, &doc, usize::MAX).expect("a table");
        assert_eq!(lossless(text, &doc, table.len()), Some(table.clone()));
        assert_eq!(lossless(text, &doc, table.len() - 1), None);
        assert_eq!(lossless(text, &doc, 10), None);
    }

    #[test]
    fn the_size_limit_is_what_might_be_worth_it_accepts() {
        for (original, lossy) in [(1000, 100), (1000, 10_000), (57, 3)] {
            let limit = max_bytes(original, lossy);
            assert!(might_be_worth_it(limit, original, lossy));
            assert!(!might_be_worth_it(limit + 1, original, lossy));
        }
    }

    #[test]
    fn nested_or_ragged_records_get_no_table() {
        let nested = r#"[{"a": {"b": 1}}, {"a": {"b": 2}}, {"a": {"b": 3}}, {"a": {"b": 4}}]"#;
        assert!(lossless(nested, &parse(nested), usize::MAX).is_none());
        let ragged = r#"[{"a": 1}, {"a": 2}, {"a": 3, "b": 4}, {"a": 5}]"#;
        assert!(lossless(ragged, &parse(ragged), usize::MAX).is_none());
        let short = r#"[{"a": 1}, {"a": 2}]"#;
        assert!(lossless(short, &parse(short), usize::MAX).is_none());
    }

    #[test]
    fn table_must_save_on_its_own_and_fit_the_budget() {
        assert!(worth_it(70, 60, 100, None));
        assert!(!worth_it(90, 100, 100, None));
        assert!(!worth_it(70, 20, 100, None));
        assert!(!worth_it(70, 60, 100, Some(50)));
    }
}
