//! Logs and build/test output: which lines survive, and how the rest is told.
//!
//! Every line gets a kind (see `loglines`) and a group: lines that share a
//! template, mined from the whole text (see `line_groups`). Each line earns a
//! priority (see `logrank`); the planner keeps lines by priority within the
//! budget. What is left out is told in two ways. A group that repeats is
//! collapsed: after its first kept line, one `template=T` marker stands for
//! every line of the group (redeemed by [`template_lines`], the same grouping),
//! and a stretch left out that holds only such lines needs no marker of its
//! own. Any other stretch left out is one `lines=A-B` marker.

use crate::line_groups::{Grouping, Miner, NONE};
use crate::lines::{self, line_hash, Costs, Lines, Output, Piece, Planner};
use crate::loglines;
pub use crate::loglines::{classify, Kind};
use crate::logrank::{intrinsic_lines, prioritise, Claim, P_DIGEST};
use crate::query::Query;
use crate::template::for_each_part_span;
use crate::toollines;

/// How many default ceilings the final results and the failure digest may take on their own.
const MUST_KEEP_CEILINGS: usize = 3;
/// Under a soft budget, what the output is never cut below while failures, exceptions, errors
/// and query matches need the room: a small output's default budget is a share of it, and
/// this keeps that share from cutting what the output is about (the older fixed floor).
const INTRINSIC_ROOM: usize = 1500;
/// A group is collapsed when it lost at least this many lines, and at least half of them.
const COLLAPSE_MIN_LOST: u32 = 3;
/// A second plan is made when the first left more than this share of the budget unused
/// (collapsed stretches need no marker, which the planner cannot know).
const REPLAN_SLACK: f32 = 0.1;

/// Per-line facts the selection needs.
pub(crate) struct LineInfo {
    pub kind: Kind,
    /// Hash of the exact (ANSI-stripped, trimmed) text, for exact repeats.
    pub exact: u64,
}

/// Every line's kind and group: one pass, the same for compressing and for
/// redeeming a `template=T` marker.
pub(crate) fn analyse(lines: &Lines<'_>) -> (Vec<LineInfo>, Grouping) {
    let mut miner = Miner::default();
    let mut after_panic = false;
    let mut go_logs = memchr::memmem::find(lines.text().as_bytes(), b"--- FAIL: ")
        .and_then(|_| loglines::GoTestLogs::of(lines.iter()));
    let info = lines
        .iter()
        .map(|raw| {
            let clean = lines::strip_ansi(raw);
            let own = classify(&clean);
            // A failing Go test's log line is why it failed (see `GoTestLogs`).
            let logged = go_logs.as_mut().is_some_and(|go| go.reason(raw));
            let own = if logged { Kind::Exception } else { own };
            // A panic's header that ends with its location (`thread 'a::b' panicked at
            // src/lib.rs:17:21:`) says why on the next line, whatever words it uses
            // (`index out of bounds: ...`, `no such key`): that line is the exception.
            let reason = std::mem::replace(&mut after_panic, loglines::opens_panic_message(&clean));
            let own = match own {
                Kind::Plain | Kind::Notice | Kind::SoftError | Kind::Warn | Kind::Error
                    if reason =>
                {
                    Kind::Exception
                }
                kind => kind,
            };
            let kind = match own {
                // A linter's finding is a warning (an error when it says so), though
                // it names its rule by code, not by a word a log would use; also when its
                // message reads as a problem told in plain words (`F821 Undefined name`).
                kind @ (Kind::Plain | Kind::Notice) => match toollines::diagnostic_error(&clean) {
                    Some(true) => Kind::Error,
                    Some(false) => Kind::Warn,
                    None => kind,
                },
                // A diagnostic's excerpt or note (`12 |     log.error(x)`, `= note: #[warn(...)]
                // on by default`) is its body, not a problem of its own: it ranks with its headline.
                Kind::Warn | Kind::Error | Kind::Exception | Kind::SoftError
                    if toollines::is_detail(&clean) =>
                {
                    Kind::Plain
                }
                kind => kind,
            };
            let trimmed = clean.trim();
            miner.add(kind as u8, (kind != Kind::Blank).then_some(trimmed));
            LineInfo {
                kind,
                exact: line_hash(trimmed.as_bytes()),
            }
        })
        .collect();
    (info, miner.finish())
}

