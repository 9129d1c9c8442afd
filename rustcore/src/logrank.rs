//! Which lines of a log or a test/build run matter most: a priority per line.
//!
//! Final results and the runner's closing digest of failures first, then
//! failing test ids and why each failed, exceptions, errors, the lines the
//! query points at, warnings, the context that makes a failure readable, the
//! end of the output, rare groups of lines and broken patterns (a variant
//! seen once in a group of thousands), then one line of every group. Repeats
//! beyond a per-group allowance, passing tests and progress lines earn nothing.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::line_groups::{Grouping, NONE};
use crate::lines::Lines;
use crate::loglines::{self, is_count_line, Kind};
use crate::logs::{LineInfo, Shape};
use crate::query::{score_mask, Query};
use crate::toollines::{self, Shape as ToolShape};

pub(crate) const P_SUMMARY: u32 = 1000;
/// A failure listed in the runner's closing digest.
pub(crate) const P_DIGEST: u32 = 990;
const P_QUERY_STRONG: u32 = 960;
const P_FAIL: u32 = 950;
/// The first exception under a failure's header: why it failed.
const P_REASON: u32 = 930;
const P_EXCEPTION: u32 = 900;
const P_ERROR: u32 = 850;
const P_FAIL_LATE: u32 = 820;
const P_QUERY: u32 = 780;
/// Lines at or above this (query matches, errors, exceptions, failures) are what an
/// output is about, with the first warning of each group: a soft budget makes room
/// for them (`logs::must_keep_extra`).
pub(crate) const P_INTRINSIC: u32 = P_QUERY;

/// Errors of one group that count as what the output is about; later ones are told by the
/// group's template marker unless the question names them.
const INTRINSIC_PER_GROUP: u32 = 3;
/// Without a query, the findings of one kind (a compiler's or linter's warnings of one group)
/// that count as what the output is about; later ones are told by the group's template marker.
const FINDINGS_PER_KIND: u32 = 2;

impl Claim {
    /// Whether the line (of `kind`) is what the output is about (see [`P_INTRINSIC`]).
    pub(crate) fn intrinsic(&self, kind: Kind) -> bool {
        if self.priority >= P_INTRINSIC {
            return kind != Kind::Error
                || self.occurrence < INTRINSIC_PER_GROUP
                || self.priority >= P_QUERY_STRONG;
        }
        self.priority >= P_WARN && self.occurrence == 0
    }
}

/// Which lines are what the output is about ([`Claim::intrinsic`]), with the location that
/// goes with each such headline. Without a query nothing says which finding of a compiler or
/// linter matters: the first [`FINDINGS_PER_KIND`] of each kind (a warning with its location,
/// kinds being groups) are all intrinsic, each one a thing to fix.
pub(crate) fn intrinsic_lines(
    lines: &Lines<'_>,
    info: &[LineInfo],
    claims: &[Claim],
    query: &Query,
) -> Vec<bool> {
    let findings = if query.is_empty() {
        FINDINGS_PER_KIND
    } else {
        1
    };
    let mut out: Vec<bool> = claims
        .iter()
        .zip(info)
        .enumerate()
        .map(|(i, (c, li))| {
            c.intrinsic(li.kind)
                || li.kind == Kind::Warn
                    && c.priority >= P_WARN
                    && c.occurrence < findings
                    && (c.with_next || is_finding(lines.content(i)))
        })
        .collect();
    for i in 0..out.len().saturating_sub(1) {
        if out[i] && claims[i].with_next {
            out[i + 1] = true;
        }
    }
    out
}
const P_WARN: u32 = 700;
const P_CONTEXT: u32 = 650;
/// The last lines of the output (the newest entries, a build's last words).
const P_TAIL: u32 = 630;
/// The very last lines: a command's closing words (`Successfully installed ...`, `added 12
/// packages`) outrank all but the problems it reports.
const P_CLOSING: u32 = 800;
/// How many of the last non-blank lines (of different variants) are closing words.
const CLOSING_LINES: usize = 2;
const P_RARE: u32 = 600;
/// Errors past their group's allowance: below anything rare, above routine lines.
const P_MORE_ERRORS: u32 = 580;
const P_SOFT: u32 = 550;
const P_NOTICE: u32 = 545;
const P_MORE_WARNINGS: u32 = 540;
/// A failure header whose test the closing digest lists again.
const P_LISTED: u32 = 520;
const P_SECTION: u32 = 500;
const P_REPRESENTATIVE: u32 = 400;
/// The first line of each variant of a group with only a few.
const P_VARIANT: u32 = 390;
/// The last line of each repeated group (when it last happened).
const P_LAST: u32 = 380;

