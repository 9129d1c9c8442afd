//! The JSON / JSON Lines compressor: which records and fields to keep, copied verbatim.
//!
//! Pipeline: a tolerant scan records the span of every value (`parse`); the
//! question becomes terms and their positions in the raw text (`query`); each
//! list of records is analysed for constants, anomalies, query matches and
//! extremes (`records`); the output is written from the input's own bytes
//! with markers where things were left out (`render`). When a token budget is
//! given (or, without one, when the first attempt is still large) the render is
//! repeated at higher levels, each keeping less, until it fits.
//!
//! Tried and dropped: re-serialising kept values through a JSON library. It
//! changes spacing, escapes and number spelling, so the `"key": value` an agent
//! quotes would no longer be found in the original.

mod limits;
mod line_index;
mod lists;
pub mod parse;
pub mod query;
mod records;
mod render;
mod table;
pub mod walk;

pub use limits::MAX_LEVEL;

use crate::tokens::{self, Encoding};

/// One part of the output: text, or an omission the caller writes as a marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Omit {
        count: u64,
        unit: &'static str,
        /// 1-based inclusive line range of the original that holds what was left out.
        lines: (u32, u32),
        /// Byte range `a..b` (end exclusive) of what was left out (a run of items, a record
        /// whose keys went, the tail of a string) when `lines` hold other text too; None when
        /// they hold nothing else but blanks and separators, so the lines are what was left out.
        bytes: Option<(u32, u32)>,
    },
}

#[derive(Clone, Debug)]
pub struct Options<'q> {
    pub query: Option<&'q str>,
    /// Hard ceiling on output tokens.
    pub budget: Option<usize>,
    /// What one marker costs in tokens (the caller formats markers).
    pub marker_tokens: usize,
    pub encoding: Encoding,
    /// Start at this level (a caller whose exact count overshot asks for less).
    pub min_level: u8,
}

/// How the input was handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Records, fields and strings selected from a JSON document or JSON Lines.
    Json,
    /// A list of flat records re-encoded losslessly as a header and rows.
    Table,
    /// Not JSON: the caller should handle it as lines.
    NotJson,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Json => "json",
            Mode::Table => "table",
            Mode::NotJson => "not-json",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub pieces: Vec<Piece>,
    pub mode: Mode,
    pub level: u8,
    /// Estimated output tokens (exact text, markers at `marker_tokens` each).
    pub tokens: usize,
}

/// Without a budget, a first attempt above this share of the input is tried once more at level 1.
const SOFT_SHARE: usize = 5;
const SOFT_MIN_TOKENS: usize = 1500;
/// Without a budget, never go past this level: higher levels drop what the question needs.
const SOFT_MAX_LEVEL: u8 = 1;

/// Tokens of `pieces` with each marker at `marker_tokens`.
pub fn cost(pieces: &[Piece], marker_tokens: usize, enc: Encoding) -> usize {
    let mut text = String::new();
    let mut markers = 0;
    for p in pieces {
        match p {
            Piece::Text(t) => text.push_str(t),
            Piece::Omit { .. } => {
                markers += 1;
                text.push('\n');
            }
        }
    }
    tokens::count(&text, enc) + markers * marker_tokens
}

/// Compresses `text`; see the module docs.
pub fn compress(text: &str, opts: &Options<'_>) -> Plan {
    let doc = parse::parse(text);
    if doc.shape == parse::Shape::NotJson {
        return Plan {
            pieces: Vec::new(),
            mode: Mode::NotJson,
            level: 0,
            tokens: 0,
        };
    }
    let lines = line_index::LineIndex::new(text);
    let query = parse_query(opts.query);
    let hits = records::weigh_hits(text, &doc, query.hits(text), &query);
    // JSON runs about four bytes a token; the soft target needs no more precision than that.
    let (target, max_level) = match opts.budget {
        Some(b) => (b, limits::MAX_LEVEL),
        None => (
            (text.len() / 4 / SOFT_SHARE).max(SOFT_MIN_TOKENS),
            SOFT_MAX_LEVEL,
        ),
    };
    let mut level = opts.min_level.min(limits::MAX_LEVEL);
    loop {
        let limits = limits::Limits::for_level(level);
        let pieces = render::Renderer::new(text, &doc, &lines, &query, &hits, limits).render();
        let mut plan = Plan {
            tokens: cost(&pieces, opts.marker_tokens, opts.encoding),
            pieces,
            mode: Mode::Json,
            level,
        };
        if level == opts.min_level {
            // Counting is the expensive part: only a table that could win by its size is counted.
            let table = table::lossless(text, &doc, table::max_bytes(text.len(), plan.tokens))
                .filter(|t| table::might_be_worth_it(t.len(), text.len(), plan.tokens));
            if let Some(t) = table {
                let table_tokens = tokens::count(&t, opts.encoding);
                let original = tokens::count(text, opts.encoding);
                if table::worth_it(table_tokens, plan.tokens, original, opts.budget) {
                    return Plan {
                        pieces: vec![Piece::Text(t)],
                        mode: Mode::Table,
                        level,
                        tokens: table_tokens,
                    };
                }
            }
        }
        if plan.tokens <= target || level >= max_level.max(opts.min_level) {
            plan.level = level;
            return plan;
        }
        level += 1;
    }
}

