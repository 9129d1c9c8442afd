//! Listings and tables: `tree`, `npm ls`, `du`, `find`, `ls -l`/`ls -lR`,
//! `git log --stat`, column-aligned tables (`pip list`, `ps`, `df`,
//! `docker ps`, `kubectl get`) and CSV/TSV.
//!
//! Each line is read for the shape it has (a tree branch, a path after a few
//! values, an `ls -l` row, a section head such as `./dir:` or `commit <hash>`,
//! a table row), and hung under the line it belongs to: a tree entry under
//! the entry it branches from, a path under the listed directory holding it,
//! an `ls -lR` row under its directory, a commit's lines under the commit, a
//! table row under the header. [`crate::outline`] then keeps the header, what
//! the query names with its parents, the extremes of size-like columns and a
//! breadth-first sample, and counts the rest in markers.

use std::collections::HashSet;

use crate::lines::{Costs, Lines, Piece};
use crate::loglines::Kind;
use crate::logwords::scan_words;
use crate::outline::{self, Outline, Role, NONE, P_ASKED, P_NOTABLE};
use crate::query::Query;

/// The widest a tree prefix or a row's leading values can be, in fields.
const MAX_LEADING_FIELDS: usize = 10;
/// Numeric columns looked at for extremes.
const MAX_NUMERIC_COLUMNS: usize = 6;
/// A column whose values span this many orders of magnitude (10th to 90th percentile) holds sizes.
const SIZE_SPREAD: f64 = 0.5;

/// Box-drawing and ASCII tree prefixes: the byte where the entry's name starts, if the
/// line is a tree branch (`├── x`, `│   └─┬ x`, `|-- x`, `` `-- x ``, `+-- x`).
pub fn tree_name(content: &str) -> Option<usize> {
    let mut i = 0;
    let mut branch = false;
    let b = content.as_bytes();
    while i < b.len() {
        let c = content[i..].chars().next()?;
        match c {
            ' ' | '\t' | '│' | '┃' | '─' | '━' | '┬' | '┼' | '┐' | '┌' | '┤' | '┳' => {
                i += c.len_utf8()
            }
            '├' | '└' | '┣' | '┗' | '╰' | '╭' | '┠' | '┖' => {
                branch = true;
                i += c.len_utf8();
            }
            '|' | '`' | '+' | '\\' => {
                let dashes = b[i + 1..].iter().take_while(|&&x| x == b'-').count();
                if dashes >= 2 || (dashes == 1 && b.get(i + 2) == Some(&b' ')) {
                    branch = true;
                    i += 1 + dashes;
                } else if c == '|' && matches!(b.get(i + 1), Some(b' ') | None) {
                    i += 1;
                } else {
                    return None;
                }
            }
            _ => break,
        }
    }
    (branch && i < b.len() && i > 0).then_some(i)
}

/// `-rw-r--r--`, `drwxr-xr-x.`, `lrwxrwxrwx@`: an `ls -l` mode field.
fn is_mode(field: &str) -> bool {
    let b = field.as_bytes();
    if !(10..=11).contains(&b.len()) || !b"-dlcbpsD?".contains(&b[0]) {
        return false;
    }
    let perms = b[1..10].iter().all(|c| b"rwxsStTlL-".contains(c));
    perms && (b.len() == 10 || b"@.+".contains(&b[10]))
}

/// The whitespace-separated fields of `s` with their byte offsets.
pub fn fields(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let base = s.as_ptr() as usize;
    s.split([' ', '\t'])
        .filter(|f| !f.is_empty())
        .map(move |f| (f.as_ptr() as usize - base, f))
}

/// Where an `ls -l` row's file name starts: after the time (`12:34`) or year of its date.
pub fn ls_name(content: &str) -> Option<usize> {
    let mut it = fields(content);
    let (_, mode) = it.next()?;
    if !is_mode(mode) {
        return None;
    }
    // The date ends the columns: `Jan  5 12:00`, `Jan  5  2024`, or `2024-01-05 12:00`.
    let (mut before, mut prev) = ("", "");
    for (k, (_, f)) in it.by_ref().enumerate() {
        let time = f.len() == 5 && f.as_bytes()[2] == b':';
        let year = f.len() == 4 && f.bytes().all(|c| c.is_ascii_digit());
        let month_day = before.len() == 3
            && before.bytes().all(|c| c.is_ascii_alphabetic())
            && (1..=2).contains(&prev.len())
            && prev.bytes().all(|c| c.is_ascii_digit());
        let iso_date = prev.len() == 10 && prev.as_bytes()[4] == b'-' && prev.as_bytes()[7] == b'-';
        if k >= 3 && ((time || year) && month_day || time && iso_date) {
            return it.next().map(|(at, _)| at);
        }
        if k > 10 {
            break;
        }
        (before, prev) = (prev, f);
    }
    None
}

