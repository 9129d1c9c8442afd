//! The outline of a shell script: its functions (`name() {`, `name() (`, `function name {`), its
//! compound commands (`if`, loops, `case` and each of its arms, `{ }` groups, subshells) with the
//! lines inside them as bodies, and its comment runs. A body gives way to `:  # marker`, a command
//! that does nothing, because a shell block may not be empty (a `case`'s arms to a comment: an
//! empty `case` is valid, a command there is not).

use super::extras::{self, MIN_BODY_LINES};
use super::lex::{Kind, Tokens, NONE};
use super::{DefKind, Definition, Elision, Outline, Source};

/// A block holding more than this share of the file's lines and other blocks is looked into
/// rather than left out whole (a script that is one `if` or one `case` dispatching commands).
const WRAPPER_SHARE: f64 = 0.5;

pub(super) fn outline(src: &Source, toks: &Tokens) -> Outline {
    let t = &toks.toks;
    let mut out = Outline::default();
    // Functions defined inside another's body go with it.
    let mut inside_until = 0usize;
    let mut functions: Vec<(usize, usize)> = Vec::new();
    for k in 0..t.len() {
        let open = &t[k];
        if open.kind != Kind::Open || open.mate == NONE || (open.mate as usize) < k {
            continue;
        }
        if (open.start as usize) < inside_until {
            continue;
        }
        let bracket = src.bytes[open.start as usize];
        if bracket != b'{' && bracket != b'(' {
            continue;
        }
        let Some((name, header)) = header(src, toks, k) else {
            continue;
        };
        let close = &t[open.mate as usize];
        let first = src.line_of(header);
        let (open_line, close_line) = (open.line as usize, close.end_line as usize);
        let standalone = src.starts_line(header) && rest_is_comment(src, close.end as usize);
        let body = body(
            src,
            open.end as usize,
            close.start as usize,
            open_line,
            close_line,
            ":  # ",
        );
        inside_until = close.end as usize;
        functions.push((header, close.end as usize));
        out.definitions.push(Definition {
            kind: DefKind::Function,
            name,
            qualifiers: Vec::new(),
            first,
            last: close_line,
            body_span: Some((open_line, close_line)),
            body,
            wrapper: false,
            standalone,
            parent: None,
            within: Vec::new(),
        });
    }
    let mut blocks = blocks(src, toks, &functions);
    let lines = src.len().max(1) as f64;
    for k in 0..blocks.len() {
        let (first, last) = (blocks[k].first, blocks[k].last);
        let nested = blocks
            .iter()
            .filter(|b| (b.first, b.last) != (first, last) && first <= b.first && b.last <= last)
            .count();
        if blocks[k].kind == DefKind::Function
            && nested >= 2
            && (last - first) as f64 > WRAPPER_SHARE * lines
        {
            blocks[k].wrapper = true;
            blocks[k].body = None;
        }
    }
    // A `case` inside a body that may be left out goes with it: a body cut around it would keep
    // the `case` without the `if` or loop that holds it.
    let elidable: Vec<(usize, usize)> = blocks
        .iter()
        .chain(&out.definitions)
        .filter(|b| b.body.is_some() && b.kind == DefKind::Function)
        .map(|b| (b.first, b.last))
        .collect();
    for b in &mut blocks {
        let span = (b.first, b.last);
        if b.kind == DefKind::Container
            && elidable
                .iter()
                .any(|&(f, l)| (f, l) != span && f <= span.0 && span.1 <= l)
        {
            b.kind = DefKind::Function;
        }
    }
    out.definitions.extend(blocks);
    out.definitions
        .sort_by_key(|d| (d.first, std::cmp::Reverse(d.last)));
    out.comments = extras::comment_runs(src, &toks.comments, "#", &out.definitions);
    out
}

/// What an open compound command is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compound {
    If,
    Loop,
    Case,
}

struct Open {
    kind: Compound,
    start: usize,
    /// The `then`, `do` or `in` that ends its head.
    head: Option<usize>,
    /// In a `case`: the `)` of the pattern whose commands are being read.
    arm: Option<usize>,
    /// In a `case`: a pattern comes next.
    pattern: bool,
}

