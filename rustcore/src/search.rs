//! Search results (`grep -rn`, `grep -n`, ripgrep with or without headings):
//! each line parsed into file, line number and matched text; the matches the
//! query points at kept first (a definition of a name the query asks about
//! above all), repeats dropped, lines that do not parse kept as they are, and
//! every omission marked per file so the agent sees how much each file had.

use rustc_hash::FxHashSet;

use crate::lines::{self, Costs, GapUnit, Lines, Piece, Planner};
use crate::query::{score_mask, Query};

/// One line of search output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry<'a> {
    /// A matching (or, with `context`, a surrounding) line of `file`.
    Hit {
        file: &'a str,
        text: &'a str,
        context: bool,
    },
    /// A ripgrep heading: the file the following numbered lines belong to.
    Heading(&'a str),
    /// `--` between context groups.
    Separator,
    Blank,
    /// Anything else (a summary, a warning, "Binary file ... matches").
    Other,
}

const P_DEFINITION_QUALIFIED: u32 = 1000;
const P_DEFINITION: u32 = 950;
/// A definition of the word every result holds (what was searched for), when the query names no other.
const P_SEARCHED_DEFINITION: u32 = 900;
const P_QUERY: u32 = 800;
const P_OTHER: u32 = 700;
const P_HEADING: u32 = 650;
const P_FILE_FIRST: u32 = 300;
const P_FILE_COPY: u32 = 200;
/// Matches kept for their query score, at most.
const QUERY_TOP: usize = 40;
/// Without a query, the first matches of each file that earn a place.
const PER_FILE_WITHOUT_QUERY: usize = 2;
/// A word in at least this share of the results is what was searched for.
const SEARCHED_SHARE: f32 = 0.8;
/// A result whose text at least this many results repeat (in other files, or the same file) is
/// shown once: the copies are what a marker counts.
const REPEATED_TEXT: usize = 3;
/// Without a caller's budget, the definitions asked about may raise a small default budget to at
/// least this many tokens, so that a short search's answer is never cut for a share of a small
/// input.
const DEFINITION_ROOM: usize = 1500;

fn looks_like_path(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(char::is_whitespace)
        && (s.contains('/')
            || s.contains('\\')
            || s.rsplit_once('.').is_some_and(|(stem, ext)| {
                !stem.is_empty()
                    && (1..=6).contains(&ext.len())
                    && ext.bytes().all(|b| b.is_ascii_alphanumeric())
            }))
}

fn digits_prefix(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// Parses one line; `heading` is the current ripgrep heading, if any.
pub fn parse_line<'a>(line: &'a str, heading: Option<&'a str>) -> Entry<'a> {
    if line.trim().is_empty() {
        return Entry::Blank;
    }
    if line == "--" {
        return Entry::Separator;
    }
    // Under a ripgrep heading: `12:text` or `12-text` (context).
    if let Some(file) = heading {
        let d = digits_prefix(line);
        if d > 0 && matches!(line.as_bytes().get(d), Some(b':') | Some(b'-')) {
            let context = line.as_bytes()[d] == b'-';
            let rest = &line[d + 1..];
            // `12:5:text` with a column.
            let c = digits_prefix(rest);
            let text = if c > 0 && rest.as_bytes().get(c) == Some(&b':') {
                &rest[c + 1..]
            } else {
                rest
            };
            return Entry::Hit {
                file,
                text,
                context,
            };
        }
    }
    // `path:12:text`, `path:12:5:text`, `path-12-text` (context), `path:text`.
    if let Some(colon) = line.find(':') {
        let (path, rest) = (&line[..colon], &line[colon + 1..]);
        // `Makefile:12:...` (grep over named files); not `2024-05-01T10:00:00` (a timestamp).
        let bare_name = !path.contains(' ')
            && path.starts_with(|c: char| c.is_ascii_alphabetic() || c == '.' || c == '_')
            && digits_prefix(rest) > 0;
        if looks_like_path(path) || bare_name {
            let d = digits_prefix(rest);
            if d > 0 && rest.as_bytes().get(d) == Some(&b':') {
                let after = &rest[d + 1..];
                let c = digits_prefix(after);
                let text = if c > 0 && after.as_bytes().get(c) == Some(&b':') {
                    &after[c + 1..]
                } else {
                    after
                };
                return Entry::Hit {
                    file: path,
                    text,
                    context: false,
                };
            }
            if looks_like_path(path) {
                return Entry::Hit {
                    file: path,
                    text: rest,
                    context: false,
                };
            }
        }
    }
    if let Some(hit) = parse_context_line(line) {
        return hit;
    }
    if looks_like_path(line.trim_end()) && !line.starts_with(' ') {
        return Entry::Heading(line.trim_end());
    }
    Entry::Other
}

/// grep's context lines: `path-12-text` (the path itself may contain dashes).
fn parse_context_line(line: &str) -> Option<Entry<'_>> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(off) = line[from..].find('-') {
        let at = from + off;
        let d = digits_prefix(&line[at + 1..]);
        if d > 0 && bytes.get(at + 1 + d) == Some(&b'-') {
            let path = &line[..at];
            if looks_like_path(path) {
                return Some(Entry::Hit {
                    file: path,
                    text: &line[at + 2 + d..],
                    context: true,
                });
            }
        }
        from = at + 1;
    }
    None
}