/// A field that holds a value rather than words: a number, a size, a date, a hash.
fn value_like(f: &str) -> bool {
    f.bytes().any(|c| c.is_ascii_digit())
        || is_mode(f)
        || (f.len() >= 7 && f.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// A path field: starts like one, or holds a `/` between names.
fn path_like(f: &str) -> bool {
    if f.starts_with("//") || f.starts_with("/*") || f.contains('=') {
        return false;
    }
    // Not `src/a.py:12:` (a search result or a compiler message).
    let b = f.as_bytes();
    if (1..b.len()).any(|k| b[k - 1] == b':' && b[k].is_ascii_digit()) {
        return false;
    }
    if f.starts_with('/') || f.starts_with("./") || f.starts_with("../") || f.starts_with("~/") {
        return f == "/" || f.bytes().any(|c| c.is_ascii_alphanumeric());
    }
    f.contains('/')
        && !f.contains("://")
        && f.bytes().any(|c| c.is_ascii_alphabetic())
        && !f.starts_with(['(', '[', '<', '"', '\''])
        && !f.ends_with([':', ','])
}

/// Where a path row's path starts: the whole line is a path (`find`), or a path follows a
/// few values (`du`, `find -printf '%s %p'`, `wc -l`, `sha256sum`). A path runs to the end
/// of the line (names may hold spaces).
pub fn path_start(content: &str) -> Option<usize> {
    let t = content.trim_end();
    if t == "." || t == ".." {
        return Some(content.len() - content.trim_start().len());
    }
    for (k, (at, f)) in fields(t).enumerate() {
        if k >= MAX_LEADING_FIELDS {
            break;
        }
        if path_like(f) || (k > 0 && (f == "." || f == "..")) {
            return Some(at);
        }
        if !value_like(f) {
            return None;
        }
    }
    None
}

/// `commit 62387b8f…` (a `git log` record head).
pub fn is_commit_head(content: &str) -> bool {
    content.strip_prefix("commit ").is_some_and(|rest| {
        let hash = rest.split(' ').next().unwrap_or("");
        (7..=64).contains(&hash.len()) && hash.bytes().all(|c| c.is_ascii_hexdigit())
    })
}

/// ` path/to/file | 12 ++--` or ` img.png | Bin 0 -> 123 bytes`: a diffstat row.
pub fn is_stat_row(content: &str) -> bool {
    if !content.starts_with(' ') {
        return false;
    }
    let Some(bar) = content.rfind(" | ") else {
        return false;
    };
    if bar < 2 {
        return false;
    }
    let after = content[bar + 3..].trim_start();
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0
        && after[digits..]
            .trim()
            .bytes()
            .all(|c| c == b'+' || c == b'-'))
        || after.starts_with("Bin ")
}

/// ` 3 files changed, 10 insertions(+)`: a diffstat total.
pub fn is_stat_total(content: &str) -> bool {
    let t = content.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && (t[digits..].starts_with(" file changed") || t[digits..].starts_with(" files changed"))
}

/// `==> path <==`: `head`/`tail` of several files.
pub fn file_header(content: &str) -> Option<&str> {
    let t = content.trim_end();
    let inner = t.strip_prefix("==> ")?.strip_suffix(" <==")?;
    (!inner.is_empty()).then_some(inner)
}

/// `./lib/rack:` heading a directory's rows in `ls -R`.
fn dir_head(content: &str) -> Option<&str> {
    let t = content.trim_end();
    let dir = t.strip_suffix(':')?;
    let pathy = dir.starts_with(['.', '/', '~']) || dir.contains('/');
    (pathy && !dir.contains(": ") && !dir.contains('\t')).then_some(dir)
}

/// `Location: /usr/lib/python3/dist-packages`, `Files:`: a field of the record a listing
/// belongs to (`pip show -f`, `apt-cache showpkg`, `rpm -qil`).
fn is_field(content: &str) -> bool {
    let Some(colon) = content.find(':') else {
        return false;
    };
    let (name, rest) = (&content[..colon], &content[colon + 1..]);
    (1..=40).contains(&name.len())
        && name.as_bytes()[0].is_ascii_alphabetic()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(&c))
        && (rest.is_empty() || rest.starts_with(' '))
}

