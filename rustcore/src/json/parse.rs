//! A tolerant JSON scanner that records where every value sits in the input.
//!
//! The compressor never re-serialises a value: it copies kept values from the
//! input byte for byte, so the scanner only has to find spans. It is iterative
//! (an explicit stack), so 10,000 levels of nesting cost memory, not the call
//! stack. Beyond strict JSON it accepts what real tool output contains:
//! trailing commas, `//` and `/* */` comments, `NaN`/`Infinity`, input cut off
//! mid-value (open containers are closed at the end of the text and flagged),
//! and a sequence of values (JSON Lines, concatenated documents), where a line
//! that does not parse becomes a `Bad` value of its own.

pub const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
    /// A line of a JSON Lines input that does not parse.
    Bad,
}

impl Kind {
    pub fn is_container(self) -> bool {
        matches!(self, Kind::Object | Kind::Array)
    }
}

/// One value as the compressor reads it: a copy decoded from the document's packed columns.
/// Object members are their value's node with `key_start..key_end` spanning the quoted key;
/// `start..end` spans the value itself.
#[derive(Clone, Copy, Debug)]
pub struct Node {
    pub kind: Kind,
    /// False when the input ended before the value's closing delimiter.
    pub closed: bool,
    /// A container nested deeper than `MAX_SCAN_DEPTH`: scanned past, its contents have no nodes.
    pub opaque: bool,
    pub start: u32,
    pub end: u32,
    pub key_start: u32,
    pub key_end: u32,
    pub first_child: u32,
    pub next_sibling: u32,
}

impl Node {
    pub fn has_key(&self) -> bool {
        self.key_start != NONE
    }

    /// Where the member (key included) starts.
    pub fn member_start(&self) -> u32 {
        if self.has_key() {
            self.key_start
        } else {
            self.start
        }
    }
}

/// How the input is laid out at the top level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One value (possibly cut off at the end).
    Single(u32),
    /// Several top-level values: JSON Lines or concatenated documents.
    Sequence(Vec<u32>),
    /// Not JSON in any useful sense; handle it as lines.
    NotJson,
}

/// Containers nested deeper than this are scanned past as one opaque value: the renderer cuts
/// everything below `render::MAX_DEPTH` anyway, and a frame per level of `[[[[...` would cost
/// memory in proportion to the input.
pub const MAX_SCAN_DEPTH: usize = 256;
/// Past this many values, and past one value per `BYTES_PER_NODE` bytes of input, the input is
/// not handled as JSON (the caller compresses it as lines): a node costs 17 bytes, so a document
/// of tiny values (`[1,1,1,...]` is one value per two bytes) would otherwise cost about nine
/// times its size. Ordinary documents (keys, strings, numbers with their spacing) run well above
/// ten bytes a value, and inputs under about 20 MB are never refused for it.
const MIN_NODE_CAP: usize = 1 << 21;
const BYTES_PER_NODE: usize = 10;

const KIND_BITS: u8 = 0b0000_0111;
const CLOSED: u8 = 1 << 3;
const HAS_CHILDREN: u8 = 1 << 4;
const OPAQUE: u8 = 1 << 5;

/// The values of a document as columns (17 bytes a value): a first child is always the next
/// value (values are recorded in document order), and a key's end is found again by scanning
/// its string, so neither is stored.
pub struct Doc<'t> {
    text: &'t [u8],
    starts: Vec<u32>,
    ends: Vec<u32>,
    keys: Vec<u32>,
    next: Vec<u32>,
    flags: Vec<u8>,
    pub shape: Shape,
    /// The input ended inside a value.
    pub truncated: bool,
}

impl<'t> Doc<'t> {
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The kind of value `i`, without reading the rest of it.
    pub fn kind(&self, i: u32) -> Kind {
        KINDS[(self.flags[i as usize] & KIND_BITS) as usize]
    }

    /// Whether value `i` is an object's member (has a key).
    pub fn has_key(&self, i: u32) -> bool {
        self.keys[i as usize] != NONE
    }

