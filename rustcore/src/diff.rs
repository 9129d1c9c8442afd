//! Unified diffs and `git log -p`: the hunks the query points at kept whole
//! (long runs of unchanged context trimmed), commit and file headers kept so
//! the structure reads, noise (lock files, generated files, whitespace-only
//! hunks, huge deletions) summarised by markers counting what they stand for.

use std::collections::HashMap;

use crate::lines::{Costs, GapUnit, Lines, Piece, Planner};
use crate::query::{score_mask, Query};

/// What a line of a diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `commit <hash>` of `git log -p`.
    Commit,
    /// `Author:`, `Date:`, `Merge:` and the like under a commit line.
    CommitMeta,
    /// An indented line of a commit message.
    Message,
    /// `diff --git a/x b/x` (or `diff -u ...`, `Index: x`): a file section starts.
    FileHeader,
    /// `index`, mode, rename and similarity lines, `---`/`+++`, `Binary files ... differ`.
    FileMeta,
    /// `@@ -a,b +c,d @@ context`.
    HunkHeader,
    Context,
    Added,
    Removed,
    /// `\ No newline at end of file`.
    NoNewline,
    /// Anything else (a `--stat` summary, text between commits).
    Other,
}

const P_RELEVANT: u32 = 900;
/// A commit line and its subject (shown together or not at all: a hash alone says nothing), and
/// its first file's header: what a commit is and where, at one level and in the order of the log.
const P_COMMIT: u32 = 830;
/// A file header, less its rank among its commit's files (or the diff's, without commits): a
/// history is read for which files each commit touched, so every commit's second file comes
/// before any commit's third, and every file header before any hunk.
const P_FILE: u32 = P_COMMIT;
const FILE_RANKS: u32 = 10;
/// How far a soft ceiling may grow for the commit lines, subjects and file headers.
const SKELETON_CEILINGS: usize = 2;
/// A `--stat` row: after every file header, before any hunk.
const P_STAT: u32 = P_FILE - FILE_RANKS - 1;
const P_COMMIT_META: u32 = 600;
const P_SUBJECT_BODY: u32 = 500;
/// A hunk header, less its rank among its file's hunks: every file's first hunk before any
/// file's second.
const P_HUNK_HEADER: u32 = 450;
const HUNK_RANKS: u32 = 40;
const P_CHANGED: u32 = 400;
const P_OTHER: u32 = 350;
/// Hunks the query points at, at most (their changes are shown first, as far as the budget goes).
const RELEVANT_HUNKS: usize = 64;
/// A hunk scoring at least this share of the best one's score is one the query points at.
const RELEVANT_SHARE: f32 = 0.6;
/// Unchanged context kept on each side of a change in a shown hunk.
const CONTEXT_KEEP: usize = 3;
/// Without a query, the changed lines kept from the start of each hunk, and how many of them
/// come with its header.
const CHANGED_PER_HUNK: usize = 6;
const FIRST_CHANGES: usize = 2;
/// A hunk that only deletes more than this many lines is a huge deletion.
const HUGE_DELETION: usize = 40;

impl Kind {
    /// One byte per kind, as `rustcore.diff_line_kinds` hands them to Python: `c` commit, `a`
    /// commit meta, `m` message, `f` file header, `i` file meta, `h` hunk header, ` ` context,
    /// `+` added, `-` removed, `\\` no newline, `o` other.
    pub fn code(self) -> u8 {
        match self {
            Kind::Commit => b'c',
            Kind::CommitMeta => b'a',
            Kind::Message => b'm',
            Kind::FileHeader => b'f',
            Kind::FileMeta => b'i',
            Kind::HunkHeader => b'h',
            Kind::Context => b' ',
            Kind::Added => b'+',
            Kind::Removed => b'-',
            Kind::NoNewline => b'\\',
            Kind::Other => b'o',
        }
    }
}