/// The lines of a record's fields that open a listing: at its start or after a `---`, a run
/// of two or more `Field: value` lines followed by the rows (the package's name, version and
/// location above its files). They say what the rows are of and where they lie, so they are
/// its header.
fn field_heads(lines: &Lines<'_>) -> Vec<bool> {
    const MAX_FIELDS: usize = 40;
    let n = lines.len();
    let mut head = vec![false; n];
    let first = (0..n).find(|&i| !lines.content(i).trim().is_empty());
    let mut i = 0;
    while i < n {
        let at_start = Some(i) == first;
        let after_rule = i > 0 && lines.content(i - 1).trim_end() == "---";
        if (at_start || after_rule) && is_field(lines.content(i)) {
            let end = (i..n.min(i + MAX_FIELDS + 1))
                .find(|&k| !is_field(lines.content(k)))
                .unwrap_or(n);
            if end - i >= 2 && end - i <= MAX_FIELDS && end < n {
                head[i..end].iter_mut().for_each(|h| *h = true);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    head
}

/// A rule under a header: `-------  -----`, `====`, `+----+----+`, `|---|:--|`.
fn is_rule(content: &str) -> bool {
    let t = content.trim();
    t.len() >= 3
        && t.bytes().filter(|&c| c == b'-' || c == b'=').count() >= 3
        && t.bytes().all(|c| b"-=+|: \t".contains(&c))
}

/// The delimiter of CSV/TSV text: the one that splits the first lines into the same
/// number (two or more) of fields.
fn delimiter(lines: &Lines<'_>) -> Option<u8> {
    let sample: Vec<&str> = lines
        .iter()
        .take(40)
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    if sample.len() < 3 {
        return None;
    }
    for d in [b'\t', b',', b';', b'|'] {
        let count = |l: &str| l.bytes().filter(|&c| c == d).count();
        let first = count(sample[0]);
        if first == 0 {
            continue;
        }
        let same = sample.iter().filter(|l| count(l) == first).count();
        // One comma or semicolon per line is also prose's; a two-column file has it on every line.
        let needed = if d == b'\t' || first >= 2 {
            sample.len() * 9
        } else {
            sample.len() * 10
        };
        if same * 10 >= needed {
            return Some(d);
        }
    }
    None
}

/// A number with an optional size or percent suffix (`4.0K`, `12G`, `3.5%`, `1,024`), as a value.
pub fn number(f: &str) -> Option<f64> {
    let f = f.trim_matches(|c: char| c == '"' || c == '\'');
    let digits_end = f
        .bytes()
        .position(|c| !(c.is_ascii_digit() || c == b'.' || c == b','))
        .unwrap_or(f.len());
    if digits_end == 0 {
        return None;
    }
    let value: f64 = f[..digits_end].replace(',', "").parse().ok()?;
    let scale = match f[digits_end..].to_ascii_lowercase().as_str() {
        "" | "%" | "b" => 1.0,
        "k" | "kb" | "kib" | "ki" => 1024.0,
        "m" | "mb" | "mib" | "mi" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" | "gi" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" | "ti" => 1024f64.powi(4),
        "p" | "pb" | "pib" => 1024f64.powi(5),
        _ => return None,
    };
    Some(value * scale)
}

/// Which way the query wants a column's extremes: `Some(true)` for the largest.
fn superlative(query: &str) -> Option<bool> {
    let lower = query.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    const MOST: &[&str] = &[
        "largest", "biggest", "most", "highest", "max", "maximum", "heaviest", "top", "greatest",
        "longest", "busiest",
    ];
    const LEAST: &[&str] = &[
        "smallest", "least", "lowest", "min", "minimum", "fewest", "shortest", "lightest",
    ];
    if words.iter().any(|w| MOST.contains(w)) {
        Some(true)
    } else if words.iter().any(|w| LEAST.contains(w)) {
        Some(false)
    } else {
        None
    }
}

/// Whether `path` lies below the directory `dir` (`.` holds every `./x`).
fn is_under(path: &str, dir: &str) -> bool {
    match dir {
        "." => path.starts_with("./"),
        "/" => path.len() > 1 && path.starts_with('/'),
        _ => {
            path.len() > dir.len()
                && path.starts_with(dir)
                && (dir.ends_with('/') || path.as_bytes()[dir.len()] == b'/')
        }
    }
}

/// Hangs each listed path under the listed directory that holds it; where a listing names
/// files only (`find -type f`), the first file of a directory stands for it and the
/// directory's other files hang under that one.
#[derive(Default)]
struct PathStack<'a> {
    open: Vec<(&'a str, u32)>,
}

impl<'a> PathStack<'a> {
    fn place(&mut self, path: &'a str, i: usize) -> Option<u32> {
        while let Some(&(top, _)) = self.open.last() {
            if is_under(path, top) {
                break;
            }
            self.open.pop();
        }
        let parent = self.open.last().map(|&(_, line)| line);
        let dir = path.trim_end_matches('/').rfind('/').map(|k| &path[..k]);
        if let Some(dir) = dir.filter(|d| !d.is_empty() && *d != ".") {
            if self.open.last().is_none_or(|&(top, _)| top != dir) {
                self.open.push((dir, i as u32));
            }
        }
        self.open.push((path.trim_end_matches('/'), i as u32));
        parent
    }

    fn clear(&mut self) {
        self.open.clear();
    }
}

/// Per-line reading state while building the outline.
struct Reader<'a> {
    file: u32,
    section: u32,
    in_commit: bool,
    /// In a commit: whether its subject was seen.
    subject_seen: bool,
    /// The line tree branches hang from (`.` or `pkg@1.0 /path`).
    tree_root: u32,
    tree: Vec<(usize, u32)>,
    paths: PathStack<'a>,
    header: u32,
}

impl Reader<'_> {
    /// The line a plain row belongs to: its section, else the table header, else the file.
    fn container(&self) -> u32 {
        if self.section != NONE {
            self.section
        } else if self.header != NONE {
            self.header
        } else {
            self.file
        }
    }
}

/// Reads `lines` into an outline, with the span of each row that holds its values.
fn read<'a>(lines: &Lines<'a>, delim: Option<u8>) -> (Outline, Vec<(usize, usize)>) {
    let n = lines.len();
    let mut o = Outline::new(n, b'/');
    let mut data = vec![(0usize, 0usize); n];
    let mut r = Reader {
        file: NONE,
        section: NONE,
        in_commit: false,
        subject_seen: false,
        tree_root: NONE,
        tree: Vec::new(),
        paths: PathStack::default(),
        header: NONE,
    };
    let first = (0..n).find(|&i| !lines.content(i).trim().is_empty());
    let last = (0..n).rev().find(|&i| !lines.content(i).trim().is_empty());
    let heads = field_heads(lines);
    for (i, span) in data.iter_mut().enumerate() {
        let content: &'a str = lines.content(i);
        if content.trim().is_empty() {
            o.role[i] = Role::Blank;
            continue;
        }
        if heads[i] {
            o.role[i] = Role::Header;
            r.header = i as u32;
            r.section = NONE;
            r.paths.clear();
            continue;
        }
        if let Some(path) = file_header(content) {
            o.role[i] = Role::Header;
            o.set_name(i, content, path);
            o.absolute[i] = true;
            r.file = i as u32;
            r.section = NONE;
            r.header = NONE;
            r.in_commit = false;
            r.tree_root = NONE;
            r.tree.clear();
            r.paths.clear();
            continue;
        }
        if is_commit_head(content) {
            // Shown with its subject (its first message line brings it along), newest first.
            o.parent[i] = r.file;
            o.set_name(i, content, content[7..].split(' ').next().unwrap_or(""));
            r.section = i as u32;
            r.in_commit = true;
            r.subject_seen = false;
            continue;
        }
        if r.in_commit {
            o.parent[i] = r.section;
            if content.starts_with("    ") && !r.subject_seen {
                r.subject_seen = true;
                o.boost[i] = P_NOTABLE + 1;
            } else if is_stat_total(content) {
                o.boost[i] = P_NOTABLE;
            } else if is_stat_row(content) {
                let bar = content.rfind(" | ").unwrap_or(content.len());
                o.set_name(i, content, content[..bar].trim());
            } else {
                o.unranked[i] = true;
            }
            continue;
        }
        if let Some(at) = tree_name(content) {
            let col = content[..at].chars().count();
            while r.tree.last().is_some_and(|&(c, _)| c >= col) {
                r.tree.pop();
            }
            o.parent[i] = match r.tree.last() {
                Some(&(_, p)) => p,
                None if r.tree_root != NONE => r.tree_root,
                None => r.container(),
            };
            r.tree.push((col, i as u32));
            o.set_name(i, content, content[at..].trim_end());
            continue;
        }
        r.tree.clear();
        let prev_blank = i == 0 || lines.content(i - 1).trim().is_empty();
        if let Some(dir) = dir_head(content).filter(|_| prev_blank) {
            o.set_name(i, content, dir);
            o.absolute[i] = true;
            o.parent[i] = r.paths.place(dir, i).unwrap_or(r.file);
            r.section = i as u32;
            r.tree_root = NONE;
            continue;
        }
        if let Some(at) = ls_name(content) {
            o.parent[i] = r.container();
            let name = content[at..].trim_end();
            o.set_name(i, content, name.split(" -> ").next().unwrap_or(name));
            *span = (0, at);
            continue;
        }
        // `du` output is also tab-separated: a path row is one whatever the delimiter.
        if matches!(delim, None | Some(b'\t')) {
            if let Some(at) = path_start(content) {
                let path = content[at..].trim_end();
                o.set_name(i, content, path);
                o.absolute[i] = true;
                o.parent[i] = r.paths.place(path, i).unwrap_or_else(|| r.container());
                *span = (0, at);
                r.tree_root = i as u32;
                continue;
            }
        }
        let rule = is_rule(content);
        if Some(i) == first && !rule {
            // A table's header, a tree's root, a listing's title.
            o.role[i] = Role::Header;
            r.header = i as u32;
            r.tree_root = i as u32;
            continue;
        }
        if rule {
            let near_header = r.header != NONE && i <= r.header as usize + 2;
            o.role[i] = if near_header || Some(i) == last {
                Role::Header
            } else {
                Role::Blank
            };
            continue;
        }
        o.parent[i] = r.container();
        r.tree_root = i as u32;
        let name = match delim {
            Some(d) => content.split(d as char).next().unwrap_or("").trim(),
            None => fields(content).next().map_or("", |(_, f)| f),
        };
        o.set_name(i, content, name);
        *span = (0, content.len());
    }
    if let Some(l) = last {
        if o.role[l] == Role::Node {
            o.boost[l] = o.boost[l].max(P_NOTABLE);
        }
    }
    (o, data)
}