/// The compound commands (`if`, loops, `case` and each of its arms, `{ }` groups and `( )`
/// subshells at a command's place) with two lines or more inside, as definitions without a name
/// (an arm is named by its pattern): their insides are bodies a question may point at. A block
/// holding a function stays open so that the function's header shows.
fn blocks(src: &Source, toks: &Tokens, functions: &[(usize, usize)]) -> Vec<Definition> {
    let t = &toks.toks;
    let mut out = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let word = |j: usize| &src.bytes[t[j].start as usize..t[j].end as usize];
    let holds_function = |a: usize, b: usize| functions.iter().any(|&(s, e)| a <= s && e <= b);
    let in_function = |a: usize, b: usize| functions.iter().any(|&(s, e)| s <= a && b <= e);
    let mut j = 0;
    while j < t.len() {
        let tok = &t[j];
        let top = stack.last_mut();
        match tok.kind {
            Kind::Ident => {
                let w = word(j);
                // A pattern's words are no keywords, but `esac` may end the list of arms.
                let in_pattern = top
                    .as_ref()
                    .is_some_and(|o| o.kind == Compound::Case && o.pattern)
                    && w != b"esac";
                if let Some(o) = top.filter(|o| o.head.is_none() && o.kind == Compound::Case) {
                    if w == b"in" {
                        o.head = Some(j);
                        o.pattern = true;
                    }
                } else if in_pattern
                    || !(command_position(src, t, j) || (w == b"do" && after_loop_name(src, t, j)))
                {
                } else if w == b"if"
                    || w == b"case"
                    || matches!(w, b"for" | b"while" | b"until" | b"select")
                {
                    let kind = match w {
                        b"if" => Compound::If,
                        b"case" => Compound::Case,
                        _ => Compound::Loop,
                    };
                    stack.push(Open {
                        kind,
                        start: j,
                        head: None,
                        arm: None,
                        pattern: false,
                    });
                } else if w == b"then" || w == b"do" {
                    let kind = if w == b"then" {
                        Compound::If
                    } else {
                        Compound::Loop
                    };
                    if let Some(o) = stack
                        .last_mut()
                        .filter(|o| o.kind == kind && o.head.is_none())
                    {
                        o.head = Some(j);
                    }
                } else if w == b"fi" || w == b"done" || w == b"esac" {
                    let kind = match w {
                        b"fi" => Compound::If,
                        b"done" => Compound::Loop,
                        _ => Compound::Case,
                    };
                    if let Some(at) = stack.iter().rposition(|o| o.kind == kind) {
                        stack.truncate(at + 1);
                        let o = stack.pop().expect("found above");
                        if let Some(p) = o.arm {
                            out.extend(arm(src, t, p, j));
                        }
                        if let Some(h) = o.head {
                            let (a, b) = (t[o.start].start as usize, t[j].end as usize);
                            let glue = if kind == Compound::Case {
                                "# "
                            } else {
                                ":  # "
                            };
                            let mut d = block(src, t, o.start, h, j, glue);
                            if let Some(d) = d.as_mut() {
                                if holds_function(a, b) {
                                    // Looked into: the functions in it are the outline.
                                    d.wrapper = true;
                                    d.body = None;
                                } else if kind == Compound::Case && !in_function(a, b) {
                                    // Outside functions a `case` dispatches the script's
                                    // commands: its patterns are the outline, as a class's
                                    // members are.
                                    d.kind = DefKind::Container;
                                }
                            }
                            out.extend(d);
                        }
                    }
                }
            }
            Kind::Punct => {
                let b = src.bytes[tok.start as usize];
                if let Some(o) = top.filter(|o| o.kind == Compound::Case && o.head.is_some()) {
                    if b == b')' && o.pattern {
                        o.pattern = false;
                        o.arm = Some(j);
                    } else if b == b';'
                        && t.get(j + 1).is_some_and(|n| {
                            n.start == tok.end && matches!(src.bytes[n.start as usize], b';' | b'&')
                        })
                    {
                        if let Some(p) = o.arm.take() {
                            out.extend(arm(src, t, p, j));
                        }
                        o.pattern = true;
                        j += 1;
                    }
                }
            }
            Kind::Open
                if tok.mate != NONE && (tok.mate as usize) > j && command_position(src, t, j) =>
            {
                let b = src.bytes[tok.start as usize];
                let close = tok.mate as usize;
                let span = (tok.start as usize, t[close].end as usize);
                if matches!(b, b'{' | b'(') {
                    let mut d = block(src, t, j, j, close, ":  # ");
                    if let Some(d) = d.as_mut().filter(|_| holds_function(span.0, span.1)) {
                        d.wrapper = true;
                        d.body = None;
                    }
                    out.extend(d);
                }
            }
            _ => {}
        }
        j += 1;
    }
    out
}