    pub fn node(&self, i: u32) -> Node {
        let k = i as usize;
        let flags = self.flags[k];
        let key_start = self.keys[k];
        let key_end = if key_start == NONE {
            NONE
        } else {
            string_end(self.text, key_start as usize).map_or(self.starts[k], |e| e as u32)
        };
        Node {
            kind: KINDS[(flags & KIND_BITS) as usize],
            closed: flags & CLOSED != 0,
            opaque: flags & OPAQUE != 0,
            start: self.starts[k],
            end: self.ends[k],
            key_start,
            key_end,
            first_child: if flags & HAS_CHILDREN != 0 {
                i + 1
            } else {
                NONE
            },
            next_sibling: self.next[k],
        }
    }

    /// The children of a container, in order.
    pub fn children(&self, i: u32) -> Vec<u32> {
        self.children_iter(&self.node(i)).collect()
    }

    /// The children of `n`, without collecting them.
    pub fn children_iter<'d>(&'d self, n: &Node) -> impl Iterator<Item = u32> + 'd {
        let mut c = n.first_child;
        std::iter::from_fn(move || {
            if c == NONE {
                return None;
            }
            let cur = c;
            c = self.next[cur as usize];
            Some(cur)
        })
    }

    /// How many members or elements `n` holds (counted from the text for an opaque container).
    pub fn count(&self, n: &Node) -> u32 {
        if n.opaque {
            return count_members(self.text, n.start as usize, n.end as usize);
        }
        self.children_iter(n).count() as u32
    }
}

const KINDS: [Kind; 7] = [
    Kind::Object,
    Kind::Array,
    Kind::String,
    Kind::Number,
    Kind::Bool,
    Kind::Null,
    Kind::Bad,
];

fn kind_bits(kind: Kind) -> u8 {
    KINDS.iter().position(|&k| k == kind).unwrap_or(0) as u8
}

/// The end of the string starting at `start` (just past its closing quote), or `None` when
/// the input ends first.
pub(super) fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        let k = memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        i += k;
        if b[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
        if i >= b.len() {
            return None;
        }
    }
}

/// Where the container opening at `start` ends (just past its closing bracket, or the end of
/// the input, `false`), matching brackets by count only: strings and comments are skipped.
fn skip_container(b: &[u8], start: usize) -> (usize, bool) {
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'"' => match string_end(b, i) {
                Some(e) => {
                    i = e;
                    continue;
                }
                None => return (b.len(), false),
            },
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |k| i + 2 + k + 2);
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (i + 1, true);
                }
            }
            _ => {}
        }
        i += 1;
    }
    (b.len(), false)
}

/// The members or elements of the container spanning `start..end`, counted by the commas at its
/// own level (a trailing comma adds none).
fn count_members(b: &[u8], start: usize, end: usize) -> u32 {
    let mut depth = 0usize;
    let mut count = 0u32;
    let mut pending = false;
    let mut i = start;
    while i < end {
        match b[i] {
            b'"' => {
                pending |= depth == 1;
                i = string_end(b, i).unwrap_or(end);
                continue;
            }
            b'[' | b'{' => {
                pending |= depth == 1;
                depth += 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => {
                count += u32::from(pending);
                pending = false;
            }
            c if depth == 1 && !c.is_ascii_whitespace() => pending = true,
            _ => {}
        }
        i += 1;
    }
    count + u32::from(pending)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// After `[` or `,` in an array.
    ArrValue,
    /// After a value in an array.
    ArrComma,
    /// After `{` or `,` in an object.
    ObjKey,
    ObjColon,
    ObjValue,
    ObjComma,
}

struct Frame {
    node: u32,
    last: u32,
    state: State,
    key: (u32, u32),
}

struct Parser<'a> {
    b: &'a [u8],
    pos: usize,
    doc: Doc<'a>,
    stack: Vec<Frame>,
    truncated: bool,
    /// Values allowed before the input counts as too dense to handle as JSON.
    cap: usize,
    too_dense: bool,
}

/// What a value start produced.
enum Began {
    /// A scalar, complete.
    Scalar(u32),
    /// A container, now open on the stack.
    Open,
}