/// The numeric columns among a row's leading values: per column, `(value, line)` of each row
/// holding a number there, and how many rows were read.
fn numeric_columns(
    lines: &Lines<'_>,
    o: &Outline,
    data: &[(usize, usize)],
    delim: Option<u8>,
) -> (Vec<Vec<(f64, usize)>>, usize) {
    let mut columns: Vec<Vec<(f64, usize)>> = vec![Vec::new(); MAX_LEADING_FIELDS];
    let mut rows = 0usize;
    for (i, &(a, b)) in data.iter().enumerate() {
        if b <= a || o.role[i] != Role::Node {
            continue;
        }
        rows += 1;
        let span = &lines.content(i)[a..b];
        let cells: Vec<&str> = match delim {
            Some(d) => span.split(d as char).map(str::trim).collect(),
            None => fields(span).map(|(_, f)| f).collect(),
        };
        for (k, cell) in cells.iter().take(MAX_LEADING_FIELDS).enumerate() {
            if let Some(v) = number(cell) {
                columns[k].push((v, i));
            }
        }
    }
    (columns, rows)
}

/// Sorts each column with values in most rows, largest first (or smallest), and returns those
/// with at least 3 distinct values as `(column, spread)`, and the widest-spreading size column.
fn size_columns(
    columns: &mut [Vec<(f64, usize)>],
    rows: usize,
    largest: bool,
) -> (Vec<(usize, f64)>, Option<usize>) {
    let mut eligible: Vec<(usize, f64)> = Vec::new();
    for (k, col) in columns.iter_mut().enumerate() {
        if eligible.len() >= MAX_NUMERIC_COLUMNS || rows < 4 || col.len() * 10 < rows * 6 {
            continue;
        }
        col.sort_by(|a, b| {
            let o = a.0.total_cmp(&b.0);
            if largest { o.reverse() } else { o }.then(a.1.cmp(&b.1))
        });
        let mut distinct = 1;
        for w in col.windows(2) {
            if w[0].0 != w[1].0 {
                distinct += 1;
            }
        }
        if distinct < 3 {
            continue;
        }
        eligible.push((k, spread(col)));
    }
    // Sizes span orders of magnitude where counts, days and years do not: the column that
    // spreads widest is the one whose largest rows a reader looks for first.
    let widest = eligible
        .iter()
        .filter(|&&(_, s)| s >= SIZE_SPREAD)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|&(k, _)| k);
    (eligible, widest)
}

