//! The structure of prose from line shapes only: headings, paragraphs, list items, fenced code,
//! table rows, rules, and the sections the headings open.
//!
//! Markdown, reStructuredText, man/pydoc-style text and plain text alike: ATX (`## Title`) and
//! underlined (setext/RST) headings, RST over-and-underlined titles, all-caps section lines
//! followed by an indented line (pydoc), titles over an indented body (changelogs, NEWS files),
//! and separator lines such as
//! `--- result 3/30 | repo path | section: Debug Mode ---` that multi-document retrieval output
//! puts between documents.

use crate::terms::{char_len, is_space};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Heading,
    Paragraph,
    /// One list item with its continuation lines.
    Item,
    /// A fenced code block, fences included.
    Fence,
    /// One table row.
    Table,
    Rule,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Heading => "heading",
            Kind::Paragraph => "paragraph",
            Kind::Item => "item",
            Kind::Fence => "fence",
            Kind::Table => "table",
            Kind::Rule => "rule",
        }
    }
}

/// Lines `first..=last` (0-based) of one kind; a heading has a `level` (0 for document separators)
/// and a `title`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: Kind,
    pub first: usize,
    pub last: usize,
    pub level: usize,
    /// The innermost section holding the block; None before the first heading.
    pub section: Option<usize>,
    pub title: String,
}

impl Block {
    fn new(kind: Kind, first: usize, last: usize) -> Self {
        Block {
            kind,
            first,
            last,
            level: 0,
            section: None,
            title: String::new(),
        }
    }

    fn heading(first: usize, last: usize, level: usize, title: &str) -> Self {
        Block {
            kind: Kind::Heading,
            first,
            last,
            level,
            section: None,
            title: title.to_string(),
        }
    }
}

/// A heading (block index) and what follows it up to the next heading of the same or a higher level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: usize,
    pub level: usize,
    pub title: String,
    pub parent: Option<usize>,
    pub blocks: Vec<usize>,
}

impl Section {
    /// The titles from the outermost enclosing section (at most 8 levels up) down to this one.
    pub fn path(&self, sections: &[Section]) -> String {
        let mut titles = vec![self.title.as_str()];
        let mut at = self.parent;
        while let Some(k) = at {
            if titles.len() >= 8 {
                break;
            }
            titles.push(&sections[k].title);
            at = sections[k].parent;
        }
        titles.reverse();
        titles.join(" / ")
    }
}

pub fn is_blank(line: &str) -> bool {
    line.chars().all(is_space)
}

fn strip(line: &str) -> &str {
    line.trim_matches(is_space)
}

fn leading(line: &str, byte: u8) -> usize {
    line.bytes().take_while(|&b| b == byte).count()
}

/// Up to three spaces, then a run of at least three backticks or tildes: the fence's character and length.
fn fence(line: &str) -> Option<(char, usize)> {
    let spaces = leading(line, b' ');
    if spaces > 3 {
        return None;
    }
    let rest = &line[spaces..];
    let c = match rest.bytes().next() {
        Some(b'`') => b'`',
        Some(b'~') => b'~',
        _ => return None,
    };
    let run = leading(rest, c);
    (run >= 3).then_some((c as char, run))
}

/// `# Title ##`: the level (1-6) and the title.
fn atx(line: &str) -> Option<(usize, &str)> {
    let spaces = leading(line, b' ');
    if spaces > 3 {
        return None;
    }
    let rest = &line[spaces..];
    let hashes = leading(rest, b'#');
    if hashes == 0 {
        return None;
    }
    let after = &rest[hashes..];
    if hashes > 6 {
        // Hashes past the sixth can only be closing decoration of an empty heading.
        return after
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'#'))
            .then_some((6, ""));
    }
    match after.bytes().next() {
        None => Some((hashes, "")),
        Some(b' ' | b'\t') => {
            let title = after
                .trim_start_matches([' ', '\t'])
                .trim_end_matches([' ', '\t', '#']);
            Some((hashes, strip(title)))
        }
        Some(_) => None,
    }
}