/// Failing test ids that outrank exceptions; later ones rank below errors.
const FAILURES_FIRST: usize = 30;
/// Added to a severity level's priority for matching the query (in proportion to the match).
const QUERY_BONUS: u32 = 20;
/// Added to a severity level's priority for a rare group (half for a scarce one).
const RARITY_BONUS: u32 = 30;
/// Lines kept for matching the query (the best-scoring ones).
const QUERY_TOP: usize = 30;
/// Matches of one group kept for the query, beyond the best `QUERY_TOP`.
const QUERY_MAX: usize = 150;
/// Of those, how many may outrank failures for naming a precise identifier.
const QUERY_STRONG_TOP: usize = 12;
/// Non-blank lines at the end of the output that rank as its tail.
const TAIL_LINES: usize = 12;
/// A group with at most this many variants shows the first line of each.
const FEW_VARIANTS: u32 = 4;
/// Lines after a diagnostic's headline that may belong to it (location, excerpt, notes).
const DIAGNOSTIC_BODY: usize = 4;

/// A group that repeats so often it is background, whatever its level.
fn frequent(count: u32) -> bool {
    count > 30
}

/// How many lines of one group each kind may keep before repeats are omitted.
fn allowance(kind: Kind, count: u32) -> u32 {
    let frequent = frequent(count);
    match kind {
        Kind::Summary | Kind::FailId => 500,
        Kind::Exception => 40,
        Kind::Error if frequent => 4,
        Kind::Error => 12,
        Kind::Warn if frequent => 3,
        Kind::Warn => 8,
        _ => 3,
    }
}

/// A line's claim to be kept: its priority, then how many lines of its group
/// came before it (so that, within a priority, every group gets its first
/// line in before any gets its second).
#[derive(Clone, Copy, Default)]
pub(crate) struct Claim {
    pub priority: u32,
    pub occurrence: u32,
    /// A diagnostic's headline whose next line is its location: the two are kept together or
    /// not at all (a headline without where it happened, or a location without what, is half
    /// a finding).
    pub with_next: bool,
}