/// Lines that stand for no folder of another line: files beside the folders that hold them
/// (`du -a`, `find`), whose totals would otherwise always be the largest values. A full path is
/// a folder when another line's path lies below it (`du` lists a folder after its files); any
/// other line when a line hangs under it.
fn leaves(lines: &Lines<'_>, o: &Outline) -> Vec<bool> {
    let mut leaf = vec![true; o.len()];
    let mut folders: HashSet<&str> = HashSet::new();
    for i in 0..o.len() {
        let p = o.parent[i];
        if p != NONE {
            leaf[p as usize] = false;
        }
        if o.absolute[i] {
            let name = name_of(lines, o, i).trim_end_matches('/');
            for (k, _) in name.match_indices('/').filter(|&(k, _)| k > 0) {
                folders.insert(&name[..k]);
            }
        }
    }
    for (i, l) in leaf.iter_mut().enumerate() {
        if o.absolute[i] {
            *l = !folders.contains(name_of(lines, o, i).trim_end_matches('/'));
        }
    }
    leaf
}

fn name_of<'a>(lines: &Lines<'a>, o: &Outline, i: usize) -> &'a str {
    let (a, b) = o.name[i];
    &lines.content(i)[a as usize..b as usize]
}

/// Marks the rows holding the extremes of each size-like column: the largest (or, when the
/// query asks for the smallest, the smallest) values, among all rows and among the leaves.
fn mark_extremes(
    lines: &Lines<'_>,
    o: &mut Outline,
    data: &[(usize, usize)],
    query: &str,
    delim: Option<u8>,
) {
    let want = superlative(query);
    let (mut columns, rows) = numeric_columns(lines, o, data, delim);
    let asked = want.is_some();
    let (eligible, widest) = size_columns(&mut columns, rows, want.unwrap_or(true));
    let leaf = leaves(lines, o);
    for &(k, _) in &eligible {
        let per_column = if asked || Some(k) == widest { 3 } else { 1 };
        let top = columns[k].iter().take(per_column);
        let top_leaves = columns[k]
            .iter()
            .filter(|&&(_, i)| leaf[i])
            .take(per_column);
        for &(_, i) in top.chain(top_leaves) {
            o.boost[i] = o.boost[i].max(if asked { P_ASKED } else { P_NOTABLE });
        }
    }
}

/// How many of the newest rows (by an ISO date) are kept.
const NEWEST_ROWS: usize = 3;
/// A tool's own error lines beside its listing (`npm error missing: x@^1, required by y`): the
/// first this many, and the last two, rank above the rows that report trouble.
const TOOL_ERRORS_FIRST: usize = 8;

/// Marks the rows a reader looks for without being asked: a row reporting trouble in the words
/// around its name (`du: cannot read directory '/x': Permission denied`, `UNMET DEPENDENCY`),
/// and the newest rows by an ISO date (`2026-12-05 13:22`, `ls --time-style=long-iso`, `find
/// -printf '%TY-%Tm-%Td'`), asked for when the query says newest, latest or recent.
fn mark_trouble_and_newest(lines: &Lines<'_>, o: &mut Outline, query: &str) {
    let mut dated: Vec<(&str, usize)> = Vec::new();
    let mut tool_errors: Vec<usize> = Vec::new();
    for i in 0..o.len() {
        if o.role[i] != Role::Node {
            continue;
        }
        let content = lines.content(i);
        let (a, b) = (o.name[i].0 as usize, o.name[i].1 as usize);
        let (before, after) = (
            &content[..a.min(content.len())],
            &content[b.min(content.len())..],
        );
        let words = |t: &str| {
            let w = scan_words(t);
            w.err || w.problem
        };
        if words(before) || words(after) || content.contains("UNMET") {
            o.boost[i] = o.boost[i].max(P_NOTABLE);
            // Not a branch of the tree but the tool's own error (npm ls closes with them): what
            // went wrong, said once for the many rows that show it.
            if tree_name(content).is_none()
                && matches!(
                    crate::loglines::classify(content),
                    Kind::Error | Kind::Exception
                )
            {
                tool_errors.push(i);
            }
        }
        if let Some(date) = iso_date(before).or_else(|| iso_date(after)) {
            dated.push((date, i));
        }
    }
    let last_two = tool_errors.len().saturating_sub(2).max(TOOL_ERRORS_FIRST);
    for &i in tool_errors
        .iter()
        .take(TOOL_ERRORS_FIRST)
        .chain(tool_errors.iter().skip(last_two))
    {
        o.boost[i] = o.boost[i].max(P_NOTABLE + 2);
    }
    let distinct = dated.iter().map(|d| d.0).collect::<HashSet<_>>().len();
    if dated.len() < 4 || distinct < 2 {
        return;
    }
    dated.sort_by(|x, y| y.0.cmp(x.0).then(x.1.cmp(&y.1)));
    let lower = query.to_ascii_lowercase();
    let asked = ["newest", "latest", "recent", "most recently"]
        .iter()
        .any(|w| lower.contains(w));
    for &(_, i) in dated.iter().take(NEWEST_ROWS) {
        o.boost[i] = o.boost[i].max(if asked { P_ASKED } else { P_NOTABLE });
    }
}

/// The first ISO date in `t` with its time when one follows (`2026-12-05`, `2026-12-05 13:22`,
/// `2026-12-05T13:22:01`), as written: such dates sort as text.
fn iso_date(t: &str) -> Option<&str> {
    let b = t.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|k| b.get(k).is_some_and(u8::is_ascii_digit));
    let mut i = 0;
    while i + 10 <= b.len() {
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if boundary
            && digits(i..i + 4)
            && b[i + 4] == b'-'
            && digits(i + 5..i + 7)
            && b[i + 7] == b'-'
            && digits(i + 8..i + 10)
        {
            let mut end = i + 10;
            if end + 6 <= b.len()
                && matches!(b[end], b' ' | b'T')
                && digits(end + 1..end + 3)
                && b[end + 3] == b':'
                && digits(end + 4..end + 6)
            {
                end += 6;
                if end + 3 <= b.len() && b[end] == b':' && digits(end + 1..end + 3) {
                    end += 3;
                }
            }
            return Some(&t[i..end]);
        }
        i += 1;
    }
    None
}

