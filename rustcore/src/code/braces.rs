//! The outline of a brace language (JavaScript, TypeScript, Go, Rust, Java, C, C++): one pass over
//! the tokens, each bracket classified by the tokens before it within the block that holds it.

use super::extras::{self, Child};
use super::headers::{Class, Ctx, Cx, Found};
use super::lex::{Kind, Tokens, NONE};
use super::{DefKind, Definition, Lang, Outline, Source};

/// A function whose body holds most of the file and other functions is a wrapper (UMD, IIFE).
const WRAPPER_SHARE: f64 = 0.5;
/// How deep (in blocks) runs of one-line siblings are looked for.
const RUN_DEPTH: usize = 4;

struct Frame {
    open: usize,
    close: usize,
    /// A function's body, or a block of statements inside one.
    function: bool,
    statements: bool,
    ctx: Ctx,
    /// The name of the container whose body this is.
    container: Option<String>,
    /// Blocks outside functions whose members the run search looks at.
    searchable: bool,
}

struct Raw {
    kind: DefKind,
    found: Found,
    body_open: usize,
    qualifiers: Vec<String>,
    /// Declared where statements or members stand (the file, a class body, a function body).
    declared: bool,
    /// Where it stands (see [`placement`]).
    place: Place,
}

/// A function whose body is an expression (`const f = (a) => a + 1;`): its binding and the last
/// token of its statement.
struct ExprFn {
    found: Found,
    end: usize,
    qualifiers: Vec<String>,
    declared: bool,
    place: Place,
}

/// The bracket opening the function body that holds a definition among its statements (or the
/// bracket of the block holding it, when that is no function's), and the statement blocks
/// between them (opening and closing brackets).
type Place = (Option<usize>, Vec<(usize, usize)>);

fn placement(stack: &[Frame]) -> Place {
    let mut chain = Vec::new();
    for f in stack.iter().rev() {
        if f.function {
            return (Some(f.open), chain);
        }
        if !f.statements {
            break;
        }
        chain.push((f.open, f.close));
    }
    (stack.last().map(|f| f.open), Vec::new())
}

