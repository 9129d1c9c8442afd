//! Outline tests: the tokenizer on each language's tricky literals, the outline of one small file
//! per language, the plan's guarantees, and properties over arbitrary text.

use proptest::prelude::*;

use super::lex::{lex, Kind, NONE};
use super::plan::{Plan, Planner, Query};
use super::*;

const ALL: [Lang; 10] = [
    Lang::Python,
    Lang::JavaScript,
    Lang::TypeScript,
    Lang::Tsx,
    Lang::Go,
    Lang::Rust,
    Lang::Java,
    Lang::C,
    Lang::Cpp,
    Lang::Shell,
];

/// The brackets the tokenizer sees, as a string: what strings and comments must hide.
fn brackets(text: &str, lang: Lang) -> String {
    let src = Source::new(text);
    let toks = lex(&src, lang);
    toks.toks
        .iter()
        .filter(|t| matches!(t.kind, Kind::Open | Kind::Close))
        .map(|t| text.as_bytes()[t.start as usize] as char)
        .collect()
}

fn problems(text: &str, lang: Lang) -> usize {
    lex(&Source::new(text), lang).problems
}

fn named(o: &Outline) -> Vec<(&str, Vec<&str>)> {
    o.definitions
        .iter()
        .map(|d| {
            (
                d.name.as_str(),
                d.qualifiers.iter().map(String::as_str).collect(),
            )
        })
        .collect()
}

fn def<'a>(o: &'a Outline, name: &str) -> &'a Definition {
    o.definitions
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn brackets_inside_strings_and_comments_are_not_brackets() {
    let cases: [(Lang, &str, &str); 12] = [
        (
            Lang::Python,
            "s = '({[' + \"\"\"\n}\n\"\"\"  # )\nf(x)\n",
            "()",
        ),
        (Lang::Python, "f\"{x['a']}{{literal}}\" + f'{y:{w}}'\n", ""),
        (Lang::Python, "f\"{d[\"k\"]}\"\n", ""),
        (
            Lang::JavaScript,
            "const t = `a ${ {b: '}'}.b } c`; // }\n",
            "",
        ),
        (
            Lang::JavaScript,
            "if (x) /[}]/.test(s); y = a / b / (c);\n",
            "()()()",
        ),
        (
            Lang::Tsx,
            "const e = <p title=\"{\">Don't {go} here</p>;\n",
            "",
        ),
        (
            Lang::Rust,
            "let s = r#\"{\"#; let c = '{'; fn f<'a>(x: &'a str) {}\n",
            "<>(){}",
        ),
        (Lang::Rust, "/* outer /* inner } */ still */ x\n", ""),
        (
            Lang::Cpp,
            "auto s = R\"x({)\")x\"; int n = 1'000'000; char c = '}';\n",
            "",
        ),
        (Lang::Go, "s := `{\n}` + \"}\" + string('}')\n", "()"),
        (
            Lang::Java,
            "String s = \"\"\"\n{\n\"\"\"; char c = '}';\n",
            "",
        ),
        (
            Lang::C,
            "#define OPEN {\n#if 0\nvoid f() {\n#endif\nint x;\n",
            "",
        ),
    ];
    for (lang, text, expected) in cases {
        let seen = brackets(text, lang).replace(['<', '>'], "");
        assert_eq!(seen, expected.replace(['<', '>'], ""), "{lang:?}: {text:?}");
        assert_eq!(problems(text, lang), 0, "{lang:?}: {text:?}");
    }
}

#[test]
fn conditional_compilation_keeps_one_branch_of_each_if() {
    let text = "#ifdef A\nvoid f(int a) {\n#else\nvoid f(void) {\n#endif\n  return;\n}\n";
    assert_eq!(brackets(text, Lang::C), "(){}");
    let dead = "#if 0\nbroken {\n#else\nint g(void) {\n#endif\n  return 0;\n}\n";
    assert_eq!(brackets(dead, Lang::C), "(){}");
    assert_eq!(problems(dead, Lang::C), 0);
}

#[test]
fn an_unclosed_bracket_or_string_is_a_problem() {
    assert_eq!(problems("def f(:\n    return )\n", Lang::Python), 0);
    assert!(problems("x = (1,\n", Lang::Python) > 0);
    assert!(problems("s = \"open\n", Lang::Go) > 0);
    assert!(problems("fn f() { {\n", Lang::Rust) > 0);
}