/// The parsed lines of a search output.
pub fn parse<'a>(lines: &Lines<'a>) -> Vec<Entry<'a>> {
    let mut heading: Option<&'a str> = None;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines.iter() {
        let mut entry = parse_line(line, heading);
        if let Entry::Heading(file) = entry {
            // A path-looking line that is followed by numbered lines is a heading; a
            // bare path in `grep -l` output is a hit of its own.
            heading = Some(file);
        } else if entry == Entry::Blank {
            heading = None;
        } else if let (Entry::Hit { file, .. }, Some(h)) = (&entry, heading) {
            if *file != h && !line.starts_with(|c: char| c.is_ascii_digit()) {
                heading = None;
            }
        }
        if let Entry::Hit { text, .. } = &mut entry {
            *text = text.trim_end_matches('\r');
        }
        out.push(entry);
    }
    out
}

/// How a grep result counts in a marker: matches when every omitted line is one.
struct SearchUnit<'e> {
    entries: &'e [Entry<'e>],
}

impl GapUnit for SearchUnit<'_> {
    fn describe(&self, a: usize, b: usize) -> (&'static str, usize) {
        let hits = self.entries[a..b]
            .iter()
            .filter(|e| matches!(e, Entry::Hit { context: false, .. }))
            .count();
        if hits == b - a {
            ("matches", hits)
        } else {
            ("lines", b - a)
        }
    }
}

const DEF_KEYWORDS: &[&str] = &[
    "def",
    "class",
    "func",
    "fn",
    "function",
    "function*",
    "struct",
    "enum",
    "trait",
    "interface",
    "type",
    "mod",
    "module",
    "macro_rules!",
    "#define",
    "typedef",
    "union",
    "object",
    "record",
    "namespace",
    "impl",
    "sub",
    "proc",
];
const MODIFIERS: &[&str] = &[
    "export",
    "default",
    "pub",
    "pub(crate)",
    "pub(super)",
    "public",
    "private",
    "protected",
    "internal",
    "static",
    "async",
    "final",
    "abstract",
    "override",
    "inline",
    "virtual",
    "unsafe",
    "extern",
    "declare",
    "open",
    "sealed",
    "synchronized",
    "const",
    "let",
    "var",
    "val",
    "readonly",
    "constexpr",
    "explicit",
];
const NOT_TYPES: &[&str] = &[
    "return", "new", "if", "while", "for", "switch", "else", "throw", "case", "catch", "await",
    "yield", "print", "assert", "delete", "typeof", "sizeof", "elif", "raise", "not", "and", "or",
    "in", "is", "do",
];