pub(super) fn outline(src: &Source, toks: &Tokens, lang: Lang) -> Outline {
    let cx = Cx {
        src,
        toks: &toks.toks,
        lang,
    };
    let t = &toks.toks;
    let mut raws: Vec<Raw> = Vec::new();
    let mut data_groups: Vec<(usize, usize)> = Vec::new();
    let mut run_groups: Vec<(usize, usize)> = Vec::new();
    let mut headers: Vec<(usize, usize)> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut expr_fns: Vec<ExprFn> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let tok = &t[i];
        if lang.is_js() && tok.kind == Kind::Punct && cx.is(i, "=>") {
            let ctx = stack.last().map_or(Ctx::File, |f| f.ctx);
            if let Some(found) = cx.js_expression_arrow(i, ctx) {
                expr_fns.push(ExprFn {
                    found,
                    end: expression_end(&cx, i),
                    qualifiers: containers(&stack),
                    declared: matches!(ctx, Ctx::File | Ctx::Class | Ctx::Func),
                    place: placement(&stack),
                });
            }
        }
        if tok.kind == Kind::Close {
            if stack.last().is_some_and(|f| f.close == i) {
                stack.pop();
            }
            i += 1;
            continue;
        }
        if tok.kind != Kind::Open || tok.mate == NONE || (tok.mate as usize) < i {
            i += 1;
            continue;
        }
        let close = tok.mate as usize;
        let ctx = stack.last().map_or(Ctx::File, |f| f.ctx);
        let in_reach = stack.last().is_none_or(|f| f.searchable) && stack.len() < RUN_DEPTH;
        let brace = src.bytes[tok.start as usize] == b'{';
        let class = cx.classify(i, ctx);
        let function = matches!(class, Class::Function(_));
        let statements = matches!(class, Class::Block) && brace && ctx == Ctx::Func;
        let (inner, container, searchable) = match class {
            Class::Function(found) => {
                headers.push((found.node_start, i));
                raws.push(Raw {
                    kind: DefKind::Function,
                    found,
                    body_open: i,
                    qualifiers: containers(&stack),
                    declared: matches!(ctx, Ctx::File | Ctx::Class | Ctx::Func),
                    place: placement(&stack),
                });
                (Ctx::Func, None, false)
            }
            Class::Container(found) => {
                headers.push((found.node_start, i));
                let name = found.path.last().cloned();
                raws.push(Raw {
                    kind: DefKind::Container,
                    found,
                    body_open: i,
                    qualifiers: containers(&stack),
                    declared: matches!(ctx, Ctx::File | Ctx::Class | Ctx::Func),
                    place: placement(&stack),
                });
                (Ctx::Class, Some(name.unwrap_or_default()), true)
            }
            Class::Data => {
                data_groups.push((tok.start as usize, t[close].end as usize));
                (Ctx::Data, None, false)
            }
            Class::Members => (Ctx::Class, None, ctx != Ctx::Func),
            Class::Opaque => {
                i = close + 1;
                continue;
            }
            Class::Block => {
                let inner = match ctx {
                    Ctx::Func => Ctx::Func,
                    Ctx::Class if brace && lang != Lang::Cpp => Ctx::Func,
                    Ctx::File | Ctx::Class if brace => Ctx::File,
                    Ctx::Data => Ctx::Data,
                    _ => Ctx::Other,
                };
                (inner, None, inner != Ctx::Func && inner != Ctx::Data)
            }
        };
        if searchable && in_reach {
            run_groups.push((i, close));
        }
        stack.push(Frame {
            open: i,
            close,
            function,
            statements,
            ctx: inner,
            container,
            searchable: searchable && in_reach,
        });
        i += 1;
    }
    let mut out = Outline::default();
    let (fn_starts, mut opens) = assemble(&cx, toks, raws, &mut out);
    for f in expr_fns {
        opens.push((None, f.place.clone()));
        out.definitions.push(expression_function(&cx, f));
    }
    if lang.is_c() {
        for d in declarations(&cx, toks, &run_groups) {
            out.definitions.push(d);
            opens.push((None, (None, Vec::new())));
        }
    }
    link_parents(&cx, &mut out.definitions, opens);
    let line_comment = if lang == Lang::Python { "#" } else { "//" };
    out.comments = extras::comment_runs(src, &toks.comments, line_comment, &out.definitions);
    data_groups.sort_by_key(|&(s, e)| (s, std::cmp::Reverse(e)));
    out.literals = extras::literals(src, &data_groups, &fn_starts, false);
    headers.sort_unstable();
    run_groups.retain(|&(open, _)| !in_header(&headers, open));
    out.runs = runs(&cx, toks, &run_groups);
    out
}

fn containers(stack: &[Frame]) -> Vec<String> {
    stack
        .iter()
        .rev()
        .filter_map(|f| f.container.clone())
        .filter(|n| !n.is_empty())
        .collect()
}

fn in_header(headers: &[(usize, usize)], open: usize) -> bool {
    let at = headers.partition_point(|&(s, _)| s <= open);
    headers[..at]
        .iter()
        .rev()
        .take(8)
        .any(|&(s, e)| s <= open && open < e)
}

/// Sorts `defs` by first line (longest first) and links each to the function whose body holds it
/// directly: `opens` holds each definition's body bracket (a function's) and the bracket of the block
/// that holds it.
fn link_parents(cx: &Cx, defs: &mut Vec<Definition>, opens: Vec<(Option<usize>, Place)>) {
    let mut order: Vec<usize> = (0..defs.len()).collect();
    order.sort_by_key(|&k| (defs[k].first, std::cmp::Reverse(defs[k].last), k));
    let mut taken: Vec<Option<Definition>> = std::mem::take(defs).into_iter().map(Some).collect();
    let mut bodies: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (at, &k) in order.iter().enumerate() {
        if let (Some(open), Some(d)) = (opens[k].0, &taken[k]) {
            if d.kind == DefKind::Function {
                bodies.insert(open, at);
            }
        }
    }
    for &k in &order {
        let Some(mut d) = taken[k].take() else {
            continue;
        };
        let (open, chain) = &opens[k].1;
        d.parent = open.and_then(|p| bodies.get(&p).copied());
        if d.parent.is_some() {
            let t = cx.toks;
            d.within = chain
                .iter()
                .map(|&(o, c)| (t[o].line as usize, t[c].line as usize))
                .collect();
        }
        defs.push(d);
    }
}

