//! Logs and build/test output: which lines survive.
//!
//! Every line gets a kind (see `loglines`) and a template (its fields with numbers, ids, addresses,
//! timestamps and paths masked). Lines then earn a priority: final result
//! lines and failing test ids first, then exception lines, errors, lines the
//! query points at, warnings, the context that makes a failure readable,
//! rare templates (in a log whose lines mostly repeat, a template seen once
//! or a few times is news) and one representative of every template. Repeats
//! beyond a per-template allowance, passing tests and progress lines earn
//! nothing. The planner then keeps lines by priority within the budget, and
//! each gap becomes a marker; a footer counts the most repeated templates so
//! "one line shown" never reads as "it happened once".

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::lines::{
    self, line_hash, template_text, Costs, Lines, Piece, PlainLines, Planner, Templates,
};
pub use crate::loglines::{classify, Kind};
use crate::query::{score_mask, Query};

const P_SUMMARY: u32 = 1000;
/// A failure listed in the runner's closing digest.
const P_DIGEST: u32 = 990;
const P_QUERY_STRONG: u32 = 960;
const P_FAIL: u32 = 950;
const P_REASON: u32 = 930;
const P_EXCEPTION: u32 = 900;
const P_ERROR: u32 = 850;
const P_FAIL_LATE: u32 = 820;
const P_QUERY: u32 = 780;
const P_WARN: u32 = 700;
const P_CONTEXT: u32 = 650;
const P_RARE: u32 = 600;
const P_SOFT: u32 = 550;
const P_LISTED: u32 = 520;
const P_SECTION: u32 = 500;
const P_REPRESENTATIVE: u32 = 400;

/// How many lines of one template each kind may keep before repeats are
/// omitted; a template that fills the log is background, whatever its level.
fn template_allowance(kind: Kind, count: usize) -> usize {
    let frequent = count > 30;
    match kind {
        Kind::Summary | Kind::FailId => 500,
        Kind::Exception => 40,
        Kind::Error if frequent => 4,
        Kind::Error => 12,
        Kind::Warn if frequent => 3,
        Kind::Warn => 8,
        Kind::SoftError => 3,
        _ => 3,
    }
}
/// Where errors and warnings past their template's allowance rank: errors
/// just above rare routine lines (a rare template may only be an id the
/// masking missed; an error is an error), warnings just below them.
fn overflow(kind: Kind) -> Option<u32> {
    match kind {
        Kind::Exception | Kind::Error => Some(P_RARE + 10),
        Kind::Warn => Some(P_SOFT - 10),
        _ => None,
    }
}
/// Failing test ids that outrank exceptions; later ones rank below errors.
const FAILURES_FIRST: usize = 30;
/// Added to a severity level's priority for matching the query (in proportion to the match).
const QUERY_BONUS: u32 = 20;
/// Added to a severity level's priority for a rare template (half for a scarce one).
const RARITY_BONUS: u32 = 30;
/// Lines kept for matching the query (the best-scoring ones).
const QUERY_TOP: usize = 30;
/// Matches of one template kept for the query, beyond the best `QUERY_TOP`.
const QUERY_MAX: usize = 150;
/// Of those, how many may outrank failures for naming a precise identifier.
const QUERY_STRONG_TOP: usize = 12;
/// How many default ceilings the final results and the failure digest may take on their own.
const MUST_KEEP_CEILINGS: usize = 3;
/// Templates listed in the footer.
const FOOTER_TEMPLATES: usize = 8;
const FOOTER_TEMPLATE_CHARS: usize = 110;

/// Per-line facts the selection needs.
struct LineInfo {
    kind: Kind,
    template: u64,
    /// Hash of the exact (ANSI-stripped, trimmed) text, for exact repeats.
    exact: u64,
}

fn analyse(lines: &Lines<'_>) -> Vec<LineInfo> {
    let mut templates = Templates::default();
    lines
        .iter()
        .map(|raw| {
            let clean = lines::strip_ansi(raw);
            let kind = classify(&clean);
            LineInfo {
                kind,
                // The key `template_lines` groups by; blank lines (kind Blank) count in no template.
                template: templates.line_key(&clean).unwrap_or(0),
                exact: line_hash(clean.trim().as_bytes()),
            }
        })
        .collect()
}

