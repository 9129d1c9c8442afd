//! Walking one JSON value's structure without building it: where each member starts, where its
//! value starts and where it ends, in one pass over the bytes with one bit of state per level.
//!
//! Strict where the compressor's scan (`parse`) is tolerant: no comments, no trailing commas, a
//! key is a string, a scalar is a JSON literal or number (`NaN` and `Infinity` as Python's
//! encoder writes them). Its callers cut a document along its structure (the store's search
//! chunks and query chunks) and treat anything that is not one JSON value as lines instead.
//!
//! The walk was Python's before (a bracket stack a scan per level walked), 688 s for 64 MB of
//! `[[[...]]]`: each level a chunker descends into was scanned again to find its end. One pass
//! here reports every member at every depth, and the callers keep what they need as it goes by.

use super::parse::string_end;

/// A member of a container (`depth` 0: the walked value's own members), as byte offsets: where it
/// starts (its key, in an object) and where its value starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Member {
        depth: u32,
        start: usize,
        value: usize,
    },
    /// The value of the last member reported at `depth` ends just before `end`.
    End { depth: u32, end: usize },
}

/// Open containers, one bit each (an object or an array): 32 M levels cost 4 MB.
struct Kinds {
    bits: Vec<u64>,
    len: usize,
}

impl Kinds {
    fn push(&mut self, object: bool) {
        let (word, bit) = (self.len / 64, self.len % 64);
        if word == self.bits.len() {
            self.bits.push(0);
        }
        if object {
            self.bits[word] |= 1 << bit;
        } else {
            self.bits[word] &= !(1 << bit);
        }
        self.len += 1;
    }

    fn top(&self) -> Option<bool> {
        let k = self.len.checked_sub(1)?;
        Some(self.bits[k / 64] & (1 << (k % 64)) != 0)
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Result<usize, usize> {
    if b[i..].starts_with(word) {
        Ok(i + word.len())
    } else {
        Err(i)
    }
}

fn digits(b: &[u8], i: usize) -> usize {
    i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count()
}

fn number_end(b: &[u8], start: usize) -> Result<usize, usize> {
    let mut i = start + usize::from(b[start] == b'-');
    i = match b.get(i) {
        Some(b'0') => i + 1,
        Some(b'1'..=b'9') => digits(b, i),
        _ => return Err(start),
    };
    if b.get(i) == Some(&b'.') {
        let after = digits(b, i + 1);
        if after == i + 1 {
            return Err(i);
        }
        i = after;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let after = digits(b, i);
        if after == i {
            return Err(i);
        }
        i = after;
    }
    Ok(i)
}

fn scalar_end(b: &[u8], i: usize) -> Result<usize, usize> {
    match b[i] {
        b'"' => string_end(b, i).ok_or(i),
        b't' => literal(b, i, b"true"),
        b'f' => literal(b, i, b"false"),
        b'n' => literal(b, i, b"null"),
        b'N' => literal(b, i, b"NaN"),
        b'I' => literal(b, i, b"Infinity"),
        b'-' if b[i + 1..].starts_with(b"Infinity") => Ok(i + 9),
        b'-' | b'0'..=b'9' => number_end(b, i),
        _ => Err(i),
    }
}

#[derive(Clone, Copy)]
enum Next {
    Value,
    Member,
    AfterValue,
}

/// Walks the JSON value starting at byte `at` (whitespace before it skipped), calling `visit` for
/// each member as it starts and as its value ends, in document order. `Ok`: just past the value;
/// `Err`: the byte offset where it stops being JSON.
pub fn walk(b: &[u8], at: usize, mut visit: impl FnMut(Event)) -> Result<usize, usize> {
    let mut kinds = Kinds {
        bits: Vec::new(),
        len: 0,
    };
    let mut i = skip_ws(b, at);
    let mut next = Next::Value;
    loop {
        match next {
            Next::Member => {
                let start = i;
                if kinds.top() == Some(true) {
                    if b.get(i) != Some(&b'"') {
                        return Err(i);
                    }
                    i = skip_ws(b, string_end(b, i).ok_or(i)?);
                    if b.get(i) != Some(&b':') {
                        return Err(i);
                    }
                    i = skip_ws(b, i + 1);
                }
                let depth = (kinds.len - 1) as u32;
                visit(Event::Member {
                    depth,
                    start,
                    value: i,
                });
                next = Next::Value;
            }
            Next::Value => {
                let Some(&c) = b.get(i) else { return Err(i) };
                if c == b'[' || c == b'{' {
                    kinds.push(c == b'{');
                    i = skip_ws(b, i + 1);
                    if b.get(i) == Some(&(c + 2)) {
                        // `[]` and `{}`: `]` and `}` are two past their openers.
                        kinds.len -= 1;
                        i += 1;
                        next = Next::AfterValue;
                    } else {
                        next = Next::Member;
                    }
                } else {
                    i = scalar_end(b, i)?;
                    next = Next::AfterValue;
                }
            }
            Next::AfterValue => {
                let Some(object) = kinds.top() else {
                    return Ok(i);
                };
                let depth = (kinds.len - 1) as u32;
                visit(Event::End { depth, end: i });
                i = skip_ws(b, i);
                match b.get(i) {
                    Some(b',') => {
                        i = skip_ws(b, i + 1);
                        next = Next::Member;
                    }
                    Some(b']') if !object => {
                        kinds.len -= 1;
                        i += 1;
                    }
                    Some(b'}') if object => {
                        kinds.len -= 1;
                        i += 1;
                    }
                    _ => return Err(i),
                }
            }
        }
    }
}

/// Byte offsets turned into character offsets (Python's), asked in order: each step counts only
/// the bytes since the last, so a walk's conversions cost one pass in all.
struct Chars<'t> {
    b: &'t [u8],
    byte: usize,
    chars: usize,
}

impl<'t> Chars<'t> {
    fn new(b: &'t [u8]) -> Self {
        Chars {
            b,
            byte: 0,
            chars: 0,
        }
    }

