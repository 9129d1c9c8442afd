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

/// One value. Object members are their value's node with `key_start..key_end`
/// spanning the quoted key; `start..end` spans the value itself.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    /// False when the input ended before the value's closing delimiter.
    pub closed: bool,
    pub depth: u32,
    pub start: u32,
    pub end: u32,
    pub key_start: u32,
    pub key_end: u32,
    pub parent: u32,
    pub first_child: u32,
    pub next_sibling: u32,
    pub len: u32,
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

pub struct Doc {
    pub nodes: Vec<Node>,
    pub shape: Shape,
    /// The input ended inside a value.
    pub truncated: bool,
}

impl Doc {
    pub fn node(&self, i: u32) -> &Node {
        &self.nodes[i as usize]
    }

    /// The children of a container, in order.
    pub fn children(&self, i: u32) -> Vec<u32> {
        let n = self.node(i);
        let mut out = Vec::with_capacity(n.len as usize);
        let mut c = n.first_child;
        while c != NONE {
            out.push(c);
            c = self.node(c).next_sibling;
        }
        out
    }

    /// The children of `n`, without collecting them.
    pub fn children_iter<'d>(&'d self, n: &Node) -> impl Iterator<Item = u32> + 'd {
        let mut c = n.first_child;
        std::iter::from_fn(move || {
            if c == NONE {
                return None;
            }
            let cur = c;
            c = self.node(cur).next_sibling;
            Some(cur)
        })
    }
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
    nodes: Vec<Node>,
    stack: Vec<Frame>,
    truncated: bool,
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

    /// The end of the string starting at `self.pos` (just past its closing quote), or
    /// `None` when the input ends first.
    fn scan_string(&self, start: usize) -> Option<usize> {
        let b = self.b;
        let mut i = start + 1;
        loop {
            let k = memchr::memchr2(b'"', b'\\', &b[i..])?;
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

    fn push_node(&mut self, kind: Kind, start: usize, key: (u32, u32)) -> u32 {
        let idx = self.nodes.len() as u32;
        let (parent, depth) = match self.stack.last() {
            Some(f) => (f.node, self.stack.len() as u32),
            None => (NONE, 0),
        };
        self.nodes.push(Node {
            kind,
            closed: true,
            depth,
            start: start as u32,
            end: start as u32,
            key_start: key.0,
            key_end: key.1,
            parent,
            first_child: NONE,
            next_sibling: NONE,
            len: 0,
        });
        if let Some(f) = self.stack.last_mut() {
            if f.last == NONE {
                self.nodes[parent as usize].first_child = idx;
            } else {
                self.nodes[f.last as usize].next_sibling = idx;
            }
            f.last = idx;
            self.nodes[parent as usize].len += 1;
        }
        idx
    }

    /// Starts the value at `self.pos`; `Err` when no value can start here.
    fn begin_value(&mut self, key: (u32, u32)) -> Result<Began, usize> {
        let b = self.b;
        let start = self.pos;
        let c = b[start];
        match c {
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
                        self.nodes[idx as usize].closed = false;
                        self.truncated = true;
                    }
                }
                self.nodes[idx as usize].end = self.pos as u32;
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
                self.nodes[idx as usize].end = i as u32;
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
                self.nodes[idx as usize].end = w as u32;
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
        self.nodes[f.node as usize].end = self.pos as u32;
        self.value_done();
    }

    /// Parses one top-level value starting at `self.pos` (whitespace skipped).
    fn parse_one(&mut self) -> Result<u32, usize> {
        let first = self.nodes.len() as u32;
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
                    let n = &mut self.nodes[f.node as usize];
                    n.end = b.len() as u32;
                    n.closed = false;
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

/// Scans `text` into a `Doc`. Never fails: what is not JSON comes back as `Shape::NotJson`.
pub fn parse(text: &str) -> Doc {
    let b = text.as_bytes();
    let mut p = Parser {
        b,
        pos: 0,
        nodes: Vec::new(),
        stack: Vec::new(),
        truncated: false,
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
        let mark = p.nodes.len();
        match p.parse_one() {
            Ok(root) => roots.push(root),
            Err(at) => {
                // Drop what the failed value built and make the rest of its line one bad value.
                p.nodes.truncate(mark);
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
                p.nodes[idx as usize].end = trimmed.max(start + 1) as u32;
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
        nodes: p.nodes,
        shape,
        truncated: p.truncated,
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
        assert_eq!(doc.node(root).len, 3);
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
        assert_eq!(doc.node(root).len, 2);
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
    fn deep_nesting_does_not_recurse() {
        let depth = 100_000;
        let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let doc = parse(&text);
        assert!(matches!(doc.shape, Shape::Single(_)));
        assert_eq!(doc.nodes.len(), depth + 1);
        assert_eq!(doc.nodes[depth].depth as usize, depth);
    }
}
