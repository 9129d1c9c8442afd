//! Definitions beyond a named block at file or class level: statements of a function body, names
//! bound without a block of their own (`const f = (a) => a + 1`), a header's macros and the
//! prototypes in its namespaces. The outline finds them, links the nested ones to the function
//! holding them, and the plan keeps them as signatures an elided body goes around.

use super::plan::{Planner, Query};
use super::*;

fn def<'a>(o: &'a Outline, name: &str) -> &'a Definition {
    o.definitions
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no {name} among {:?}", names(o)))
}

fn names(o: &Outline) -> Vec<&str> {
    o.definitions.iter().map(|d| d.name.as_str()).collect()
}

fn planner_for<'a>(src: &'a Source<'a>, o: &'a Outline, lang: Lang) -> Planner<'a> {
    let line_tokens: Vec<usize> = (0..src.len()).map(|i| src.line(i).len() / 3 + 1).collect();
    Planner::new(src, o, lang, &line_tokens, 5)
}

/// The output of `plan` with `~` for each marker.
fn shown(src: &Source, plan: &plan::Plan) -> String {
    let mut out = String::new();
    for (k, kept) in plan.kept.iter().enumerate() {
        out.push_str(kept);
        if let Some(e) = plan.elisions.get(k) {
            out.push_str(&format!("{}~{}\n", e.before, e.after));
            if !e.closing.is_empty() {
                out.push_str(&format!("{}{}\n", src.indent(e.first), e.closing));
            }
        }
    }
    out
}

const JS: &str = "\
export const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const twice = async x =>
  (await x) * 2;
class Context {
  #status = 200;
  #respond(data) {
    return data;
  }
  html = (body, arg) => this.#respond(body);
}
const table = {
  square: (x) => x * x,
};
list.map((x) => x + 1);
";

#[test]
fn a_function_bound_to_a_name_whose_body_is_an_expression_is_a_definition() {
    let o = outline(JS, Lang::JavaScript);
    let wait = def(&o, "wait");
    assert_eq!((wait.first, wait.last, wait.body_span), (0, 0, None));
    assert!(wait.standalone);
    let twice = def(&o, "twice");
    assert_eq!((twice.first, twice.last), (1, 2));
    let html = def(&o, "html");
    assert_eq!(html.qualifiers, vec!["Context".to_string()]);
    assert_eq!((html.first, html.last), (8, 8));
    let respond = def(&o, "respond");
    assert_eq!((respond.first, respond.last), (5, 7));
    assert!(
        respond.body.is_none(),
        "a three-line method has nothing worth eliding"
    );
    assert_eq!(def(&o, "square").first, 11);
    // The callback passed to `map` is bound to no name.
    assert_eq!(
        o.definitions.iter().filter(|d| d.name.is_empty()).count(),
        0,
        "{:?}",
        names(&o)
    );
}

const NESTED_JS: &str = "\
async function main() {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  let a = 1;
  a += 2;
  a += 3;
  a += 4;
  function inner(b) {
    const c = b + 1;
    const d = c + 1;
    const e = d + 1;
    return e;
  }
  if (a) {
    function hidden() {
      return 1;
    }
  }
  a += 6;
  a += 7;
  await sleep(10);
  return inner(a);
}
";

#[test]
fn a_definition_among_a_function_bodys_statements_is_linked_to_that_function() {
    let o = outline(NESTED_JS, Lang::JavaScript);
    let main = o.definitions.iter().position(|d| d.name == "main");
    assert_eq!(def(&o, "sleep").parent, main);
    assert_eq!(def(&o, "inner").parent, main);
    assert!(def(&o, "inner").within.is_empty());
    // Inside an `if` block: the block's lines come with it.
    let hidden = def(&o, "hidden");
    assert_eq!(
        (hidden.parent, hidden.within.clone()),
        (main, vec![(12, 16)])
    );
    assert_eq!(def(&o, "main").parent, None);
    // A function passed as an argument stands among no function's statements.
    let o = outline(
        "function f() {\n  run(function () {\n    function g() {}\n  });\n}\n",
        Lang::JavaScript,
    );
    assert_eq!(def(&o, "g").parent, Some(1));
    assert_eq!(o.definitions[1].parent, None);
}