#[test]
fn python_outline_names_methods_by_their_class_and_keeps_docstring_heads() {
    let src = "class A:\n    \"\"\"Doc.\n\n    More.\n    Even more.\n    \"\"\"\n\n    @property\n    def run(self, x):\n        \"\"\"Run it.\"\"\"\n        y = x\n        return y\n";
    let o = outline(src, Lang::Python);
    assert_eq!(named(&o), vec![("A", vec![]), ("run", vec!["A"])]);
    let run = def(&o, "run");
    assert_eq!((run.first, run.last), (7, 11));
    let body = run.body.as_ref().expect("a body");
    assert_eq!(
        (body.first, body.last, body.before.as_str()),
        (10, 11, "        ...  # ")
    );
    let tail = o
        .literals
        .iter()
        .find(|e| e.first == 2)
        .expect("the class docstring's tail");
    assert_eq!((tail.last, tail.before.as_str()), (4, "    "));
}

#[test]
fn a_multi_line_docstring_is_cut_after_its_head_and_closed_by_the_glue() {
    let src = "def f():\n    \"\"\"Head.\n\n    Detail.\n    \"\"\"\n    x = 1\n    return x\n";
    let o = outline(src, Lang::Python);
    let body = def(&o, "f").body.as_ref().expect("a body");
    assert_eq!((body.first, body.last), (2, 6));
    assert_eq!(
        (body.before.as_str(), body.after.as_str()),
        ("    ", "\"\"\"")
    );
}

#[test]
fn each_brace_language_finds_its_functions_with_their_qualifiers() {
    let cases: [(Lang, &str, &str, &[&str]); 8] = [
        (Lang::Go, "func (s *Store) Get(key string) ([]byte, error) {\n\ta := 1\n\treturn nil, nil\n}\n", "Get", &["Store"]),
        (Lang::Rust, "impl<T> Display for Wrap<T> {\n    fn fmt(&self) -> u8 {\n        let a = 1;\n        a\n    }\n}\n", "fmt", &["Wrap"]),
        (Lang::JavaScript, "res.append = function append(field, val) {\n  var a = 1;\n  return a;\n};\n", "append", &["res"]),
        (Lang::TypeScript, "export class Cache<T> {\n  get(key: string): T | undefined {\n    const a = 1;\n    return undefined;\n  }\n}\n", "get", &["Cache"]),
        (Lang::Java, "public class Basket {\n    @Override\n    public int total(int a) throws IOException {\n        int s = 0;\n        return s;\n    }\n}\n", "total", &["Basket"]),
        (Lang::C, "static int\nbuffer_grow(struct buffer *b, size_t need)\n{\n    int x = 1;\n    return x;\n}\n", "buffer_grow", &[]),
        (Lang::Cpp, "namespace text {\nclass Splitter {\n public:\n  Splitter(char sep) : sep_(sep), n_{0} {\n    a();\n    b();\n  }\n};\n}\n", "Splitter", &["Splitter", "text"]),
        (Lang::Cpp, "auto Foo::bar(int a) const -> std::vector<int> {\n  int x = a;\n  return {x};\n}\n", "bar", &["Foo"]),
    ];
    for (lang, text, name, qualifiers) in cases {
        let o = outline(text, lang);
        let d = o
            .definitions
            .iter()
            .find(|d| d.kind == DefKind::Function && d.name == name)
            .unwrap_or_else(|| panic!("{lang:?}: no function {name} in {:?}", named(&o)));
        assert_eq!(
            d.qualifiers,
            qualifiers.iter().map(|q| q.to_string()).collect::<Vec<_>>(),
            "{lang:?}"
        );
        assert!(d.body.is_some(), "{lang:?}: {name} has no elidable body");
        assert!(d.standalone, "{lang:?}: {name} should stand alone");
    }
}

#[test]
fn a_callback_is_a_function_but_does_not_stand_alone() {
    let text = "app.get('/', function (req, res) {\n  var a = 1;\n  res.send(a);\n});\n";
    let o = outline(text, Lang::JavaScript);
    assert_eq!(o.definitions.len(), 1);
    assert!(!o.definitions[0].standalone);
}

#[test]
fn a_function_bound_to_a_name_inside_an_anonymous_callback_is_an_outline_entry() {
    let text = "app.use((req, res, next) => {\n  const parseBody = async (raw) => {\n    const t = raw.toString();\n    return JSON.parse(t);\n  };\n  next();\n});\n";
    let o = outline(text, Lang::JavaScript);
    let d = def(&o, "parseBody");
    assert!(d.standalone);
    assert!(d.body.is_some());
    assert_eq!(
        d.parent,
        Some(0),
        "linked to the callback, so its elided body goes around it"
    );
}