fn parse_query(q: Option<&str>) -> query::Query {
    q.map(query::Query::parse).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn opts(query: Option<&str>, budget: Option<usize>) -> Options<'_> {
        Options {
            query,
            budget,
            marker_tokens: 30,
            encoding: Encoding::O200kBase,
            min_level: 0,
        }
    }

    /// The output with markers written the way the Python side writes them.
    pub(crate) fn show(plan: &Plan) -> String {
        plan.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Omit {
                    count,
                    unit,
                    lines: (a, b),
                    bytes,
                } => match bytes {
                    None => format!(
                        "[{count} {unit} omitted: retrieve hash=0123456789abcdef lines={a}-{b}]"
                    ),
                    Some((x, y)) => format!(
                        "[{count} {unit} omitted: retrieve hash=0123456789abcdef bytes={x}-{}]",
                        y - 1
                    ),
                },
            })
            .collect()
    }

    fn runs(n: usize, odd: &[(usize, &str)]) -> String {
        let mut items = Vec::new();
        for i in 0..n {
            let conclusion = odd
                .iter()
                .find(|(k, _)| *k == i)
                .map_or("success", |(_, c)| c);
            items.push(format!(
                "  {{\n    \"id\": {},\n    \"head_branch\": \"branch-{}\",\n    \"status\": \"completed\",\n    \"conclusion\": \"{}\",\n    \"html_url\": \"https://example.test/runs/{}\",\n    \"node_id\": \"MDEwOkNoZWNrU3VpdGUx{}\",\n    \"logs_url\": \"https://api.example.test/runs/{}/logs\"\n  }}",
                1000 + i,
                i % 3,
                conclusion,
                1000 + i,
                i,
                1000 + i
            ));
        }
        format!("[\n{}\n]\n", items.join(",\n"))
    }

    #[test]
    fn failed_records_and_their_identity_are_kept_verbatim() {
        let text = runs(40, &[(7, "failure"), (23, "cancelled")]);
        let plan = compress(&text, &opts(None, None));
        let out = show(&plan);
        assert!(out.len() * 3 < text.len(), "{out}");
        for needle in [
            "\"html_url\": \"https://example.test/runs/1007\"",
            "\"conclusion\": \"failure\"",
            "\"html_url\": \"https://example.test/runs/1023\"",
            "\"conclusion\": \"cancelled\"",
            "\"status\": \"completed\"",
        ] {
            assert!(out.contains(needle), "{needle} missing from\n{out}");
        }
        assert!(out.contains("\"same in all 40 items\""), "{out}");
    }

    #[test]
    fn output_of_valid_json_is_valid_json() {
        let text = runs(40, &[(7, "failure")]);
        let out = show(&compress(
            &text,
            &opts(Some("which run failed on branch-1?"), None),
        ));
        let doc = parse::parse(&out);
        assert!(matches!(doc.shape, parse::Shape::Single(_)), "{out}");
        assert!(!doc.truncated);
    }

    #[test]
    fn omitted_runs_of_pretty_printed_items_name_their_lines() {
        let text = runs(40, &[]);
        let plan = compress(&text, &opts(None, None));
        let line_count = text.lines().count() as u32;
        let mut saw = false;
        for p in &plan.pieces {
            if let Piece::Omit {
                unit: "items",
                lines: (a, b),
                bytes: None,
                count,
            } = p
            {
                saw = true;
                assert!(*a >= 1 && b <= &line_count && a <= b);
                // Each record takes nine lines.
                assert_eq!((*b - *a + 1) as u64, count * 9);
            }
        }
        assert!(saw);
    }

    #[test]
    fn a_budget_is_met() {
        let text = runs(200, &[(7, "failure"), (50, "failure"), (120, "timed_out")]);
        for budget in [60, 150, 400, 1000] {
            let plan = compress(&text, &opts(Some("failed runs"), Some(budget)));
            assert!(
                plan.tokens <= budget || plan.level == limits::MAX_LEVEL,
                "{budget}: {}",
                plan.tokens
            );
        }
    }

    #[test]
    fn not_json_says_so() {
        assert_eq!(
            compress("just some words\n", &opts(None, None)).mode,
            Mode::NotJson
        );
    }

    #[test]
    fn deeply_nested_input_is_cut_with_a_marker() {
        let depth = 10_000;
        let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let out = show(&compress(&text, &opts(None, None)));
        assert!(out.contains("items omitted"));
        assert!(out.len() < 1000);
    }

    #[test]
    fn long_strings_keep_their_start() {
        let body = "word ".repeat(400);
        let text = format!("{{\"title\": \"x\", \"body\": \"{body}\"}}");
        let out = show(&compress(&text, &opts(None, None)));
        assert!(out.contains(&body[..600]), "{out}");
        assert!(out.contains("chars omitted"));
    }

    #[test]
    fn a_map_of_versions_keeps_its_head_tail_and_the_key_asked_about() {
        let entries: Vec<String> = (0..200)
            .map(|i| format!("\"{}.{}.0\": \"2020-01-{:02}\"", i / 10, i % 10, 1 + i % 28))
            .collect();
        let text = format!("{{\"time\": {{{}}}}}", entries.join(", "));
        let out = show(&compress(
            &text,
            &opts(Some("when was 13.7.0 published?"), None),
        ));
        assert!(out.contains("\"0.0.0\": \"2020-01-01\""), "{out}");
        assert!(out.contains("\"13.7.0\""), "{out}");
        assert!(out.contains("\"19.9.0\""), "{out}");
        assert!(out.contains("keys omitted"), "{out}");
        assert!(matches!(parse::parse(&out).shape, parse::Shape::Single(_)));
    }

    #[test]
    fn a_map_of_paths_keeps_the_key_asked_about_though_every_key_shares_its_other_words() {
        // A manifest of checksums keyed by path: every path holds `voice` and `lib`, one holds
        // `libopus`. The words every key holds single none out, so they spend none of the places
        // kept for what the question names.
        let entries: Vec<String> = (0..60)
            .map(|i| format!("\"res/voice/lib/libmod{i}.so\": \"{:064x}\"", i * 7919))
            .chain(["\"res/voice/lib/libopus.so.0\": \"abc123\"".to_string()])
            .chain((60..80).map(|i| format!("\"res/voice/lib/libmod{i}.so\": \"{i:064x}\"")))
            .collect();
        let text = format!("{{\"sha256\": {{\n{}\n}}}}", entries.join(",\n"));
        let query = "what is “res/voice/lib/libopus.so.0” set to under sha256?";
        let out = show(&compress(&text, &opts(Some(query), None)));
        assert!(
            out.contains("\"res/voice/lib/libopus.so.0\": \"abc123\""),
            "{out}"
        );
        assert!(out.contains("keys omitted"), "{out}");
    }

    #[test]
    fn an_item_the_question_names_by_position_is_kept() {
        let items: Vec<String> = (0..40)
            .map(|i| format!("  {{\"size\": {}, \"sha\": \"{:040x}\"}}", 100 + i, i * 31))
            .collect();
        let text = format!("[\n{}\n]\n", items.join(",\n"));
        let out = show(&compress(
            &text,
            &opts(Some("what is sha set to under item 16?"), None),
        ));
        assert!(
            out.contains(&format!("\"sha\": \"{:040x}\"", 16 * 31)),
            "{out}"
        );
        assert!(out.contains("items omitted"), "{out}");
    }

    #[test]
    fn json_lines_keep_bad_lines_and_mark_runs_by_line() {
        let mut lines: Vec<String> = (0..50)
            .map(|i| {
                format!("{{\"n\": {i}, \"level\": \"info\", \"msg\": \"request {i} served fine\"}}")
            })
            .collect();
        lines[25] = "{\"n\": 25, \"level\": \"info\", oops".to_string();
        let text = lines.join("\n") + "\n";
        let plan = compress(&text, &opts(None, None));
        let out = show(&plan);
        assert!(out.contains(&lines[25]), "{out}");
        assert!(plan.pieces.iter().any(|p| matches!(
            p,
            Piece::Omit {
                unit: "items",
                bytes: None,
                ..
            }
        )));
    }

    #[test]
    fn a_long_compact_list_is_written_one_record_per_line() {
        let items: Vec<String> = (0..100)
            .map(|i| {
                format!(
                    "{{\"id\":{i},\"state\":\"{}\"}}",
                    if i == 40 { "failed" } else { "ok" }
                )
            })
            .collect();
        let text = format!("[{}]", items.join(","));
        let out = show(&compress(&text, &opts(None, None)));
        assert!(
            out.contains("\n{\"id\":40,\"state\":\"failed\"},\n"),
            "{out}"
        );
    }

    #[test]
    fn deterministic() {
        let text = runs(60, &[(3, "failure"), (33, "skipped")]);
        let a = compress(&text, &opts(Some("skipped"), Some(500)));
        let b = compress(&text, &opts(Some("skipped"), Some(500)));
        assert_eq!(a.pieces, b.pieces);
    }
}