/// A line of one repeated punctuation character (at least three), trailing blanks allowed.
fn adornment(line: &str) -> Option<char> {
    let c = line.chars().next()?;
    if !"=-~^*+#`'\".:_<>".contains(c) {
        return None;
    }
    let run = leading(line, c as u8);
    (run >= 3 && line[run..].bytes().all(|b| b == b' ' || b == b'\t')).then_some(c)
}

/// `--- title ---` with at least three dashes on each side.
fn separator_header(line: &str) -> bool {
    let lead = leading(line, b'-');
    if lead < 3 || line.as_bytes().get(lead) != Some(&b' ') {
        return false;
    }
    let body = line.trim_end_matches([' ', '\t']);
    let trail = body.bytes().rev().take_while(|&b| b == b'-').count();
    if trail < 3 || body.len() < trail + 1 || body.as_bytes()[body.len() - trail - 1] != b' ' {
        return false;
    }
    let (start, end) = (lead + 1, body.len() - trail - 1);
    if end <= start {
        return false;
    }
    let middle = &line[start..end];
    let first = middle.chars().next().is_some_and(|c| !is_space(c));
    let last = middle.chars().next_back().is_some_and(|c| !is_space(c));
    first && last && char_len(middle) >= 2
}

/// An all-caps line of 3 to 41 characters (a pydoc or man page section).
fn caps_heading(line: &str) -> bool {
    let b = line.as_bytes();
    (3..=41).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || b" _/&-".contains(&c))
}

/// A list item's opening line: the width of its indent (tabs expanded).
fn list_item(line: &str) -> Option<usize> {
    let ws = line
        .bytes()
        .take_while(|&b| b == b' ' || b == b'\t')
        .count();
    let rest = &line[ws..];
    let mut chars = rest.chars();
    let first = chars.next()?;
    let marker = match first {
        '-' | '*' | '+' | '•' => first.len_utf8(),
        '#' if rest[1..].starts_with('.') => 2,
        c if c.is_ascii_alphabetic() && matches!(chars.next(), Some('.' | ')')) => 2,
        c if c.is_numeric() => {
            let digits: usize = rest
                .chars()
                .take_while(|c| c.is_numeric())
                .take(10)
                .map(char::len_utf8)
                .sum();
            let count = rest[..digits].chars().count();
            if count > 9 || !matches!(rest[digits..].bytes().next(), Some(b'.' | b')')) {
                return None;
            }
            digits + 1
        }
        _ => return None,
    };
    let after = &rest[marker..];
    let gap = after
        .bytes()
        .take_while(|&b| b == b' ' || b == b'\t')
        .count();
    let next = after[gap..].chars().next();
    (gap > 0 && next.is_some_and(|c| !is_space(c))).then(|| expanded_width(&line[..ws]))
}

fn expanded_width(blanks: &str) -> usize {
    blanks.bytes().fold(0, |col, b| {
        if b == b'\t' {
            col + 8 - col % 8
        } else {
            col + 1
        }
    })
}

/// `| a | b |` or `+----+----+`.
fn table_row(line: &str) -> bool {
    let core = line.trim_matches([' ', '\t']);
    let b = core.as_bytes();
    (b.len() >= 2 && b[0] == b'|' && b[b.len() - 1] == b'|')
        || (b.len() >= 3
            && b[0] == b'+'
            && b[b.len() - 1] == b'+'
            && b[1..b.len() - 1].iter().all(|c| b"-=+:".contains(c)))
}

/// `---`, `* * *`, `___` (at least three, blanks between allowed).
fn rule(line: &str) -> bool {
    let spaces = leading(line, b' ');
    if spaces > 3 {
        return false;
    }
    let rest = &line[spaces..];
    let Some(c) = rest.bytes().next().filter(|c| b"-*_".contains(c)) else {
        return false;
    };
    rest.bytes().all(|b| b == c || b == b' ' || b == b'\t')
        && rest.bytes().filter(|&b| b == c).count() >= 3
}