/// Every line's claim.
pub(crate) fn prioritise(
    lines: &Lines<'_>,
    info: &[LineInfo],
    groups: &Grouping,
    shape: &Shape,
    query: &Query,
) -> Vec<Claim> {
    let n = info.len();
    let mut claims = vec![Claim::default(); n];
    let mut seen_exact: HashMap<u64, usize> = HashMap::default();
    let mut per_group: HashMap<(u32, Kind), u32> = HashMap::default();
    let mut occurrences = vec![0u32; groups.groups.len()];
    let mut variant_seen = vec![false; groups.variants.len()];
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
        let g = groups.group_index(i);
        if g == NONE {
            continue;
        }
        // A diagnostic said again at another place is another diagnostic: its
        // location (the next line, or the frame under it) is part of what makes it new.
        let identity = match info.get(i + 1) {
            Some(next)
                if matches!(li.kind, Kind::Error | Kind::Warn | Kind::Exception)
                    && (next.kind == Kind::Frame
                        || toollines::is_location_line(lines.content(i + 1))) =>
            {
                li.exact ^ next.exact.rotate_left(17)
            }
            _ => li.exact,
        };
        first_exact[i] = seen_exact.insert(identity, i).is_none();
        let group = &groups.groups[g as usize];
        let v = groups.variant_of[i] as usize;
        let occ = &mut occurrences[g as usize];
        claims[i].occurrence = *occ;
        *occ += 1;
        if digest[i] {
            claims[i].priority = P_DIGEST;
            continue;
        }
        let count = group.count;
        let base = match li.kind {
            Kind::Summary => P_SUMMARY,
            // `Found 3 errors`, `17 warnings emitted`: a count said once is a summary.
            _ if count <= 2 && is_count_line(lines.content(i)) => P_SUMMARY,
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
            Kind::Notice => P_NOTICE,
            Kind::Section => P_SECTION,
            _ => 0,
        };
        if li.kind == Kind::FailId {
            failures += 1;
            awaiting_reason = true;
        }
        let mut p = 0;
        if li.kind == Kind::Exception && awaiting_reason {
            awaiting_reason = false;
            if first_exact[i] {
                p = P_REASON + relevance.bonus(i, QUERY_BONUS);
            }
        }
        if p == 0 && base > 0 && (first_exact[i] || base == P_SUMMARY) {
            let slot = per_group.entry((g, li.kind)).or_default();
            if base == P_SUMMARY || *slot < allowance(li.kind, count) {
                *slot += 1;
                // Within a level, the rarer the group the bigger the news,
                // and among equals, what the question mentions.
                p = base + rarity_bonus(count, rare) + relevance.bonus(i, QUERY_BONUS);
            } else if !frequent(count) {
                // A group that fills the log is told by its template marker; a
                // smaller one keeps its errors and warnings while the budget lasts.
                p = match li.kind {
                    Kind::Exception | Kind::Error => P_MORE_ERRORS,
                    Kind::Warn => P_MORE_WARNINGS,
                    _ => 0,
                };
            }
        }
        // An excerpt or location line alone says nothing: it is kept with its
        // headline (`add_context`), not for being rare or a group's sample.
        if repetitive
            && li.kind != Kind::Pass
            && first_exact[i]
            && !toollines::is_detail(lines.content(i))
        {
            let variant = &groups.variants[v];
            let first_of_variant = !std::mem::replace(&mut variant_seen[v], true);
            if count as usize <= rare
                || broken_pattern(group.count, group.variants, variant.count, rare)
            {
                p = p.max(P_RARE);
            } else if claims[i].occurrence == 0 {
                p = p.max(P_REPRESENTATIVE);
            } else if first_of_variant && group.variants <= FEW_VARIANTS {
                p = p.max(P_VARIANT);
            } else if i as u32 == group.last && count >= 2 {
                p = p.max(P_LAST);
            }
        }
        claims[i].priority = p;
    }

    for (i, p) in query_priorities(groups, &relevance, &first_exact) {
        claims[i].priority = claims[i].priority.max(p);
    }
    add_context(lines, info, &mut claims);
    add_tail(lines, info, groups, &mut claims);
    if let Some(first) = (0..n).find(|&i| info[i].kind != Kind::Blank) {
        claims[first].priority = claims[first].priority.max(P_SECTION);
    }
    claims
}

fn rarity_bonus(count: u32, rare: usize) -> u32 {
    let count = count as usize;
    if count <= rare {
        RARITY_BONUS
    } else if count <= 4 * rare {
        RARITY_BONUS / 2
    } else {
        0
    }
}