/// For a question asking for the largest or smallest ("which file takes the most space"): the
/// rows of the listing's size column, `(line index, value, leaf)`, in the order asked (largest
/// first, else smallest first); None when the question asks no such thing or no column holds sizes.
pub fn extremes(text: &str, raw_query: &str) -> Option<Vec<(usize, f64, bool)>> {
    let largest = superlative(raw_query)?;
    let lines = Lines::new(text);
    let delim = delimiter(&lines);
    let (o, data) = read(&lines, delim);
    let (mut columns, rows) = numeric_columns(&lines, &o, &data, delim);
    let (_, widest) = size_columns(&mut columns, rows, largest);
    let leaf = leaves(&lines, &o);
    let col = std::mem::take(&mut columns[widest?]);
    Some(col.into_iter().map(|(v, i)| (i, v, leaf[i])).collect())
}

/// How many orders of magnitude a column's values span between its 10th and 90th percentiles
/// (a column of link counts, mostly 1 with a few large, spans none).
fn spread(col: &[(f64, usize)]) -> f64 {
    // `col` is sorted by value (either way); the percentiles do not care which.
    let at = |q: usize| col[(col.len() - 1) * q / 10].0;
    let (a, b) = (at(1), at(9));
    ((a.max(b) + 1.0).log10() - (a.min(b) + 1.0).log10()).abs()
}