fn ident_at(s: &str) -> &str {
    let end = s
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// The name a line of source defines, if it looks like a definition.
pub fn defined_name(text: &str) -> Option<&str> {
    let mut t = text.trim_start();
    if t.starts_with("//")
        || t.starts_with('#') && !t.starts_with("#define")
        || t.starts_with('*')
        || t.starts_with("/*")
    {
        return None;
    }
    // `X.y = function`, `y: function`, `const y = (…) =>`.
    if let Some((lhs, rhs)) = t.split_once('=') {
        let rhs = rhs.trim_start();
        let lhs = lhs.trim_end();
        if !lhs.ends_with(['!', '<', '>', '='])
            && (rhs.starts_with("function")
                || rhs.starts_with("async function")
                || rhs.contains("=>"))
        {
            let last = lhs
                .rsplit(|c: char| c == '.' || c.is_whitespace())
                .next()
                .unwrap_or("");
            let name = ident_at(last);
            if !name.is_empty() && name.len() == last.len() {
                return Some(name);
            }
        }
    }
    let mut saw_modifier = false;
    loop {
        let word = t.split_whitespace().next().unwrap_or("");
        if MODIFIERS.contains(&word) {
            t = t[word.len()..].trim_start();
            saw_modifier = true;
            continue;
        }
        break;
    }
    let word = t.split_whitespace().next().unwrap_or("");
    if DEF_KEYWORDS.contains(&word) {
        let mut rest = t[word.len()..].trim_start();
        // Go methods: `func (c *Context) Name(`.
        if word == "func" && rest.starts_with('(') {
            rest = rest.split_once(')').map_or("", |(_, r)| r.trim_start());
        }
        if word == "impl" {
            rest = rest.rsplit(" for ").next().unwrap_or(rest);
        }
        let rest = rest.trim_start_matches(['*', '&']);
        let name = ident_at(rest);
        return (!name.is_empty()).then_some(name);
    }
    // `Type name(args) {` (C, C++, Java, C#): a call-looking line that starts with a type.
    let paren = t.find('(')?;
    let head = t[..paren].trim_end();
    if head.contains('=') || head.contains('.') && !saw_modifier || head.contains("->") {
        return None;
    }
    // Where the name starts: just after the last character that cannot be part of it.
    let (sep, sep_char) = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '~'))?;
    let name_start = sep + sep_char.len_utf8();
    let name = head[name_start..].rsplit("::").next().unwrap_or("");
    let ty = head[..name_start].trim();
    let first = ty.split_whitespace().next().unwrap_or("");
    if name.is_empty() || ty.is_empty() || NOT_TYPES.contains(&first) || NOT_TYPES.contains(&name) {
        return None;
    }
    let tail = t.trim_end();
    let looks_declared = saw_modifier
        || tail.ends_with('{')
        || tail.ends_with(')')
        || tail.ends_with(',')
        || tail.ends_with(';')
        || tail.ends_with("const");
    looks_declared.then_some(name)
}

fn basename_stem(path: &str) -> &str {
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    base.split('.').next().unwrap_or(base)
}

/// Whether a result's file is named like something the query names, for one
/// file at a time (results come grouped by file).
#[derive(Default)]
struct NamedFile<'a> {
    last: Option<(&'a str, bool)>,
}

impl<'a> NamedFile<'a> {
    fn check(&mut self, file: &'a str, names: &[String], qualifiers: &[String]) -> bool {
        if names.is_empty() && qualifiers.is_empty() {
            return false;
        }
        if let Some((f, named)) = self.last {
            if f == file {
                return named;
            }
        }
        let stem = basename_stem(file);
        let named = if stem.is_ascii() {
            // The names are lowercase: an ASCII stem matches one ignoring case or not at all.
            names
                .iter()
                .chain(qualifiers)
                .any(|n| n.eq_ignore_ascii_case(stem))
        } else {
            let stem = stem.to_lowercase();
            names.contains(&stem) || qualifiers.contains(&stem)
        };
        self.last = Some((file, named));
        named
    }
}

/// Which lines could define a name the query asks about: only those holding
/// one (ignoring case) are parsed as definitions.
struct DefinitionFilter<'n> {
    finders: Vec<memchr::memmem::Finder<'n>>,
}

impl<'n> DefinitionFilter<'n> {
    fn new(names: &'n [String]) -> Self {
        DefinitionFilter {
            finders: names.iter().map(memchr::memmem::Finder::new).collect(),
        }
    }

    /// False only when `text` cannot define any of the names.
    fn may_name(&self, text: &str) -> bool {
        if self.finders.is_empty() {
            return false;
        }
        if !text.is_ascii() {
            // Unicode lowercasing is not byte for byte: leave it to the parser.
            return true;
        }
        let lower = text.to_ascii_lowercase();
        self.finders
            .iter()
            .any(|f| f.find(lower.as_bytes()).is_some())
    }
}