/// Classifies every line; `in_hunk` tracking needs the whole sequence.
pub fn classify(lines: &Lines<'_>) -> Vec<Kind> {
    let mut out = Vec::with_capacity(lines.len());
    let mut in_hunk = false;
    let mut in_message = false;
    // Lines left in the current hunk (from its header counts), so a `--- x` line inside a hunk stays a removal.
    let mut left_old = 0usize;
    let mut left_new = 0usize;
    for line in lines.iter() {
        let kind = if in_hunk && (left_old > 0 || left_new > 0) {
            match line.as_bytes().first() {
                Some(b'+') => {
                    left_new = left_new.saturating_sub(1);
                    Kind::Added
                }
                Some(b'-') => {
                    left_old = left_old.saturating_sub(1);
                    Kind::Removed
                }
                Some(b'\\') => Kind::NoNewline,
                Some(b' ') | None => {
                    left_old = left_old.saturating_sub(1);
                    left_new = left_new.saturating_sub(1);
                    Kind::Context
                }
                _ => {
                    in_hunk = false;
                    top_level(line, &mut in_message)
                }
            }
        } else if line.starts_with('\\') && in_hunk {
            Kind::NoNewline
        } else {
            in_hunk = false;
            top_level(line, &mut in_message)
        };
        if kind == Kind::HunkHeader {
            let (o, n) = hunk_counts(line);
            left_old = o;
            left_new = n;
            in_hunk = true;
        }
        out.push(kind);
    }
    // A plain unified diff (`diff -u a b` saved without its command line) has no `diff` line: its
    // `---` line, followed by `+++` and not under a `diff` header, opens the file section.
    for i in 0..out.len().saturating_sub(1) {
        if out[i] == Kind::FileMeta
            && out[i + 1] == Kind::FileMeta
            && lines.content(i).starts_with("--- ")
            && lines.content(i + 1).starts_with("+++ ")
        {
            let above = (0..i).rev().find(|&k| out[k] != Kind::FileMeta);
            if above.is_none_or(|k| out[k] != Kind::FileHeader) {
                out[i] = Kind::FileHeader;
            }
        }
    }
    out
}

fn top_level(line: &str, in_message: &mut bool) -> Kind {
    if line.starts_with("commit ")
        && line[7..].bytes().take(7).all(|b| b.is_ascii_hexdigit())
        && line.len() >= 14
    {
        *in_message = false;
        return Kind::Commit;
    }
    if line.starts_with("diff --git ") || line.starts_with("diff -") || line.starts_with("Index: ")
    {
        *in_message = false;
        return Kind::FileHeader;
    }
    if line.starts_with("@@ ") || line.starts_with("@@@ ") {
        return Kind::HunkHeader;
    }
    const META: &[&str] = &[
        "index ",
        "--- ",
        "+++ ",
        "new file mode",
        "deleted file mode",
        "old mode",
        "new mode",
        "similarity index",
        "dissimilarity index",
        "rename from",
        "rename to",
        "copy from",
        "copy to",
        "Binary files",
        "GIT binary patch",
        "===================================================================",
    ];
    if META.iter().any(|m| line.starts_with(m)) {
        return Kind::FileMeta;
    }
    const COMMIT_META: &[&str] = &[
        "Author:",
        "AuthorDate:",
        "Commit:",
        "CommitDate:",
        "Date:",
        "Merge:",
        "Reflog:",
        "Signed-off-by:",
    ];
    if COMMIT_META.iter().any(|m| line.starts_with(m)) {
        *in_message = true;
        return Kind::CommitMeta;
    }
    if *in_message && (line.starts_with("    ") || line.is_empty()) {
        return Kind::Message;
    }
    Kind::Other
}

/// Old and new line counts from `@@ -a,b +c,d @@` (a missing count is 1).
fn hunk_counts(header: &str) -> (usize, usize) {
    let mut old = 1;
    let mut new = 1;
    for part in header.split_whitespace().skip(1).take(2) {
        let (sign, rest) = part.split_at(1);
        let count = rest
            .split_once(',')
            .map_or(Some(1), |(_, c)| c.parse().ok())
            .unwrap_or(1);
        match sign {
            "-" => old = count,
            "+" => new = count,
            _ => {}
        }
    }
    (old, new)
}

/// A file section of the diff.
struct FileSection {
    header: usize,
    end: usize,
    noise: bool,
}

/// A hunk: its header line and the lines up to the next header.
struct Hunk {
    header: usize,
    end: usize,
    file: Option<usize>,
    commit: Option<usize>,
    added: usize,
    removed: usize,
    whitespace_only: bool,
}