    fn at(&mut self, byte: usize) -> usize {
        debug_assert!(byte >= self.byte);
        // Every byte but a UTF-8 continuation byte (0b10xx_xxxx) starts a character.
        self.chars += self.b[self.byte..byte]
            .iter()
            .filter(|&&c| (c as i8) >= -0x40)
            .count();
        self.byte = byte;
        self.chars
    }

    /// The byte offset of character `chars` (forward from the last one asked).
    fn byte_of(&mut self, chars: usize) -> usize {
        while self.chars < chars && self.byte < self.b.len() {
            self.byte += 1;
            while self.b.get(self.byte).is_some_and(|&c| (c as i8) < -0x40) {
                self.byte += 1;
            }
            self.chars += 1;
        }
        self.byte
    }
}

/// The members of one container, as character offsets.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Level {
    /// Just past the container.
    pub end: usize,
    /// How many members it has (past `limit`, only counted).
    pub count: usize,
    /// Where each of the first `limit` members starts (its key, in an object) and ends.
    pub starts: Vec<usize>,
    pub ends: Vec<usize>,
    /// The value (start, end) of its largest member that is an array (the later of equals).
    pub largest_array: Option<(usize, usize)>,
}

/// The members of the container starting at character `at` of `text`, the whole value checked to
/// be JSON; `None` where it is not, or is a scalar.
pub fn members(text: &str, at: usize, limit: usize) -> Option<Level> {
    let b = text.as_bytes();
    let mut chars = Chars::new(b);
    let start = chars.byte_of(at);
    if !matches!(b.get(start), Some(b'[' | b'{')) {
        return None;
    }
    let mut level = Level::default();
    let mut value = 0;
    let mut array = false;
    let end = walk(b, start, |event| match event {
        Event::Member {
            depth: 0,
            start,
            value: v,
        } => {
            let s = chars.at(start);
            value = chars.at(v);
            array = b[v] == b'[';
            if level.count < limit {
                level.starts.push(s);
            }
            level.count += 1;
        }
        Event::End { depth: 0, end } => {
            let e = chars.at(end);
            if level.ends.len() < level.starts.len() {
                level.ends.push(e);
            }
            let size = |(a, b): (usize, usize)| b - a;
            if array && level.largest_array.is_none_or(|l| size(l) <= e - value) {
                level.largest_array = Some((value, e));
            }
        }
        _ => {}
    })
    .ok()?;
    level.end = chars.at(end);
    Some(level)
}