#[test]
fn long_literals_comment_tails_and_runs_are_outlined() {
    let items: String = (0..10).map(|i| format!("    \"item{i}\",\n")).collect();
    let py = format!("# One.\n# Two.\n# Three.\n# Four.\nNAMES = [\n{items}]\n");
    let o = outline(&py, Lang::Python);
    assert_eq!(o.comments.len(), 1);
    let tail = o.comments[0].tail.as_ref().expect("a tail");
    assert_eq!((tail.first, tail.last, tail.before.as_str()), (1, 3, "# "));
    let literal = o.literals.first().expect("a literal");
    assert_eq!(
        (literal.first, literal.last, literal.before.as_str()),
        (5, 14, "    # ")
    );

    let consts: String = (0..20)
        .map(|i| format!("pub const C{i}: u32 = {i};\n"))
        .collect();
    let o = outline(&format!("use std::fmt;\n\n{consts}"), Lang::Rust);
    assert_eq!(o.runs.len(), 1);
    assert_eq!(o.runs[0].items, (2..22).collect::<Vec<_>>());
}

fn planner_for<'a>(src: &'a Source<'a>, o: &'a Outline, lang: Lang) -> Planner<'a> {
    let line_tokens: Vec<usize> = (0..src.len()).map(|i| src.line(i).len() / 3 + 1).collect();
    Planner::new(src, o, lang, &line_tokens, 5)
}

#[test]
fn the_plan_keeps_the_named_function_whole_and_proves_its_own_ranges() {
    let text = "def a(x):\n    y = x * 2\n    z = y + 1\n    w = z - 3\n    return w * 100000\n\n\ndef b(x):\n    y = x * 2\n    z = y + 1\n    w = z - 3\n    return w * 100000\n";
    let src = Source::new(text);
    let o = outline(text, Lang::Python);
    let mut p = planner_for(&src, &o, Lang::Python);
    p.score(&Query {
        strong: vec!["b".into()],
        ..Query::default()
    });
    let (whole, named) = p.whole();
    assert!(named);
    assert_eq!(whole, vec![1]);
    let plan = p.plan(&whole, false, &[]);
    assert!(plan.proven);
    assert_eq!(
        plan.elisions
            .iter()
            .map(|e| (e.first, e.last))
            .collect::<Vec<_>>(),
        vec![(1, 4)]
    );
    assert_eq!(plan.kept.concat(), "def a(x):\n\n\ndef b(x):\n    y = x * 2\n    z = y + 1\n    w = z - 3\n    return w * 100000\n");
    let dropped = p
        .drop(&plan.elisions, plan.proven, 0.0, &whole)
        .expect("a drop");
    assert!(dropped.proven);
    assert_eq!(
        dropped
            .elisions
            .iter()
            .map(|e| (e.first, e.last))
            .collect::<Vec<_>>(),
        vec![(0, 4)]
    );
}

#[test]
fn a_body_cut_around_a_type_it_defines_is_not_proven() {
    let text = "void f() {\n  int a = 1;\n  int b = 2;\n  struct keeper {\n    int x;\n  };\n  int c = 3;\n  int d = 4;\n}\n";
    let src = Source::new(text);
    let o = outline(text, Lang::Cpp);
    let p = planner_for(&src, &o, Lang::Cpp);
    let plan = p.plan(&[], false, &[]);
    assert!(!plan.proven);
    assert!(plan.elisions.iter().all(|e| e.last < 3 || e.first > 5));
}