/// Whether `under` underlines `text` as a heading: Markdown's = and - at any length,
/// reStructuredText's other marks nearly as long as the title, and fence-like ``` or ~~~ at least as
/// long (else it opens a fence).
fn underline_fits(text: &str, under: &str) -> bool {
    let (text, under) = (strip(text), strip(under));
    let (t, u) = (char_len(text), char_len(under));
    if t == 0 || u == 0 || t > 120 {
        return false;
    }
    match under.as_bytes()[0] {
        b'=' | b'-' => true,
        b'`' | b'~' => u >= t,
        _ => u as f64 >= 0.8 * t as f64,
    }
}

/// Width of the leading white space with tabs expanded (a carriage return restarts the column).
fn indent_of(line: &str) -> usize {
    let (mut col, mut width) = (0, 0);
    for c in line.chars().take_while(|&c| is_space(c)) {
        match c {
            '\t' => {
                let w = 8 - col % 8;
                col += w;
                width += w;
            }
            '\r' | '\n' => {
                col = 0;
                width += 1;
            }
            _ => {
                col += 1;
                width += 1;
            }
        }
    }
    width
}

/// Heading levels for underline styles, in order of first use (as reStructuredText assigns them).
#[derive(Default)]
struct Levels(Vec<(char, bool)>);

impl Levels {
    fn level(&mut self, c: char, overline: bool) -> usize {
        match self.0.iter().position(|&s| s == (c, overline)) {
            Some(k) => k + 1,
            None => {
                self.0.push((c, overline));
                self.0.len()
            }
        }
    }
}

/// The blocks of `lines` (each with or without its line ending) and the sections they form.
pub fn parse(lines: &[&str]) -> (Vec<Block>, Vec<Section>) {
    let text: Vec<&str> = lines
        .iter()
        .map(|l| l.trim_end_matches(['\r', '\n']))
        .collect();
    let n = text.len();
    let mut levels = Levels::default();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < n {
        let line = text[i];
        if is_blank(line) {
            i += 1;
            continue;
        }
        let block = if let Some(opener) = fence(line) {
            Block::new(Kind::Fence, i, fence_end(&text, i, opener))
        } else if let Some(heading) = heading(&text, i, &mut levels) {
            heading
        } else if rule(line) {
            Block::new(Kind::Rule, i, i)
        } else if table_row(line) {
            Block::new(Kind::Table, i, i)
        } else if let Some(indent) = list_item(line) {
            Block::new(Kind::Item, i, item_end(&text, i, indent))
        } else {
            Block::new(Kind::Paragraph, i, paragraph_end(&text, i))
        };
        i = block.last + 1;
        blocks.push(block);
    }
    let sections = sections(&mut blocks);
    (blocks, sections)
}

fn heading(text: &[&str], i: usize, levels: &mut Levels) -> Option<Block> {
    let line = text[i];
    let n = text.len();
    if separator_header(line) {
        return Some(Block::heading(i, i, 0, line.trim_matches([' ', '-', '\t'])));
    }
    if let Some((level, title)) = atx(line) {
        return Some(Block::heading(i, i, level, title));
    }
    if let Some(c) = adornment(line) {
        if i + 2 < n && !is_blank(text[i + 1]) && strip(text[i + 2]) == strip(line) {
            return Some(Block::heading(
                i,
                i + 2,
                levels.level(c, true),
                strip(text[i + 1]),
            ));
        }
    }
    if i + 1 < n && list_item(line).is_none() && !table_row(line) {
        if let Some(c) = adornment(strip(text[i + 1])) {
            if !line.starts_with([' ', '\t']) && underline_fits(line, text[i + 1]) {
                return Some(Block::heading(
                    i,
                    i + 1,
                    levels.level(c, false),
                    strip(line),
                ));
            }
        }
    }
    let indented_next = i + 1 < n && text[i + 1].starts_with([' ', '\t']);
    let opens = i == 0 || is_blank(text[i - 1]);
    if caps_heading(line) && indented_next && opens {
        return Some(Block::heading(i, i, 1, strip(line)));
    }
    if opens && hanging_heading(text, i) {
        return Some(Block::heading(i, i, 1, strip(line)));
    }
    None
}