/// The definition of a function whose body is an expression: from its binding to the end of its
/// statement, with no body to elide.
fn expression_function(cx: &Cx, f: ExprFn) -> Definition {
    let t = cx.toks;
    let src = cx.src;
    let mut end = f.end;
    if cx.is(end + 1, ";") && t[end + 1].line == t[end].end_line {
        end += 1;
    }
    let (name, qualifiers) = names(&f.found, &f.qualifiers);
    let start = t[f.found.extent_start].start as usize;
    bodyless(
        name,
        qualifiers,
        (
            t[f.found.extent_start].line as usize,
            t[end].end_line as usize,
        ),
        f.declared
            && f.found.statement
            && src.starts_line(start)
            && src.rest_is_comment(t[end].end as usize, b"//"),
    )
}

/// A function definition without a body (a prototype, a `#define`): its name and lines, and whether it stands
/// alone on its lines.
fn bodyless(
    name: String,
    qualifiers: Vec<String>,
    (first, last): (usize, usize),
    standalone: bool,
) -> Definition {
    Definition {
        kind: DefKind::Function,
        name,
        qualifiers,
        first,
        last,
        body_span: None,
        body: None,
        wrapper: false,
        standalone,
        parent: None,
        within: Vec::new(),
    }
}

/// The last token of the expression that starts after `arrow`: up to a `;` or `,` at its level, the
/// end of the enclosing group, or a line break after a token that can end a statement before one
/// that does not carry it on.
fn expression_end(cx: &Cx, arrow: usize) -> usize {
    let t = cx.toks;
    let mut last = arrow;
    let mut k = arrow + 1;
    while k < t.len() {
        if t[k].kind == Kind::Close || cx.is_any(k, &[";", ","]) {
            break;
        }
        if last > arrow
            && t[k].line > t[last].end_line
            && ends_statement(cx, last)
            && !continues(cx, k)
        {
            break;
        }
        last = cx.unit_end(k);
        k = last + 1;
    }
    last
}

/// Fills in the definitions; returns where the functions start (bytes, sorted), and for each
/// definition its body's bracket and the bracket of the block that holds it.
fn assemble(
    cx: &Cx,
    toks: &Tokens,
    mut raws: Vec<Raw>,
    out: &mut Outline,
) -> (Vec<usize>, Vec<(Option<usize>, Place)>) {
    let src = cx.src;
    let t = &toks.toks;
    raws.sort_by_key(|r| {
        let close = t[r.body_open].mate as usize;
        (t[r.found.node_start].start, std::cmp::Reverse(t[close].end))
    });
    let named: Vec<usize> = raws
        .iter()
        .filter(|r| {
            r.kind == DefKind::Function && !(r.found.path.is_empty() && r.found.bound.is_empty())
        })
        .map(|r| t[r.found.node_start].start as usize)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let fn_starts: Vec<usize> = raws
        .iter()
        .filter(|r| r.kind == DefKind::Function)
        .map(|r| t[r.found.node_start].start as usize)
        .collect();
    let lines = src.len();
    let mut opens = Vec::with_capacity(raws.len());
    for raw in raws {
        opens.push((Some(raw.body_open), raw.place.clone()));
        let f = &raw.found;
        let close = t[raw.body_open].mate as usize;
        let mut end_tok = close;
        if f.statement
            && close + 1 < t.len()
            && cx.is(close + 1, ";")
            && t[close + 1].line == t[close].end_line
        {
            end_tok = close + 1;
        }
        let first = t[f.extent_start].line as usize;
        let last = t[end_tok].end_line as usize;
        let body_open = t[raw.body_open].start as usize;
        let body_close = t[close].end as usize;
        let body_span = (t[raw.body_open].line as usize, t[close].end_line as usize);
        let (name, qualifiers) = names(f, &raw.qualifiers);
        let extent_start = t[f.extent_start].start as usize;
        let extent_end = t[end_tok].end as usize;
        // What follows on a later line must not carry on the same expression (`.call(this)`, `(...)`).
        let carries_on = t.get(end_tok + 1).is_some_and(|n| match n.kind {
            Kind::Punct => !cx.is_any(end_tok + 1, &["#", "@", ";"]),
            Kind::Open => !cx.is_group(end_tok + 1, b'{'),
            _ => false,
        });
        let standalone = raw.declared
            && src.starts_line(extent_start)
            && src.rest_is_comment(extent_end, b"//")
            && !carries_on;
        let mut d = Definition {
            kind: raw.kind,
            name,
            qualifiers,
            first,
            last,
            body_span: Some(body_span),
            body: None,
            wrapper: false,
            standalone,
            parent: None,
            within: Vec::new(),
        };
        let brace = src.bytes[body_open] == b'{';
        if raw.kind == DefKind::Function {
            let nested = named.partition_point(|&s| s < body_close)
                - named.partition_point(|&s| s <= body_open);
            let node_start = t[f.node_start].start;
            let broken = toks.unmatched.iter().any(|&u| {
                t[u as usize].start >= node_start && (t[u as usize].end as usize) <= body_close
            });
            let share = (body_span.1 - body_span.0) as f64 > WRAPPER_SHARE * lines as f64;
            if (broken && nested > 0) || (nested >= 2 && share) {
                d.wrapper = true;
            }
        }
        if brace && !d.wrapper {
            d.body = extras::brace_body(src, body_open, body_close);
        }
        out.definitions.push(d);
    }
    (fn_starts, opens)
}