fn source_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "def f(a, b):\n",
        "    return a\n",
        "class C:\n",
        "    \"\"\"Doc.\n",
        "    \"\"\"\n",
        "fn g() {\n",
        "}\n",
        "{\n",
        "(\n",
        ")\n",
        "[\n",
        "]\n",
        "// note\n",
        "# note\n",
        "/* a\n",
        "*/\n",
        "\"str\"\n",
        "'c'\n",
        "`t ${x}`\n",
        "x = 1;\n",
        "#if 0\n",
        "#else\n",
        "#endif\n",
        "  \n",
        "\t",
        "r#\"raw\"#\n",
        "<div>\n",
        "func (s *S) M() {\n",
        "\r\n",
        "é",
        "x = [\n",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn every_bracket_partner_is_mutual(text in source_text(), k in 0usize..9) {
        let lang = ALL[k];
        let src = Source::new(&text);
        let toks = lex(&src, lang);
        for (i, t) in toks.toks.iter().enumerate() {
            if t.mate != NONE {
                prop_assert_eq!(toks.toks[t.mate as usize].mate as usize, i);
            }
            prop_assert!(t.start < t.end && (t.end as usize) <= text.len());
        }
    }

    #[test]
    fn outlines_stay_in_the_text_and_plans_rebuild_it(text in source_text(), k in 0usize..9) {
        let lang = ALL[k];
        let src = Source::new(&text);
        let o = outline(&text, lang);
        let n = src.len();
        for d in &o.definitions {
            prop_assert!(d.first <= d.last && d.last < n.max(1));
            if let Some(b) = &d.body {
                prop_assert!(b.first <= b.last && b.last < n);
            }
        }
        if n == 0 {
            return Ok(());
        }
        let p = planner_for(&src, &o, lang);
        let plan = p.plan(&[], true, &[]);
        let mut rebuilt = String::new();
        let mut at = 0;
        for (k, el) in plan.elisions.iter().enumerate() {
            prop_assert!(el.first >= at && el.first <= el.last && el.last < n);
            rebuilt.push_str(&plan.kept[k]);
            for line in el.first..=el.last {
                rebuilt.push_str(src.line(line));
            }
            at = el.last + 1;
        }
        rebuilt.push_str(&plan.kept[plan.elisions.len()]);
        prop_assert_eq!(rebuilt, text);
    }
}

#[test]
fn a_question_in_plain_words_keeps_the_function_whose_words_it_uses() {
    let text = "\
def add_group(self, title):
    group = Group(self, title)
    self.groups.append(group)
    return group


def check_conflicts(self, action):
    # a mutually exclusive group allows one of its actions
    for group in self.exclusive_groups:
        if action in group.actions and group.seen:
            raise Conflict(action, group)
    return None


def format_help(self):
    lines = [self.usage]
    for group in self.groups:
        lines.append(group.title)
    return '\\n'.join(lines)
";
    let src = Source::new(text);
    let o = outline(text, Lang::Python);
    let mut p = planner_for(&src, &o, Lang::Python);
    p.score(&Query {
        weak: ["mutually", "exclusive", "groups", "checked", "conflicts"]
            .map(String::from)
            .to_vec(),
        ..Query::default()
    });
    let (whole, named) = p.whole();
    assert!(!named, "plain words name nothing");
    let names: Vec<&str> = whole
        .iter()
        .map(|&k| o.definitions[k].name.as_str())
        .collect();
    assert_eq!(names, vec!["check_conflicts"]);

    // One common word alone keeps no body.
    let mut p = planner_for(&src, &o, Lang::Python);
    p.score(&Query {
        weak: vec!["lines".into()],
        ..Query::default()
    });
    assert!(p.whole().0.is_empty());
}

#[test]
fn a_budget_keeps_the_signatures_before_any_body() {
    let body = "        total = 0\n        for i in range(10):\n            total += i * i\n        return total\n";
    let text: String = (0..6)
        .map(|c| {
            let methods: String = (0..4)
                .map(|m| format!("    def method_{c}_{m}(self, value):\n{body}\n"))
                .collect();
            format!("import os\nimport sys\n\n\nclass Holder{c}:\n    \"\"\"Holds things.\"\"\"\n\n{methods}\n")
        })
        .collect();
    let src = Source::new(&text);
    let o = outline(&text, Lang::Python);
    let p = planner_for(&src, &o, Lang::Python);
    let hidden = |plan: &Plan, line: usize| {
        plan.elisions
            .iter()
            .any(|e| e.first <= line && line <= e.last)
    };
    let signature_lines: Vec<usize> = (0..src.len())
        .filter(|&i| {
            src.line(i).trim_start().starts_with("def ") || src.line(i).starts_with("class ")
        })
        .collect();
    // Roomy: every signature shows, and some bodies.
    let roomy = p.fit(p.tokens_of(0, src.len() - 1) * 0.6, &[], &[]);
    assert!(signature_lines.iter().all(|&i| !hidden(&roomy, i)));
    assert!(roomy.elisions.len() < 24, "some bodies are kept whole");
    // Tight: the class lines stay, their members go a class at a time.
    let tight = p.fit(120.0, &[], &[]);
    let classes: Vec<usize> = (0..src.len())
        .filter(|&i| src.line(i).starts_with("class "))
        .collect();
    assert!(classes.iter().any(|&i| !hidden(&tight, i)));
    for e in &tight.elisions {
        assert!(e.first <= e.last && e.last < src.len());
    }
    let mut spans: Vec<(usize, usize)> = tight.elisions.iter().map(|e| (e.first, e.last)).collect();
    spans.sort_unstable();
    assert!(
        spans.windows(2).all(|w| w[0].1 < w[1].0),
        "disjoint elisions"
    );
}

