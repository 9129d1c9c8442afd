//! The detector's evidence for data-shaped text: listings and tables
//! (`tree`, `find`, `du`, `ls -l`, `git log`, `pip freeze`, column-aligned
//! tables, CSV/TSV) and configuration (keys, sections, documents,
//! Dockerfile instructions). Each line is read with the same line readers
//! the listing and config compressors use, so what is routed as a listing
//! is what the listing compressor understands.

use crate::{config, listing};

/// Per-line evidence counted over the detector's sample.
#[derive(Default, Debug)]
pub struct DataLines {
    /// Lines only a listing or table prints.
    pub listing: usize,
    /// Keys, sections, document breaks, Dockerfile instructions.
    pub config: usize,
    /// YAML sequence items (`- x`): config when keys are around, Markdown lists otherwise.
    pub items: usize,
    /// `#`/`;` comments and template directives: neutral.
    pub neutral: usize,
    /// `==> path <==` headers of several files.
    pub file_headers: usize,
    /// Lines that start with a timestamp: a log's, not a table's time column.
    pub lead_stamped: usize,
    /// `+----+` borders of a terminal-drawn table seen so far.
    box_borders: usize,
    /// The indentation of the last key line, while the lines below it may continue its value.
    key_indent: Option<usize>,
    /// `[section]` headers seen so far.
    sections: usize,
    /// After a `git log` record's fields: its message, indented by four spaces, follows.
    in_commit_message: bool,
    /// After a help text's option row: the indentation its description's wrapped lines keep.
    option_text: Option<usize>,
    prev_starts: u128,
    prev_ends: u128,
    prev_commas: usize,
    prev_tabs: usize,
    continued: bool,
}

/// The layout of one line, from one pass over its bytes.
struct Columns {
    /// Byte positions (below 128) where a column starts after a gap of two spaces or a tab.
    starts: u128,
    /// Byte positions (below 128) where a field ends.
    ends: u128,
    /// Whether the line has such a gap at all.
    gap: bool,
    commas: usize,
    /// Commas followed by a space (prose and code write `a, b`; CSV writes `a,b`).
    spaced_commas: usize,
    /// Tabs after the indentation (TSV), not the indentation of source code.
    tabs: usize,
}

fn columns(line: &str) -> Columns {
    let b = line.as_bytes();
    let lead = b.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
    let mut c = Columns {
        starts: 0,
        ends: 0,
        gap: false,
        commas: 0,
        spaced_commas: 0,
        tabs: 0,
    };
    let mut spaces = 0;
    for (p, &ch) in b.iter().enumerate().skip(lead) {
        match ch {
            b' ' | b'\t' => {
                if spaces == 0 && p > lead && p <= 128 {
                    c.ends |= 1 << (p - 1);
                }
                if ch == b'\t' {
                    c.tabs += 1;
                    spaces += 2;
                } else {
                    spaces += 1;
                    c.spaced_commas += usize::from(b[p - 1] == b',');
                }
                continue;
            }
            b',' => c.commas += 1,
            _ => {}
        }
        if spaces >= 2 && p < 128 {
            c.starts |= 1 << p;
            c.gap = true;
        }
        spaces = 0;
    }
    c
}

/// Names that end a line with `:` in code: block keywords and labels, not keys.
const CODE_LABELS: &[&str] = &[
    "try",
    "else",
    "finally",
    "except",
    "default",
    "public",
    "private",
    "protected",
    "do",
];

fn listing_rule(t: &str) -> bool {
    t.bytes().all(|c| c == b'+' || c == b'-' || c == b'=')
}

/// `requests==2.31.0`, `idna>=3.4`, `pkg @ file:///...`: a pinned requirement (`pip freeze`).
fn is_requirement(t: &str) -> bool {
    let name_end = t
        .bytes()
        .position(|c| !(c.is_ascii_alphanumeric() || b"._-[],".contains(&c)))
        .unwrap_or(t.len());
    if name_end == 0 || !t.as_bytes()[0].is_ascii_alphanumeric() {
        return false;
    }
    let rest = t[name_end..].trim_start();
    ["==", ">=", "<=", "~=", "!=", "@ "]
        .iter()
        .any(|op| rest.starts_with(op) && rest.len() > op.len() && !rest[op.len()..].contains(' '))
}