/// Facts about the whole log that decide how much rarity means.
struct Shape {
    nonblank: usize,
    templates: usize,
}

impl Shape {
    /// Most lines repeat a template: rarity is a signal.
    fn repetitive(&self) -> bool {
        self.nonblank >= 20 && self.templates * 3 <= self.nonblank
    }

    fn rare_count(&self) -> usize {
        (self.nonblank / 400).clamp(1, 5)
    }
}

/// The compressed log as pieces, within `budget` tokens.
pub fn compress(text: &str, query: &Query, budget: usize, mut costs: Costs) -> Vec<Piece> {
    let lines = Lines::new(text);
    let n = lines.len();
    let info = analyse(&lines);
    let mut template_counts: HashMap<u64, usize> = HashMap::default();
    let mut nonblank = 0;
    for li in &info {
        if li.kind != Kind::Blank {
            nonblank += 1;
            *template_counts.entry(li.template).or_default() += 1;
        }
    }
    let shape = Shape {
        nonblank,
        templates: template_counts.len(),
    };
    let claims = prioritise(&lines, &info, &template_counts, &shape, query);

    let footer = footer(&lines, &info, &template_counts);
    let reserved = if footer.is_empty() {
        0
    } else {
        crate::tokens::count(&footer, costs.encoding())
    };
    let mut order: Vec<usize> = (0..n).filter(|&i| claims[i].priority > 0).collect();
    order.sort_by(|&a, &b| {
        let (ca, cb) = (claims[a], claims[b]);
        cb.priority
            .cmp(&ca.priority)
            .then(ca.occurrence.cmp(&cb.occurrence))
            .then(a.cmp(&b))
    });
    let budget = budget + must_keep_extra(&lines, &claims, &mut costs, budget);
    let mut planner = Planner::new(&lines, costs, budget, reserved);
    for &i in &order {
        planner.offer(i);
    }
    planner.fill_cheap_gaps(&[]);
    let keep = planner.keep_flags().to_vec();
    let mut pieces = planner.finish(&PlainLines);
    let footer = footer_for(&lines, &info, &template_counts, &keep);
    if !footer.is_empty() && n > 0 {
        // The footer starts on a line of its own, even after a last line without a newline.
        if let Some(Piece::Text(last)) = pieces.last_mut() {
            if !last.ends_with('\n') {
                last.push('\n');
            }
        }
        pieces.push(Piece::Text(footer));
    }
    pieces
}

/// Under a soft ceiling (no caller budget), the final results and the
/// closing digest of failures are kept whatever else the output holds: they
/// get room of their own, up to [`MUST_KEEP_CEILINGS`] times the ceiling.
fn must_keep_extra(lines: &Lines<'_>, claims: &[Claim], costs: &mut Costs, budget: usize) -> usize {
    if !costs.soft() {
        return 0;
    }
    let mut extra = 0;
    for (i, c) in claims.iter().enumerate() {
        if c.priority >= P_DIGEST {
            extra += costs.line(lines, i);
            if extra >= budget * MUST_KEEP_CEILINGS {
                return budget * MUST_KEEP_CEILINGS;
            }
        }
    }
    extra
}

/// A line's claim to be kept: its priority, then how many lines of its
/// template came before it (so that, within a priority, every template gets
/// its first line in before any gets its second).
#[derive(Clone, Copy, Default)]
struct Claim {
    priority: u32,
    occurrence: u32,
}

