//! The outline of Python source: logical lines (brackets and backslashes join physical ones), their
//! nesting by indentation, and from those the definitions, docstrings, literals and module blocks.

use super::extras::{self, Child};
use super::headers::Cx;
use super::lex::{Kind, Tokens};
use super::{DefKind, Definition, Elision, Lang, Outline, Source};

const WRAPPER_SHARE: f64 = 0.5;
const MIN_MODULE_BLOCK_LINES: usize = 4;
const RUN_DEPTH: usize = 3;

/// One logical line: its tokens, physical lines and indentation, and the block it opens.
struct Logical {
    first: usize,
    last: usize,
    line: usize,
    end_line: usize,
    indent: usize,
    parent: Option<usize>,
    /// Ends with `:`: the following deeper lines are its block.
    opens: bool,
    /// The logical lines of its block: `children` direct, up to `block_end` (exclusive) in all.
    children: Vec<usize>,
    block_end: usize,
}

fn width(indent: &str) -> usize {
    indent
        .bytes()
        .fold(0, |w, c| if c == b'\t' { (w / 8 + 1) * 8 } else { w + 1 })
}

fn logical_lines(cx: &Cx, toks: &Tokens) -> Vec<Logical> {
    let t = &toks.toks;
    let src = cx.src;
    let mut out: Vec<Logical> = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for i in 0..t.len() {
        if i > start {
            let prev = &t[i - 1];
            let joined = depth > 0
                || t[i].line == prev.end_line
                || backslash_after(src, prev.end as usize, prev.end_line as usize);
            if !joined {
                out.push(new_logical(cx, start, i - 1));
                start = i;
            }
        }
        match t[i].kind {
            Kind::Open if t[i].mate != super::lex::NONE => depth += 1,
            Kind::Close if t[i].mate != super::lex::NONE => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if start < t.len() {
        out.push(new_logical(cx, start, t.len() - 1));
    }
    // Nesting: each line's parent is the nearest earlier block opener with a smaller indent.
    let mut stack: Vec<usize> = Vec::new();
    for k in 0..out.len() {
        while let Some(&top) = stack.last() {
            if out[top].indent >= out[k].indent {
                stack.pop();
                out[top].block_end = k;
            } else {
                break;
            }
        }
        if let Some(&top) = stack.last() {
            if out[top].opens {
                out[k].parent = Some(top);
                out[top].children.push(k);
            }
        }
        if out[k].opens {
            stack.push(k);
        }
    }
    let n = out.len();
    for top in stack {
        out[top].block_end = n;
    }
    out
}

fn new_logical(cx: &Cx, first: usize, last: usize) -> Logical {
    let t = &cx.toks;
    let line = t[first].line as usize;
    Logical {
        first,
        last,
        line,
        end_line: t[last].end_line as usize,
        indent: width(cx.src.indent(line)),
        parent: None,
        opens: cx.is(last, ":"),
        children: Vec::new(),
        block_end: 0,
    }
}

/// Whether the physical line `line`, after its last token (ending at byte `end`), ends with a
/// backslash continuation (not one inside a comment).
fn backslash_after(src: &Source, end: usize, line: usize) -> bool {
    let line_end = if line + 1 < src.len() {
        src.line_start(line + 1)
    } else {
        src.bytes.len()
    };
    let rest = src.bytes[end.min(line_end)..line_end].trim_ascii_end();
    rest.ends_with(b"\\") && !rest.contains(&b'#')
}

struct Py<'a> {
    cx: Cx<'a>,
    lines: Vec<Logical>,
}

impl Py<'_> {
    fn first_word(&self, k: usize) -> &[u8] {
        let l = &self.lines[k];
        let w = self.cx.text(l.first);
        if w == b"async" && l.first < l.last {
            self.cx.text(l.first + 1)
        } else {
            w
        }
    }

    /// Lines of the block of `k`: from its first child to the end of its last descendant.
    fn block_span(&self, k: usize) -> Option<(usize, usize)> {
        let l = &self.lines[k];
        let first = *l.children.first()?;
        let last = l.block_end.checked_sub(1)?;
        Some((self.lines[first].line, self.lines[last].end_line))
    }

    /// The docstring of the block of `k` (or of the module when None): its token.
    fn docstring(&self, k: Option<usize>) -> Option<usize> {
        let first = match k {
            Some(k) => *self.lines[k].children.first()?,
            None => (!self.lines.is_empty() && self.lines[0].indent == 0).then_some(0)?,
        };
        let l = &self.lines[first];
        (l.first == l.last && self.cx.kind(l.first) == Kind::Str).then_some(l.first)
    }

    fn closer(&self, s: usize) -> &str {
        let text = self.cx.text(s);
        let body = text.trim_ascii_start();
        let quotes = body
            .iter()
            .position(|c| *c == b'"' || *c == b'\'')
            .map_or(&body[..0], |p| &body[p..]);
        for q in ["\"\"\"", "'''", "\"", "'"] {
            if quotes.starts_with(q.as_bytes()) {
                let ok = text.len() >= 2 * q.len()
                    && text.ends_with(q.as_bytes())
                    && quotes.len() >= 2 * q.len();
                return if ok { q } else { "" };
            }
        }
        ""
    }

    /// The last line of a docstring's head: its first line, or the second when the first holds only
    /// quotes.
    fn docstring_keep(&self, s: usize) -> usize {
        let src = self.cx.src;
        let t = &self.cx.toks[s];
        let (first, last) = (t.line as usize, t.end_line as usize);
        let opening = src
            .body(first)
            .trim()
            .trim_start_matches(['r', 'R', 'u', 'U', 'b', 'B', 'f', 'F']);
        if opening.trim_matches(['\'', '"']).is_empty() && first < last {
            first + 1
        } else {
            first
        }
    }

    /// The elision of a definition's body, keeping its docstring's head.
    fn body(&self, k: usize) -> Option<Elision> {
        let src = self.cx.src;
        let (first, last) = self.block_span(k)?;
        let l = &self.lines[k];
        if first <= self.cx.toks[l.first].line as usize {
            return None;
        }
        let end_tok = self.lines[l.block_end - 1].last;
        if !src.rest_is_comment(self.cx.toks[end_tok].end as usize, b"#") {
            return None;
        }
        let indent = src.indent(first);
        let Some(s) = self.docstring(Some(k)) else {
            return extras::sized(Elision::new(first, last, format!("{indent}...  # "), ""));
        };
        let doc_last = self.cx.toks[s].end_line as usize;
        let keep = self.docstring_keep(s);
        if doc_last <= keep {
            if doc_last + 1 > last {
                return None;
            }
            return extras::sized(Elision::new(
                doc_last + 1,
                last,
                format!("{indent}...  # "),
                "",
            ));
        }
        let closer = self.closer(s);
        if closer.is_empty()
            || !src
                .after_on_line(self.cx.toks[s].end as usize)
                .trim_ascii()
                .is_empty()
        {
            return None;
        }
        extras::sized(Elision::new(keep + 1, last, indent.to_string(), closer))
    }

    /// The lines after a module or class docstring's head.
    fn docstring_tail(&self, k: Option<usize>) -> Option<Elision> {
        let src = self.cx.src;
        let s = self.docstring(k)?;
        let t = &self.cx.toks[s];
        let (doc_first, doc_last) = (t.line as usize, t.end_line as usize);
        let keep = self.docstring_keep(s);
        let closer = self.closer(s);
        if doc_last < keep + 2
            || closer.is_empty()
            || !src.after_on_line(t.end as usize).trim_ascii().is_empty()
        {
            return None;
        }
        let indent = src.indent(doc_first).to_string();
        if src.body(doc_last).trim() == closer {
            return Some(Elision::new(keep + 1, doc_last - 1, indent, ""));
        }
        Some(Elision::new(keep + 1, doc_last, indent, closer))
    }
}