impl<'a> Parser<'a> {
    fn skip_ws(&mut self) {
        let b = self.b;
        loop {
            while self.pos < b.len() && matches!(b[self.pos], b' ' | b'\t' | b'\n' | b'\r' | 0x0c) {
                self.pos += 1;
            }
            if self.pos + 1 < b.len() && b[self.pos] == b'/' {
                match b[self.pos + 1] {
                    b'/' => {
                        self.pos =
                            memchr::memchr(b'\n', &b[self.pos..]).map_or(b.len(), |k| self.pos + k);
                        continue;
                    }
                    b'*' => {
                        self.pos = memchr::memmem::find(&b[self.pos + 2..], b"*/")
                            .map_or(b.len(), |k| self.pos + 2 + k + 2);
                        continue;
                    }
                    _ => {}
                }
            }
            // A UTF-8 byte order mark or a no-break space between values is noise, not an error.
            if b[self.pos..].starts_with("\u{feff}".as_bytes()) {
                self.pos += 3;
                continue;
            }
            return;
        }
    }

    fn scan_string(&self, start: usize) -> Option<usize> {
        string_end(self.b, start)
    }

    fn push_node(&mut self, kind: Kind, start: usize, key: (u32, u32)) -> u32 {
        let d = &mut self.doc;
        let idx = d.starts.len() as u32;
        d.starts.push(start as u32);
        d.ends.push(start as u32);
        d.keys.push(key.0);
        d.next.push(NONE);
        d.flags.push(kind_bits(kind) | CLOSED);
        if let Some(f) = self.stack.last_mut() {
            if f.last == NONE {
                d.flags[f.node as usize] |= HAS_CHILDREN;
            } else {
                d.next[f.last as usize] = idx;
            }
            f.last = idx;
        }
        idx
    }

    fn set_end(&mut self, idx: u32, end: usize) {
        self.doc.ends[idx as usize] = end as u32;
    }

    fn set_open(&mut self, idx: u32) {
        self.doc.flags[idx as usize] &= !CLOSED;
    }

    /// Drops the values from `mark` on (a value that failed to parse).
    fn truncate(&mut self, mark: usize) {
        let d = &mut self.doc;
        d.starts.truncate(mark);
        d.ends.truncate(mark);
        d.keys.truncate(mark);
        d.next.truncate(mark);
        d.flags.truncate(mark);
    }

    /// Starts the value at `self.pos`; `Err` when no value can start here.
    fn begin_value(&mut self, key: (u32, u32)) -> Result<Began, usize> {
        let b = self.b;
        let start = self.pos;
        let c = b[start];
        if self.doc.len() >= self.cap {
            self.too_dense = true;
            return Err(start);
        }
        match c {
            b'{' | b'[' if self.stack.len() >= MAX_SCAN_DEPTH => {
                let kind = if c == b'{' { Kind::Object } else { Kind::Array };
                let idx = self.push_node(kind, start, key);
                self.doc.flags[idx as usize] |= OPAQUE;
                let (end, closed) = skip_container(b, start);
                if !closed {
                    self.set_open(idx);
                    self.truncated = true;
                }
                self.set_end(idx, end);
                self.pos = end;
                Ok(Began::Scalar(idx))
            }
            b'{' | b'[' => {
                let kind = if c == b'{' { Kind::Object } else { Kind::Array };
                let idx = self.push_node(kind, start, key);
                self.pos += 1;
                self.stack.push(Frame {
                    node: idx,
                    last: NONE,
                    state: if c == b'{' {
                        State::ObjKey
                    } else {
                        State::ArrValue
                    },
                    key: (NONE, NONE),
                });
                Ok(Began::Open)
            }
            b'"' => {
                let idx = self.push_node(Kind::String, start, key);
                match self.scan_string(start) {
                    Some(end) => self.pos = end,
                    None => {
                        self.pos = b.len();
                        self.set_open(idx);
                        self.truncated = true;
                    }
                }
                self.set_end(idx, self.pos);
                Ok(Began::Scalar(idx))
            }
            b'-' | b'+' | b'0'..=b'9' | b'.' => {
                let mut i = start + 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                if i < b.len() && b[i].is_ascii_alphabetic() {
                    // -Infinity
                    let w = word_end(b, i);
                    if &b[i..w] != b"Infinity" {
                        return Err(i);
                    }
                    i = w;
                }
                let idx = self.push_node(Kind::Number, start, key);
                self.set_end(idx, i);
                self.pos = i;
                Ok(Began::Scalar(idx))
            }
            b'a'..=b'z' | b'A'..=b'Z' => {
                let w = word_end(b, start);
                let word = &b[start..w];
                let kind = match word {
                    b"true" | b"false" => Kind::Bool,
                    b"null" => Kind::Null,
                    b"NaN" | b"Infinity" => Kind::Number,
                    _ if w == b.len()
                        && [&b"true"[..], b"false", b"null"]
                            .iter()
                            .any(|lit| lit.starts_with(word)) =>
                    {
                        self.truncated = true;
                        if word[0] == b'n' {
                            Kind::Null
                        } else {
                            Kind::Bool
                        }
                    }
                    _ => return Err(start),
                };
                let idx = self.push_node(kind, start, key);
                self.set_end(idx, w);
                self.pos = w;
                Ok(Began::Scalar(idx))
            }
            _ => Err(start),
        }
    }