/// Whether a key line's value reads as data rather than an expression: after `:`, anything
/// but a call; after `=`, a value glued to the key (`key=value`) or a literal (a quoted
/// string, a number, a boolean, an array or table), as INI, TOML and `.env` write them and
/// an assignment in source code seldom does.
fn plain_value(t: &str) -> bool {
    let t = t.strip_prefix("- ").unwrap_or(t);
    let Some(at) = t.find([':', '=']) else {
        return false;
    };
    let value = t[at + 1..].trim();
    if t.as_bytes()[at] == b':' {
        return !value.contains("(") || value.starts_with(['"', '\'', '|', '>']);
    }
    if !t[..at].ends_with(' ') && !value.is_empty() && !t[at + 1..].starts_with(' ') {
        return !value.contains('(');
    }
    let literal = value.starts_with(['"', '\'', '[', '{'])
        || value.parse::<f64>().is_ok()
        || matches!(value, "true" | "false" | "on" | "off" | "yes" | "no" | "");
    literal && !value.contains('(') && !value.ends_with(".freeze")
}

/// `  -a, --all        do not ignore entries starting with .`: a command's help lists its
/// options as rows (indented, the option, a gap of two spaces or a parenthesis, what it does).
/// A list item (`  - x`), a diff's removed line (at the margin) and a `-- comment` do not read
/// so. Returns the column the description starts at (its wrapped lines are indented so).
fn option_row(line: &str) -> Option<usize> {
    let indent = line.bytes().take_while(|&b| b == b' ').count();
    if !(1..=12).contains(&indent) {
        return None;
    }
    let t = &line[indent..];
    let rest = t.strip_prefix('-')?;
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    if !rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    if let Some(gap) = t.find("  ") {
        let text = t[gap..].trim_start();
        return (!text.is_empty() && !text.starts_with(['|', '\\']))
            .then(|| indent + t.len() - text.len());
    }
    // `  --flag (what it does)`, as V8 lists its flags.
    let (spec, text) = t.split_once(" (")?;
    (!spec.contains(' ') && text.ends_with(')')).then_some(indent + 4)
}

/// `62387b8 Fix the thing`: a row led by an abbreviated hash (`git log --oneline`).
fn is_hash_row(t: &str) -> bool {
    let first = t.split(' ').next().unwrap_or("");
    (7..=40).contains(&first.len())
        && first.len() < t.len()
        && first
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && first.bytes().any(|c| c.is_ascii_digit())
        && first.bytes().any(|c| c.is_ascii_alphabetic())
}

/// Lines of `git log` records: `Author:`, `Date:`, `Merge:`.
fn is_git_field(line: &str) -> bool {
    [
        "Author: ",
        "Date:   ",
        "Merge: ",
        "Commit: ",
        "AuthorDate: ",
        "CommitDate: ",
    ]
    .iter()
    .any(|p| line.starts_with(p))
}