/// A variant that breaks its group's pattern: the group has few variants for
/// its size (a field that takes a handful of values, not an id), and this one
/// is rare in it (a quarter of its lines at most): the one `root` session among
/// hundreds of `cyrus` ones, dpkg's two `startup archives install` among its
/// `startup archives unpack`.
fn broken_pattern(group_count: u32, variants: u32, variant_count: u32, rare: usize) -> bool {
    let few = variants <= FEW_VARIANTS.max((group_count as f32).sqrt() as u32);
    group_count >= 10
        && variants >= 2
        && few
        && variant_count as usize <= rare
        && variant_count * 4 <= group_count
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
        if let Some(names) = id_list(lines, info, i) {
            digest[i..names].fill(true);
        }
        // node's spec reporter closes with `✖ failing tests:`, then per failure where the test
        // is (`test at a.test.mjs:31:3`), its `✖ name` line and its error.
        let content = lines.content(i);
        if content.trim_end().ends_with("failing tests:")
            && content.trim_start_matches(['✖', ' ']).trim_end() == "failing tests:"
        {
            inside = true;
            digest[i] = true;
            continue;
        }
        if inside && li.kind == Kind::Plain && content.starts_with("test at ") {
            digest[i] = true;
            continue;
        }
        match li.kind {
            Kind::Section | Kind::Summary => {
                inside = li.kind == Kind::Section && announces_digest(lines.content(i), false);
            }
            Kind::Plain if !inside => inside = announces_digest(lines.content(i), true),
            Kind::FailId | Kind::Exception | Kind::Error | Kind::Warn => digest[i] |= inside,
            _ => {}
        }
    }
    digest
}