/// Lock files, generated and vendored files: their content is never the point.
fn is_noise_path(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    const LOCKS: &[&str] = &[
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "Cargo.lock",
        "poetry.lock",
        "Pipfile.lock",
        "go.sum",
        "composer.lock",
        "Gemfile.lock",
        "uv.lock",
        "bun.lockb",
        "flake.lock",
        "mix.lock",
        "pubspec.lock",
    ];
    LOCKS.contains(&base)
        || base.ends_with(".min.js")
        || base.ends_with(".min.css")
        || base.ends_with(".map")
        || base.ends_with(".snap")
        || base.ends_with(".pb.go")
        || base.ends_with("_pb2.py")
        || base.ends_with(".svg")
        || path.split('/').any(|d| {
            matches!(
                d,
                "vendor" | "node_modules" | "dist" | "__generated__" | "generated"
            )
        })
}

fn path_of(header: &str) -> &str {
    if let Some(rest) = header.strip_prefix("--- ") {
        // `--- path<TAB>date` of a plain unified diff.
        return rest.split('\t').next().unwrap_or(rest).trim_end();
    }
    // `diff --git a/x b/x`: the b/ side names the file as it is now.
    header.rsplit_once(" b/").map_or_else(
        || header.split_whitespace().last().unwrap_or(""),
        |(_, p)| p,
    )
}

/// A row of a `--stat` table (` path | 12 ++--`, ` img.png | Bin 0 -> 12 bytes`) or its total
/// (` 3 files changed, 10 insertions(+)`).
fn is_stat_row(line: &str) -> bool {
    let body = line.trim();
    if let Some((path, count)) = body.rsplit_once(" | ") {
        let count = count.trim_start();
        return !path.trim().is_empty()
            && (count.starts_with("Bin ")
                || count.split_once(' ').map_or(
                    count.bytes().all(|b| b.is_ascii_digit()),
                    |(n, bar)| {
                        n.bytes().all(|b| b.is_ascii_digit())
                            && !n.is_empty()
                            && bar.bytes().all(|b| b == b'+' || b == b'-')
                    },
                ));
    }
    body.contains(" changed,")
        && (body.contains(" file changed") || body.contains(" files changed"))
}

/// Whether two lines have the same words (they differ at most in whitespace).
fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

struct Structure {
    kinds: Vec<Kind>,
    files: Vec<FileSection>,
    hunks: Vec<Hunk>,
    /// For each commit line: the end of its header block (exclusive) and its subject line.
    commits: Vec<(usize, usize, Option<usize>)>,
}