/// A title over an indented body, as changelogs and NEWS files write them (`pkg (1.4-3) unstable;
/// urgency=low`, `2024-05-01  Name  <mail>`, `Version 2.0`): a short line at the margin, starting
/// with a letter or digit (not a directive such as `.. code-block:: python`), that is no list item,
/// table row or sentence (no final `.` or `:`, which introduce what follows), whose next
/// line, after at most one blank line, is indented by two spaces or a tab.
fn hanging_heading(text: &[&str], i: usize) -> bool {
    let line = text[i];
    let trimmed = line.trim_end();
    if line.starts_with([' ', '\t'])
        || char_len(trimmed) > 100
        || trimmed.ends_with(['.', ':', ',', ';', '(', '[', '{', '\\'])
        || list_item(line).is_some()
        || table_row(line)
        || fence(line).is_some()
        || rule(line)
        || !trimmed.starts_with(char::is_alphanumeric)
    {
        return false;
    }
    let next = match text.get(i + 1) {
        Some(l) if is_blank(l) => text.get(i + 2),
        other => other,
    };
    next.is_some_and(|l| !is_blank(l) && (l.starts_with("  ") || l.starts_with('\t')))
}

fn fence_end(text: &[&str], start: usize, (c, len): (char, usize)) -> usize {
    (start + 1..text.len())
        .find(|&j| {
            let s = strip(text[j]);
            s.len() >= len && s.chars().all(|x| x == c)
        })
        .unwrap_or(text.len() - 1)
}

/// The last line of the list item opening at `start`: indented continuations, lazy lines, one inner blank.
fn item_end(text: &[&str], start: usize, indent: usize) -> usize {
    let mut end = start;
    let mut j = start + 1;
    while j < text.len() {
        let line = text[j];
        if is_blank(line) {
            let following = text.get(j + 1).copied().unwrap_or("");
            if !is_blank(following)
                && indent_of(following) > indent
                && list_item(following).is_none()
            {
                j += 1;
                continue;
            }
            break;
        }
        if list_item(line).is_some()
            || (fence(line).is_some() && indent_of(line) <= indent)
            || atx(line).is_some()
            || separator_header(line)
            || table_row(line)
        {
            break;
        }
        if j + 1 < text.len() && adornment(strip(text[j + 1])).is_some() && indent_of(line) == 0 {
            break;
        }
        end = j;
        j += 1;
    }
    end
}

fn paragraph_end(text: &[&str], start: usize) -> usize {
    let mut end = start;
    for j in start + 1..text.len() {
        let line = text[j];
        if adornment(strip(line)).is_some() && underline_fits(text[j - 1], line) {
            // An underline under the paragraph's last line makes that line a heading.
            return if j - 1 > start { j - 2 } else { start };
        }
        if is_blank(line) || fence(line).is_some() || atx(line).is_some() || separator_header(line)
        {
            break;
        }
        if list_item(line).is_some() || table_row(line) {
            break;
        }
        end = j;
    }
    end
}