    /// A value just ended: the enclosing container now expects a comma.
    fn value_done(&mut self) {
        if let Some(f) = self.stack.last_mut() {
            f.state = if f.state == State::ArrValue {
                State::ArrComma
            } else {
                State::ObjComma
            };
        }
    }

    fn set_state(&mut self, state: State) {
        if let Some(f) = self.stack.last_mut() {
            f.state = state;
        }
    }

    fn close_top(&mut self) {
        let f = self.stack.pop().expect("a frame to close");
        self.set_end(f.node, self.pos);
        self.value_done();
    }

    /// Parses one top-level value starting at `self.pos` (whitespace skipped).
    fn parse_one(&mut self) -> Result<u32, usize> {
        let first = self.doc.len() as u32;
        self.stack.clear();
        let b = self.b;
        loop {
            self.skip_ws();
            if self.pos >= b.len() {
                if self.stack.is_empty() {
                    return Err(self.pos);
                }
                // Cut off: close what is open at the end of the text.
                while let Some(f) = self.stack.pop() {
                    self.set_end(f.node, b.len());
                    self.set_open(f.node);
                }
                self.truncated = true;
                return Ok(first);
            }
            let c = b[self.pos];
            let Some(state) = self.stack.last().map(|f| f.state) else {
                return match self.begin_value((NONE, NONE))? {
                    Began::Scalar(idx) => Ok(idx),
                    Began::Open => continue,
                };
            };
            match (state, c) {
                (State::ArrValue | State::ArrComma, b']')
                | (State::ObjKey | State::ObjComma, b'}') => {
                    // Also an empty container, or a trailing comma before the bracket.
                    self.pos += 1;
                    self.close_top();
                }
                (State::ArrComma, b',') => {
                    self.pos += 1;
                    self.set_state(State::ArrValue);
                }
                (State::ObjComma, b',') => {
                    self.pos += 1;
                    self.set_state(State::ObjKey);
                }
                (State::ArrValue, _) => {
                    if let Began::Scalar(_) = self.begin_value((NONE, NONE))? {
                        self.value_done();
                    }
                }
                (State::ObjKey, b'"') => {
                    let start = self.pos;
                    let Some(end) = self.scan_string(start) else {
                        // The input ends inside a key: the object ends with it.
                        self.pos = b.len();
                        continue;
                    };
                    if let Some(f) = self.stack.last_mut() {
                        f.key = (start as u32, end as u32);
                        f.state = State::ObjColon;
                    }
                    self.pos = end;
                }
                (State::ObjColon, b':') => {
                    self.pos += 1;
                    self.set_state(State::ObjValue);
                }
                (State::ObjValue, _) => {
                    let key = self.stack.last().map_or((NONE, NONE), |f| f.key);
                    if let Began::Scalar(_) = self.begin_value(key)? {
                        self.value_done();
                    }
                }
                _ => return Err(self.pos),
            }
            if self.stack.is_empty() {
                return Ok(first);
            }
        }
    }
}

fn word_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    i
}

fn line_end(b: &[u8], pos: usize) -> usize {
    memchr::memchr(b'\n', &b[pos.min(b.len())..]).map_or(b.len(), |k| pos + k + 1)
}