pub(super) fn outline(src: &Source, toks: &Tokens) -> Outline {
    let cx = Cx {
        src,
        toks: &toks.toks,
        lang: Lang::Python,
    };
    let lines = logical_lines(&cx, toks);
    let py = Py { cx, lines };
    let cx = &py.cx;
    let t = &toks.toks;
    let mut out = Outline::default();

    // Definitions, with the decorators above them.
    let mut defs: Vec<(usize, DefKind)> = Vec::new();
    for k in 0..py.lines.len() {
        let word = py.first_word(k);
        if word == b"def" || word == b"class" {
            defs.push((
                k,
                if word == b"def" {
                    DefKind::Function
                } else {
                    DefKind::Container
                },
            ));
        }
    }
    let def_starts: Vec<usize> = defs
        .iter()
        .map(|&(k, _)| t[py.lines[k].first].start as usize)
        .collect();
    let fn_starts: Vec<usize> = defs
        .iter()
        .filter(|d| d.1 == DefKind::Function)
        .map(|&(k, _)| t[py.lines[k].first].start as usize)
        .collect();
    let total = src.len();
    let def_at: std::collections::HashMap<usize, usize> = defs
        .iter()
        .enumerate()
        .map(|(at, &(k, _))| (k, at))
        .collect();
    for &(k, kind) in &defs {
        let l = &py.lines[k];
        let name_tok = (l.first..=l.last)
            .find(|&j| cx.is_any(j, &["def", "class"]))
            .map(|j| j + 1);
        let name = name_tok
            .filter(|&j| j <= l.last && cx.is_ident(j))
            .map(|j| String::from_utf8_lossy(cx.text(j)).into_owned())
            .unwrap_or_default();
        let mut qualifiers = Vec::new();
        let mut parent = l.parent;
        while let Some(p) = parent {
            if py.first_word(p) == b"class" {
                let pl = &py.lines[p];
                if let Some(j) = (pl.first..=pl.last).find(|&j| cx.is(j, "class")) {
                    if j < pl.last && cx.is_ident(j + 1) {
                        qualifiers.push(String::from_utf8_lossy(cx.text(j + 1)).into_owned());
                    }
                }
            }
            parent = py.lines[p].parent;
        }
        let mut first = l.line;
        let mut d = k;
        while d > 0
            && py.lines[d - 1].indent == l.indent
            && cx.is(py.lines[d - 1].first, "@")
            && py.lines[d - 1].parent == l.parent
        {
            d -= 1;
            first = py.lines[d].line;
        }
        let span = py.block_span(k);
        let last = span.map_or(l.end_line, |s| s.1.max(l.end_line));
        let mut def = Definition {
            kind,
            name,
            qualifiers,
            first,
            last,
            body_span: Some(span.unwrap_or((l.end_line, l.end_line))),
            body: None,
            wrapper: false,
            // A def or class statement owns its lines: nothing may follow a block on its last line.
            standalone: true,
            parent: l
                .parent
                .filter(|&p| py.first_word(p) == b"def")
                .and_then(|p| def_at.get(&p).copied()),
            within: Vec::new(),
        };
        if let Some((bf, bl)) = span {
            let lo = t[py.lines[*l.children.first().unwrap_or(&k)].first].start as usize;
            let hi = t[py.lines[l.block_end - 1].last].end as usize;
            if kind == DefKind::Function {
                let nested =
                    fn_starts.partition_point(|&s| s < hi) - fn_starts.partition_point(|&s| s < lo);
                let node_start = t[l.first].start;
                let broken = toks.unmatched.iter().any(|&u| {
                    t[u as usize].start >= node_start && (t[u as usize].end as usize) <= hi
                });
                if (broken && nested > 0)
                    || (nested >= 2 && (bl - bf) as f64 > WRAPPER_SHARE * total as f64)
                {
                    def.wrapper = true;
                }
            }
            if !def.wrapper {
                def.body = py.body(k);
            }
        }
        out.definitions.push(def);
    }

    out.comments = extras::comment_runs(src, &toks.comments, "#", &out.definitions);

    // Literals: dictionaries, sets, lists and tuples anywhere.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for i in 0..t.len() {
        if t[i].kind == Kind::Open
            && t[i].mate != super::lex::NONE
            && (t[i].mate as usize) > i
            && is_literal(cx, i)
        {
            groups.push((t[i].start as usize, t[t[i].mate as usize].end as usize));
        }
    }
    out.literals = extras::literals(src, &groups, &fn_starts, true);

    // Bodies of top-level statements that define nothing (`if __name__ == "__main__":`).
    for k in 0..py.lines.len() {
        let l = &py.lines[k];
        if l.parent.is_some() || !l.opens {
            continue;
        }
        let word = py.first_word(k);
        if !matches!(
            word,
            b"if"
                | b"elif"
                | b"else"
                | b"for"
                | b"while"
                | b"with"
                | b"try"
                | b"except"
                | b"finally"
        ) {
            continue;
        }
        let Some((first, last)) = py.block_span(k) else {
            continue;
        };
        if last + 1 < first + MIN_MODULE_BLOCK_LINES || first <= l.line {
            continue;
        }
        let lo = t[py.lines[l.children[0]].first].start as usize;
        let hi = t[py.lines[l.block_end - 1].last].end as usize;
        if extras::contains(&def_starts, lo, hi) || !src.rest_is_comment(hi, b"#") {
            continue;
        }
        out.literals.push(Elision::new(
            first,
            last,
            format!("{}...  # ", src.indent(first)),
            "",
        ));
    }

    // Docstring tails of the module and of each class.
    let mut tails = vec![py.docstring_tail(None)];
    tails.extend(
        defs.iter()
            .filter(|d| d.1 == DefKind::Container)
            .map(|&(k, _)| py.docstring_tail(Some(k))),
    );
    out.literals.extend(tails.into_iter().flatten());
    out.literals
        .sort_by_key(|e| (e.first, std::cmp::Reverse(e.last)));

    out.runs = runs(&py, toks);
    out
}