fn structure(lines: &Lines<'_>) -> Structure {
    let kinds = classify(lines);
    let n = kinds.len();
    let mut files: Vec<FileSection> = Vec::new();
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut commits: Vec<(usize, usize, Option<usize>)> = Vec::new();
    for i in 0..n {
        match kinds[i] {
            Kind::Commit => {
                let mut end = i + 1;
                let mut subject = None;
                while end < n && matches!(kinds[end], Kind::CommitMeta | Kind::Message) {
                    if subject.is_none()
                        && kinds[end] == Kind::Message
                        && !lines.content(end).trim().is_empty()
                    {
                        subject = Some(end);
                    }
                    end += 1;
                }
                commits.push((i, end, subject));
            }
            Kind::FileHeader => {
                if let Some(f) = files.last_mut() {
                    f.end = f.end.min(i);
                }
                let path = path_of(lines.content(i));
                files.push(FileSection {
                    header: i,
                    end: n,
                    noise: is_noise_path(path),
                });
            }
            Kind::HunkHeader => {
                let file = files.len().checked_sub(1);
                let commit = commits.len().checked_sub(1);
                hunks.push(Hunk {
                    header: i,
                    end: i + 1,
                    file,
                    commit,
                    added: 0,
                    removed: 0,
                    whitespace_only: false,
                });
            }
            Kind::Added | Kind::Removed | Kind::Context | Kind::NoNewline => {
                if let Some(h) = hunks.last_mut() {
                    h.end = i + 1;
                    match kinds[i] {
                        Kind::Added => h.added += 1,
                        Kind::Removed => h.removed += 1,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        if kinds[i] == Kind::Commit {
            if let Some(f) = files.last_mut() {
                f.end = f.end.min(i);
            }
        }
    }
    let mut removed: Vec<usize> = Vec::new();
    let mut added: Vec<usize> = Vec::new();
    for h in &mut hunks {
        removed.clear();
        added.clear();
        for (i, kind) in kinds.iter().enumerate().take(h.end).skip(h.header + 1) {
            match kind {
                Kind::Added => added.push(i),
                Kind::Removed => removed.push(i),
                _ => {}
            }
        }
        // Each removed line comes back added, differing only in whitespace.
        h.whitespace_only = !added.is_empty()
            && removed.len() == added.len()
            && removed
                .iter()
                .zip(&added)
                .all(|(&r, &a)| same_words(&lines.content(r)[1..], &lines.content(a)[1..]));
    }
    Structure {
        kinds,
        files,
        hunks,
        commits,
    }
}

/// Counts whole hunks (or files) in a gap when it is made of them.
struct DiffUnit<'s> {
    st: &'s Structure,
}

impl GapUnit for DiffUnit<'_> {
    fn describe(&self, a: usize, b: usize) -> (&'static str, usize) {
        let kinds = &self.st.kinds;
        let headers = kinds[a..b]
            .iter()
            .filter(|k| **k == Kind::HunkHeader)
            .count();
        let files = kinds[a..b]
            .iter()
            .filter(|k| **k == Kind::FileHeader)
            .count();
        let whole = |k: Kind| matches!(k, Kind::HunkHeader | Kind::FileMeta | Kind::FileHeader);
        let ends_clean = b == kinds.len()
            || matches!(kinds[b], Kind::HunkHeader | Kind::FileHeader | Kind::Commit);
        if files >= 1 && kinds[a] == Kind::FileHeader && ends_clean {
            return ("files", files);
        }
        if headers > 0 && whole(kinds[a]) && ends_clean && files == 0 {
            return ("hunks", headers);
        }
        ("lines", b - a)
    }
}

/// The compressed diff as pieces, within `budget` tokens.
pub fn compress(text: &str, query: &Query, budget: usize, mut costs: Costs) -> Vec<Piece> {
    let lines = Lines::new(text);
    let n = lines.len();
    let st = structure(&lines);
    let kinds = &st.kinds;
    let mut priority = vec![0u32; n];

    for (i, k) in kinds.iter().enumerate() {
        priority[i] = match k {
            Kind::Commit => P_COMMIT,
            // A `--stat` table is the file list itself: after the file headers, before any hunk.
            Kind::Other if is_stat_row(lines.content(i)) => P_STAT,
            Kind::Other if !lines.content(i).trim().is_empty() => P_OTHER,
            _ => 0,
        };
    }
    let mut rank = 0u32;
    let mut commit = st.commits.iter().map(|c| c.0).peekable();
    for f in &st.files {
        // A new commit since the last file: its files count from the first again.
        while commit.next_if(|&c| c < f.header).is_some() {
            rank = 0;
        }
        priority[f.header] = P_FILE - rank.min(FILE_RANKS);
        rank += 1;
    }
    for &(c, end, subject) in &st.commits {
        if let Some(s) = subject {
            priority[s] = P_COMMIT;
        }
        for i in c + 1..end {
            let line = lines.content(i);
            if kinds[i] == Kind::CommitMeta
                && (line.starts_with("Author:") || line.starts_with("Date:"))
            {
                priority[i] = P_COMMIT_META;
            } else if kinds[i] == Kind::Message && priority[i] == 0 && i < c + 12 {
                priority[i] = P_SUBJECT_BODY;
            }
        }
    }

    // Relevance of each hunk: its lines, its file's path and its commit's header, as one bag of terms.
    let masks = query.match_lines(&lines);
    let weights = query.weights(&masks);
    let hunk_scores: Vec<f32> = st
        .hunks
        .iter()
        .map(|h| {
            let mut m = 0u64;
            for mask in &masks[h.header..h.end] {
                m |= mask;
            }
            if let Some(f) = h.file {
                let file = &st.files[f];
                for mask in &masks[file.header..(file.header + 4).min(n)] {
                    m |= mask;
                }
            }
            if let Some(c) = h.commit {
                let (start, end, _) = st.commits[c];
                for mask in &masks[start..end] {
                    m |= mask;
                }
            }
            score_mask(m, &weights)
        })
        .collect();
    // A file or commit the query names outright (its path, its hash) is what it asks about: the
    // hunks under every such name the query gives are all relevant, whatever words they share.
    let pointers = Pointers::of(query);
    // The `--stat` rows of the files the question names say how much changed there: shown first.
    let named_stats: Vec<usize> = (0..n)
        .filter(|&i| priority[i] == P_STAT && masks[i] & (pointers.paths | pointers.names) != 0)
        .collect();
    let named = named_hunks(&st, &pointers, &masks);
    let top = named.iter().copied().max().unwrap_or(0);
    let best = (0..st.hunks.len())
        .filter(|&h| named[h] == top)
        .map(|h| hunk_scores[h])
        .fold(0.0f32, f32::max);
    let mut relevant: Vec<usize> = (0..st.hunks.len())
        .filter(|&h| {
            named[h] == top && best > 0.0 && (top > 0 || hunk_scores[h] >= RELEVANT_SHARE * best)
        })
        .collect();
    relevant.sort_by(|&a, &b| hunk_scores[b].total_cmp(&hunk_scores[a]).then(a.cmp(&b)));
    relevant.truncate(RELEVANT_HUNKS);

    let noisy = |h: &Hunk| {
        h.file.is_some_and(|f| st.files[f].noise)
            || h.whitespace_only
            || (h.added == 0 && h.removed > HUGE_DELETION)
    };
    if query.is_empty() || relevant.is_empty() {
        // No question, or none it points at: the shape of every change (its header and first
        // changed lines), noise aside.
        let mut rank = 0u32;
        let mut file = None;
        for h in &st.hunks {
            if h.file != file {
                file = h.file;
                rank = 0;
            }
            if noisy(h) {
                continue;
            }
            let head = P_HUNK_HEADER - rank.min(HUNK_RANKS);
            priority[h.header] = priority[h.header].max(head);
            rank += 1;
            let mut shown = 0;
            for i in h.header + 1..h.end {
                if matches!(kinds[i], Kind::Added | Kind::Removed) && shown < CHANGED_PER_HUNK {
                    // A hunk's first two changed lines (a line and its replacement) come with its
                    // header; then every hunk's third before any hunk's fourth, and so on.
                    let p = if shown < FIRST_CHANGES {
                        head
                    } else {
                        P_CHANGED + (CHANGED_PER_HUNK - shown) as u32
                    };
                    priority[i] = priority[i].max(p);
                    shown += 1;
                }
            }
        }
    }

    let budget = skeleton_budget(&lines, &st, &priority, &mut costs, budget);
    let mut planner = Planner::new(&lines, costs, budget, 0);
    for &i in &named_stats {
        planner.offer(i);
    }
    let pointed = |i: usize| masks[i] & pointers.names != 0;
    show_relevant(&st, &relevant, &pointed, &mut planner, &mut priority);
    let mut order: Vec<usize> = (0..n).filter(|&i| priority[i] > 0).collect();
    order.sort_by(|&a, &b| priority[b].cmp(&priority[a]).then(a.cmp(&b)));
    let (units, in_unit) = commit_units(&st, n);
    for &i in &order {
        match units.get(&i) {
            Some(unit) => {
                planner.offer_all(unit);
            }
            None if !in_unit[i] => {
                planner.offer(i);
            }
            None => {}
        }
    }
    planner.finish(&DiffUnit { st: &st })
}

/// Each commit line with its subject, shown together or not at all (a hash alone says nothing),
/// and which lines are such a subject.
fn commit_units(st: &Structure, n: usize) -> (HashMap<usize, Vec<usize>>, Vec<bool>) {
    let mut units = HashMap::new();
    let mut in_unit = vec![false; n];
    for &(start, _, subject) in &st.commits {
        if let Some(s) = subject {
            in_unit[s] = true;
        }
        units.insert(start, std::iter::once(start).chain(subject).collect());
    }
    (units, in_unit)
}

/// Under a soft ceiling (no caller budget), the budget grows to hold what a history is read for
/// first: every commit line, subject, file header and `--stat` row, each with the marker after it
/// (the meta lines' too), up to [`SKELETON_CEILINGS`] times the ceiling.
fn skeleton_budget(
    lines: &Lines<'_>,
    st: &Structure,
    priority: &[u32],
    costs: &mut Costs,
    budget: usize,
) -> usize {
    if !costs.soft() {
        return budget;
    }
    let marker = costs.marker();
    let skeleton: usize = (0..lines.len())
        .filter(|&i| priority[i] >= P_STAT)
        .map(|i| costs.line(lines, i) + marker)
        .sum::<usize>()
        + st.commits.len() * marker;
    budget.max(skeleton.min(budget * SKELETON_CEILINGS))
}

/// The query's phrases by what they point at, as bits of its terms: file paths (a `/` or a `.`),
/// commit hashes (7 or more hex digits), and the rest (identifiers, quoted text), which point at
/// the lines that hold them.
#[derive(Clone, Copy, Default)]
struct Pointers {
    paths: u64,
    hashes: u64,
    names: u64,
}

impl Pointers {
    fn of(query: &Query) -> Self {
        let mut p = Pointers::default();
        for (k, (term, phrase)) in query.terms().enumerate() {
            if !phrase {
                continue;
            }
            if term.len() >= 7 && term.iter().all(u8::is_ascii_hexdigit) {
                p.hashes |= 1 << k;
            } else if term.iter().any(|&b| b == b'/' || b == b'.')
                && term.iter().any(u8::is_ascii_alphabetic)
            {
                p.paths |= 1 << k;
            } else {
                p.names |= 1 << k;
            }
        }
        p
    }
}

/// For each hunk, how many of the names the query gives for where it is it carries: its file's
/// path (a phrase of the query with a `/` or a `.` found on the file's `diff` line or its
/// `---`/`+++` lines) and its commit's hash (a hex phrase found on the commit line).
fn named_hunks(st: &Structure, pointers: &Pointers, masks: &[u64]) -> Vec<u8> {
    let Pointers { paths, hashes, .. } = *pointers;
    st.hunks
        .iter()
        .map(|h| {
            let file = h.file.map_or(0, |f| {
                let header = &st.files[f];
                let end = header.end.min(header.header + 5);
                let m = masks[header.header..end].iter().fold(0, |a, b| a | b);
                u8::from(m & paths != 0)
            });
            let commit = h
                .commit
                .map_or(0, |c| u8::from(masks[st.commits[c].0] & hashes != 0));
            file + commit
        })
        .collect()
}

/// The lines that say where a hunk is: its commit's line, subject, author and date, and its
/// file's header block (`diff --git`, `index`, `---`/`+++`).
fn frame_of(st: &Structure, h: &Hunk, priority: &[u32]) -> Vec<usize> {
    let mut out = Vec::new();
    if let Some(c) = h.commit {
        let (start, end, subject) = st.commits[c];
        out.extend((start..end).filter(|&i| {
            st.kinds[i] == Kind::Commit || Some(i) == subject || priority[i] == P_COMMIT_META
        }));
    }
    if let Some(f) = h.file {
        let file = &st.files[f];
        out.push(file.header);
        out.extend((file.header + 1..file.end).take_while(|&i| st.kinds[i] == Kind::FileMeta));
    }
    out
}

/// Shows the hunks the query points at, best first: each one's frame, header and changed lines
/// together when they fit (a hunk that does not is left to its marker while smaller ones are
/// shown), then the changed lines of those that did not fit as far as they go, then every shown
/// hunk's unchanged context. Every relevant hunk's changes come before any hunk's context, so a
/// question that points at many hunks (a file changed in many places, a name renamed throughout)
/// gets the changes of all of them rather than the first few whole.
fn show_relevant(
    st: &Structure,
    relevant: &[usize],
    pointed: &dyn Fn(usize) -> bool,
    planner: &mut Planner<'_, '_>,
    priority: &mut [u32],
) {
    let kinds = &st.kinds;
    let changed = |h: &Hunk| -> Vec<usize> {
        (h.header + 1..h.end)
            .filter(|&i| matches!(kinds[i], Kind::Added | Kind::Removed | Kind::NoNewline))
            .collect()
    };
    // First the changed lines that hold a name the query gives, each with the line it replaces
    // or is replaced by, in every relevant hunk: a renamed identifier's both sides, wherever.
    for &hi in relevant {
        let h = &st.hunks[hi];
        let lines: Vec<usize> = changed(h).into_iter().filter(|&i| pointed(i)).collect();
        if lines.is_empty() {
            continue;
        }
        let mut group = frame_of(st, h, priority);
        group.push(h.header);
        for i in lines {
            group.push(i);
            group.extend(counterpart(kinds, h, i));
        }
        group.sort_unstable();
        group.dedup();
        planner.offer_all(&group);
    }
    let mut left_out = Vec::new();
    for &hi in relevant {
        let h = &st.hunks[hi];
        let mut group = frame_of(st, h, priority);
        group.push(h.header);
        group.extend(changed(h));
        if !planner.offer_all(&group) {
            left_out.push(hi);
        }
    }
    for &hi in &left_out {
        let h = &st.hunks[hi];
        let mut group = frame_of(st, h, priority);
        group.push(h.header);
        if planner.offer_all(&group) {
            for i in changed(h) {
                planner.offer(i);
            }
        }
    }
    // Context, and whatever else the planner may still fit, by the usual priorities.
    for (rank, &hi) in relevant.iter().enumerate() {
        let p = P_RELEVANT + (relevant.len() - rank).min(RELEVANT_HUNKS) as u32;
        show_hunk(kinds, &st.hunks[hi], p, priority);
    }
}

/// The line a changed line pairs with: the same place in the run of the other sign next to its
/// own run (a removed line's replacement, an added line's original), when there is one.
fn counterpart(kinds: &[Kind], h: &Hunk, i: usize) -> Option<usize> {
    let own = kinds[i];
    let other = match own {
        Kind::Removed => Kind::Added,
        Kind::Added => Kind::Removed,
        _ => return None,
    };
    let start = (h.header + 1..=i)
        .rev()
        .take_while(|&k| kinds[k] == own)
        .last()?;
    let end = (i..h.end).take_while(|&k| kinds[k] == own).last()? + 1;
    let offset = i - start;
    if own == Kind::Removed {
        let at = end + offset;
        (at < h.end && (end..=at).all(|k| kinds[k] == other)).then_some(at)
    } else {
        let before = start.checked_sub(1)?;
        let first = (h.header + 1..=before)
            .rev()
            .take_while(|&k| kinds[k] == other)
            .last()?;
        let at = first + offset;
        (at <= before).then_some(at)
    }
}

/// Marks a hunk to be shown: header, every change, and up to `CONTEXT_KEEP`
/// unchanged lines on each side of a change.
fn show_hunk(kinds: &[Kind], h: &Hunk, p: u32, priority: &mut [u32]) {
    priority[h.header] = priority[h.header].max(p);
    let changed: Vec<usize> = (h.header + 1..h.end)
        .filter(|&i| matches!(kinds[i], Kind::Added | Kind::Removed | Kind::NoNewline))
        .collect();
    for i in h.header + 1..h.end {
        let near = changed.iter().any(|&c| c.abs_diff(i) <= CONTEXT_KEEP);
        if near {
            // Changes first, their context a notch lower so a tight budget drops context first.
            let q = if kinds[i] == Kind::Context { p - 5 } else { p };
            priority[i] = priority[i].max(q);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::Encoding;

    const LOG: &str = "commit 1111111aaaaaaa
Author: A <a@x>
Date:   Mon Jan 1 00:00:00 2024 +0000

    first change subject

diff --git a/src/a.py b/src/a.py
index 1..2 100644
--- a/src/a.py
+++ b/src/a.py
@@ -1,3 +1,3 @@ def f():
 x = 1
-y = 2
+y = 3
 z = 4
commit 2222222bbbbbbb
Author: B <b@x>
Date:   Tue Jan 2 00:00:00 2024 +0000

    second change

diff --git a/package-lock.json b/package-lock.json
index 3..4 100644
--- a/package-lock.json
+++ b/package-lock.json
@@ -1,2 +1,2 @@
-\"version\": \"1.0.0\"
+\"version\": \"1.0.1\"
";

    #[test]
    fn lines_of_git_log_p_are_classified() {
        let lines = Lines::new(LOG);
        let k = classify(&lines);
        assert_eq!(k[0], Kind::Commit);
        assert_eq!(k[1], Kind::CommitMeta);
        assert_eq!(k[4], Kind::Message);
        assert_eq!(k[6], Kind::FileHeader);
        assert_eq!(k[8], Kind::FileMeta);
        assert_eq!(k[10], Kind::HunkHeader);
        assert_eq!(k[12], Kind::Removed);
        assert_eq!(k[13], Kind::Added);
        assert_eq!(k[15], Kind::Commit);
    }

    #[test]
    fn a_removed_line_that_looks_like_a_header_stays_a_removal() {
        let text = "@@ -1,2 +1,1 @@\n--- a comment\n x\n";
        let k = classify(&Lines::new(text));
        assert_eq!(k[1], Kind::Removed);
    }

    #[test]
    fn hunk_counts_default_to_one() {
        assert_eq!(hunk_counts("@@ -3 +3,2 @@ ctx"), (1, 2));
        assert_eq!(hunk_counts("@@ -10,7 +10,8 @@"), (7, 8));
    }

    fn run(text: &str, query: &str, budget: usize) -> String {
        crate::line_compressor::testing::run(compress, text, query, budget)
    }

    #[test]
    fn the_commit_asked_about_keeps_its_changes_and_headers_stay() {
        let mut text = String::from(LOG);
        for c in 0..30 {
            text.push_str(&format!(
                "commit {c:07}cccccccc\nAuthor: C <c@x>\nDate:   Wed\n\n    filler {c}\n\ndiff --git a/src/f{c}.py b/src/f{c}.py\n--- a/src/f{c}.py\n+++ b/src/f{c}.py\n@@ -1,12 +1,12 @@\n"
            ));
            for i in 0..12 {
                text.push_str(&format!(
                    "-old line {i} of {c} with some words\n+new line {i} of {c} with some words\n"
                ));
            }
        }
        let out = run(
            &text,
            "What did commit 1111111aaa change in src/a.py?",
            1200,
        );
        assert!(out.contains("-y = 2\n+y = 3\n"), "{out}");
        assert!(out.contains("commit 2222222bbbbbbb"));
        assert!(out.len() < text.len() / 3);
    }

    #[test]
    fn lockfiles_are_summarised_without_a_query() {
        let out = run(LOG, "", 10_000);
        assert!(out.contains("+y = 3"));
        assert!(!out.contains("1.0.1"), "{out}");
        assert!(out.contains("diff --git a/package-lock.json b/package-lock.json"));
    }

    #[test]
    fn a_changed_line_pairs_with_the_same_place_in_the_other_run() {
        let text = "@@ -1,4 +1,4 @@\n ctx\n-a1\n-a2\n+b1\n+b2\n+b3\n ctx\n";
        let lines = Lines::new(text);
        let st = structure(&lines);
        let h = &st.hunks[0];
        assert_eq!(counterpart(&st.kinds, h, 2), Some(4));
        assert_eq!(counterpart(&st.kinds, h, 4), Some(2));
        assert_eq!(counterpart(&st.kinds, h, 5), Some(3));
        assert_eq!(counterpart(&st.kinds, h, 6), None);
        assert_eq!(counterpart(&st.kinds, h, 1), None);
    }

    #[test]
    fn every_hunk_of_the_file_named_in_the_commit_named_keeps_its_changes() {
        let mut text = String::new();
        for c in 0..3 {
            text.push_str(&format!(
                "commit {c:07}dddddddd\nAuthor: C <c@x>\nDate:   Wed\n\n    tidy values\n\n"
            ));
            for f in 0..3 {
                text.push_str(&format!(
                    "diff --git a/src/m{f}.py b/src/m{f}.py\n--- a/src/m{f}.py\n+++ b/src/m{f}.py\n"
                ));
                for h in 0..10 {
                    text.push_str(&format!(
                        "@@ -{0},3 +{0},3 @@\n ctx\n-old value {c} {f} {h}\n+new value {c} {f} {h}\n ctx\n",
                        h * 20 + 1
                    ));
                }
            }
        }
        let out = run(
            &text,
            "What did the commit 0000001ddd (tidy values) change in src/m2.py?",
            900,
        );
        for h in 0..10 {
            assert!(
                out.contains(&format!("-old value 1 2 {h}\n+new value 1 2 {h}\n")),
                "{out}"
            );
        }
        assert!(!out.contains("-old value 0 2 0"), "{out}");
    }

    proptest::proptest! {
        #[test]
        fn no_text_or_query_makes_it_panic(text in "(\\PC|\n|\r){0,400}", query in "\\PC{0,40}") {
            let lines = Lines::new(&text);
            let _ = compress(&text, &Query::parse(&query), 300, Costs::new(lines.len(), Encoding::O200kBase, 25));
        }
    }
}