/// Scans `text` into a `Doc`. Never fails: what is not JSON (or far too dense to hold as nodes)
/// comes back as `Shape::NotJson`.
pub fn parse(text: &str) -> Doc<'_> {
    let b = text.as_bytes();
    let empty = |shape| Doc {
        text: b,
        starts: Vec::new(),
        ends: Vec::new(),
        keys: Vec::new(),
        next: Vec::new(),
        flags: Vec::new(),
        shape,
        truncated: false,
    };
    // Offsets are u32.
    if b.len() >= NONE as usize {
        return empty(Shape::NotJson);
    }
    let mut p = Parser {
        b,
        pos: 0,
        doc: empty(Shape::NotJson),
        stack: Vec::new(),
        truncated: false,
        cap: (b.len() / BYTES_PER_NODE).max(MIN_NODE_CAP),
        too_dense: false,
    };
    let mut roots = Vec::new();
    let mut bad = 0usize;
    let mut bad_multiline = false;
    loop {
        p.skip_ws();
        if p.pos >= b.len() {
            break;
        }
        let start = p.pos;
        let mark = p.doc.len();
        let parsed = p.parse_one();
        if p.too_dense {
            return empty(Shape::NotJson);
        }
        match parsed {
            Ok(root) => roots.push(root),
            Err(at) => {
                // Drop what the failed value built and make the rest of its line one bad value.
                p.truncate(mark);
                p.stack.clear();
                let end = line_end(b, at.max(start));
                bad += 1;
                bad_multiline |=
                    memchr::memchr(b'\n', &b[start..end]).is_some_and(|k| start + k + 1 < end);
                let idx = p.push_node(Kind::Bad, start, (NONE, NONE));
                let trimmed = b[..end]
                    .iter()
                    .rposition(|c| !c.is_ascii_whitespace())
                    .map_or(end, |k| k + 1);
                p.set_end(idx, trimmed.max(start + 1));
                roots.push(idx);
                p.pos = end;
            }
        }
    }
    let good = roots.len() - bad;
    let shape =
        if roots.is_empty() || bad_multiline || (bad > 0 && (good < 2 || bad * 5 > roots.len())) {
            Shape::NotJson
        } else if roots.len() == 1 {
            Shape::Single(roots[0])
        } else {
            Shape::Sequence(roots)
        };
    Doc {
        shape,
        truncated: p.truncated,
        ..p.doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(doc: &Doc, i: u32) -> Vec<Kind> {
        doc.children(i).iter().map(|&c| doc.node(c).kind).collect()
    }

    #[test]
    fn spans_cover_the_values_and_keys_as_written() {
        let text = r#"{"a": [1, "x\"y", true, null], "b" : {"c": -2.5e3}}"#;
        let doc = parse(text);
        let Shape::Single(root) = doc.shape else {
            panic!("one value")
        };
        let members = doc.children(root);
        assert_eq!(members.len(), 2);
        let a = doc.node(members[0]);
        assert_eq!(&text[a.key_start as usize..a.key_end as usize], "\"a\"");
        assert_eq!(
            &text[a.start as usize..a.end as usize],
            r#"[1, "x\"y", true, null]"#
        );
        assert_eq!(
            kinds(&doc, members[0]),
            vec![Kind::Number, Kind::String, Kind::Bool, Kind::Null]
        );
        let b = doc.node(members[1]);
        assert_eq!(&text[b.key_start as usize..b.key_end as usize], "\"b\"");
        let c = doc.node(doc.children(members[1])[0]);
        assert_eq!(&text[c.start as usize..c.end as usize], "-2.5e3");
        assert!(!doc.truncated);
    }

    #[test]
    fn trailing_commas_and_comments_are_accepted() {
        let doc = parse("[1, 2, /* three */ 3,]\n// done\n");
        let Shape::Single(root) = doc.shape else {
            panic!("one value")
        };
        assert_eq!(doc.count(&doc.node(root)), 3);
    }

    #[test]
    fn input_cut_off_closes_open_containers_at_the_end() {
        let text = r#"[{"a": 1}, {"b": "unfinished"#;
        let doc = parse(text);
        let Shape::Single(root) = doc.shape else {
            panic!("one value")
        };
        assert!(doc.truncated);
        assert!(!doc.node(root).closed);
        assert_eq!(doc.node(root).end as usize, text.len());
        assert_eq!(doc.count(&doc.node(root)), 2);
    }

    #[test]
    fn json_lines_with_a_bad_line_keep_the_good_ones() {
        let text = "{\"a\": 1}\n{\"a\": 2, oops}\n{\"a\": 3}\n{\"a\": 4}\n{\"a\": 5}\n{\"a\": 6}\n";
        let doc = parse(text);
        let Shape::Sequence(roots) = &doc.shape else {
            panic!("a sequence")
        };
        assert_eq!(roots.len(), 6);
        let bad = doc.node(roots[1]);
        assert_eq!(bad.kind, Kind::Bad);
        assert_eq!(
            &text[bad.start as usize..bad.end as usize],
            "{\"a\": 2, oops}"
        );
        assert_eq!(doc.node(roots[2]).kind, Kind::Object);
    }

    #[test]
    fn prose_is_not_json() {
        assert_eq!(
            parse("hello world, this is text\nand more\n").shape,
            Shape::NotJson
        );
        assert_eq!(
            parse("{ looks like json: but is not\n  at all }\n").shape,
            Shape::NotJson
        );
        assert_eq!(parse("").shape, Shape::NotJson);
    }

    #[test]
    fn a_syntax_error_inside_a_pretty_document_is_not_json_lines() {
        let text = "[\n  {\"a\": 1},\n  {\"a\" 2},\n  {\"a\": 3}\n]\n";
        assert_eq!(parse(text).shape, Shape::NotJson);
    }

    #[test]
    fn deep_nesting_does_not_recurse_and_stops_recording_past_the_scan_depth() {
        let depth = 100_000;
        let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let doc = parse(&text);
        assert!(matches!(doc.shape, Shape::Single(_)));
        assert_eq!(doc.len(), MAX_SCAN_DEPTH + 1);
        let deepest = doc.node(MAX_SCAN_DEPTH as u32);
        assert!(deepest.opaque && deepest.closed);
        assert_eq!(deepest.first_child, NONE);
        assert_eq!(deepest.start as usize, MAX_SCAN_DEPTH);
        assert_eq!(deepest.end as usize, text.len() - MAX_SCAN_DEPTH);
        assert_eq!(doc.count(&deepest), 1);
        assert!(!doc.truncated);
    }

    #[test]
    fn an_opaque_container_counts_its_members_and_skips_strings_with_brackets() {
        let inner = r#"[1, "a]b", {"k": [2, 3]}, [], "x\"]",]"#;
        let text = format!(
            "{}{inner}{}",
            "[".repeat(MAX_SCAN_DEPTH),
            "]".repeat(MAX_SCAN_DEPTH)
        );
        let doc = parse(&text);
        let deepest = doc.node(MAX_SCAN_DEPTH as u32);
        assert!(deepest.opaque);
        assert_eq!(&text[deepest.start as usize..deepest.end as usize], inner);
        assert_eq!(doc.count(&deepest), 5);
    }

    #[test]
    fn an_opaque_container_cut_off_is_open_and_truncated() {
        let text = format!("{}1, [2", "[".repeat(MAX_SCAN_DEPTH + 1));
        let doc = parse(&text);
        assert!(doc.truncated);
        let deepest = doc.node(MAX_SCAN_DEPTH as u32);
        assert!(deepest.opaque && !deepest.closed);
        assert_eq!(deepest.end as usize, text.len());
    }

    #[test]
    fn a_document_of_tiny_values_past_the_node_cap_is_not_json() {
        let values = MIN_NODE_CAP + 10;
        let text = format!("[{}1]", "1,".repeat(values));
        assert_eq!(parse(&text).shape, Shape::NotJson);
        // The same count of values with ordinary spacing and keys stays JSON.
        let item = r#"{"id": 12345, "name": "some-package", "ok": true}, "#;
        let ordinary = format!("[{}0]", item.repeat(values / 4));
        assert!(matches!(parse(&ordinary).shape, Shape::Single(_)));
    }

    #[test]
    fn keys_end_where_their_string_ends() {
        let text = r#"{"a\"b": 1, "c": {"d": []}}"#;
        let doc = parse(text);
        let Shape::Single(root) = doc.shape else {
            panic!("one value")
        };
        let keys: Vec<&str> = (0..doc.len() as u32)
            .map(|i| doc.node(i))
            .filter(|n| n.has_key())
            .map(|n| &text[n.key_start as usize..n.key_end as usize])
            .collect();
        assert_eq!(keys, [r#""a\"b""#, r#""c""#, r#""d""#]);
        assert_eq!(doc.count(&doc.node(root)), 2);
    }
}