/// Whether token `j` stands where a command starts: first on its line (the line before not
/// continued), or after an operator, an opening bracket, a case pattern or a keyword.
fn command_position(src: &Source, t: &[super::lex::Token], j: usize) -> bool {
    if j == 0 {
        return true;
    }
    let prev = &t[j - 1];
    if prev.end_line < t[j].line {
        return !src.body(prev.end_line as usize).ends_with('\\');
    }
    let p = &src.bytes[prev.start as usize..prev.end as usize];
    match prev.kind {
        Kind::Punct => matches!(p, b";" | b"&" | b"|" | b"!" | b")"),
        Kind::Open => true,
        Kind::Ident => matches!(
            p,
            b"then" | b"do" | b"else" | b"elif" | b"if" | b"while" | b"until" | b"time"
        ),
        _ => false,
    }
}

/// Whether token `j` follows `for NAME` or `select NAME` (`for i do`: the words default to `"$@"`).
fn after_loop_name(src: &Source, t: &[super::lex::Token], j: usize) -> bool {
    let word = |k: usize| &src.bytes[t[k].start as usize..t[k].end as usize];
    j >= 2 && t[j - 1].kind == Kind::Ident && matches!(word(j - 2), b"for" | b"select")
}

/// The block from token `start` to `close` whose head ends at token `head`, its inside a body.
fn block(
    src: &Source,
    t: &[super::lex::Token],
    start: usize,
    head: usize,
    close: usize,
    glue: &str,
) -> Option<Definition> {
    let (h, c) = (&t[head], &t[close]);
    let body = inside(src, h.end as usize, c.start as usize, glue)?;
    let at = t[start].start as usize;
    Some(Definition {
        kind: DefKind::Function,
        name: String::new(),
        qualifiers: Vec::new(),
        first: t[start].line as usize,
        last: c.end_line as usize,
        body_span: Some((h.end_line as usize, c.line as usize)),
        body: Some(body),
        wrapper: false,
        standalone: src.starts_line(at) && rest_is_comment(src, c.end as usize),
        parent: None,
        within: Vec::new(),
    })
}

/// A `case` arm: the commands after the pattern's `)` (which ends its line) up to the line of
/// the `;;` or `esac` at token `end`, named by its pattern.
fn arm(src: &Source, t: &[super::lex::Token], paren: usize, end: usize) -> Option<Definition> {
    let p = &t[paren];
    let (open_line, mut end_line) = (p.line as usize, t[end].end_line as usize);
    if src.bytes[t[end].start as usize] != b';' && src.starts_line(t[end].start as usize) {
        // The last arm, closed by the `esac` on the next line: that line is the `case`'s.
        end_line -= 1;
    }
    let body = inside(src, p.end as usize, t[end].start as usize, ":  # ")?;
    let line_start = src.line_start(open_line);
    let pattern = src.text[line_start..p.start as usize].trim();
    let pattern = pattern.strip_prefix('(').unwrap_or(pattern).trim();
    // `start|restart)` is the `start` command's arm, `--help|-h)` the `help` option's.
    let first = pattern.split('|').next().unwrap_or("").trim();
    let word = first.trim_matches(['"', '\'']).trim_start_matches('-');
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'));
    let name = if plain { word } else { pattern }.to_string();
    Some(Definition {
        kind: DefKind::Function,
        name,
        qualifiers: Vec::new(),
        first: open_line,
        last: end_line,
        body_span: Some((open_line, end_line)),
        body: Some(body),
        wrapper: false,
        standalone: false,
        parent: None,
        within: Vec::new(),
    })
}