/// A definition's name and the names that qualify it (its own path's head, the binding's head, a
/// receiver, then the enclosing containers, innermost first).
pub(super) fn names(f: &Found, containers: &[String]) -> (String, Vec<String>) {
    let own = !f.path.is_empty();
    let path: Vec<String> = if own {
        f.path.iter().take(4).cloned().collect()
    } else {
        f.bound.clone()
    };
    let mut qualifiers: Vec<String> = path[..path.len().saturating_sub(1)].to_vec();
    if own && f.bound.len() > 1 {
        for q in &f.bound[..f.bound.len() - 1] {
            if !qualifiers.contains(q) {
                qualifiers.push(q.clone());
            }
        }
    }
    if let Some(r) = &f.receiver {
        qualifiers.push(r.clone());
    }
    qualifiers.extend(containers.iter().cloned());
    (path.last().cloned().unwrap_or_default(), qualifiers)
}

/// Runs of one-line siblings among the members of the blocks in `groups` and of the file.
/// Words before a bracket that do not name what a C declaration declares.
const NOT_DECLARED: &[&str] = &[
    "__attribute__",
    "__attribute",
    "__asm__",
    "__asm",
    "asm",
    "__declspec",
    "sizeof",
    "_Static_assert",
    "static_assert",
    "decltype",
    "alignas",
    "_Alignas",
    "__typeof__",
    "typeof",
    "int",
    "void",
    "char",
    "short",
    "long",
    "float",
    "double",
    "signed",
    "unsigned",
    "const",
    "volatile",
    "if",
    "while",
    "for",
    "switch",
];