/// The words (lowercase, three characters or more) that at least [`SEARCHED_SHARE`] of the
/// results hold: `grep -w NAME` prints NAME on every line, so without a query its definitions
/// are still what the output is about.
fn searched_words(entries: &[Entry<'_>]) -> Vec<String> {
    let mut counts: rustc_hash::FxHashMap<String, usize> = Default::default();
    let mut hits = 0usize;
    let mut words: FxHashSet<String> = Default::default();
    for e in entries {
        let Entry::Hit {
            text,
            context: false,
            ..
        } = e
        else {
            continue;
        };
        hits += 1;
        words.clear();
        for w in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')) {
            if w.chars().count() >= 3 && !w.starts_with(|c: char| c.is_ascii_digit()) {
                words.insert(w.to_lowercase());
            }
        }
        for w in words.drain() {
            *counts.entry(w).or_default() += 1;
        }
    }
    if hits < 2 {
        return Vec::new();
    }
    let need = ((hits as f32 * SEARCHED_SHARE).ceil() as usize).max(2);
    let mut out: Vec<String> = counts
        .into_iter()
        .filter(|&(ref w, c)| {
            c >= need && !DEF_KEYWORDS.contains(&w.as_str()) && !MODIFIERS.contains(&w.as_str())
        })
        .map(|(w, _)| w)
        .collect();
    out.sort();
    out
}

