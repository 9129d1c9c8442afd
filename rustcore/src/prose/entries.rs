//! Documentation as a list of entries, each a head line and the description under it: the options
//! of a man page or a command's `--help` (`-r`, `-h, --help`, `--color[=WHEN]`, V8's `--flag (text)`),
//! the functions, classes and methods of `python -m pydoc` text (`name(args)` behind its `|`
//! gutter), and the stanzas of RFC 822-style files such as Debian's machine-readable copyright
//! (`Files: *.c *.h` over its `Copyright:` and `License:` fields).
//!
//! A head is known by its shape; its description is every following line indented deeper than the
//! head's text (a blank line or two inside, when the description goes on after it), or, for a
//! stanza, the lines up to the next blank one. A question that names an entry (an option, a
//! function or `Class.method`, a stanza's value) is asked about that entry: [`named`] finds it, so
//! the compressor and retrieval keep it whole (head and description: a word hyphenated across two
//! lines stays joined). Lines are 0-based.

use crate::terms::{is_space, is_stopword, lower};

/// A description longer than this many lines is kept only up to here when a question names it.
const PIN_LINES: usize = 40;
/// A name shared by more entries than this (a method every class has) is named only when qualified.
const COMMON_NAME: usize = 6;
/// Blank lines in a row a description may hold between its paragraphs.
const INNER_BLANKS: usize = 2;
/// Lines of a stanza looked through for its second field.
const STANZA_SCAN: usize = 200;
/// More entries than this are not collected (a text of millions of lines is no manual).
const MAX_ENTRIES: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// `-r`, `-h, --help`, `--quoting-style=WORD`, `--flag (what it does)`.
    Option,
    /// `name(args)`: a function or method as pydoc prints it.
    Signature,
    /// `class Name(Base)`: holds the entries of its members.
    Class,
    /// `Key: value` opening a stanza of fields.
    Stanza,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    /// The head line.
    pub first: usize,
    /// The last line of its description (`first` when it has none under its head).
    pub last: usize,
    /// The column its text starts at (a pydoc gutter counts as indent).
    pub column: usize,
    /// What names it: its options, its function or class name, its stanza's value.
    pub names: Vec<String>,
    /// The entry it sits in (a method's class).
    pub owner: Option<usize>,
}

impl Entry {
    /// The lines kept when a question names this entry: a class's head and the paragraph under it,
    /// anything else whole up to `PIN_LINES` lines.
    pub fn pinned(&self, lines: &[&str]) -> (usize, usize) {
        let mut last = self.last.min(self.first + PIN_LINES - 1);
        if self.kind == EntryKind::Class {
            last = (self.first + 1..=self.last)
                .find(|&j| is_blank(lines[j]))
                .map_or(last, |j| j.saturating_sub(1).max(self.first));
        }
        (self.first, last)
    }
}

/// The column a line's text starts at and that text: leading blanks, and a pydoc gutter (a `|`
/// after blanks, followed by two blanks or nothing) as if it were blank too.
fn content(line: &str) -> (usize, &str) {
    let line = line.trim_end_matches(['\r', '\n']);
    let mut col = 0;
    let mut at = 0;
    let bytes = line.as_bytes();
    let mut gutter = false;
    while at < bytes.len() {
        match bytes[at] {
            b' ' => col += 1,
            b'\t' => col += 8 - col % 8,
            b'|' if !gutter && col > 0 && {
                let after = &line[at + 1..];
                after.is_empty()
                    || after.starts_with("  ")
                    || after.trim_matches(is_space).is_empty()
            } =>
            {
                gutter = true;
                col += 1;
            }
            _ => break,
        }
        at += 1;
    }
    (col, &line[at..])
}

fn is_blank(line: &str) -> bool {
    content(line).1.chars().all(is_space)
}