/// A place where a chunk of a JSON document may start, in characters: a member's start, moved back
/// to the start of its line when only indentation is before it there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Break {
    pub at: usize,
    /// A member of the document's own container (0) or of a container inside it (1).
    pub nested: bool,
}

struct Frame {
    breaks: Vec<Break>,
    kept: Option<usize>,
    members: usize,
    /// Where the member being walked starts (characters).
    member_start: usize,
}

/// Where chunks of the JSON document `text` may start: each member of the document's container,
/// and the members (after the first) of every container inside it whose member spans more than
/// `max_chars` characters, down to `max_depth` levels. Members sharing a line are kept at most one
/// per `gap` characters (a minified array of millions of numbers would make millions). `None`
/// where `text` is not one JSON container with only whitespace around it.
///
/// One pass: a container's breaks are kept while it is open and dropped when it closes small, so
/// memory is the breaks themselves and one frame per open level up to `max_depth`.
pub fn chunk_breaks(
    text: &str,
    max_chars: usize,
    gap: usize,
    max_depth: u32,
) -> Option<Vec<Break>> {
    let b = text.as_bytes();
    let first = skip_ws(b, 0);
    if !matches!(b.get(first), Some(b'[' | b'{')) {
        return None;
    }
    let mut chars = Chars::new(b);
    let mut frames: Vec<Frame> = Vec::new();
    let mut out: Vec<Break> = Vec::new();
    let end = walk(b, first, |event| match event {
        Event::Member { depth, start, .. } if depth <= max_depth => {
            let d = depth as usize;
            if frames.len() == d {
                frames.push(Frame {
                    breaks: Vec::new(),
                    kept: None,
                    members: 0,
                    member_start: 0,
                });
            }
            let mut snapped = start;
            while snapped > 0 && matches!(b[snapped - 1], b' ' | b'\t' | b'\r') {
                snapped -= 1;
            }
            let line_start = snapped == 0 || b[snapped - 1] == b'\n';
            let at = chars.at(if line_start { snapped } else { start });
            let f = &mut frames[d];
            f.member_start = chars.at(start);
            // A nested container's first member starts where the container does: no break of its own.
            let first_nested = f.members == 0 && d > 0;
            if !first_nested && (line_start || f.kept.is_none_or(|k| at - k >= gap)) {
                f.breaks.push(Break { at, nested: d > 0 });
                f.kept = Some(at);
            }
            f.members += 1;
        }
        Event::End { depth, end } if frames.len() == depth as usize + 2 => {
            let inner = frames.pop().map(|f| f.breaks).unwrap_or_default();
            let outer = &frames[depth as usize];
            if chars.at(end) - outer.member_start > max_chars {
                out.extend(inner);
            }
        }
        _ => {}
    })
    .ok()?;
    if skip_ws(b, end) != b.len() {
        return None;
    }
    if let Some(top) = frames.pop() {
        out.extend(top.breaks);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Result<Vec<Event>, usize> {
        let mut seen = Vec::new();
        walk(text.as_bytes(), 0, |e| seen.push(e)).map(|_| seen)
    }

    #[test]
    fn members_are_reported_where_they_start_and_their_values_where_they_end() {
        let text = r#"{"a": [1, {}], "b": "x"}"#;
        let member = |depth, start, value| Event::Member {
            depth,
            start,
            value,
        };
        let end = |depth, end| Event::End { depth, end };
        assert_eq!(
            events(text).unwrap(),
            vec![
                member(0, 1, 6),
                member(1, 7, 7),
                end(1, 8),
                member(1, 10, 10),
                end(1, 12),
                end(0, 13),
                member(0, 15, 20),
                end(0, 23),
            ]
        );
    }

    #[test]
    fn what_is_not_json_stops_the_walk_where_it_stops_being_json() {
        for (text, at) in [
            ("[1, 2", 5),
            ("[1 2]", 3),
            ("[1,]", 3),
            ("{1: 2}", 1),
            (r#"{"a" 1}"#, 5),
            ("[}", 1),
            (r#"{"a": 1]"#, 7),
            ("[01]", 2),
            ("[1.]", 2),
            ("[tru]", 1),
            (r#"["a]"#, 1),
            ("// c\n[1]", 0),
        ] {
            assert_eq!(events(text), Err(at), "{text}");
        }
    }

    #[test]
    fn python_literals_and_numbers_are_scalars() {
        let text = "[NaN, Infinity, -Infinity, -0.5e+3, 1E9, true, false, null]";
        assert_eq!(walk(text.as_bytes(), 0, |_| {}), Ok(text.len()));
    }

    #[test]
    fn deep_nesting_is_walked_without_recursion() {
        let depth = 1_000_000;
        let text = format!("{}\"]\"{}", "[".repeat(depth), "]".repeat(depth));
        let mut deepest = 0;
        let end = walk(text.as_bytes(), 0, |e| {
            if let Event::Member { depth, .. } = e {
                deepest = deepest.max(depth);
            }
        });
        assert_eq!(end, Ok(text.len()));
        assert_eq!(deepest as usize, depth - 1);
    }

    #[test]
    fn members_are_counted_past_the_limit_and_offsets_are_characters() {
        let text = r#" {"é": [1, 2], "b": [[3]], "c": 4} "#;
        let level = members(text, 1, 2).unwrap();
        assert_eq!(level.count, 3);
        assert_eq!(level.starts, vec![2, 15]);
        assert_eq!(level.ends, vec![13, 25]);
        assert_eq!(level.end, 34);
        // [1, 2] (6 characters) is larger than [[3]] (5).
        assert_eq!(level.largest_array, Some((7, 13)));
        assert_eq!(members(text, 0, 2), None, "a space is not a container");
        assert_eq!(members("[1, 2", 0, 2), None);
    }

    #[test]
    fn breaks_are_the_top_members_and_the_members_of_large_containers() {
        let text = "[\n  [1, 2, 3],\n  [\"a long enough member\", \"another one\"]\n]";
        let breaks = chunk_breaks(text, 20, 1, 32).unwrap();
        let at = |s: &str| text.find(s).unwrap();
        let mut found: Vec<(usize, bool)> = breaks.iter().map(|b| (b.at, b.nested)).collect();
        found.sort_unstable();
        // Top members snap to their line's start; only the large nested list is walked, past its
        // first member.
        assert_eq!(
            found,
            vec![
                (at("[1") - 2, false),
                (at("[\"a") - 2, false),
                (at("\"another"), true)
            ]
        );
        assert_eq!(chunk_breaks("[1] x", 20, 1, 32), None);
        assert_eq!(chunk_breaks("1", 20, 1, 32), None);
    }

    #[test]
    fn members_sharing_a_line_are_thinned_to_one_per_gap() {
        let text = format!("[{}0]", "0,".repeat(10_000));
        let breaks = chunk_breaks(&text, 1000, 125, 32).unwrap();
        assert!(breaks.len() <= text.len() / 125 + 1, "{}", breaks.len());
        assert!(breaks.windows(2).all(|w| w[1].at - w[0].at >= 125));
    }

    #[test]
    fn pathological_nesting_is_walked_once_to_the_depth_cap() {
        let depth = 500_000;
        let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let breaks = chunk_breaks(&text, 1000, 125, 32).unwrap();
        // Each walked level's only member is its first: the top's, at offset 1.
        assert_eq!(
            breaks,
            vec![Break {
                at: 1,
                nested: false
            }]
        );
    }
}