/// The compressed search output as pieces, within `budget` tokens.
pub fn compress(text: &str, query: &Query, budget: usize, mut costs: Costs) -> Vec<Piece> {
    let lines = Lines::new(text);
    let n = lines.len();
    let entries = parse(&lines);
    let masks = query.match_lines(&lines);
    let mut weights = query.weights(&masks);
    // A term nearly every result holds (the word grep was given) cannot tell the results apart.
    let hits = entries
        .iter()
        .filter(|e| matches!(e, Entry::Hit { .. }))
        .count();
    if hits >= 2 {
        for (k, w) in weights.iter_mut().enumerate() {
            let with = masks.iter().filter(|&&m| m & (1 << k) != 0).count();
            if with as f32 >= SEARCHED_SHARE * hits as f32 {
                *w = 0.0;
            }
        }
    }
    let names: Vec<String> = query.names.iter().map(|n| n.to_lowercase()).collect();
    let qualifiers: Vec<String> = query.qualifiers.iter().map(|n| n.to_lowercase()).collect();
    // A file named like something the query names (`warnings` -> warnings.py) is a strong pointer.
    let file_weight = 2.0 * weights.iter().copied().fold(0.0f32, f32::max);
    let searched = searched_words(&entries);
    // Without names of the query's, a file named like the word searched for (`grep -w Plugins`:
    // plugins.py) points the same way.
    let file_names = if names.is_empty() && qualifiers.is_empty() {
        &searched
    } else {
        &names
    };
    let mut named_file = NamedFile::default();
    let named: Vec<bool> = entries
        .iter()
        .map(|e| match e {
            Entry::Hit { file, .. } => named_file.check(file, file_names, &qualifiers),
            _ => false,
        })
        .collect();
    let scores: Vec<f32> = masks
        .iter()
        .zip(&named)
        .map(|(&m, &named)| score_mask(m, &weights) + if named { file_weight } else { 0.0 })
        .collect();
    let best = scores.iter().copied().fold(0.0f32, f32::max);
    let definitions = DefinitionFilter::new(&names);
    let searched_definitions = DefinitionFilter::new(&searched);
    // How many results show each text: a text repeated across files is shown once, its copies
    // left to the markers, unless something else (a definition, a rare query match) keeps them.
    let mut repeats: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for e in &entries {
        if let Entry::Hit { text, .. } = e {
            *repeats.entry(text.trim()).or_default() += 1;
        }
    }
    let mut shown_texts: FxHashSet<&str> = Default::default();

    let mut priority = vec![0u32; n];
    // Results of one rank (the first of each file without a query, every definition of the word
    // searched for) are taken in an order spread over the whole output (see `spread_order`), so
    // that a budget that holds a tenth of them shows every part of the tree, not its first tenth.
    let mut spread = vec![0u64; n];
    let file_order = spread_order(&entries);
    let mut seen = FxHashSet::with_capacity_and_hasher(n, Default::default());
    let mut ranked = Vec::new();
    let mut per_file_first = 0usize;
    let mut last_file: Option<&str> = None;
    for (i, entry) in entries.iter().enumerate() {
        match entry {
            Entry::Hit { file, text, .. } => {
                if Some(*file) != last_file {
                    last_file = Some(*file);
                    per_file_first = 0;
                }
                spread[i] = file_order(per_file_first, file);
                // The same result printed twice (several patterns, overlapping runs) counts once.
                if !seen.insert(lines.content(i)) {
                    continue;
                }
                let key = text.trim();
                // A copy of a text shown already (the same definition in forty per-platform files)
                // adds nothing the marker over it does not say.
                if repeats[key] >= REPEATED_TEXT && !named[i] && !shown_texts.insert(key) {
                    // Without a query, which files match is what the output says: a file's first
                    // results still show where room is left.
                    if query.is_empty() && per_file_first < PER_FILE_WITHOUT_QUERY {
                        priority[i] = P_FILE_COPY;
                    }
                    per_file_first += 1;
                    continue;
                }
                if let Some(name) = definitions
                    .may_name(text)
                    .then(|| defined_name(text))
                    .flatten()
                {
                    let name = name.to_lowercase();
                    if names.contains(&name) {
                        let stem = basename_stem(file).to_lowercase();
                        let qualified = qualifiers.is_empty()
                            || qualifiers.contains(&stem)
                            || text.to_lowercase().contains(qualifiers[0].as_str());
                        priority[i] = if qualified {
                            P_DEFINITION_QUALIFIED
                        } else {
                            P_DEFINITION
                        };
                        continue;
                    }
                }
                if let Some(name) = searched_definitions
                    .may_name(text)
                    .then(|| defined_name(text))
                    .flatten()
                {
                    if searched.contains(&name.to_lowercase()) {
                        priority[i] = P_SEARCHED_DEFINITION;
                        continue;
                    }
                }
                if best > 0.0 && scores[i] >= 0.5 * best {
                    ranked.push(i);
                }
                if query.is_empty() && per_file_first < PER_FILE_WITHOUT_QUERY {
                    priority[i] = P_FILE_FIRST;
                }
                per_file_first += 1;
            }
            Entry::Heading(_) => priority[i] = P_HEADING,
            Entry::Other => priority[i] = P_OTHER,
            Entry::Separator | Entry::Blank => {}
        }
    }
    ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    ranked.truncate(QUERY_TOP);
    for i in ranked {
        priority[i] = priority[i].max(P_QUERY + (scores[i] / best * 99.0) as u32);
    }

    let mut order: Vec<usize> = (0..n).filter(|&i| priority[i] > 0).collect();
    order.sort_by(|&a, &b| {
        priority[b]
            .cmp(&priority[a])
            .then(spread[a].cmp(&spread[b]))
            .then(a.cmp(&b))
    });
    // The ripgrep heading each line sits under, if any.
    let mut heading_of: Vec<Option<usize>> = Vec::with_capacity(n);
    let mut heading = None;
    for (i, e) in entries.iter().enumerate() {
        match e {
            Entry::Heading(_) => heading = Some(i),
            Entry::Blank => heading = None,
            _ => {}
        }
        heading_of.push(heading);
    }
    // The definitions asked about are the answer: without a budget of the caller's they may raise the
    // default share to what they cost with the marker each may add (up to twice the larger of the
    // share and DEFINITION_ROOM), so that twenty definitions of one name all stay, in a short
    // search as in a long one.
    let budget = if costs.soft() {
        let defined: usize = costs.marker()
            + (0..n)
                .filter(|&i| priority[i] >= P_SEARCHED_DEFINITION)
                .map(|i| costs.line(&lines, i) + costs.marker())
                .sum::<usize>();
        budget.max(defined.min(2 * budget.max(DEFINITION_ROOM)))
    } else {
        budget
    };
    let mut planner = Planner::new(&lines, costs, budget, 0);
    for &i in &order {
        // A kept line under a ripgrep heading needs its heading.
        if planner.offer(i) {
            if let Some(h) = heading_of[i] {
                planner.offer(h);
            }
        }
    }
    let breaks = file_breaks(&entries, planner.keep_flags());
    planner.fill_cheap_gaps(&breaks);
    let keep = planner.keep_flags().to_vec();
    let breaks = file_breaks(&entries, &keep);
    lines::render_with_breaks(&lines, &keep, &breaks, &SearchUnit { entries: &entries })
}