/// C and C++ function declarations (prototypes) and macros (`#define NAME`) at file scope, in
/// `extern "C" { }` blocks and in namespaces, as definitions without a body: a header is mostly these, and a question
/// names one of them.
fn declarations(cx: &Cx, toks: &Tokens, groups: &[(usize, usize)]) -> Vec<Definition> {
    let t = &toks.toks;
    let mut spans: Vec<(usize, usize)> = vec![(0, t.len())];
    spans.extend(
        groups
            .iter()
            .filter(|&&(o, _)| {
                cx.back(o).is_some_and(|s| {
                    cx.kind(s) == Kind::Str && cx.back(s).is_some_and(|e| cx.is(e, "extern"))
                }) || namespace_body(cx, o)
            })
            .map(|&(o, c)| (o + 1, c)),
    );
    let mut out = Vec::new();
    for (lo, hi) in spans {
        let mut u = lo;
        let mut first = lo;
        let mut name: Option<usize> = None;
        let mut plain = true;
        while u < hi {
            if let Some(name) = macro_name(cx.text(u)).filter(|_| cx.kind(u) == Kind::Directive) {
                let (a, b) = (t[u].start as usize, t[u].end as usize);
                out.push(bodyless(
                    name,
                    Vec::new(),
                    (t[u].line as usize, t[u].end_line as usize),
                    cx.src.starts_line(a) && cx.src.rest_is_comment(b, b"//"),
                ));
            }
            if cx.kind(u) == Kind::Directive || cx.is_group(u, b'{') || cx.is(u, "=") {
                plain = false;
            }
            if u == first && cx.is_any(u, &["typedef", "using", "template", "return"]) {
                plain = false;
            }
            if name.is_none() && cx.is_group(u, b'(') && u > first {
                name = cx
                    .back(u)
                    .filter(|&b| cx.is_ident(b) && !cx.is_any(b, NOT_DECLARED));
            }
            let end = cx.unit_end(u);
            let closes = cx.is(u, ";") || cx.kind(u) == Kind::Directive || cx.is_group(u, b'{');
            if closes {
                if let (true, Some(n), true) = (plain, name, cx.is(u, ";")) {
                    let (a, b) = (t[first].start as usize, t[u].end as usize);
                    out.push(bodyless(
                        String::from_utf8_lossy(cx.text(n)).into_owned(),
                        Vec::new(),
                        (t[first].line as usize, t[u].end_line as usize),
                        cx.src.starts_line(a) && cx.src.rest_is_comment(b, b"//"),
                    ));
                }
                first = end + 1;
                name = None;
                plain = true;
            }
            u = end + 1;
        }
    }
    out
}

/// Whether the brace at `o` opens a C++ namespace (`namespace a::b {`, `namespace {`).
fn namespace_body(cx: &Cx, o: usize) -> bool {
    let mut at = o;
    for _ in 0..16 {
        let Some(u) = cx.back(at) else { return false };
        if cx.is(u, "namespace") {
            return true;
        }
        if !(cx.is_ident(u) || cx.is(u, "::")) {
            return false;
        }
        at = u;
    }
    false
}

/// The name a `#define` directive defines.
fn macro_name(directive: &[u8]) -> Option<String> {
    let rest = directive.strip_prefix(b"#")?.trim_ascii_start();
    let rest = rest.strip_prefix(b"define")?;
    if !rest.first().is_some_and(u8::is_ascii_whitespace) {
        return None;
    }
    let rest = rest.trim_ascii_start();
    let len = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    (len > 0 && !rest[0].is_ascii_digit())
        .then(|| String::from_utf8_lossy(&rest[..len]).into_owned())
}

fn runs(cx: &Cx, toks: &Tokens, groups: &[(usize, usize)]) -> Vec<super::Run> {
    let mut out = Vec::new();
    let t = &toks.toks;
    let mut spans: Vec<(usize, usize)> = vec![(0, t.len())];
    spans.extend(groups.iter().map(|&(o, c)| (o + 1, c)));
    for (lo, hi) in spans {
        if hi <= lo || hi - lo < 12 {
            continue;
        }
        let children = children(cx, toks, lo, hi);
        extras::runs_among(&children, cx.src, false, &mut out);
    }
    out.sort_by_key(|r| r.items[0]);
    out
}

const IMPORTS: &[&str] = &["import", "use", "package", "extern", "from"];
const KEYWORDS: &[&str] = &[
    "const",
    "let",
    "var",
    "static",
    "type",
    "typedef",
    "using",
    "func",
    "fn",
    "mod",
    "struct",
    "enum",
    "class",
    "interface",
    "trait",
    "impl",
    "export",
    "return",
    "friend",
    "template",
    "namespace",
    "case",
    "default",
    "public:",
    "private:",
    "protected:",
];