/// `NESTED_JS` after a long function, so that `main` holds no more than half the file (a function
/// that does is a wrapper, looked into as a module is).
fn with_other() -> String {
    let mut text = String::from("function other() {\n");
    text.push_str(&"  step();\n".repeat(40));
    text.push_str("}\n");
    text.push_str(NESTED_JS);
    text
}

#[test]
fn an_elided_body_goes_around_the_signatures_of_the_definitions_it_holds() {
    let text = with_other();
    let src = Source::new(&text);
    let o = outline(&text, Lang::JavaScript);
    let p = planner_for(&src, &o, Lang::JavaScript);
    let plan = p.plan(&[], false, &[]);
    // A cut around a block's opening and closing lines is checked by a parse.
    assert!(!plan.proven);
    let out = shown(&src, &plan);
    assert!(
        out.contains(
            "  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("  if (a) {\n    function hidden() {\n"),
        "{out}"
    );
    assert!(
        out.contains("  function inner(b) {\n    /* ~ */\n  }\n"),
        "{out}"
    );
    assert!(!out.contains("a += 2"), "{out}");
}

#[test]
fn a_python_body_with_a_docstring_goes_around_its_nested_definitions() {
    let text = "\
def outer(x):
    \"\"\"Wrap x.

    More words about it.
    \"\"\"
    y = x * 2
    z = y + 1

    def helper(a, b):
        return a + b

    w = z - 3
    v = w + 7
    return helper(v, w)
";
    let src = Source::new(text);
    let o = outline(text, Lang::Python);
    assert_eq!(def(&o, "helper").parent, Some(0));
    let p = planner_for(&src, &o, Lang::Python);
    let plan = p.plan(&[], false, &[]);
    assert!(plan.proven);
    let out = shown(&src, &plan);
    assert_eq!(
        out,
        "def outer(x):\n    \"\"\"Wrap x.\n    ~\"\"\"\n    def helper(a, b):\n        return a + b\n    ...  # ~\n",
    );
}

#[test]
fn a_question_naming_a_nested_definition_keeps_the_function_around_it() {
    let text = with_other();
    let src = Source::new(&text);
    let o = outline(&text, Lang::JavaScript);
    let mut p = planner_for(&src, &o, Lang::JavaScript);
    p.score(&Query {
        weak: vec!["sleep".into()],
        ..Query::default()
    });
    let (whole, _) = p.whole();
    let plan = p.plan(&whole, false, &[]);
    let dropped = p
        .drop(&plan.elisions, plan.proven, 0.0, &whole)
        .expect("something to drop");
    let out = shown(&src, &dropped);
    assert!(out.contains("  const sleep = (ms) =>"), "{out}");
    assert!(out.contains("async function main() {"), "{out}");
    assert!(!out.contains("function other"), "{out}");
}

#[test]
fn a_headers_macros_and_the_prototypes_in_its_namespaces_are_definitions() {
    let text = "\
#define BIO_NOCLOSE 0x00
#define BIO_get_fd(b, c) \\
  BIO_ctrl(b, 105, 0, (char *)(c))
#ifndef GUARD
#endif
namespace llvm {
class Pass;
Pass *createIVUsersPass();
}
";
    let o = outline(text, Lang::Cpp);
    let noclose = def(&o, "BIO_NOCLOSE");
    assert_eq!(
        (noclose.first, noclose.last, noclose.body_span),
        (0, 0, None)
    );
    assert!(noclose.standalone);
    let get_fd = def(&o, "BIO_get_fd");
    assert_eq!((get_fd.first, get_fd.last), (1, 2));
    assert_eq!(def(&o, "createIVUsersPass").first, 7);
    assert!(!names(&o).contains(&"GUARD"), "{:?}", names(&o));
}