fn prioritise(
    lines: &Lines<'_>,
    info: &[LineInfo],
    template_counts: &HashMap<u64, usize>,
    shape: &Shape,
    query: &Query,
) -> Vec<Claim> {
    let n = info.len();
    let mut claims = vec![Claim::default(); n];
    let mut seen_exact: HashMap<u64, usize> = HashMap::default();
    let mut per_template: HashMap<(u64, u8), usize> = HashMap::default();
    let mut occurrences: HashMap<u64, u32> = HashMap::default();
    let repetitive = shape.repetitive();
    let rare = shape.rare_count();
    let mut first_exact = vec![false; n];
    let mut failures = 0usize;
    let mut awaiting_reason = false;
    let relevance = QueryScores::of(lines, query);
    let digest = summary_blocks(lines, info);
    let listed: HashSet<&str> = (0..n)
        .filter(|&i| digest[i] && info[i].kind == Kind::FailId)
        .map(|i| test_name(lines.content(i)))
        .filter(|name| !name.is_empty())
        .collect();

    for i in 0..n {
        let li = &info[i];
        if li.kind == Kind::Blank {
            continue;
        }
        if digest[i] {
            claims[i].priority = P_DIGEST;
            continue;
        }
        first_exact[i] = seen_exact.insert(li.exact, i).is_none();
        let occ = occurrences.entry(li.template).or_default();
        claims[i].occurrence = *occ;
        *occ += 1;
        let count = template_counts[&li.template];
        let base = match li.kind {
            Kind::Summary => P_SUMMARY,
            // A failure the closing digest lists again: its header is a section title.
            Kind::FailId if listed.contains(&test_name(lines.content(i))) => P_LISTED,
            // Past the first few dozen failures, the distinct errors say more than more test ids.
            Kind::FailId if failures >= FAILURES_FIRST => P_FAIL_LATE,
            Kind::FailId => P_FAIL,
            Kind::Exception => P_EXCEPTION,
            Kind::Error => P_ERROR,
            Kind::Warn => P_WARN,
            Kind::TraceStart => P_CONTEXT,
            Kind::SoftError => P_SOFT,
            Kind::Section => P_SECTION,
            _ => 0,
        };
        if li.kind == Kind::FailId {
            failures += 1;
            awaiting_reason = true;
        }
        let mut p = 0;
        // The first exception under a failure's header is why it failed.
        if li.kind == Kind::Exception && awaiting_reason {
            awaiting_reason = false;
            if first_exact[i] {
                p = P_REASON + relevance.bonus(i, QUERY_BONUS);
            }
        }
        if base > 0 && (first_exact[i] || li.kind == Kind::Summary) {
            let slot = per_template
                .entry((li.template, li.kind as u8))
                .or_default();
            if p > 0 {
                // Already placed as a failure's reason.
            } else if *slot < template_allowance(li.kind, count) {
                *slot += 1;
                // Within a level, the rarer the template the bigger the news.
                let rarity = if count <= rare {
                    RARITY_BONUS
                } else if count <= 4 * rare {
                    RARITY_BONUS / 2
                } else {
                    0
                };
                // And among equals, what the question mentions.
                p = base + rarity + relevance.bonus(i, QUERY_BONUS);
            } else if let Some(extra) = overflow(li.kind) {
                // Errors and warnings past their template's allowance still beat
                // routine lines, as long as the budget lasts.
                p = extra;
            }
        }
        if repetitive && li.kind != Kind::Pass && first_exact[i] {
            if count <= rare {
                p = p.max(P_RARE);
            } else if claims[i].occurrence == 0 {
                p = p.max(P_REPRESENTATIVE);
            }
        }
        claims[i].priority = p;
    }

    for (i, p) in query_priorities(info, &relevance, &first_exact) {
        claims[i].priority = claims[i].priority.max(p);
    }
    add_context(info, &mut claims);

    // The first and the last non-blank lines frame the output.
    if let Some(first) = (0..n).find(|&i| info[i].kind != Kind::Blank) {
        claims[first].priority = claims[first].priority.max(P_SECTION);
    }
    if let Some(last) = (0..n).rev().find(|&i| info[i].kind != Kind::Blank) {
        claims[last].priority = claims[last].priority.max(P_SECTION + 1);
    }
    claims
}

/// Lines of a runner's closing digest of its failures (pytest's `short test
/// summary info`, jest's `Summary of all failing tests`): the failing ids and
/// errors between a rule or heading that says "summary" and the next rule or
/// final result. One line per failure, so the whole digest outranks the
/// details above it.
fn summary_blocks(lines: &Lines<'_>, info: &[LineInfo]) -> Vec<bool> {
    let mut digest = vec![false; info.len()];
    let mut inside = false;
    for (i, li) in info.iter().enumerate() {
        match li.kind {
            Kind::Section | Kind::Summary => {
                inside = li.kind == Kind::Section && announces_digest(lines.content(i), false);
            }
            Kind::Plain if !inside => inside = announces_digest(lines.content(i), true),
            Kind::FailId | Kind::Exception | Kind::Error | Kind::Warn => digest[i] = inside,
            _ => {}
        }
    }
    digest
}