/// The options a head line opens with and whether they end in a gap before text (or the line ends):
/// `-h, --help`, `-C, --directory=DIR`, `--color[=WHEN]`, `-s, --size size`, `--profile <NAME>`.
fn option_names(text: &str) -> Option<Vec<String>> {
    let b = text.as_bytes();
    let starts_option = |s: &[u8]| {
        s.first() == Some(&b'-')
            && match s.get(1) {
                Some(b'-') => s.get(2).is_some_and(u8::is_ascii_alphanumeric),
                Some(c) => c.is_ascii_alphanumeric() || *c == b'?',
                None => false,
            }
    };
    if !starts_option(b) {
        return None;
    }
    // The spec is what comes before a run of two blanks (or a tab), or V8's ` (`.
    let spec_end = text
        .find("  ")
        .into_iter()
        .chain(text.find('\t'))
        .chain(text.find(" ("))
        .min()
        .unwrap_or(text.len());
    let spec = &text[..spec_end];
    let mut names = Vec::new();
    for token in spec.split([' ', ',', '|']).filter(|t| !t.is_empty()) {
        if !starts_option(token.as_bytes()) {
            continue;
        }
        let cut = token.find(['=', '[', '<']).unwrap_or(token.len());
        let name = token[..cut].trim_end_matches([',', ';', ':', '.']);
        if name.len() >= 2 && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        // `-Fdir`: the letter is the option, what follows its argument.
        if !name.starts_with("--") && name.len() > 2 && name.is_char_boundary(2) {
            let short = &name[..2];
            if !names.iter().any(|n| n == short) {
                names.push(short.to_string());
            }
        }
    }
    (!names.is_empty()).then_some(names)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `name(args)`, `pkg.name(args) -> T`, `from_file(path) from builtins.type`: the name.
fn signature_name(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    if !b.first().copied().is_some_and(is_ident_start) {
        return None;
    }
    let end = b
        .iter()
        .position(|&c| !(is_ident(c) || c == b'.'))
        .unwrap_or(b.len());
    let trimmed = text.trim_end_matches(is_space);
    let closes = trimmed.ends_with(')')
        || trimmed.contains(") -> ")
        || trimmed.contains(") from ")
        || trimmed.ends_with("):");
    (b.get(end) == Some(&b'(') && closes && !trimmed.ends_with(['{', ';', ',']))
        .then(|| &text[..end])
}

/// `class Name(Base)` or `class Name`: the name.
fn class_name(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("class ")?;
    let b = rest.as_bytes();
    if !b.first().copied().is_some_and(is_ident_start) {
        return None;
    }
    let end = b.iter().position(|&c| !is_ident(c)).unwrap_or(b.len());
    match b.get(end) {
        None | Some(b'(' | b':') => Some(&rest[..end]),
        _ => None,
    }
}

/// `Key: value` (or `Key:` over continuation lines) at the margin, a key of letters, digits and
/// dashes starting with a capital.
fn field(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    if !(value.is_empty() || value.starts_with([' ', '\t'])) {
        return None;
    }
    let b = key.as_bytes();
    let ok = b.first().is_some_and(u8::is_ascii_uppercase)
        && b.len() <= 40
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-');
    ok.then(|| (key, value.trim_matches(is_space)))
}

/// The first line of a stanza: a field after a blank line (or the text's start, or a `==> path <==`
/// header) with another field after it (continuation lines, starting with a blank, between).
fn stanza_value<'a>(lines: &[&'a str], i: usize) -> Option<&'a str> {
    let line = lines[i].trim_end_matches(['\r', '\n']);
    let (_, value) = field(line)?;
    let opens = i == 0 || is_blank(lines[i - 1]) || is_file_header(lines[i - 1]);
    if !opens || value.is_empty() {
        return None;
    }
    // Another field at the margin before the stanza ends (a `Usage:` line over indented options is
    // no stanza).
    let end = stanza_end(lines, i);
    let fields = (i + 1..=end)
        .take(STANZA_SCAN)
        .any(|j| field(lines[j].trim_end_matches(['\r', '\n'])).is_some());
    fields.then_some(value)
}

/// `==> path <==`, the header `tail`/`head` print over each of several files.
fn is_file_header(line: &str) -> bool {
    let t = line.trim_end_matches(['\r', '\n']);
    t.starts_with("==> ") && t.ends_with(" <==")
}