/// The members of the block `lo..hi` (token indexes at its level), with the comments between them.
fn children(cx: &Cx, toks: &Tokens, lo: usize, hi: usize) -> Vec<Child> {
    let t = &toks.toks;
    let src = cx.src;
    let mut out: Vec<Child> = Vec::new();
    let start_byte = t[lo.min(t.len() - 1)].start as usize;
    let end_byte = if hi < t.len() {
        t[hi].start as usize
    } else {
        src.bytes.len()
    };
    let mut comments = toks
        .comments
        .iter()
        .skip(
            toks.comments
                .partition_point(|c| (c.start as usize) < start_byte),
        )
        .take_while(|c| (c.end as usize) <= end_byte)
        .peekable();
    let mut u = lo;
    while u < hi {
        // One member: units up to a separator, or to a line break that ends a statement.
        let first = u;
        let mut k = u;
        let last = loop {
            let end = cx.unit_end(k);
            let next = end + 1;
            if cx.is_any(k, &[";", ","]) || next >= hi {
                break end;
            }
            if t[next].line > t[end].end_line && ends_statement(cx, end) && !continues(cx, next) {
                break end;
            }
            if cx.kind(k) == Kind::Directive {
                break end;
            }
            k = next;
        };
        while let Some(c) = comments.next_if(|c| c.start < t[first].start) {
            out.push(Child {
                first: c.line as usize,
                last: c.end_line as usize,
                comment: true,
                single: false,
                kind: 0,
            });
        }
        let body_end = if cx.is_any(last, &[";", ","]) && last > first {
            last - 1
        } else {
            last
        };
        let (l0, l1) = (t[first].line as usize, t[body_end].end_line as usize);
        let rest = src.after_on_line(t[body_end].end as usize).trim_ascii();
        let alone = src.starts_line(t[first].start as usize) && matches!(rest, b"" | b"," | b";");
        let import = cx.is_any(first, IMPORTS)
            || cx.kind(first) == Kind::Directive
                && cx.text(first).windows(7).any(|w| w == b"include")
            || first > 0 && cx.back(first).is_none() && first >= 2 && cx.is(first - 2, "import");
        let single = l0 == l1 && alone && !import && !cx.is_any(first, &[";", ","]);
        out.push(Child {
            first: l0,
            last: t[last].end_line as usize,
            comment: false,
            single,
            kind: member_kind(cx, first, body_end),
        });
        // Comments inside the member are its own.
        while comments.next_if(|c| c.end <= t[last].end).is_some() {}
        u = last + 1;
    }
    for c in comments {
        out.push(Child {
            first: c.line as usize,
            last: c.end_line as usize,
            comment: true,
            single: false,
            kind: 0,
        });
    }
    out
}

fn ends_statement(cx: &Cx, u: usize) -> bool {
    match cx.kind(u) {
        Kind::Ident | Kind::Number | Kind::Str | Kind::Close | Kind::Directive => true,
        Kind::Punct => cx.is_any(u, &["++", "--", ";", ","]),
        Kind::Open => false,
    }
}

fn continues(cx: &Cx, u: usize) -> bool {
    cx.kind(u) == Kind::Punct
        && !cx.is_any(u, &["#", "@", "*", "&", "!", "~", "++", "--", "-", "["])
}

fn member_kind(cx: &Cx, first: usize, last: usize) -> u64 {
    if cx.kind(first) == Kind::Directive {
        let text = cx.text(first);
        let name: Vec<u8> = text[1..]
            .iter()
            .copied()
            .skip_while(|c| c.is_ascii_whitespace())
            .take_while(u8::is_ascii_alphabetic)
            .collect();
        return extras::kind_key(&[b"#", &name]);
    }
    let mut k = first;
    while k < last
        && cx.is_any(
            k,
            &[
                "pub",
                "public",
                "private",
                "protected",
                "export",
                "static",
                "final",
            ],
        )
    {
        k = cx.unit_end(k) + 1;
    }
    if cx.is_any(k, KEYWORDS) {
        return extras::kind_key(&[cx.text(k)]);
    }
    if cx.is(k, "#") {
        return extras::kind_key(&[b"#attr"]);
    }
    let mut j = k;
    let mut shape: &[u8] = b"expr";
    while j <= last {
        if cx.is_group(j, b'{') {
            shape = b"block";
            break;
        }
        j = cx.unit_end(j) + 1;
    }
    extras::kind_key(&[shape])
}