/// The rank of a file's `k`-th result among every file's: first results before second ones, and
/// among the files, the order of the bit-reversed rank of each file's first appearance (0, 1/2,
/// 1/4, 3/4, ...: the van der Corput sequence), which any prefix spreads evenly over the output.
fn spread_order<'a>(entries: &[Entry<'a>]) -> impl Fn(usize, &str) -> u64 + 'a {
    let mut rank: rustc_hash::FxHashMap<&'a str, u32> = Default::default();
    for e in entries {
        if let Entry::Hit { file, .. } = e {
            let next = rank.len() as u32;
            rank.entry(file).or_insert(next);
        }
    }
    let bits = (rank.len().max(2) - 1).ilog2() + 1;
    move |k: usize, file: &str| {
        let r = rank.get(file).copied().unwrap_or(0);
        ((k as u64) << 32) | u64::from(r.reverse_bits() >> (32 - bits))
    }
}

/// Where a run of omitted lines must be cut so that each file with kept
/// matches gets its own marker for the matches it lost.
fn file_breaks(entries: &[Entry<'_>], keep: &[bool]) -> Vec<bool> {
    let n = entries.len();
    let mut file_of: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut current: Option<&str> = None;
    for e in entries {
        match e {
            Entry::Hit { file, .. } | Entry::Heading(file) => current = Some(file),
            Entry::Blank => current = None,
            _ => {}
        }
        file_of.push(current);
    }
    // Runs of consecutive lines of one file; a run with a kept line is shown.
    let mut run_start = vec![0usize; n];
    for i in 1..n {
        run_start[i] = if file_of[i] == file_of[i - 1] {
            run_start[i - 1]
        } else {
            i
        };
    }
    let mut shown_run = vec![false; n];
    for i in 0..n {
        if keep[i] && file_of[i].is_some() {
            shown_run[run_start[i]] = true;
        }
    }
    // Cut at both ends of every shown run, so its omitted matches get their own markers
    // (at most two extra markers per shown run, however the output interleaves files).
    let mut breaks = vec![false; n];
    for i in 1..n {
        if run_start[i] == i {
            breaks[i] = shown_run[i] || shown_run[run_start[i - 1]];
        }
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::Encoding;

    #[test]
    fn grep_lines_parse_into_file_and_text() {
        assert_eq!(
            parse_line("src/a.py:12:def f(x):", None),
            Entry::Hit {
                file: "src/a.py",
                text: "def f(x):",
                context: false
            }
        );
        assert_eq!(
            parse_line("src/a.py:12:5:def f(x):", None),
            Entry::Hit {
                file: "src/a.py",
                text: "def f(x):",
                context: false
            }
        );
        assert_eq!(
            parse_line("src/my-mod.py-13-    return x", None),
            Entry::Hit {
                file: "src/my-mod.py",
                text: "    return x",
                context: true
            }
        );
        assert_eq!(parse_line("--", None), Entry::Separator);
        assert_eq!(parse_line("src/a.py", None), Entry::Heading("src/a.py"));
        assert_eq!(
            parse_line("12:    x = 1", Some("src/a.py")),
            Entry::Hit {
                file: "src/a.py",
                text: "    x = 1",
                context: false
            }
        );
        assert_eq!(
            parse_line("Binary file x matches whatever", None),
            Entry::Other
        );
    }

    #[test]
    fn definitions_are_recognised_across_languages() {
        assert_eq!(
            defined_name("    def has_header(self, name: str) -> bool:"),
            Some("has_header")
        );
        assert_eq!(
            defined_name("func (c *Context) MultipartForm() (*multipart.Form, error) {"),
            Some("MultipartForm")
        );
        assert_eq!(
            defined_name("func DELETE(relativePath string) gin.IRoutes {"),
            Some("DELETE")
        );
        assert_eq!(
            defined_name("res.download = function download (path, filename) {"),
            Some("download")
        );
        assert_eq!(
            defined_name(
                "export function cleanEnum(obj: Record<string, EnumValue>): EnumValue[] {"
            ),
            Some("cleanEnum")
        );
        assert_eq!(
            defined_name("  public String toJson(Object src) {"),
            Some("toJson")
        );
        assert_eq!(
            defined_name("pub fn search_path(&self) -> bool {"),
            Some("search_path")
        );
        assert_eq!(
            defined_name("class Session(SessionRedirectMixin):"),
            Some("Session")
        );
        assert_eq!(defined_name("    return toJson(src);"), None);
        assert_eq!(defined_name("    x = toJson(src)"), None);
        assert_eq!(defined_name("// def not_this()"), None);
        // Any character may precede the name, including multi-byte ones.
        let _ = defined_name("x\u{84}è(1)");
        assert_eq!(defined_name("static int é\u{84}f(void) {"), Some("f"));
    }

    fn run(text: &str, query: &str, budget: usize) -> String {
        crate::line_compressor::testing::run(compress, text, query, budget)
    }

    #[test]
    fn every_definition_asked_about_stays_over_the_default_share() {
        let mut text = String::new();
        for k in 0..12 {
            let dir = "site-packages/tool/transformers/models";
            text.push_str(&format!(
                "{dir}/model{k}/convert.py:{}:def parse_arguments(argv=None, dump_{k}=False):\n",
                k + 10
            ));
            text.push_str(&format!(
                "{dir}/model{k}/convert.py:{}:    args = parse_arguments()\n",
                k + 90
            ));
        }
        let lines = Lines::new(&text);
        let pieces = |costs: Costs| {
            compress(
                &text,
                &Query::parse("Where is parse_arguments defined?"),
                400,
                costs,
            )
        };
        let kept = |pieces: Vec<Piece>| -> usize {
            pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => t.matches(":def parse_arguments").count(),
                    Piece::Omit { .. } => 0,
                })
                .sum()
        };
        // Without a budget of the caller's, all of them; within one, what fits.
        let soft = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
        assert_eq!(kept(pieces(soft)), 12);
        let exact = Costs::new(lines.len(), Encoding::O200kBase, 25);
        assert!(kept(pieces(exact)) < 12);
    }

    #[test]
    fn the_definition_asked_about_is_kept_and_the_rest_marked_per_file() {
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!(
                "src/user{}.py:{}:    value = helper(value, {i})\n",
                i / 50,
                i + 1
            ));
        }
        text.push_str("src/util.py:7:def helper(value, n):\n");
        for i in 0..50 {
            text.push_str(&format!("src/zz.py:{}:    helper(x, {i})\n", i + 1));
        }
        let out = run(&text, "Where is `helper` defined?", 2000);
        assert!(out.contains("src/util.py:7:def helper(value, n):"));
        assert!(out.contains("matches"));
        assert!(out.len() < text.len() / 5);
    }

    fn soft_run(text: &str, query: &str, budget: usize) -> String {
        let lines = Lines::new(text);
        let costs = Costs::new(lines.len(), Encoding::O200kBase, 25).estimated();
        crate::lines::testing::plain(&compress(text, &Query::parse(query), budget, costs))
    }

    /// `grep -rn -w NAME` over a tree: NAME used on many lines of many files, defined once.
    fn grep_w(name: &str) -> String {
        let mut text = String::new();
        for f in 0..30 {
            for k in 0..3 {
                text.push_str(&format!(
                    "/usr/lib/python3/site/pkg{f}/mod{f}.py:{}:    out = obj.{name}(arg{k}, flag={f})\n",
                    10 * k + f + 1
                ));
            }
        }
        text.push_str(&format!(
            "/usr/lib/python3/site/core/base.py:592:    def {name}(self, timeout=None):\n"
        ));
        for f in 30..40 {
            text.push_str(&format!(
                "/usr/lib/python3/site/pkg{f}/mod{f}.py:7:        return {name}(self.value)\n"
            ));
        }
        text
    }

    #[test]
    fn without_a_query_the_definition_of_the_word_every_result_holds_is_kept() {
        let text = grep_w("detach_all");
        let out = soft_run(&text, "", 150);
        assert!(out.contains("core/base.py:592:    def detach_all(self, timeout=None):"));
        assert!(out.len() < text.len() / 3);
    }

    #[test]
    fn the_word_every_result_holds_ranks_no_result_above_another() {
        let text = grep_w("detach_all");
        let out = soft_run(&text, "Where is detach_all defined?", 150);
        assert!(out.contains("core/base.py:592:    def detach_all(self, timeout=None):"));
        // Only the definition and its markers: the uses matched the query by the searched word alone.
        assert!(
            out.lines()
                .filter(|l| l.contains("obj.detach_all("))
                .count()
                <= 1,
            "{out}"
        );
    }

    #[test]
    fn a_text_many_results_repeat_is_shown_once() {
        let mut text = String::new();
        for arch in [
            "arm", "mips", "x86", "riscv", "sparc", "s390x", "ppc", "m68k",
        ] {
            text.push_str(&format!(
                "/src/linux-raw-sys/src/{arch}/ptrace.rs:106:pub struct sock_fprog {{\n"
            ));
            text.push_str(&format!(
                "/src/linux-raw-sys/src/{arch}/if_tun.rs:71:pub filter: *mut sock_fprog,\n"
            ));
        }
        text.push_str(
            "/src/libc/src/unix/linux_like/mod.rs:256:            pub struct sock_fprog {\n",
        );
        text.push_str("/src/libc/src/unix/linux_like/mod.rs:1490:        pub const TUNATTACHFILTER: Ioctl = _IOW::<sock_fprog>(T_TYPE, 213);\n");
        let out = soft_run(&text, "Where is sock_fprog defined?", 150);
        assert_eq!(out.matches("pub struct sock_fprog {").count(), 1, "{out}");
        assert!(out.contains("/src/linux-raw-sys/src/arm/ptrace.rs:106:pub struct sock_fprog {"));
        assert!(out.contains(" matches "), "{out}");
        assert!(out.len() < text.len() / 2);
    }

    #[test]
    fn without_a_query_the_files_kept_spread_over_the_whole_output() {
        let mut text = String::new();
        for f in 0..90 {
            for k in 0..4 {
                text.push_str(&format!(
                    "lib/pkg{f}/module_{f}.py:{}:    value_{k} = os.environ.get(\"SETTING_{f}_{k}\")\n",
                    10 * k + 3
                ));
            }
        }
        let out = soft_run(&text, "", 1500);
        let kept: Vec<usize> = (0..90)
            .filter(|f| out.contains(&format!("lib/pkg{f}/module_{f}.py:")))
            .collect();
        assert!(kept.len() >= 15 && kept.len() < 90, "{out}");
        // Each third of the files keeps about a third of those kept, not the first files alone.
        for third in 0..3 {
            let here = kept.iter().filter(|&&f| f / 30 == third).count();
            assert!(3 * here >= kept.len() * 2 / 3, "{third}: {kept:?}");
        }
    }

    #[test]
    fn unparseable_lines_are_kept() {
        let text = "a.py:1:x\nwarning: something odd\na.py:2:y\n";
        assert!(run(text, "", 1000).contains("warning: something odd"));
    }

    proptest::proptest! {
        #[test]
        fn no_text_or_query_makes_it_panic(text in "(\\PC|\n|\r){0,400}", query in "\\PC{0,40}") {
            let lines = Lines::new(&text);
            for line in lines.iter() {
                let _ = defined_name(line);
            }
            let _ = compress(&text, &Query::parse(&query), 300, Costs::new(lines.len(), Encoding::O200kBase, 25));
        }
    }

    proptest::proptest! {
        #[test]
        fn the_definition_filter_never_hides_a_definition(
            text in "(def |class |fn |pub |function |[a-zA-Z_]{1,8}|[ (){}=:.>]){0,20}",
            name in "[a-zA-Z_]{1,8}",
        ) {
            let names = vec![name.to_lowercase()];
            let filter = DefinitionFilter::new(&names);
            if let Some(found) = defined_name(&text) {
                if names.contains(&found.to_lowercase()) {
                    proptest::prop_assert!(filter.may_name(&text));
                }
            }
        }
    }
}