/// The entries of `lines` (each with or without its line ending), in order.
pub fn entries(lines: &[&str]) -> Vec<Entry> {
    let n = lines.len();
    let mut out: Vec<Entry> = Vec::new();
    // Heads whose description is still open, outermost first; one pass, each line looked at once.
    let mut open: Vec<usize> = Vec::new();
    let mut blanks = 0;
    let mut previous = 0;
    for i in 0..n {
        let (column, text) = content(lines[i]);
        if text.chars().all(is_space) {
            blanks += 1;
            continue;
        }
        // A line at or left of a head's text, or one after too many blank lines, ends its description.
        while let Some(&k) = open.last() {
            if out[k].column < column && blanks <= INNER_BLANKS {
                break;
            }
            out[k].last = previous.max(out[k].first);
            open.pop();
        }
        blanks = 0;
        previous = i;
        if out.len() >= MAX_ENTRIES {
            continue;
        }
        let head = if let Some(value) = (column == 0).then(|| stanza_value(lines, i)).flatten() {
            Some((EntryKind::Stanza, vec![value.to_string()]))
        } else if let Some(name) = class_name(text) {
            Some((EntryKind::Class, vec![name.to_string()]))
        } else if column == 0 {
            // At the margin only a signature with its description under it (`help(Class)`'s
            // methods are indented; a module's own functions in pydoc are too).
            signature_name(text)
                .filter(|_| next_deeper(lines, i, 0))
                .map(|name| (EntryKind::Signature, vec![name.to_string()]))
        } else if let Some(names) = option_names(text) {
            Some((EntryKind::Option, names))
        } else {
            signature_name(text).map(|name| (EntryKind::Signature, vec![name.to_string()]))
        };
        let Some((kind, names)) = head else { continue };
        let stanza = kind == EntryKind::Stanza;
        out.push(Entry {
            kind,
            first: i,
            last: if stanza { stanza_end(lines, i) } else { i },
            column,
            names,
            owner: open.last().copied(),
        });
        if !stanza {
            open.push(out.len() - 1);
        }
    }
    for k in open {
        out[k].last = previous.max(out[k].first);
    }
    out
}

fn stanza_end(lines: &[&str], start: usize) -> usize {
    (start + 1..lines.len())
        .find(|&j| is_blank(lines[j]) || is_file_header(lines[j]))
        .map_or(lines.len() - 1, |j| j - 1)
}

/// Whether the first line after `start` that is not blank (past at most `INNER_BLANKS` blank ones) is
/// indented deeper than `column`.
fn next_deeper(lines: &[&str], start: usize, column: usize) -> bool {
    (start + 1..lines.len().min(start + 2 + INNER_BLANKS))
        .find(|&k| !is_blank(lines[k]))
        .is_some_and(|k| content(lines[k]).0 > column)
}