/// The name and the header's first byte of the function whose body opens at token `k`:
/// `name ( )` right before it (the name alone at the start of a command, `function` before it
/// allowed), or `function name` on its line.
fn header(src: &Source, toks: &Tokens, k: usize) -> Option<(String, usize)> {
    let t = &toks.toks;
    let open = &t[k];
    let parens = k >= 2
        && t[k - 1].kind == Kind::Close
        && t[k - 1].mate as usize == k - 2
        && src.bytes[t[k - 2].start as usize] == b'(';
    let name_end = if parens {
        t[k - 2].start as usize
    } else {
        open.start as usize
    };
    let line_start = src.line_start(src.line_of(name_end));
    let mut head = &src.text[line_start..name_end];
    let lead = head.len() - head.trim_start().len();
    head = head.trim();
    let mut at = line_start + lead;
    let keyword = head
        .strip_prefix("function")
        .filter(|rest| rest.starts_with([' ', '\t']));
    if let Some(rest) = keyword {
        at += head.len() - rest.trim_start().len();
        head = rest.trim_start();
    } else if !parens {
        return None;
    }
    let name_ok = !head.is_empty()
        && head.bytes().all(|c| {
            !c.is_ascii_whitespace()
                && !matches!(c, b'\'' | b'"' | b'`' | b'$' | b'=' | b'(' | b')')
                && !matches!(
                    c,
                    b';' | b'&' | b'|' | b'<' | b'>' | b'{' | b'}' | b'[' | b']' | b'#'
                )
        });
    name_ok.then(|| (head.to_string(), at))
}

fn rest_is_comment(src: &Source, at: usize) -> bool {
    let rest = src.after_on_line(at).trim_ascii();
    rest.is_empty() || rest.starts_with(b"#")
}

/// The lines strictly inside the body's brackets, when the opening one ends its line and the
/// closing one starts its own.
fn body(
    src: &Source,
    open_end: usize,
    close: usize,
    open_line: usize,
    close_line: usize,
    glue: &str,
) -> Option<Elision> {
    if !rest_is_comment(src, open_end) || !src.starts_line(close) || close_line < open_line + 2 {
        return None;
    }
    let (first, last) = (open_line + 1, close_line - 1);
    if last + 1 < first + MIN_BODY_LINES {
        return None;
    }
    let indent = src.first_indent(first, last);
    Some(Elision::new(first, last, format!("{indent}{glue}"), ""))
}

/// The lines after a compound command's head (ending at `head_end`, which must end its line) up
/// to the word at `close` (`fi`, `done`, `esac`, an arm's `;;`). When code stands before that word
/// on its line, the line goes too and the word with the rest of its line closes the glue on a line
/// of its own (`else echo none; fi ;;` gives way to `fi ;;`): the block stays whole.
fn inside(src: &Source, head_end: usize, close: usize, glue: &str) -> Option<Elision> {
    if !rest_is_comment(src, head_end) {
        return None;
    }
    let first = src.line_of(head_end.saturating_sub(1)) + 1;
    let close_line = src.line_of(close);
    let own_line = src.starts_line(close);
    let last = if own_line {
        close_line.checked_sub(1)?
    } else {
        close_line
    };
    if last + 1 < first + MIN_BODY_LINES {
        return None;
    }
    let indent = src.first_indent(first, last);
    let mut el = Elision::new(first, last, format!("{indent}{glue}"), "");
    if !own_line {
        let rest = src.body(close_line);
        let from = close - src.line_start(close_line);
        el.closing = format!("{}{}", src.indent(close_line), rest[from..].trim_end());
    }
    Some(el)
}