/// Whether the bracket at `i` is a dict, set, list or tuple display, or strings in parentheses
/// (not a call, an index, a parameter list, an import list or a comprehension).
fn is_literal(cx: &Cx, i: usize) -> bool {
    let c = cx.src.bytes[cx.toks[i].start as usize];
    let close = cx.mate(i);
    let prev = cx.back(i);
    let operand = prev.is_some_and(|p| match cx.kind(p) {
        Kind::Ident => !is_py_keyword(cx.text(p)),
        Kind::Number | Kind::Str | Kind::Close => true,
        Kind::Open => cx.unit_end(p) != p,
        _ => false,
    });
    if c != b'{' && operand {
        return false;
    }
    if prev.is_some_and(|p| cx.is(p, "import")) {
        return false;
    }
    // Comprehensions and generators: a `for` at the top level inside.
    let mut j = i + 1;
    let mut comma = false;
    // Adjacent strings in parentheses are one string (a codec's 256-entry decoding table).
    let mut strings = 0usize;
    let mut only_strings = true;
    while j < close {
        if cx.is(j, "for") {
            return false;
        }
        if cx.is(j, ",") {
            comma = true;
        }
        if cx.kind(j) == Kind::Str {
            strings += 1;
        } else {
            only_strings = false;
        }
        j = cx.unit_end(j) + 1;
    }
    c != b'(' || comma || close == i + 1 || (only_strings && strings >= 2)
}