impl DataLines {
    /// Counts one non-blank line (`t` trimmed; `loggy` when it reads as an error or warning);
    /// returns whether it is data (a listing row or a config line) rather than code or prose.
    pub fn line(&mut self, line: &str, t: &str, loggy: bool, lead_stamp: bool) -> bool {
        let Columns {
            starts,
            ends,
            gap,
            commas,
            spaced_commas,
            tabs,
        } = columns(line);
        let aligned = (starts & self.prev_starts != 0)
            || (gap && (ends & self.prev_ends).count_ones() >= 2 && self.prev_starts != 0);
        // CSV writes `a,b,c` (prose and code write `a, b`); trailing empty fields may be left off.
        let csv =
            commas >= 2 && spaced_commas * 2 < commas && commas.abs_diff(self.prev_commas) <= 2;
        let delimited = (commas >= 2 && commas == self.prev_commas)
            || csv
            || (commas == 1 && self.prev_commas == 1 && pair_row(t))
            || (tabs >= 1 && tabs == self.prev_tabs);
        let continued = std::mem::replace(&mut self.continued, t.ends_with('\\'));
        let rule = t.starts_with("--") && listing_rule(&t.replace(' ', ""));
        // A date leading a CSV row is a column, not a log's timestamp.
        self.lead_stamped += usize::from(lead_stamp && !delimited);
        if !rule {
            self.prev_starts = starts;
            self.prev_ends = ends;
        }
        self.prev_commas = commas;
        self.prev_tabs = tabs;

        if t.starts_with("+-") && t.ends_with(['+', '-']) && listing_rule(t) {
            // `+----+-----+`: the border of a table drawn in a terminal (MySQL, prettytable).
            self.box_borders += 1;
            self.listing += 1;
            return true;
        }
        if rule && t.contains(' ') {
            // `------- -------` under a table's header: the rows below line up with the header.
            self.listing += 1;
            return true;
        }
        // A `git log` message belongs to its record, however long and wordy it is: without
        // this, a history of long messages reads as prose and its stat rows are lost.
        let message_line = line.starts_with("    ");
        if self.in_commit_message && message_line {
            self.listing += 1;
            return true;
        }
        self.in_commit_message = is_git_field(line);
        if listing::file_header(line).is_some() {
            self.file_headers += 1;
            return true;
        }
        let path = listing::path_start(line).is_some_and(|at| {
            // A path alone or after values, not a `path:12: message`.
            !line[at..].contains(": ") && !line[at..].trim_end().ends_with(':')
        });
        // An option row of a help text, or a wrapped line of the description of the row above.
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let wrapped = self
            .option_text
            .is_some_and(|col| indent > 0 && indent + 2 >= col);
        self.option_text = option_row(line).or(if wrapped { self.option_text } else { None });
        let row = self.option_text.is_some()
            || listing::tree_name(line).is_some()
            || listing::ls_name(line).is_some()
            || listing::is_stat_row(line)
            || listing::is_stat_total(line)
            || listing::is_commit_head(line)
            || is_git_field(line)
            || is_requirement(t)
            || is_hash_row(t)
            || (t.starts_with("total ")
                && t[6..]
                    .bytes()
                    .all(|c| c.is_ascii_digit() || c == b'.' || c.is_ascii_alphabetic()));
        if row || path {
            self.listing += 1;
            return true;
        }
        if continued {
            self.neutral += 1;
            return false;
        }
        let kind = config::classify(line);
        let indent = config::indent(line);
        if matches!(kind, config::Kind::Other) && self.key_indent.is_some_and(|k| indent > k) {
            // The value of the key above, on lines of its own (a YAML block scalar, a wrapped
            // description, an INI continuation): part of that key. Without sections it may
            // as well be code under a label, so the code count keeps it.
            self.neutral += 1;
            return self.sections > 0;
        } else if !matches!(kind, config::Kind::Comment | config::Kind::Item) {
            self.key_indent = None;
        }
        let data_key = match kind {
            config::Kind::Key { name, .. } => {
                !loggy
                    && !t.ends_with([',', ';', '{', '('])
                    && !CODE_LABELS.contains(&name)
                    && (self.sections > 0 || plain_value(t))
            }
            _ => false,
        };
        if data_key {
            self.key_indent = Some(indent);
        }
        match kind {
            config::Kind::Comment if !t.starts_with("//") => {
                self.neutral += 1;
                return false;
            }
            config::Kind::Template => {
                self.neutral += 1;
                return true;
            }
            config::Kind::Section(_) => {
                self.sections += 1;
                self.config += 1;
                return true;
            }
            config::Kind::DocSep | config::Kind::Instruction(_) => {
                self.config += 1;
                return true;
            }
            config::Kind::Key { .. } if data_key => {
                // Under `[section]` headers any value goes (INI: `name = my package`). A
                // `name = value` line outside sections may also be an assignment in code:
                // evidence for config, but still counted as code too.
                self.config += 1;
                return self.sections > 0 || t.contains(':');
            }
            config::Kind::Item => self.items += 1,
            _ => {}
        }
        // Columns also line up in code (a table of constants): evidence for a listing that
        // still counts as code.
        let markdown_table = t.starts_with('|') && self.box_borders == 0;
        // Rows of a literal in source code end like code (`"a": b,`, `X = f(1)`).
        let code_like = t.ends_with([',', ';', '{', '}', '(', ')']);
        if (aligned && !loggy && !markdown_table && !code_like) || delimited {
            self.listing += 1;
        }
        false
    }