#[test]
fn dropping_definitions_never_overlaps_an_elision_reaching_into_one() {
    let text = "\
def outer(x):
    y = x + 1
    z = y * 2
    def inner(a):
        b = a - 1
        c = b * 3
        return c
    return inner(z)


def other(v):
    w = v * v
    return w + 1
";
    let src = Source::new(text);
    let o = outline(text, Lang::Python);
    let p = planner_for(&src, &o, Lang::Python);
    // An elision from the middle of `outer`'s body into `inner` (as a body cut around a type is).
    let reaching = Elision::new(2, 5, "    ...  # ".into(), "");
    let outer = o
        .definitions
        .iter()
        .position(|d| d.name == "outer")
        .expect("outer");
    let plan = p.drop(&[reaching], false, 0.0, &[outer]).expect("a drop");
    let mut spans: Vec<(usize, usize)> = plan.elisions.iter().map(|e| (e.first, e.last)).collect();
    spans.sort_unstable();
    assert!(spans.windows(2).all(|w| w[0].1 < w[1].0), "{spans:?}");
}

#[test]
fn c_function_declarations_are_definitions_without_a_body() {
    let text = "\
#include <stddef.h>

typedef int (*handler_t)(int);
extern int counter;
extern void *open_stream (const char *name,
                          const char *mode) __attribute__ ((malloc));
int close_stream (void *stream);
static int helper(int x) { return x + 1; }
#ifdef __cplusplus
extern \"C\" {
#endif
size_t stream_size (const void *stream);
#ifdef __cplusplus
}
#endif
";
    let o = outline(text, Lang::C);
    let declared: Vec<(&str, usize, usize, bool)> = o
        .definitions
        .iter()
        .filter(|d| d.body_span.is_none())
        .map(|d| (d.name.as_str(), d.first, d.last, d.standalone))
        .collect();
    assert_eq!(
        declared,
        vec![
            ("open_stream", 4, 5, true),
            ("close_stream", 6, 6, true),
            ("stream_size", 11, 11, true),
        ]
    );
    assert!(o
        .definitions
        .iter()
        .any(|d| d.name == "helper" && d.body_span.is_some()));
}

#[test]
fn shell_quoting_here_documents_and_case_patterns_hide_no_brackets() {
    let cases: [(&str, &str); 6] = [
        ("echo \"a { $(printf '%s' \"}\") b\" '(' x\n", ""),
        ("n=$# ; m=${#arr[@]} # a } comment\n", "{[]}"),
        ("cat <<EOF\n{ ( text\nEOF\nf() { :; }\n", "(){}"),
        ("cat <<-'END' >x\n\t} )\n\tEND\n", ""),
        ("case $1 in\n  a) x ;;\n  (b) y ;;\nesac\n", "()"),
        ("echo $((1 << 2)) \\( `echo }`\n", "(())"),
    ];
    for (text, expected) in cases {
        assert_eq!(brackets(text, Lang::Shell), expected, "{text:?}");
        assert_eq!(problems(text, Lang::Shell), 0, "{text:?}");
    }
}

#[test]
fn a_shell_script_outlines_its_functions_blocks_and_case_arms() {
    let text = "#!/bin/sh\n# Say hello.\nhello() {\n  echo hello\n  echo world\n}\nfunction bye {\n  echo bye\n  exit 0\n}\nif [ -n \"$1\" ]; then\n  hello\n  bye\nfi\ncase \"$1\" in\n  start|begin)\n    hello\n    bye\n    ;;\n  *)\n    echo usage\n    exit 2\n    ;;\nesac\n";
    let o = outline(text, Lang::Shell);
    for name in ["hello", "bye", "start"] {
        let d = def(&o, name);
        let body = d
            .body
            .as_ref()
            .unwrap_or_else(|| panic!("{name} has no body"));
        assert_eq!(body.before.trim(), ":  #".trim(), "{name}");
    }
    assert!(def(&o, "hello").standalone);
    let case = o
        .definitions
        .iter()
        .find(|d| d.kind == DefKind::Container)
        .expect("the top-level case is a container");
    assert_eq!((case.first, case.last), (14, 23));
    assert!(o
        .definitions
        .iter()
        .any(|d| d.name.is_empty() && d.first == 10 && d.body.is_some()));
    assert_eq!(o.problems, 0);
}