/// libtest's closing list of failures: a `failures:` heading over indented test paths, one a
/// line (`    a::b_fails`). Returns where the list ends (exclusive) when line `i` heads one; the
/// same heading over the failures' captured output (`---- a::b stdout ----`) heads no list.
fn id_list(lines: &Lines<'_>, info: &[LineInfo], i: usize) -> Option<usize> {
    if !lines
        .content(i)
        .trim_end()
        .eq_ignore_ascii_case("failures:")
    {
        return None;
    }
    let is_name = |j: usize| {
        let c = lines.content(j);
        c.starts_with([' ', '\t'])
            && !c.trim().is_empty()
            && !c.trim().contains(char::is_whitespace)
    };
    let mut j = i + 1;
    while j < info.len() && info[j].kind == Kind::Blank {
        j += 1;
    }
    let start = j;
    while j < info.len() && is_name(j) {
        j += 1;
    }
    (j > start).then_some(j)
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

/// The name a failing-test line gives its test, as runners print it in
/// both the failure's header and the closing digest: the last identifier
/// before any ` - reason`, leaving out verdict words and parameters
/// (`___ Suite.test_x ___`, `FAILED tests/a.py::Suite::test_x - Error`,
/// `tests/a.py::test_x[3] FAILED [ 40%]` all name `test_x`).
fn test_name(line: &str) -> &str {
    let head = line.split(" - ").next().unwrap_or(line);
    head.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map(|w| w.trim_matches('_'))
        .rev()
        .find(|w| {
            w.len() >= 3
                && !w.bytes().all(|b| b.is_ascii_digit())
                && !matches!(*w, "FAILED" | "FAIL" | "ERROR" | "PASSED" | "XPASS" | "py")
        })
        .unwrap_or("")
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
fn query_priorities(groups: &Grouping, q: &QueryScores, first_exact: &[bool]) -> Vec<(usize, u32)> {
    let mut ranked: Vec<usize> = (0..q.scores.len())
        .filter(|&i| first_exact[i] && q.matches(i))
        .collect();
    ranked.sort_by(|&a, &b| q.scores[b].total_cmp(&q.scores[a]).then(a.cmp(&b)));
    // A group the query matches is kept whole unless it is most of the log;
    // beyond `QUERY_TOP`, a group with more matches than `QUERY_MAX` is too
    // broad to be what the question is about.
    let mut per_group: HashMap<u32, usize> = HashMap::default();
    for &i in &ranked {
        *per_group.entry(groups.group_index(i)).or_default() += 1;
    }
    let mut strong = 0;
    ranked
        .into_iter()
        .enumerate()
        .filter(|&(rank, i)| rank < QUERY_TOP || per_group[&groups.group_index(i)] <= QUERY_MAX)
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
/// points at, and what a compiler or linter prints under its headline (the
/// location, the source excerpt, the notes).
fn add_context(lines: &Lines<'_>, info: &[LineInfo], claims: &mut [Claim]) {
    let n = info.len();
    cap_diagnostic_bodies(lines, info, claims);
    for i in 0..n {
        let own = claims[i].priority;
        if own < P_WARN {
            // A problem kept past its group's allowance keeps where it happened.
            let problem = matches!(info[i].kind, Kind::Exception | Kind::Error | Kind::Warn);
            if own > 0 && problem && i + 1 < n && toollines::is_location_line(lines.content(i + 1))
            {
                raise(claims, i + 1, own - 1);
                claims[i].with_next = true;
            }
            continue;
        }
        match info[i].kind {
            Kind::FailId if own >= P_EXCEPTION => {
                // Title continuation up to and including the first error line.
                for (j, next) in info.iter().enumerate().take(n.min(i + 7)).skip(i + 1) {
                    let k = next.kind;
                    if matches!(
                        k,
                        Kind::Blank | Kind::Pass | Kind::FailId | Kind::Summary | Kind::Section
                    ) {
                        break;
                    }
                    if matches!(k, Kind::Exception | Kind::Error) {
                        // Why it failed, before the title's other lines. `error: |-`
                        // (TAP's YAML block), `AssertionError:`: the message is below.
                        raise(claims, j, P_CONTEXT + 5);
                        let t = lines.content(j).trim_end();
                        if t.ends_with(['|', ':', '>']) || t.ends_with("|-") || t.ends_with(">-") {
                            if let Some(m) = (j + 1..n).find(|&m| info[m].kind != Kind::Blank) {
                                raise(claims, m, P_CONTEXT + 5);
                            }
                        }
                        break;
                    }
                    raise(claims, j, P_CONTEXT);
                }
                // Indented lines just above (what a Go test logged before `--- FAIL`).
                for j in (i.saturating_sub(6)..i).rev() {
                    let content = lines.content(j);
                    if info[j].kind == Kind::Blank || !content.starts_with([' ', '\t']) {
                        break;
                    }
                    raise(claims, j, P_CONTEXT - 5);
                }
            }
            Kind::Exception | Kind::Error | Kind::Warn => {
                // A panic's message and its header (which thread, where) are one finding.
                if i > 0 && loglines::opens_panic_message(lines.content(i - 1)) {
                    raise(claims, i - 1, own - 1);
                    claims[i - 1].with_next = true;
                }
                // A warning's excerpt ranks below the headline and location of every other
                // warning: where each finding is comes before what the first one looks like.
                let level = if info[i].kind == Kind::Warn {
                    P_MORE_WARNINGS - 10
                } else {
                    P_CONTEXT - 10
                };
                if diagnostic_body(lines, info, claims, i, level) {
                    continue;
                }
                if info[i].kind == Kind::Warn {
                    continue;
                }
                // The frame or source line just before (what raised), and the first frame after:
                // where it happened (`at 0x10916D: resolve_token (codec.c:6)` under valgrind's
                // `Invalid write of size 4`, `at A.f(A.java:3)` under a Java exception), planned
                // with its headline.
                if i > 0 && matches!(info[i - 1].kind, Kind::Plain | Kind::Frame) {
                    raise(claims, i - 1, P_CONTEXT - 20);
                }
                if i + 1 < n && info[i + 1].kind == Kind::Frame {
                    raise(claims, i + 1, own.saturating_sub(1).max(P_CONTEXT - 10));
                    claims[i].with_next = true;
                }
            }
            _ => {}
        }
    }
}

/// A compiler or linter diagnostic's body under headline `i`: the lines that
/// follow up to the next headline, when the first of them is its location, its
/// source excerpt or an indented detail (`symbol:   variable x`). Returns
/// whether it found one.
fn diagnostic_body(
    lines: &Lines<'_>,
    info: &[LineInfo],
    claims: &mut [Claim],
    i: usize,
    level: u32,
) -> bool {
    let mut taken = 0;
    let mut j = i + 1;
    while j < info.len() && taken < DIAGNOSTIC_BODY {
        let content = lines.content(j);
        let tool = toollines::shape(content);
        let detail = matches!(tool, Some(ToolShape::Location | ToolShape::Gutter))
            || (info[j].kind == Kind::Plain && tool.is_none() && content.starts_with([' ', '\t']));
        if !detail {
            break;
        }
        // Where it points belongs with the headline; the rest follows in order.
        let p = if tool == Some(ToolShape::Location) {
            if j == i + 1 {
                claims[i].with_next = true;
            }
            claims[i].priority - 1
        } else {
            level - 3 * taken as u32
        };
        raise(claims, j, p);
        taken += 1;
        j += 1;
    }
    taken > 0
}

/// A note, help or excerpt line under a diagnostic's headline and location (`= note: ...`,
/// `12 | code`) says something only beside them: a claim it earned for itself by being rare
/// or a group's first line (below [`P_WARN`]) is lowered under its headline's, so that no
/// finding's body is kept before another finding's headline.
fn cap_diagnostic_bodies(lines: &Lines<'_>, info: &[LineInfo], claims: &mut [Claim]) {
    let n = info.len();
    for i in 0..n {
        if !matches!(info[i].kind, Kind::Exception | Kind::Error | Kind::Warn)
            || i + 1 >= n
            || !toollines::is_location_line(lines.content(i + 1))
        {
            continue;
        }
        let cap = claims[i].priority.saturating_sub(2);
        let mut j = i + 2;
        while j < n && j < i + 2 + 4 * DIAGNOSTIC_BODY && toollines::is_detail(lines.content(j)) {
            if claims[j].priority < P_WARN {
                claims[j].priority = claims[j].priority.min(cap);
            }
            j += 1;
        }
    }
}

/// A finding that says where it is on its own line: a linter's headline
/// (`toollines::Shape::Diagnostic`) or `path:12:` before the first space (`x.c:3:5: warning: ...`).
fn is_finding(line: &str) -> bool {
    if toollines::shape(line) == Some(ToolShape::Diagnostic) {
        return true;
    }
    let head = line.trim_start().split(' ').next().unwrap_or("");
    head.split(':')
        .skip(1)
        .any(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

fn raise(claims: &mut [Claim], i: usize, p: u32) {
    claims[i].priority = claims[i].priority.max(p);
}

/// The end of the output: among its last non-blank lines, the last of each
/// variant (the newest entry of each kind, not a dozen repeats of one), newest first.
fn add_tail(lines: &Lines<'_>, info: &[LineInfo], groups: &Grouping, claims: &mut [Claim]) {
    let mut seen: Vec<u32> = Vec::with_capacity(TAIL_LINES);
    let mut closing = CLOSING_LINES;
    let tail = (0..info.len())
        .rev()
        .filter(|&i| info[i].kind != Kind::Blank)
        .take(TAIL_LINES);
    for (k, i) in tail.enumerate() {
        // By variant: `status installed` and `status half-configured` are one group
        // but two different last words. The closing lines are kept whatever their variant:
        // the newest two entries of a log may well be two of a kind.
        let g = groups.variant_of[i];
        // A diagnostic's excerpt closing a compiler's output is not its closing word:
        // the lines before it are.
        let closes = closing > 0 && !toollines::is_detail(lines.content(i));
        let new_variant = !seen.contains(&g);
        if new_variant {
            seen.push(g);
        }
        if closes || new_variant {
            let level = if closes {
                closing -= 1;
                P_CLOSING
            } else {
                P_TAIL
            };
            raise(claims, i, level - k as u32);
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_test_is_named_alike_in_its_header_and_the_digest() {
        for line in [
            "______________________________ test_zulu_yankee_0 ______________________________",
            "FAILED tests/test_0.py::test_zulu_yankee_0 - AssertionError: checksum mismatc...",
            "tests/test_0.py::test_zulu_yankee_0 FAILED                              [ 40%]",
            "_____ Suite.test_zulu_yankee_0 _____",
        ] {
            assert_eq!(test_name(line), "test_zulu_yankee_0", "{line}");
        }
        assert_eq!(test_name("FAILED tests/t.py::test_p[3-x] - E"), "test_p");
    }
}