/// The id of every line's group (8 hex digits in a marker), None for a blank line.
pub fn template_keys(text: &str) -> Vec<Option<u32>> {
    let lines = Lines::new(text);
    let (_, groups) = analyse(&lines);
    (0..lines.len())
        .map(|i| groups.group_of(i).map(|g| g.id))
        .collect()
}

/// The 1-based numbers of the lines of `text` in the group with id `id`: what
/// a `template=T` marker stands for, grouped exactly as [`compress`] groups them.
pub fn template_lines(text: &str, id: u32) -> Vec<usize> {
    let lines = Lines::new(text);
    let (_, groups) = analyse(&lines);
    (0..lines.len())
        .filter(|&i| groups.group_of(i).is_some_and(|g| g.id == id))
        .map(|i| i + 1)
        .collect()
}

/// Facts about the whole log that decide how much rarity means.
pub(crate) struct Shape {
    pub nonblank: usize,
    pub groups: usize,
}

impl Shape {
    /// Most lines repeat a group: rarity is a signal.
    pub fn repetitive(&self) -> bool {
        self.nonblank >= 20 && self.groups * 3 <= self.nonblank
    }

    pub fn rare_count(&self) -> usize {
        (self.nonblank / 400).clamp(1, 5)
    }
}

/// The compressed log as pieces, within `budget` tokens.
pub fn compress(text: &str, query: &Query, budget: usize, mut costs: Costs) -> Vec<Piece> {
    let lines = Lines::new(text);
    let (info, groups) = analyse(&lines);
    let shape = Shape {
        nonblank: info.iter().filter(|li| li.kind != Kind::Blank).count(),
        groups: groups.groups.len(),
    };
    let claims = prioritise(&lines, &info, &groups, &shape, query);
    let mut order: Vec<usize> = (0..lines.len())
        .filter(|&i| claims[i].priority > 0)
        .collect();
    let intrinsic = intrinsic_lines(&lines, &info, &claims, query);
    let (extra, raised) = must_keep_extra(&lines, &intrinsic, &claims, &mut costs, budget);
    // Where the room was made for what the output is about (a small output), that is planned
    // first, then the rest by priority; a large output's plan goes by priority alone.
    order.sort_by(|&a, &b| {
        let (ca, cb) = (claims[a], claims[b]);
        let (ia, ib) = if raised {
            (intrinsic[a], intrinsic[b])
        } else {
            (false, false)
        };
        ib.cmp(&ia)
            .then(cb.priority.cmp(&ca.priority))
            .then(ca.occurrence.cmp(&cb.occurrence))
            .then(a.cmp(&b))
    });
    let budget = budget + extra;
    let (keep, mut costs) = plan(&lines, &order, &claims, costs, budget);
    let mut layout = Layout::of(&lines, &groups, keep, &mut costs);
    let slack = budget.saturating_sub(layout.cost);
    if slack as f32 > REPLAN_SLACK * budget as f32 {
        let (keep, mut again) = plan(&lines, &order, &claims, costs, budget + slack);
        let second = Layout::of(&lines, &groups, keep, &mut again);
        if second.cost <= budget {
            layout = second;
        }
    }
    layout.render(&lines, &groups)
}

/// The lines kept, by priority, within `budget`.
fn plan(
    lines: &Lines<'_>,
    order: &[usize],
    claims: &[Claim],
    costs: Costs,
    budget: usize,
) -> (Vec<bool>, Costs) {
    let mut planner = Planner::new(lines, costs, budget, 0);
    for &i in order {
        if claims[i].with_next && i + 1 < lines.len() {
            planner.offer_all(&[i, i + 1]);
        } else {
            planner.offer(i);
        }
    }
    planner.fill_cheap_gaps(&[]);
    let keep = planner.keep_flags().to_vec();
    (keep, planner.into_costs())
}

/// Under a soft ceiling (no caller budget), the final results and the
/// closing digest of failures are kept whatever else the output holds: they
/// get room of their own, up to [`MUST_KEEP_CEILINGS`] times the ceiling.
/// Failures, exceptions, errors and query matches (what the output is about)
/// may raise a smaller budget to what they and the markers beside them cost,
/// up to [`INTRINSIC_ROOM`] beyond the final results. Returns the room added and
/// whether it was raised for them.
fn must_keep_extra(
    lines: &Lines<'_>,
    intrinsic_line: &[bool],
    claims: &[Claim],
    costs: &mut Costs,
    budget: usize,
) -> (usize, bool) {
    if !costs.soft() {
        return (0, false);
    }
    let marker = costs.marker();
    let (mut extra, mut intrinsic) = (0, marker);
    let mut last = None;
    for (i, c) in claims.iter().enumerate() {
        let digest = c.priority >= P_DIGEST;
        let room_for = intrinsic_line[i] && intrinsic < INTRINSIC_ROOM + extra;
        if !(digest || room_for) {
            continue;
        }
        let line = costs.line(lines, i);
        if digest {
            extra += line;
        }
        // With the marker before it unless it follows a line kept for the same reason: a
        // small budget is mostly markers.
        intrinsic += line
            + if last == Some(i.wrapping_sub(1)) {
                0
            } else {
                marker
            };
        last = Some(i);
    }
    let extra = extra.min(budget * MUST_KEEP_CEILINGS);
    let need = intrinsic.min(INTRINSIC_ROOM + extra);
    ((budget + extra).max(need) - budget, need > budget + extra)
}