/// The words of a question as it names things: split at blanks, quotes and brackets stripped.
fn query_tokens(query: &str) -> Vec<&str> {
    query
        .split(|c: char| {
            is_space(c)
                || matches!(
                    c,
                    '`' | '"' | '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}'
                )
        })
        .map(|t| {
            t.trim_start_matches(['(', '[', '{', '\'', '<'])
                .trim_end_matches([')', ']', '}', ',', ';', '?', '!', '\'', ':', '>', '.'])
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whether `needle` occurs in `hay` as a whole: nothing but blanks, quotes, brackets or sentence
/// punctuation around it.
fn occurs_bounded(hay: &str, needle: &str) -> bool {
    let edge = |c: Option<char>| {
        c.is_none_or(|c| {
            is_space(c)
                || matches!(
                    c,
                    '`' | '"'
                        | '\''
                        | '\u{201c}'
                        | '\u{201d}'
                        | '\u{2018}'
                        | '\u{2019}'
                        | '('
                        | ')'
                        | ','
                        | '?'
                        | ';'
                        | '!'
                )
        })
    };
    let mut from = 0;
    while let Some(k) = hay[from..].find(needle) {
        let at = from + k;
        let end = at + needle.len();
        let after = hay[end..].chars().next();
        let after_ok = edge(after) || (after == Some('.') && edge(hay[end + 1..].chars().next()));
        if edge(hay[..at].chars().next_back()) && after_ok {
            return true;
        }
        from = at + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// The entries `query` names, in order: an option it spells (`-r`, `--halt`), a function or
/// method it calls by name (`Class.method` picks the class's own), a stanza whose value it quotes
/// whole (`*.c *.h`). Among stanzas of several concatenated files, those under a file header the
/// question also names come first.
pub fn named(entries: &[Entry], lines: &[&str], query: &str) -> Vec<usize> {
    let tokens = query_tokens(query);
    let options: Vec<&str> = tokens
        .iter()
        .filter_map(|t| option_names(t).and(Some(*t)))
        .map(|t| &t[..t.find(['=', '[', '<']).unwrap_or(t.len())])
        .collect();
    let mut picked: Vec<usize> = Vec::new();
    // Options.
    for (k, e) in entries.iter().enumerate() {
        if e.kind == EntryKind::Option && e.names.iter().any(|n| options.contains(&n.as_str())) {
            picked.push(k);
        }
    }
    // Functions, methods and classes: qualified first, a bare name only when it is rare.
    let mut qualified = Vec::new();
    let mut bare = Vec::new();
    for token in tokens.iter().filter(|t| !t.starts_with('-')) {
        let parts: Vec<&str> = token.split('.').filter(|p| !p.is_empty()).collect();
        let Some(&name) = parts.last() else { continue };
        if name.len() < 3 || is_stopword(&lower(name)) || !name.bytes().all(is_ident) {
            continue;
        }
        for (k, e) in entries.iter().enumerate() {
            if !matches!(e.kind, EntryKind::Signature | EntryKind::Class) {
                continue;
            }
            let full = e.names[0].as_str();
            let own = full.rsplit('.').next().unwrap_or(full);
            if own != name && full != *token {
                continue;
            }
            let owner = e.owner.map(|o| entries[o].names[0].as_str());
            if full == *token
                || (parts.len() >= 2
                    && owner.is_some_and(|o| parts[..parts.len() - 1].contains(&o)))
            {
                qualified.push(k);
            } else {
                bare.push(k);
            }
        }
    }
    if !qualified.is_empty() {
        picked.extend(qualified);
    } else if bare.len() <= COMMON_NAME {
        picked.extend(bare);
    }
    // Stanzas: the longest value the question quotes whole.
    let stanzas: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntryKind::Stanza && occurs_bounded(query, &e.names[0]))
        .map(|(k, _)| k)
        .collect();
    let longest = stanzas.iter().map(|&k| entries[k].names[0].len()).max();
    let stanzas: Vec<usize> = stanzas
        .into_iter()
        .filter(|&k| Some(entries[k].names[0].len()) == longest)
        .collect();
    if stanzas.len() > 1 {
        // The file header whose path has the most of the question's words (`ed` of
        // `/usr/share/doc/ed/copyright`) tells concatenated files' stanzas apart.
        let words: Vec<String> = tokens.iter().map(|t| lower(t).into_owned()).collect();
        let scored: Vec<(usize, usize)> = stanzas
            .iter()
            .map(|&k| {
                let header = (0..entries[k].first)
                    .rev()
                    .find(|&j| is_file_header(lines[j]));
                let score = header.map_or(0, |h| {
                    lower(lines[h])
                        .split(['/', ' ', '\t', '.'])
                        .filter(|part| !part.is_empty() && words.iter().any(|w| w == part))
                        .count()
                });
                (k, score)
            })
            .collect();
        let best = scored.iter().map(|&(_, s)| s).max().unwrap_or(0);
        picked.extend(
            scored
                .into_iter()
                .filter(|&(_, s)| s == best)
                .map(|(k, _)| k),
        );
    } else {
        picked.extend(stanzas);
    }
    picked.sort_unstable();
    picked.dedup();
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named_lines(text: &str, query: &str) -> Vec<(usize, usize)> {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let all = entries(&lines);
        named(&all, &lines, query)
            .into_iter()
            .map(|k| all[k].pinned(&lines))
            .collect()
    }

    const MAN: &str = "OPTIONS\n       -b     Suppress the use of overstriking.\n\n       -i     Use escape sequences to set the italic text attribute instead of the underline at\u{2010}\n              tribute for italic fonts.\n\n       -r     Use escape sequences to set the reverse text attribute instead of the underline at\u{2010}\n              tribute for italic fonts.  Ignored if -c is active.\n\n       -h, --help\n              Display help text and exit.\n\n       --halt\n           Halt the machine, regardless of which one of the three commands is invoked.\n\n       -p, --poweroff\n           Power-off the machine.\n\nUSAGE\n       text\n";

    #[test]
    fn an_option_the_question_spells_is_its_head_and_whole_description() {
        assert_eq!(
            named_lines(MAN, "What does the option -r of grotty do?"),
            [(6, 7)]
        );
        assert_eq!(
            named_lines(MAN, "What does the option --halt of poweroff do?"),
            [(12, 13)]
        );
        assert_eq!(
            named_lines(MAN, "What does the option -h, --help of wipefs do?"),
            [(9, 10)]
        );
        // A letter the question uses as a word names no option.
        assert!(named_lines(MAN, "What does r do?").is_empty());
    }

    #[test]
    fn help_text_options_carry_their_names_and_wrapped_lines() {
        let help = "Usage: ls [OPTION]... [FILE]...\n  -a, --all                  do not ignore entries starting with .\n      --color[=WHEN]         color the output WHEN; more info below\n      --quoting-style=WORD   use quoting style WORD for entry names:\n                               literal, locale, shell\n  -Fdir  Prepend directory\n";
        let lines: Vec<&str> = help.split_inclusive('\n').collect();
        let all = entries(&lines);
        let names: Vec<Vec<String>> = all.iter().map(|e| e.names.clone()).collect();
        assert_eq!(
            names,
            [
                vec!["-a", "--all"],
                vec!["--color"],
                vec!["--quoting-style"],
                vec!["-Fdir", "-F"]
            ]
        );
        assert_eq!((all[2].first, all[2].last), (3, 4));
        let v8 = "  --regexp-tier-up-ticks (set the number of executions)\n        type: int  default: --regexp-tier-up-ticks=1\n  --other (x)\n        type: bool  default: --no-other\n";
        assert_eq!(
            named_lines(v8, "What does the V8 flag --regexp-tier-up-ticks do?"),
            [(0, 1)]
        );
    }

    #[test]
    fn a_method_is_named_with_its_class_and_a_class_keeps_its_first_paragraph() {
        let pydoc = "CLASSES\n    class Interpolation(builtins.object)\n     |  Dummy interpolation.\n     |  \n     |  before_get(self, parser, section, option, value, defaults)\n     |  \n    class LegacyInterpolation(Interpolation)\n     |  Deprecated interpolation.\n     |  \n     |  before_get(self, parser, section, option, value, vars)\n     |      Expand it.\n     |  \n     |  before_set(self, parser, section, option, value)\n";
        assert_eq!(
            named_lines(
                pydoc,
                "What are the parameters of LegacyInterpolation.before_get in configparser?"
            ),
            [(9, 10)]
        );
        // Unqualified, every class's method of that name.
        assert_eq!(
            named_lines(pydoc, "What does before_get do?"),
            [(4, 4), (9, 10)]
        );
        assert_eq!(
            named_lines(pydoc, "What is LegacyInterpolation for?"),
            [(6, 7)]
        );
    }

    #[test]
    fn a_stanza_is_named_by_its_whole_value_and_its_files_header() {
        let text = "==> /usr/share/doc/ed/copyright <==\nFormat: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright:\n 1993 A\nLicense: GPL-2+\n\nFiles: *.c *.h\nCopyright: 2006 B\nLicense: GPL-2+\n\n==> /usr/share/doc/sed/copyright <==\nFiles: *\nCopyright: 1998 C\nLicense: GPL-3+\n";
        assert_eq!(
            named_lines(
                text,
                "Who holds the copyright of *.c *.h in ed, and under which license?"
            ),
            [(8, 10)]
        );
        assert_eq!(
            named_lines(
                text,
                "Who holds the copyright of * in sed, and under which license?"
            ),
            [(13, 15)]
        );
        assert_eq!(
            named_lines(text, "Who holds the copyright of * in ed?"),
            [(3, 6)]
        );
    }
}