    /// Listing or config, when the evidence (over `nonblank` sampled lines) outweighs that of
    /// a log (`events`: the share of error, warning, compiler and test-runner lines) and of code.
    pub fn decide(&self, nonblank: usize, events: f32, code: f32) -> Option<&'static str> {
        let nonblank = nonblank.max(1) as f32;
        let listing = self.listing as f32 / nonblank;
        // Timestamps that start lines make a log; a table's time column does not.
        let log = events + self.lead_stamped as f32 / nonblank;
        if listing >= 0.5 && listing > log && listing > code {
            return Some("listing");
        }
        let config = self.config_share(nonblank as usize);
        if config >= 0.5 && self.config + self.file_headers >= 2 && config > log && config > code {
            return Some("config");
        }
        None
    }

    /// The share of config lines among the sampled lines that are not comments or templates.
    pub fn config_share(&self, nonblank: usize) -> f32 {
        let counted = nonblank.saturating_sub(self.neutral).max(1) as f32;
        let keys = self.config + self.file_headers;
        // Sequence items are YAML's where keys are: not where a Markdown list is all there is.
        let items = if self.config * 3 >= self.items {
            self.items
        } else {
            0
        };
        (keys + items) as f32 / counted
    }

    /// Whether listing rows make most of the sample (`find`, `grep -l`, `pip freeze`): a
    /// listing, though a bare path or name also reads as a ripgrep heading.
    pub fn mostly_listing(&self, nonblank: usize) -> bool {
        self.listing * 5 >= nonblank.max(1) * 3 && self.lead_stamped * 2 < nonblank
    }
}

/// A row of two-column CSV (`3, 0x40178d9`, `2024-01-02,17.5`): two single-token cells, one
/// of them holding a digit. Prose (`Hello, world`) and code (`f(a, b)`) do not read so.
fn pair_row(t: &str) -> bool {
    let Some((a, b)) = t.split_once(',') else {
        return false;
    };
    let cell = |c: &str| {
        let c = c.trim();
        !c.is_empty()
            && !c
                .bytes()
                .any(|x| x.is_ascii_whitespace() || b"()[]{}=;<>".contains(&x))
    };
    cell(a) && cell(b) && t.bytes().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_of(text: &str) -> DataLines {
        let mut s = DataLines::default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            s.line(line, line.trim(), false, false);
        }
        s
    }

    #[test]
    fn aligned_tables_and_requirements_are_listings() {
        let pip = "Package    Version\n---------- -------\nanyio      4.2.0\ncertifi    2024.2.2\nidna       3.6\n";
        assert_eq!(shape_of(pip).listing, 4);
        let freeze = "anyio==4.2.0\ncertifi==2024.2.2\nidna==3.6\n";
        assert_eq!(shape_of(freeze).listing, 3);
        let prose = "This is a sentence that goes on.\nAnd another one follows it here.\n";
        assert_eq!(shape_of(prose).listing, 0);
    }

    #[test]
    fn a_git_log_message_belongs_to_its_record() {
        let record = "commit 62387b8f0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f\nAuthor: A <a@example.org>\nDate:   Sat Dec 5 10:13:15 2026 +0000\n\n    Prose of a commit message, which goes on\n    for a while, as messages do.\n\n src/a.rs | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)\n";
        assert_eq!(shape_of(record).listing, 7);
        // The same words, indented, without a record above them are not a listing.
        let quoted =
            "    Prose of a commit message, which goes on\n    for a while, as messages do.\n";
        assert_eq!(shape_of(quoted).listing, 0);
    }

    #[test]
    fn keys_and_sections_are_config() {
        let ini = "[server]\nhost = example.org\nport = 8080\n; note\n";
        let s = shape_of(ini);
        assert_eq!((s.config, s.neutral), (3, 1));
        let js = "  key: value,\n  other: call(x);\n";
        assert_eq!(shape_of(js).config, 0);
    }
}