/// Sections nested by heading level; blocks before the first heading belong to none.
fn sections(blocks: &mut [Block]) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut current = None;
    for (index, block) in blocks.iter_mut().enumerate() {
        if block.kind == Kind::Heading {
            while stack
                .last()
                .is_some_and(|&top| sections[top].level >= block.level)
            {
                stack.pop();
            }
            sections.push(Section {
                heading: index,
                level: block.level,
                title: block.title.clone(),
                parent: stack.last().copied(),
                blocks: Vec::new(),
            });
            current = Some(sections.len() - 1);
            stack.push(sections.len() - 1);
        }
        block.section = current;
        if let Some(k) = current {
            sections[k].blocks.push(index);
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(text: &str) -> Vec<(&'static str, usize, usize)> {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        parse(&lines)
            .0
            .iter()
            .map(|b| (b.kind.name(), b.first, b.last))
            .collect()
    }

    #[test]
    fn markdown_blocks_are_told_apart_by_their_shape() {
        let text = "# Title\n\nA paragraph\nthat wraps.\n\n- item one\n  continued\n- item two\n\n```py\nx = 1\n```\n| a | b |\n---\n";
        assert_eq!(
            kinds(text),
            [
                ("heading", 0, 0),
                ("paragraph", 2, 3),
                ("item", 5, 6),
                ("item", 7, 7),
                ("fence", 9, 11),
                ("table", 12, 12),
                ("rule", 13, 13)
            ]
        );
    }

    #[test]
    fn underlined_and_over_and_underlined_titles_are_headings_with_levels_by_first_use() {
        let lines = [
            "=====", "Top", "=====", "", "Sub", "---", "", "Other", "~~~~~", "", "Next", "-----",
        ];
        let (blocks, sections) = parse(&lines);
        let levels: Vec<(usize, &str)> =
            blocks.iter().map(|b| (b.level, b.title.as_str())).collect();
        assert_eq!(levels, [(1, "Top"), (2, "Sub"), (3, "Other"), (2, "Next")]);
        assert_eq!(sections[2].path(&sections), "Top / Sub / Other");
        assert_eq!(sections[3].parent, Some(0));
    }

    #[test]
    fn atx_headings_take_up_to_six_hashes_and_drop_closing_ones() {
        assert_eq!(atx("## Title ##"), Some((2, "Title")));
        assert_eq!(atx("#######"), Some((6, "")));
        assert_eq!(atx("####### seven"), None);
        assert_eq!(atx("#hashtag"), None);
        assert_eq!(atx("    # code"), None);
    }

    #[test]
    fn a_title_over_an_indented_body_is_a_heading() {
        let text = "pkg (1.4-3) unstable; urgency=low\n\n  * Team upload.\n  * Fix it.\n\n -- A <a@b>  Sat, 30 Jul 2011\n\npkg (1.4-2) unstable; urgency=low\n\n  * First.\n";
        let lines: Vec<&str> = text.lines().collect();
        let (blocks, _) = parse(&lines);
        let titles: Vec<&str> = blocks
            .iter()
            .filter(|b| b.kind == Kind::Heading)
            .map(|b| b.title.as_str())
            .collect();
        assert_eq!(
            titles,
            [
                "pkg (1.4-3) unstable; urgency=low",
                "pkg (1.4-2) unstable; urgency=low"
            ]
        );
        // A sentence that introduces an indented example is no title.
        let intro = ["Run it like this:", "", "    make test"];
        assert!(parse(&intro).0.iter().all(|b| b.kind != Kind::Heading));
    }

    #[test]
    fn separator_lines_between_documents_are_level_zero_headings() {
        let lines = ["--- result 3/30 | repo path ---", "text"];
        let (blocks, _) = parse(&lines);
        assert_eq!(
            (blocks[0].kind, blocks[0].level, blocks[0].title.as_str()),
            (Kind::Heading, 0, "result 3/30 | repo path")
        );
        assert!(!separator_header("--- a ---"));
    }

    #[test]
    fn list_items_need_a_marker_a_blank_and_text() {
        assert_eq!(list_item("  - x"), Some(2));
        assert_eq!(list_item("\t12) x"), Some(8));
        assert_eq!(list_item("a. x"), Some(0));
        assert_eq!(list_item("#. x"), Some(0));
        assert_eq!(list_item("-x"), None);
        assert_eq!(list_item("1234567890. x"), None);
        assert_eq!(list_item("- "), None);
    }

    proptest! {
        #[test]
        fn blocks_are_ordered_disjoint_and_skip_only_blank_lines(
            lines in proptest::collection::vec("[ #=\\-*|+`~a-zA-Z0-9.]{0,12}", 0..40),
        ) {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let (blocks, sections) = parse(&refs);
            let mut next = 0;
            for b in &blocks {
                prop_assert!(b.first >= next && b.last >= b.first && b.last < refs.len());
                prop_assert!(refs[next..b.first].iter().all(|l| is_blank(l)));
                next = b.last + 1;
            }
            prop_assert!(refs[next..].iter().all(|l| is_blank(l)));
            prop_assert_eq!(sections.len(), blocks.iter().filter(|b| b.kind == Kind::Heading).count());
        }
    }
}