/// The name a failing-test line gives its test, as runners print it in
/// both the failure's header and the closing digest: the last identifier
/// before any ` - reason`, leaving out verdict words and parameters
/// (`___ Suite.test_x ___`, `FAILED tests/a.py::Suite::test_x - Error`,
/// `tests/a.py::test_x[3] FAILED [ 40%]` all name `test_x`).
fn test_name(line: &str) -> &str {
    let head = line.split(" - ").next().unwrap_or(line);
    head.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .rev()
        .find(|w| {
            w.len() >= 3
                && !w.bytes().all(|b| b.is_ascii_digit())
                && !matches!(*w, "FAILED" | "FAIL" | "ERROR" | "PASSED" | "XPASS" | "py")
        })
        .unwrap_or("")
}

/// Whether a rule (or, `plain`, a short line starting with the word) announces
/// a summary of failures; a summary of warnings is as long as the warnings.
fn announces_digest(line: &str, plain: bool) -> bool {
    let lower = line.trim().to_ascii_lowercase();
    let named = if plain {
        lower.len() <= 60 && lower.starts_with("summary")
    } else {
        lower.len() <= 120 && lower.contains("summary")
    };
    named && !lower.contains("warning")
}

/// The query's per-line scores, computed once.
struct QueryScores {
    scores: Vec<f32>,
    masks: Vec<u64>,
    precise: u64,
    best: f32,
}

impl QueryScores {
    fn of(lines: &Lines<'_>, query: &Query) -> Self {
        let masks = query.match_lines(lines);
        let weights = query.weights(&masks);
        let precise = query.precise_terms(&masks);
        let scores: Vec<f32> = masks.iter().map(|&m| score_mask(m, &weights)).collect();
        let best = scores.iter().copied().fold(0.0f32, f32::max);
        QueryScores {
            scores,
            masks,
            precise,
            best,
        }
    }

    /// Whether line `i` matches the query well enough to count.
    fn matches(&self, i: usize) -> bool {
        self.best > 0.0 && self.scores[i] >= 0.4 * self.best
    }

    /// Up to `max`, in proportion to how well line `i` matches.
    fn bonus(&self, i: usize, max: u32) -> u32 {
        if self.matches(i) {
            (self.scores[i] / self.best * max as f32) as u32
        } else {
            0
        }
    }
}

/// The lines the query points at, best first: the top few by score, those
/// naming a precise identifier (a phrase on few lines) above everything.
fn query_priorities(info: &[LineInfo], q: &QueryScores, first_exact: &[bool]) -> Vec<(usize, u32)> {
    let mut ranked: Vec<usize> = (0..q.scores.len())
        .filter(|&i| first_exact[i] && q.matches(i))
        .collect();
    ranked.sort_by(|&a, &b| q.scores[b].total_cmp(&q.scores[a]).then(a.cmp(&b)));
    // A template the query matches is kept whole unless it is most of the log;
    // beyond `QUERY_TOP`, a template with more matches than `QUERY_MAX` is too
    // broad to be what the question is about.
    let mut per_template: HashMap<u64, usize> = HashMap::default();
    for &i in &ranked {
        *per_template.entry(info[i].template).or_default() += 1;
    }
    let mut strong = 0;
    ranked
        .into_iter()
        .enumerate()
        .filter(|&(rank, i)| rank < QUERY_TOP || per_template[&info[i].template] <= QUERY_MAX)
        .map(|(_, i)| {
            let tier = if q.masks[i] & q.precise != 0 && strong < QUERY_STRONG_TOP {
                strong += 1;
                P_QUERY_STRONG
            } else {
                P_QUERY
            };
            (i, tier + q.bonus(i, 9))
        })
        .collect()
}