/// Whether a line has at least two words (a template of bars, carets or
/// numbers is not worth a marker of its own).
fn says_something(line: &str) -> bool {
    let clean = lines::strip_ansi(line);
    let mut words = 0;
    for_each_part_span(&clean, |a, b, variable| {
        let part = &clean.as_bytes()[a..b];
        if !variable
            && part.len() >= 2
            && part.iter().filter(|c| c.is_ascii_alphabetic()).count() >= 2
        {
            words += 1;
        }
    });
    words >= 2
}

/// How a plan is told: which groups collapse (and after which kept line their
/// marker goes), which stretches left out need a marker, and what it all costs.
struct Layout {
    keep: Vec<bool>,
    /// Per group: the kept line its `template=T` marker follows, if it collapses.
    collapse_after: Vec<u32>,
    cost: usize,
}

impl Layout {
    fn of(lines: &Lines<'_>, groups: &Grouping, keep: Vec<bool>, costs: &mut Costs) -> Self {
        let mut first_kept = vec![NONE; groups.groups.len()];
        let mut kept = vec![0u32; groups.groups.len()];
        let mut cost = 0;
        for (i, &k) in keep.iter().enumerate() {
            if k {
                cost += costs.line(lines, i);
                let g = groups.group_index(i);
                if g != NONE {
                    kept[g as usize] += 1;
                    if first_kept[g as usize] == NONE {
                        first_kept[g as usize] = i as u32;
                    }
                }
            }
        }
        let collapse_after: Vec<u32> = groups
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let lost = group.count - kept[g];
                let first = first_kept[g];
                let worth = first != NONE
                    && lost >= COLLAPSE_MIN_LOST
                    && 2 * lost >= group.count
                    && lost as usize * costs.line(lines, first as usize) > 2 * costs.marker()
                    && says_something(lines.content(first as usize));
                if worth {
                    first
                } else {
                    NONE
                }
            })
            .collect();
        let mut layout = Layout {
            keep,
            collapse_after,
            cost,
        };
        let markers = layout.collapse_after.iter().filter(|&&a| a != NONE).count()
            + layout
                .gaps(lines, groups)
                .filter(|&(_, _, told)| told)
                .count();
        layout.cost += markers * costs.marker();
        layout
    }

    /// Whether line `i` is told by its group's `template=T` marker when left out: the
    /// marker came before it (a stretch above the group's first kept line still needs a
    /// marker of its own, or the reader meets a silent hole before learning of the group).
    fn collapsed(&self, groups: &Grouping, i: usize) -> bool {
        let g = groups.group_index(i);
        g != NONE && {
            let after = self.collapse_after[g as usize];
            after != NONE && (after as usize) < i
        }
    }

    /// Each stretch of lines left out, `(a, b)` 0-based with `b` exclusive, and
    /// whether it needs a `lines=A-B` marker (it does unless every line in it is
    /// blank or collapsed, and at least one is collapsed).
    fn gaps<'s>(
        &'s self,
        lines: &'s Lines<'_>,
        groups: &'s Grouping,
    ) -> impl Iterator<Item = (usize, usize, bool)> + 's {
        let n = lines.len();
        let mut i = 0;
        std::iter::from_fn(move || {
            while i < n && self.keep[i] {
                i += 1;
            }
            if i >= n {
                return None;
            }
            let a = i;
            let mut any_collapsed = false;
            let mut all_told = true;
            while i < n && !self.keep[i] {
                if self.collapsed(groups, i) {
                    any_collapsed = true;
                } else if groups.group_index(i) != NONE {
                    all_told = false;
                }
                i += 1;
            }
            Some((a, i, !(any_collapsed && all_told)))
        })
    }

    fn render(&self, lines: &Lines<'_>, groups: &Grouping) -> Vec<Piece> {
        let n = lines.len();
        let mut marker_after: Vec<Option<usize>> = vec![None; n];
        for (g, &after) in self.collapse_after.iter().enumerate() {
            if after != NONE {
                marker_after[after as usize] = Some(g);
            }
        }
        // A finding's location stays under its headline: the marker follows both, unless the
        // location has a marker of its own to follow it.
        for i in (0..n.saturating_sub(1)).rev() {
            if marker_after[i].is_some()
                && marker_after[i + 1].is_none()
                && self.keep[i + 1]
                && toollines::is_location_line(lines.content(i + 1))
            {
                marker_after[i + 1] = marker_after[i].take();
            }
        }
        let told: Vec<(usize, usize, bool)> = self.gaps(lines, groups).collect();
        let mut gaps = told.into_iter().peekable();
        let mut out = Output::new(lines);
        let mut i = 0;
        while i < n {
            if self.keep[i] {
                out.keep(i);
                if let Some(g) = marker_after[i] {
                    let group = &groups.groups[g];
                    out.omit(Piece::Omit {
                        count: group.count as usize,
                        unit: "lines",
                        lines: None,
                        bytes: None,
                        template: Some(group.id),
                    });
                }
                i += 1;
                continue;
            }
            let (a, b, marked) = gaps.next().unwrap_or((i, n, true));
            debug_assert_eq!(a, i);
            if marked {
                out.omit(Piece::omit_lines(b - a, "lines", a + 1, b));
            }
            i = b;
        }
        out.finish()
    }
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
        kept(&crate::line_compressor::testing::pieces(
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
        // One marker stands for all 500 heartbeats, redeemable as a whole.
        let pieces = crate::line_compressor::testing::pieces(compress, &text, "", 100_000);
        let keys = template_keys(&text);
        let id = keys[0].unwrap();
        assert!(
            pieces.iter().any(|p| matches!(p,
            Piece::Omit { count: 500, template: Some(t), lines: None, .. } if *t == id)),
            "{out}"
        );
        assert_eq!(template_lines(&text, id).len(), 500);
    }

    #[test]
    fn template_lines_are_the_lines_sharing_a_group() {
        let text =
            "GET /a/1 200\n\n\x1b[32mGET /b/22 404\x1b[0m\r\nPOST /a 200\n  GET /c/3 500  \n";
        let keys = template_keys(text);
        assert_eq!(keys.len(), 5);
        assert_eq!(keys[1], None);
        let id = keys[0].unwrap();
        assert_eq!(keys[2], Some(id));
        assert_ne!(keys[3], Some(id));
        assert_eq!(template_lines(text, id), vec![1, 3, 5]);
        assert!(template_lines(text, id ^ 1).is_empty());
    }

    #[test]
    fn a_value_that_breaks_a_pattern_survives_without_a_query() {
        let mut text = String::new();
        for i in 0..600 {
            text.push_str(&format!(
                "Jun 14 04:{:02}:{:02} combo su(pam_unix)[{}]: session opened for user cyrus by (uid=0)\n",
                i / 60 % 60,
                i % 60,
                20000 + i
            ));
            text.push_str(&format!(
                "Jun 14 04:{:02}:{:02} combo sshd(pam_unix)[{}]: authentication failure; logname= uid=0 rhost=10.0.{}.{}\n",
                i / 60 % 60,
                i % 60,
                30000 + i,
                i % 200,
                i % 7
            ));
            if i == 433 {
                text.push_str("Jul  7 08:06:15 combo su(pam_unix)[2421]: session opened for user root by (uid=0)\n");
            }
        }
        let out = run(&text, "", 2_000);
        assert!(
            out.contains("session opened for user root by (uid=0)"),
            "{out}"
        );
        // Hundreds of near-identical failures are one marker, not hundreds of kept lines.
        assert!(out.matches("authentication failure").count() <= 6, "{out}");
    }

    #[test]
    fn the_newest_entries_of_a_long_log_survive() {
        let mut text = String::new();
        for i in 0..5000 {
            let verb = [
                "install",
                "configure",
                "status installed",
                "status unpacked",
            ][i % 4];
            text.push_str(&format!(
                "2026-05-09 07:{:02}:{:02} {verb} libpkg{i}:amd64 1.{i}-1\n",
                i / 60 % 60,
                i % 60
            ));
        }
        text.push_str("2026-05-20 16:49:12 remove oldtool:amd64 2.0-1 <none>\n");
        let out = run(&text, "", 3_000);
        assert!(out.contains("remove oldtool:amd64 2.0-1 <none>"));
        assert!(out.contains("libpkg4999:amd64"), "{out}");
    }

    #[test]
    fn the_last_two_entries_survive_when_they_are_two_of_a_kind() {
        let mut text = String::new();
        for i in 0..3000 {
            let what = ["processed batch", "worker finished task"][i % 7 / 5];
            text.push_str(&format!(
                "2026-12-05 20:44:16,{:03} INFO job.core: {what} {i} in {} ms\n",
                i % 1000,
                i * 7 % 9000
            ));
        }
        text.push_str(
            "2026-12-05 20:44:17,001 INFO job.core: worker finished task 3001 in 230 ms\n",
        );
        text.push_str(
            "2026-12-05 20:44:17,002 INFO job.core: worker finished task 3002 in 4028 ms\n",
        );
        let lines = Lines::new(&text);
        let costs = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
        let out = kept(&compress(&text, &Query::parse(""), 2500, costs));
        assert!(out.contains("task 3001 in 230 ms"), "{out}");
        assert!(out.contains("task 3002 in 4028 ms"), "{out}");
    }

    #[test]
    fn a_compiler_error_keeps_where_it_points_among_many_warnings() {
        let mut text = String::from("   Compiling time v0.3.34\n");
        for i in 0..80 {
            text.push_str(&format!(
                "warning: unnecessary qualification\n   --> src/m{i}.rs:{i}:9\n    |\n{i:>3} |     crate::x::y();\n    |     ^^^^^^^^^^\n\n"
            ));
        }
        text.push_str("error[E0282]: type annotations needed for `Box<_>`\n  --> time/src/parse/mod.rs:83:9\n   |\n83 |     let items = format_items\n   |         ^^^^^\n\n");
        text.push_str(
            "error: could not compile `time` (lib) due to 1 previous error; 80 warnings emitted\n",
        );
        let out = run(&text, "", 600);
        assert!(out.contains("error[E0282]: type annotations needed"));
        assert!(out.contains("--> time/src/parse/mod.rs:83:9"), "{out}");
        assert!(out.contains("due to 1 previous error; 80 warnings emitted"));
    }

    #[test]
    fn a_warning_said_again_elsewhere_keeps_each_place_and_excerpts_stay_with_their_headline() {
        let kinds = [
            "length comparison to zero",
            "unneeded `return` statement",
            "this `if` statement can be collapsed",
        ];
        let mut text = String::from("    Checking scratch v0.1.0 (/tmp/scratch)\n");
        for i in 0..36 {
            let kind = if i == 9 || i == 27 {
                "equality checks against true are unnecessary"
            } else {
                kinds[i % 3]
            };
            text.push_str(&format!(
                "warning: {kind}\n  --> src/m{}.rs:{}:5\n   |\n{:>2} |     return a + {i};\n   |     ^^^^^^^^^^^^^\n   |\n   = help: for further information visit https://rust-lang.github.io/rust-clippy/index.html#rule_{}\n\n",
                i % 5, i + 2, i + 2, i % 3
            ));
        }
        text.push_str("warning: `scratch` (lib) generated 36 warnings\n    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.18s\n");
        let out = run(&text, "", 700);
        assert!(out.contains("--> src/m4.rs:11:5"), "{out}");
        assert!(out.contains("--> src/m2.rs:29:5"), "{out}");
        assert!(out.contains("generated 36 warnings"));
        // No source excerpt is shown without the headline and location above it.
        let shown: Vec<&str> = out.lines().collect();
        for (k, line) in shown.iter().enumerate() {
            if line.contains("|     return a + ") {
                let above = shown[..k].iter().rev().find(|l| !l.contains(" |"));
                assert!(above.is_some_and(|l| l.contains("-->")), "{out}");
            }
        }
    }

    #[test]
    fn a_linter_finding_named_by_its_rule_code_keeps_its_location() {
        let mut text = String::new();
        for i in 0..30 {
            let (code, msg) = if i == 7 || i == 22 {
                ("E711", "Comparison to `None` should be `cond is None`")
            } else {
                ("F401", "[*] `os` imported but unused")
            };
            text.push_str(&format!(
                "{code} {msg}\n  --> mod_{i}.py:{}:8\n   |\n{:>2} | import os\n   |        ^^\n   |\nhelp: Remove unused import: `os`\n\n",
                i + 1, i + 1
            ));
        }
        text.push_str("Found 30 errors.\n[*] 28 fixable with the `--fix` option.\n");
        let out = run(&text, "", 500);
        assert!(out.contains("--> mod_7.py:8:8"), "{out}");
        assert!(out.contains("--> mod_22.py:23:8"), "{out}");
        assert!(out.contains("Found 30 errors."));
    }

    #[test]
    fn a_package_log_keeps_its_rare_actions_and_the_last_state_of_each_kind() {
        let mut text = String::new();
        for i in 0..600 {
            let name = [
                "git-man:all",
                "netbase:all",
                "libc-bin:amd64",
                "zlib1g:amd64",
            ][i % 4];
            let when = format!(
                "2026-05-{:02} 07:{:02}:{:02}",
                i / 300 + 1,
                i / 60 % 60,
                i % 60
            );
            if i % 40 == 0 {
                let action = if i == 320 { "install" } else { "unpack" };
                text.push_str(&format!("{when} startup archives {action}\n"));
            }
            for state in ["unpacked", "half-configured", "installed"] {
                text.push_str(&format!("{when} status {state} {name} 1.{i}-1\n"));
            }
        }
        let out = run(&text, "", 400);
        assert!(out.contains("07:05:20 startup archives install"), "{out}");
        assert!(
            out.contains("07:09:59 status half-configured zlib1g:amd64 1.599-1"),
            "{out}"
        );
        assert!(
            out.contains("07:09:59 status installed zlib1g:amd64 1.599-1"),
            "{out}"
        );
    }

    #[test]
    fn a_tap_failure_keeps_the_message_under_its_error_key() {
        let mut text = String::from("TAP version 13\n");
        for i in 1..=80 {
            if i % 8 == 3 {
                text.push_str(&format!("not ok {i} - parse_case_{i}\n  ---\n  duration_ms: 1.74\n  location: 'test/a.test.mjs:{i}:3'\n  failureType: 'testCodeFailure'\n  error: |-\n    Expected values to be strictly deep-equal:\n    + actual - expected\n  code: 'ERR_ASSERTION'\n  ...\n"));
            } else {
                text.push_str(&format!(
                    "ok {i} - parse_case_{i}\n  ---\n  duration_ms: 0.{i}\n  ...\n"
                ));
            }
        }
        text.push_str("1..80\n# tests 80\n# pass 70\n# fail 10\n");
        let out = run(&text, "", 800);
        assert_eq!(out.matches("not ok ").count(), 10, "{out}");
        assert_eq!(
            out.matches("Expected values to be strictly deep-equal:")
                .count(),
            10,
            "{out}"
        );
    }

    /// A libtest run of `cases` tests; the cases at `failing` panic with the messages given.
    fn libtest_run(cases: usize, failing: &[(usize, &str)]) -> String {
        let mut text = format!("running {cases} tests\n");
        for i in 0..cases {
            let verdict = if failing.iter().any(|&(f, _)| f == i) {
                "FAILED"
            } else {
                "ok"
            };
            text.push_str(&format!("test suite::case_{i} ... {verdict}\n"));
        }
        text.push_str("\nfailures:\n\n");
        for (k, &(f, message)) in failing.iter().enumerate() {
            text.push_str(&format!(
                "---- suite::case_{f} stdout ----\n\nthread 'suite::case_{f}' ({}) panicked at src/lib.rs:{}:5:\n{message}\n\n",
                4000 + k,
                10 + k
            ));
        }
        text.push_str("\nfailures:\n");
        for &(f, _) in failing {
            text.push_str(&format!("    suite::case_{f}\n"));
        }
        let passed = cases - failing.len();
        text.push_str(&format!(
            "\ntest result: FAILED. {passed} passed; {} failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n",
            failing.len()
        ));
        text
    }

    #[test]
    fn a_panic_keeps_its_message_under_its_header_whatever_words_it_uses() {
        let failing = [
            (7, "index out of bounds: the len is 3 but the index is 5"),
            (19, "index out of bounds: the len is 3 but the index is 6"),
            (33, "no such key"),
        ];
        let text = libtest_run(60, &failing);
        let lines = Lines::new(&text);
        for query in ["", "Which tests failed, and why?"] {
            // The default budget of a small output: a share of it, with room for its failures.
            let costs = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
            let out = kept(&compress(&text, &Query::parse(query), 150, costs));
            for (f, message) in failing {
                let header = format!("thread 'suite::case_{f}' ");
                let at = out.find(&header).unwrap_or_else(|| panic!("{f}: {out}"));
                let next = out[at..].lines().nth(1).unwrap_or("");
                assert_eq!(next, message, "{out}");
                assert!(out.contains(&format!("\n    suite::case_{f}\n")), "{out}");
            }
        }
    }

    #[test]
    fn a_failing_go_tests_log_line_is_why_it_failed_though_its_verdict_comes_later() {
        let mut text = String::new();
        for g in 0..4 {
            text.push_str(&format!("=== RUN   TestGroup{g}\n"));
            for c in 0..25 {
                text.push_str(&format!("=== RUN   TestGroup{g}/case_{c}\n"));
                if c == 7 {
                    text.push_str(&format!(
                        "    scratch_test.go:{}: ToInt: parsing \"{g}x\": invalid syntax\n",
                        10 + g
                    ));
                }
            }
            let verdict = if g < 3 { "FAIL" } else { "PASS" };
            text.push_str(&format!("--- {verdict}: TestGroup{g} (0.00s)\n"));
            for c in 0..25 {
                let v = if c == 7 && g < 3 { "FAIL" } else { "PASS" };
                text.push_str(&format!("    --- {v}: TestGroup{g}/case_{c} (0.00s)\n"));
            }
        }
        text.push_str("FAIL\nFAIL\texample.com/scratch\t0.003s\nFAIL\n");
        let lines = Lines::new(&text);
        let costs = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
        let out = kept(&compress(&text, &Query::parse(""), 150, costs));
        for g in 0..3 {
            assert!(
                out.contains(&format!("parsing \"{g}x\": invalid syntax")),
                "{out}"
            );
            assert!(
                out.contains(&format!("--- FAIL: TestGroup{g}/case_7 (0.00s)")),
                "{out}"
            );
        }
        // A passing test's log line is no reason.
        assert!(!out.contains("\"3x\""), "{out}");
    }

    #[test]
    fn node_specs_closing_list_keeps_where_each_failing_test_is_and_its_error() {
        let mut text = String::from("▶ range\n");
        for i in 0..60 {
            if i % 20 == 7 {
                text.push_str(&format!("  ✖ case {i} (1.0ms)\n    AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n    {i} !== 8\n\n        at TestContext.<anonymous> (file:///t/a.test.mjs:{i}:76)\n"));
            } else {
                text.push_str(&format!("  ✔ case {i} (0.{i}ms)\n"));
            }
        }
        text.push_str("✖ range (22.5ms)\nℹ tests 60\nℹ pass 57\nℹ fail 3\n\n✖ failing tests:\n\n");
        for i in [7, 27, 47] {
            text.push_str(&format!("test at a.test.mjs:{i}:32\n✖ case {i} (1.0ms)\n  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n  {i} !== 8\n\n      at TestContext.<anonymous> (file:///t/a.test.mjs:{i}:76)\n      at Test.runInAsyncScope (node:async_hooks:206:9)\n\n"));
        }
        let lines = Lines::new(&text);
        let costs = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
        let out = kept(&compress(
            &text,
            &Query::parse("Which tests failed, and why?"),
            150,
            costs,
        ));
        for i in [7, 27, 47] {
            assert!(
                out.contains(&format!(
                    "test at a.test.mjs:{i}:32\n✖ case {i} (1.0ms)\n  AssertionError"
                )),
                "{out}"
            );
        }
    }

    #[test]
    fn valgrinds_errors_keep_the_function_they_happened_in() {
        let mut text = String::from(
            "==77== Memcheck, a memory error detector\n==77== Command: ./codec\n==77== \n",
        );
        for k in 0..40 {
            text.push_str(&format!("==77== Warning: set address range perms: large range [0x{k:x}000, +0x1000) (defined)\n"));
        }
        for (what, f) in [
            ("Invalid write of size 4", "resolve_token"),
            (
                "Conditional jump or move depends on uninitialised value(s)",
                "check_window",
            ),
            (
                "Conditional jump or move depends on uninitialised value(s)",
                "count_token",
            ),
        ] {
            text.push_str(&format!("==77== {what}\n==77==    at 0x10916D: {f} (codec.c:6)\n==77==    by 0x1091BE: main (codec.c:14)\n==77== \n"));
        }
        text.push_str("==77== ERROR SUMMARY: 3 errors from 3 contexts (suppressed: 0 from 0)\n");
        let lines = Lines::new(&text);
        let costs = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
        let out = kept(&compress(&text, &Query::parse(""), 150, costs));
        for f in [
            "Invalid write of size 4\n==77==    at 0x10916D: resolve_token",
            "uninitialised value(s)\n==77==    at 0x10916D: check_window",
            "uninitialised value(s)\n==77==    at 0x10916D: count_token",
        ] {
            assert!(out.contains(f), "{out}");
        }
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

    /// A clippy run: `kinds` kinds of warning, each found `times` times, with location, excerpt and notes.
    fn clippy_run(kinds: usize, times: usize) -> String {
        const KINDS: [&str; 6] = [
            "length comparison to zero",
            "the loop variable `i` is only used to index `v`",
            "manual `RangeInclusive::contains` implementation",
            "this `if` has identical blocks",
            "redundant clone",
            "useless conversion to the same type: `String`",
        ];
        let mut text = String::from("    Checking scratch v0.1.0 (/tmp/scratch)\n");
        for t in 0..times {
            for (k, kind) in KINDS.iter().enumerate().take(kinds) {
                let line = 10 * k + 100 * t + 3;
                text.push_str(&format!(
                    "warning: {kind}\n  --> src/m{t}.rs:{line}:5\n   |\n{line} |     let value_{k} = compute_{k}(input);\n   |     ^^^^^^^^^^^^ help: use `other_{k}`\n   |\n   = help: for further information visit https://rust-lang.github.io/rust-clippy/index.html#lint_{k}\n   = note: `#[warn(clippy::lint_{k})]` on by default\n\n"
                ));
            }
        }
        text.push_str(&format!(
            "warning: `scratch` (lib) generated {} warnings\n    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.33s\n",
            kinds * times
        ));
        text
    }

    #[test]
    fn without_a_query_each_finding_keeps_its_location_and_no_note_comes_before_another_finding() {
        let text = clippy_run(4, 2);
        let lines = Lines::new(&text);
        let costs = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
        let budget = crate::tokens::count(&text, Encoding::O200kBase) / 4;
        let out = kept(&compress(&text, &Query::parse(""), budget, costs));
        for t in 0..2 {
            for k in 0..4 {
                let line = 10 * k + 100 * t + 3;
                assert!(
                    out.contains(&format!("  --> src/m{t}.rs:{line}:5\n")),
                    "{t} {k}\n{out}"
                );
            }
        }
        assert_eq!(out.matches("\nwarning: ").count(), 9, "{out}");
        assert!(!out.contains("= note:"), "{out}");
        assert!(out.contains("generated 8 warnings"));
        assert!(out.len() < text.len() / 2);
    }

    #[test]
    fn without_a_query_a_rare_finding_on_one_line_is_kept_each_time() {
        let mut text = String::new();
        for f in ["config", "payload", "price", "record"] {
            for (k, line) in [3, 10, 17, 26, 31, 43].iter().enumerate() {
                let rule = [
                    "F401 [*] `os` imported but unused",
                    "E722 Do not use bare `except`",
                    "E711 Comparison to `None` should be `cond is None`",
                ][k % 3];
                text.push_str(&format!("{f}.py:{line}:5: {rule}\n"));
            }
        }
        text.push_str("config.py:68:12: F541 [*] f-string without any placeholders\n");
        text.push_str("price.py:8:12: F541 [*] f-string without any placeholders\n");
        text.push_str("Found 26 errors.\n[*] 4 fixable with `--fix`.\n");
        let lines = Lines::new(&text);
        let costs = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
        let budget = crate::tokens::count(&text, Encoding::O200kBase) / 4;
        let out = kept(&compress(&text, &Query::parse(""), budget, costs));
        assert!(out.contains("config.py:68:12: F541"), "{out}");
        assert!(out.contains("price.py:8:12: F541"), "{out}");
        assert!(out.contains("Found 26 errors."));
    }

    #[test]
    fn a_diagnostic_headline_is_kept_with_its_location_or_not_at_all() {
        let text = clippy_run(6, 5);
        let lines = Lines::new(&text);
        for budget in [60, 150, 300, 600] {
            let costs = Costs::new(lines.len(), Encoding::O200kBase, 25);
            let out = kept(&compress(&text, &Query::parse(""), budget, costs));
            let kept: Vec<&str> = out.lines().collect();
            for (i, line) in kept.iter().enumerate() {
                if line.starts_with("warning: ") && !line.contains("generated") {
                    assert!(
                        kept.get(i + 1).is_some_and(|l| l.starts_with("  --> ")),
                        "{budget}\n{out}"
                    );
                }
            }
        }
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
