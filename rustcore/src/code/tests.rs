//! Outline tests: one small file per language, and properties over arbitrary text.

use super::*;

fn names(o: &Outline) -> Vec<(String, Vec<String>)> {
    o.definitions
        .iter()
        .map(|d| (d.name.clone(), d.qualifiers.clone()))
        .collect()
}

#[test]
fn python_functions_and_classes_are_found_with_their_bodies() {
    let src = "class A:\n    \"\"\"Doc.\"\"\"\n\n    def run(self, x):\n        y = x\n        return y\n";
    let o = outline(src, Lang::Python);
    assert_eq!(
        names(&o),
        vec![("A".into(), vec![]), ("run".into(), vec!["A".to_string()])]
    );
    let run = &o.definitions[1];
    assert_eq!((run.first, run.last), (3, 5));
    let body = run.body.as_ref().expect("a body");
    assert_eq!((body.first, body.last), (4, 5));
    assert_eq!(body.before, "        ...  # ");
}