fn is_py_keyword(w: &[u8]) -> bool {
    const KW: &[&[u8]] = &[
        b"and", b"as", b"assert", b"await", b"del", b"elif", b"else", b"except", b"for", b"from",
        b"if", b"in", b"is", b"lambda", b"not", b"or", b"return", b"while", b"with", b"yield",
        b"import", b"print", b"case", b"match",
    ];
    KW.contains(&w)
}

/// Runs of one-line statements in the module, class bodies and top-level blocks.
fn runs(py: &Py, toks: &Tokens) -> Vec<super::Run> {
    let cx = &py.cx;
    let src = cx.src;
    let t = &toks.toks;
    let mut out = Vec::new();
    // Blocks to search: the module, then blocks of non-function statements, a few levels down.
    let mut blocks: Vec<(Option<usize>, usize)> = vec![(None, 0)];
    let mut at = 0;
    while at < blocks.len() {
        let (k, depth) = blocks[at];
        at += 1;
        let members: Vec<usize> = match k {
            None => (0..py.lines.len())
                .filter(|&j| py.lines[j].parent.is_none())
                .collect(),
            Some(k) => py.lines[k].children.clone(),
        };
        if depth + 1 < RUN_DEPTH {
            for &m in &members {
                if py.lines[m].opens && py.first_word(m) != b"def" {
                    blocks.push((Some(m), depth + 1));
                }
            }
        }
        if members.len() < 12 {
            continue;
        }
        let lo = k.map_or(0, |k| py.lines[k].line + 1);
        let mut children: Vec<Child> = Vec::new();
        let mut comments = toks
            .comments
            .iter()
            .skip_while(|c| (c.line as usize) < lo)
            .peekable();
        for &m in &members {
            let l = &py.lines[m];
            while let Some(c) = comments.next_if(|c| (c.line as usize) < l.line) {
                children.push(Child {
                    first: c.line as usize,
                    last: c.end_line as usize,
                    comment: true,
                    single: false,
                    kind: 0,
                });
            }
            let end = if l.block_end > m + 1 {
                py.lines[l.block_end - 1].end_line
            } else {
                l.end_line
            };
            while comments.next_if(|c| (c.line as usize) <= end).is_some() {}
            let rest = src.after_on_line(t[l.last].end as usize).trim_ascii();
            let word = py.first_word(m);
            let import = word == b"import" || word == b"from";
            let single = l.line == l.end_line
                && l.block_end <= m + 1
                && matches!(rest, b"" | b";")
                && !import;
            let kind = if matches!(
                word,
                b"def" | b"class" | b"if" | b"for" | b"while" | b"with" | b"try" | b"@"
            ) {
                extras::kind_key(&[word])
            } else {
                extras::kind_key(&[b"expr"])
            };
            children.push(Child {
                first: l.line,
                last: end,
                comment: false,
                single,
                kind,
            });
        }
        extras::runs_among(&children, src, true, &mut out);
    }
    out.sort_by_key(|r| r.items[0]);
    out
}