/// Lines that make a kept failure readable: a failing test's title lines up
/// to its first error, the frame next to an error, the line an exception
/// points at.
fn add_context(info: &[LineInfo], claims: &mut [Claim]) {
    let n = info.len();
    for i in 0..n {
        if claims[i].priority < P_EXCEPTION {
            continue;
        }
        match info[i].kind {
            Kind::FailId => {
                // Title continuation up to and including the first error line.
                for j in i + 1..n.min(i + 7) {
                    let k = info[j].kind;
                    if matches!(
                        k,
                        Kind::Blank | Kind::Pass | Kind::FailId | Kind::Summary | Kind::Section
                    ) {
                        break;
                    }
                    claims[j].priority = claims[j].priority.max(P_CONTEXT);
                    if matches!(k, Kind::Exception | Kind::Error) {
                        break;
                    }
                }
            }
            Kind::Exception | Kind::Error => {
                // The frame or source line just before (what raised), and the first frame after.
                if i > 0
                    && matches!(info[i - 1].kind, Kind::Plain | Kind::Frame)
                    && claims[i - 1].priority == 0
                {
                    claims[i - 1].priority = P_CONTEXT - 20;
                }
                if i + 1 < n && info[i + 1].kind == Kind::Frame && claims[i + 1].priority == 0 {
                    claims[i + 1].priority = P_CONTEXT - 10;
                }
            }
            _ => {}
        }
    }
}

/// The footer's upper bound, before the selection is known (for reserving its tokens).
fn footer(lines: &Lines<'_>, info: &[LineInfo], counts: &HashMap<u64, usize>) -> String {
    footer_for(lines, info, counts, &vec![false; info.len()])
}

/// Counts of the most repeated templates that lost lines, with their masked text.
fn footer_for(
    lines: &Lines<'_>,
    info: &[LineInfo],
    counts: &HashMap<u64, usize>,
    keep: &[bool],
) -> String {
    let mut omitted: HashMap<u64, (usize, usize)> = HashMap::default();
    for (i, li) in info.iter().enumerate() {
        if li.kind == Kind::Blank || keep[i] {
            continue;
        }
        let e = omitted.entry(li.template).or_insert((0, i));
        e.0 += 1;
    }
    let mut top: Vec<(u64, usize, usize)> = omitted
        .into_iter()
        .filter(|&(t, (o, first))| o >= 2 && counts[&t] >= 3 && informative_template(lines, first))
        .map(|(t, (o, first))| (t, o, first))
        .collect();
    if top.is_empty() {
        return String::new();
    }
    top.sort_by(|a, b| counts[&b.0].cmp(&counts[&a.0]).then(a.2.cmp(&b.2)));
    top.truncate(FOOTER_TEMPLATES);
    let mut out =
        String::from("--- most repeated line patterns (<*> = varying part): total × pattern ---\n");
    for (t, _, first) in top {
        let clean = lines::strip_ansi(lines.content(first));
        let mut pattern = template_text(clean.trim());
        if pattern.chars().count() > FOOTER_TEMPLATE_CHARS {
            pattern = pattern
                .chars()
                .take(FOOTER_TEMPLATE_CHARS)
                .collect::<String>()
                + "…";
        }
        out.push_str(&format!("{}× {}\n", counts[&t], pattern));
    }
    out
}