/// The compressed listing as pieces, within `budget` tokens. `raw_query` is the query as
/// asked (its superlatives, "the largest", are words the parsed query drops).
pub fn compress(
    text: &str,
    query: &Query,
    raw_query: &str,
    budget: usize,
    costs: Costs,
) -> Vec<Piece> {
    let lines = Lines::new(text);
    let delim = delimiter(&lines);
    let (mut o, data) = read(&lines, delim);
    mark_extremes(&lines, &mut o, &data, raw_query, delim);
    mark_trouble_and_newest(&lines, &mut o, raw_query);
    outline::compress(&lines, &o, query, budget, costs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::testing::rows_coverage_gap;
    use crate::tokens::Encoding;

    fn run(text: &str, query: &str, budget: usize) -> String {
        let lines = Lines::new(text);
        let costs = Costs::new(lines.len(), Encoding::O200kBase, 25);
        compress(text, &Query::parse(query), query, budget, costs)
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Omit { count, lines, .. } => format!("[{count} {lines:?}]\n"),
            })
            .collect()
    }

    #[test]
    fn rows_are_read_for_their_shape() {
        assert_eq!(tree_name("│ ├─┬ karma@6.3.19"), Some("│ ├─┬ ".len()));
        assert_eq!(tree_name("|   `-- base.rb"), Some("|   `-- ".len()));
        assert_eq!(tree_name("- a list item"), None);
        assert_eq!(path_start("112\t./rack-protection/lib/rack"), Some(4));
        assert_eq!(path_start("./okhttp/src/Main.kt"), Some(0));
        assert_eq!(path_start("src/a.py:12: error: bad"), None);
        assert_eq!(path_start("see https://example.org/x for more"), None);
        assert_eq!(path_start("// a comment"), None);
        let ls = "-rw-r--r--  1 root root  4096 Jan  5 12:00 base.rb";
        assert_eq!(ls_name(ls), Some(ls.len() - "base.rb".len()));
        assert!(is_commit_head(
            "commit 62387b8f92aa012d48202747fd75c40850e5e261"
        ));
        assert!(is_stat_row(" README.md    | 32 ++++++++----"));
        assert!(is_stat_total(
            " 4 files changed, 19 insertions(+), 19 deletions(-)"
        ));
        assert_eq!(number("4.0K"), Some(4096.0));
        assert_eq!(number("12%"), Some(12.0));
        assert_eq!(number("abc"), None);
    }

    #[test]
    fn the_tools_own_errors_after_a_tree_with_problems_are_kept() {
        let mut text = String::from("app@1.0.0 /src/app\n");
        for i in 0..150 {
            text.push_str(&format!(
                "├─┬ dep{i}@1.{i}.0\n│ ├── UNMET DEPENDENCY leaf{i}a@^2.0.0\n│ └── leaf{i}b@3.0.0\n"
            ));
        }
        for i in 0..10 {
            text.push_str(&format!(
                "npm error missing: leaf{i}a@^2.0.0, required by dep{i}@1.{i}.0\n"
            ));
        }
        text.push_str(
            "npm error A complete log of this run can be found in: /root/.npm/_logs/x.log\n",
        );
        let out = run(&text, "", 600);
        assert!(
            out.contains("npm error missing: leaf0a@^2.0.0, required by dep0@1.0.0"),
            "{out}"
        );
        assert!(out.contains("npm error missing: leaf9a@^2.0.0"), "{out}");
        assert!(out.contains("npm error A complete log"), "{out}");
        assert!(out.matches("npm error").count() >= 10, "{out}");
    }

    #[test]
    fn a_package_the_query_names_keeps_the_package_that_pulls_it_in() {
        let mut text = String::from("app@1.0.0 /src/app\n");
        for i in 0..60 {
            text.push_str(&format!(
                "├─┬ dep{i}@1.{i}.0\n│ ├── leaf{i}a@2.0.0\n│ └── leaf{i}b@3.0.0\n"
            ));
        }
        text.push_str("└─┬ karma@6.3.19\n  └── ua-parser-js@0.7.40\n");
        let out = run(
            &text,
            "Which version of `ua-parser-js` is installed, and which package pulls it in?",
            300,
        );
        assert!(out.contains("└── ua-parser-js@0.7.40"), "{out}");
        assert!(out.contains("└─┬ karma@6.3.19"), "{out}");
        assert!(out.starts_with("app@1.0.0 /src/app\n"));
    }

    #[test]
    fn a_directory_the_query_names_is_kept_with_its_parents_above_rows_under_it() {
        let mut text = String::from("900\t.\n");
        for d in ["alpha", "beta", "gamma"] {
            text.push_str(&format!("300\t./{d}\n100\t./{d}/lib\n"));
            for i in 0..40 {
                text.push_str(&format!("4\t./{d}/lib/file{i}.rb\n"));
            }
        }
        let out = run(&text, "How much space does `./beta/lib` take?", 200);
        assert!(out.contains("100\t./beta/lib\n"), "{out}");
        assert!(
            out.contains("300\t./beta\n") && out.contains("900\t.\n"),
            "{out}"
        );
    }

    #[test]
    fn a_superlative_keeps_the_extreme_of_the_size_column() {
        let text: String = (0..300)
            .map(|i| format!("{} ./src/file{i}.txt\n", 1000 + (i * 7919) % 5000))
            .collect();
        let largest = text
            .lines()
            .max_by_key(|l| number(l.split(' ').next().unwrap()).unwrap() as u64)
            .unwrap();
        let out = run(&text, "What is the largest file, and how big is it?", 200);
        assert!(out.contains(largest), "{out}");
        let smallest = text
            .lines()
            .min_by_key(|l| number(l.split(' ').next().unwrap()).unwrap() as u64)
            .unwrap();
        assert!(run(&text, "Which file is the smallest?", 200).contains(smallest));
    }

    /// `du -ak`: every folder's total outweighs its files, so the largest file is kept as a leaf.
    fn du_tree() -> (String, String) {
        let mut text = String::new();
        let mut total = 0u64;
        for d in 0..12u64 {
            let mut sub = 0u64;
            for f in 0..25u64 {
                let kb = 4 + (d * 25 + f) * 7919 % 60;
                sub += kb;
                text.push_str(&format!("{kb}\t./pkg/d{d}/m{f}.py\n"));
            }
            total += sub;
            text.push_str(&format!("{sub}\t./pkg/d{d}\n"));
        }
        text = text.replace(
            "\t./pkg/d5/m9.py\n",
            "\t./pkg/d5/m9.py\n97\t./pkg/d5/big.so\n",
        );
        text.push_str(&format!("{}\t./pkg\n", total + 97));
        (text, "97\t./pkg/d5/big.so".to_string())
    }

    #[test]
    fn a_row_reporting_trouble_and_the_newest_rows_survive_without_a_query() {
        let mut text = String::new();
        for i in 0..300u32 {
            let day = 1 + i % 27;
            text.push_str(&format!(
                "-rw-r--r-- 1 root root {:>5} 2025-03-{day:02} 10:{:02} mod{i}.py\n",
                1000 + i,
                i % 60
            ));
        }
        let row = text
            .lines()
            .find(|l| l.ends_with(" mod150.py"))
            .unwrap()
            .to_string();
        text = text.replace(
            &format!("{row}\n"),
            "-rw-r--r-- 1 root root  1150 2026-01-09 08:00 mod150.py\nls: cannot access 'mod151.py': Permission denied\n",
        );
        let out = run(&text, "", 300);
        assert!(out.contains("2026-01-09 08:00 mod150.py"), "{out}");
        assert!(out.contains("Permission denied"), "{out}");
        assert_eq!(
            iso_date("x 2026-01-09T08:00:59 y"),
            Some("2026-01-09T08:00:59")
        );
        assert_eq!(iso_date("v12026-01-09"), None);
    }

    #[test]
    fn the_largest_file_survives_beside_the_folder_totals_that_outweigh_it() {
        let (text, big) = du_tree();
        assert!(run(&text, "", 400).contains(&big));
        assert!(run(
            &text,
            "Which file under ./pkg takes the most disk space?",
            400
        )
        .contains(&big));
    }

    #[test]
    fn extremes_lists_the_size_column_in_the_order_asked_with_leaves_marked() {
        let (text, big) = du_tree();
        assert!(extremes(&text, "where is big.so").is_none());
        let rows = extremes(&text, "Which file takes the most disk space?").unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[rows[0].0].ends_with("\t./pkg") && !rows[0].2);
        let first_leaf = rows.iter().find(|r| r.2).unwrap();
        assert_eq!(lines[first_leaf.0], big);
        assert!(rows.windows(2).all(|w| w[0].1 >= w[1].1));
        let smallest = extremes(&text, "the smallest file").unwrap();
        assert!(smallest.windows(2).all(|w| w[0].1 <= w[1].1));
    }

    #[test]
    fn without_a_query_the_three_largest_sizes_survive_not_the_most_linked() {
        let mut text = String::from("total 4096\n");
        for i in 0..240u64 {
            let links = if i % 40 == 0 { 30 + i / 40 } else { 1 };
            let size = 500 + (i * 7919) % 40_000;
            text.push_str(&format!(
                "-rw-r--r-- {links:>2} root root {size:>6} May  9  2026 mod{i}.py\n"
            ));
        }
        for (i, size) in [(7, 912_345u64), (88, 845_001), (190, 799_999)] {
            text = text.replace(
                &format!(" mod{i}.py\n"),
                &format!(" mod{i}.py\n-rw-r--r--  1 root root {size} May  9  2026 big{i}.pyc\n"),
            );
        }
        let out = run(&text, "", 400);
        for name in ["big7.pyc", "big88.pyc", "big190.pyc"] {
            assert!(out.contains(name), "{name} missing:\n{out}");
        }
    }

    #[test]
    fn a_commit_the_query_names_keeps_its_stat_rows() {
        let mut text = String::new();
        let hash = |i: u32| {
            let x = u64::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            format!("{:016x}{:016x}{:08x}", x, x.rotate_left(17), i)
        };
        for i in 0..40u32 {
            text.push_str(&format!(
                "commit {}\nAuthor: A <a@b>\nDate:   Thu Jan 29 14:12:03 2026 -0800\n\n    change {i}\n\n src/f{i}.rs | 2 +-\n src/g{i}.rs | 4 ++--\n 2 files changed, 3 insertions(+), 3 deletions(-)\n\n",
                hash(i)
            ));
        }
        let out = run(
            &text,
            &format!("Which files did commit {} change?", &hash(17)[..10]),
            600,
        );
        assert!(
            out.contains(" src/f17.rs | 2 +-") && out.contains(" src/g17.rs | 4 ++--"),
            "{out}"
        );
        // Without a query the newest commits show their subjects, each under its commit line.
        let plain = run(&text, "", 1000);
        for i in 0..8 {
            let shown = format!("commit {}\n", hash(i));
            assert!(
                plain.contains(&shown) && plain.contains(&format!("    change {i}\n")),
                "{plain}"
            );
        }
    }

    #[test]
    fn a_table_keeps_its_header_and_the_row_asked_about() {
        let mut text = String::from("Package            Version\n------------------ ---------\n");
        for i in 0..200 {
            text.push_str(&format!("package-{i:<10} {i}.0.1\n"));
        }
        text.push_str("requests           2.32.3\n");
        let out = run(&text, "Which version of requests is installed?", 150);
        assert!(out.starts_with("Package            Version\n------------------ ---------\n"));
        assert!(out.contains("requests           2.32.3"), "{out}");
    }

    #[test]
    fn a_records_fields_above_its_files_are_its_header() {
        let mut text = String::from(
            "Name: toolkit\nVersion: 2.1.0\nSummary: a toolkit\nHome-page: \nAuthor: \nAuthor-email: dev@example.org\nLicense: MIT\nLocation: /opt/site-packages\nRequires: \nRequired-by: app, cli\nFiles:\n",
        );
        for d in ["toolkit", "toolkit/io", "toolkit/net", "toolkit/ui"] {
            for f in 0..25 {
                text.push_str(&format!("  {d}/module_{f}.py\n"));
            }
        }
        let out = run(
            &text,
            "Is module_17.py part of toolkit/net, and where is toolkit installed?",
            250,
        );
        assert!(
            out.contains("Location: /opt/site-packages\n") && out.contains("Files:\n"),
            "{out}"
        );
        assert!(out.contains("  toolkit/net/module_17.py\n"), "{out}");
    }

    #[test]
    fn a_directory_every_row_lies_in_does_not_outrank_the_largest_file() {
        let root = "/home/dev/project/.venv/lib/python3.11/site-packages/uvicorn";
        let mut text = String::new();
        for d in [
            "lifespan",
            "loops",
            "protocols",
            "middleware",
            "supervisors",
        ] {
            for i in 0..20u32 {
                let size = if d == "protocols" && i == 13 {
                    36
                } else {
                    (i * 7) % 5 * 4
                };
                text.push_str(&format!("{size}\t{root}/{d}/module_{i}.py\n"));
            }
            text.push_str(&format!("120\t{root}/{d}\n"));
        }
        text.push_str(&format!("952\t{root}\n"));
        let out = run(
            &text,
            &format!("Which file under {root} takes the most disk space?"),
            400,
        );
        assert!(
            out.contains(&format!("36\t{root}/protocols/module_13.py\n")),
            "{out}"
        );
    }

    #[test]
    fn a_soft_budget_makes_room_for_the_row_asked_about_with_its_directory_headings() {
        let root = "/home/dev/project/.venv/lib/python3.11/site-packages/fasteners";
        let mut text = String::new();
        for dir in ["", "/__pycache__", "/pywin32", "/pywin32/__pycache__"] {
            text.push_str(&format!("{root}{dir}:\ntotal 24\n"));
            for (k, f) in ["__init__.cpython-311.pyc", "lock.py", "process_lock.py"]
                .iter()
                .enumerate()
            {
                text.push_str(&format!(
                    "-rw-r--r-- 1 root root {} 2026-12-05 13:22 {f}\n",
                    300 + 10 * k + dir.len()
                ));
            }
            text.push('\n');
        }
        let query = format!("What are the permissions and size of __init__.cpython-311.pyc in {root}/pywin32/__pycache__?");
        let lines = Lines::new(&text);
        // A soft ceiling (the caller set no budget) far below what the row and its headings cost with markers.
        let costs = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
        let out = crate::lines::testing::plain(&compress(
            &text,
            &Query::parse(&query),
            &query,
            60,
            costs,
        ));
        assert!(
            out.contains(&format!("{root}/pywin32/__pycache__:\n"))
                && out.contains(
                    "-rw-r--r-- 1 root root 320 2026-12-05 13:22 __init__.cpython-311.pyc\n"
                ),
            "{out}"
        );
    }

    proptest::proptest! {
        #[test]
        fn every_line_is_kept_or_marked_once(
            rows in proptest::collection::vec(
                "(│ |├── |└─┬ |  )?([a-z./]{1,12}|[0-9]{1,4}\t\\./[a-z/]{1,10})( [0-9.]{1,5}[KMG]?)?",
                1..80,
            ),
            query in "[a-z ./]{0,20}",
            budget in 30usize..400,
        ) {
            let gap = rows_coverage_gap(&rows, |text| {
                let costs = Costs::new(Lines::count(text), Encoding::O200kBase, 25);
                compress(text, &Query::parse(&query), &query, budget, costs)
            });
            proptest::prop_assert_eq!(gap, None);
        }
    }
}