/// Whether a template says something (at least two literal words).
fn informative_template(lines: &Lines<'_>, i: usize) -> bool {
    let clean = lines::strip_ansi(lines.content(i));
    template_text(clean.trim())
        .split(' ')
        .filter(|part| part.len() >= 2 && part.bytes().any(|b| b.is_ascii_alphabetic()))
        .count()
        >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::Encoding;

    fn kept(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Omit { count, lines, .. } => format!("[{count} omitted {lines:?}]\n"),
            })
            .collect()
    }

    fn run(text: &str, query: &str, budget: usize) -> String {
        kept(&crate::lines::testing::pieces(
            compress, text, query, budget,
        ))
    }

    #[test]
    fn repeated_lines_collapse_and_the_anomaly_survives() {
        let mut text = String::new();
        for i in 0..500 {
            text.push_str(&format!(
                "2024-01-01 10:00:{:02} INFO worker-{} heartbeat ok seq={}\n",
                i % 60,
                i % 7,
                i
            ));
            if i == 321 {
                text.push_str("2024-01-01 10:05:21 ERROR worker-3 disk /dev/sda1 is full\n");
            }
        }
        let out = run(&text, "", 100_000);
        assert!(out.contains("ERROR worker-3 disk /dev/sda1 is full"));
        assert!(out.len() < text.len() / 10, "{}", out.len());
        assert!(out.contains("500× "), "{out}");
    }

    #[test]
    fn query_matches_outrank_noise() {
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&format!("10:{i:03} INFO served block blk_{i} to client\n"));
        }
        text.push_str("10:999 INFO replication of blk_77 to 10.0.0.9 postponed\n");
        let out = run(
            &text,
            "what happened to the replication of blk_77?",
            100_000,
        );
        assert!(out.contains("replication of blk_77 to 10.0.0.9 postponed"));
    }

    #[test]
    fn distinct_root_causes_survive_hundreds_of_failing_ids() {
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(&format!(
                "______ Suite.test_case_{i} ______\n\n    def test(self):\n>       run()\n"
            ));
            let cause = if i % 100 == 7 {
                format!("E       KeyError: 'field_{i}'")
            } else {
                "E       TypeError: run() got an unexpected keyword argument 'stream'".to_string()
            };
            text.push_str(&format!("{cause}\n\ntests/t.py:3: Error\n"));
        }
        text.push_str("===== 400 failed in 9.10s =====\n");
        let out = run(&text, "", 3000);
        for i in [7, 107, 207, 307] {
            assert!(out.contains(&format!("KeyError: 'field_{i}'")), "{i}");
        }
        assert!(out.contains("unexpected keyword argument 'stream'"));
        assert!(out.contains("400 failed in 9.10s"));
    }

    #[test]
    fn the_closing_digest_of_failures_survives_a_default_ceiling() {
        let mut text = String::from("============ FAILURES ============\n");
        for i in 0..250 {
            text.push_str(&format!(
                "______ Suite{i}.test_case_{i} ______\n\n    def test(self):\n        x = compute({i})\n>       assert x == {i}\nE       AssertionError: mismatch in case {i}\n\ntests/t{i}.py:9: AssertionError\n"
            ));
        }
        text.push_str("========== short test summary info ==========\n");
        for i in 0..250 {
            text.push_str(&format!(
                "FAILED tests/t{i}.py::Suite{i}::test_case_{i} - AssertionError: mismatch in case {i}\n"
            ));
        }
        text.push_str("===== 250 failed in 9.10s =====\n");
        let lines = Lines::new(&text);
        let costs = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
        let out = kept(&compress(&text, &Query::parse(""), 3000, costs));
        for i in 0..250 {
            assert!(
                out.contains(&format!("FAILED tests/t{i}.py::Suite{i}::test_case_{i} -")),
                "{i}"
            );
        }
        assert!(out.contains("250 failed in 9.10s"));
        // The digest names every failure, so the headers above it give way first.
        assert!(out.matches("______ Suite").count() < 50);
    }

    #[test]
    fn output_stays_within_the_budget() {
        let text: String = (0..2000)
            .map(|i| format!("E{i} ERROR distinct failure number {i} in module m{i}\n"))
            .collect();
        let lines = Lines::new(&text);
        let pieces = compress(
            &text,
            &Query::parse(""),
            500,
            Costs::new(lines.len(), Encoding::O200kBase, 25),
        );
        let total: usize = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => crate::tokens::count(t, Encoding::O200kBase),
                Piece::Omit { .. } => 25,
            })
            .sum();
        assert!(total <= 520, "{total}");
    }

    proptest::proptest! {
        #[test]
        fn no_text_or_query_makes_it_panic(text in "(\\PC|\n|\r){0,400}", query in "\\PC{0,40}") {
            let lines = Lines::new(&text);
            let _ = compress(&text, &Query::parse(&query), 300, Costs::new(lines.len(), Encoding::O200kBase, 25));
        }
    }
}
