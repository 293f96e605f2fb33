//! `docs/operators.md` is generated from the operator registry: this test
//! renders the table and compares it with the file. After adding or changing
//! an operator, regenerate the file with
//! `SINAPSE_BLESS=1 cargo test -p sinapse-autograd --test operator_table`.

use sinapse_autograd::ops::operators;
use std::path::Path;

/// A table cell: `|` would end the cell, so it is escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The whole file, from the registry.
fn render() -> String {
    let mut out = String::from(
        "# Operators\n\n\
         Every differentiable operator of `sinapse-autograd`, generated from its registry \
         (`sinapse_autograd::ops::operators`) by `autograd/tests/operator_table.rs`; do not edit by hand.\n\n\
         In the formulas, `g` is the output gradient, `z` the output, `s` a scalar and `σ` the sigmoid. Every \
         operator has first- and second-order finite-difference proptests in \
         `autograd/tests/gradcheck_ops/`, in the file named by its family. The cost class is how the \
         profiler estimates FLOPs: one per output element (element-wise), one per input element \
         (reduction), none (view, copy), or a formula of the operator's own.\n\n\
         | family | operator | forward | backward | cost |\n\
         |---|---|---|---|---|\n",
    );
    for (family, def) in operators() {
        out.push_str(&format!(
            "| {family} | `{}` | `{}` | `{}` | {} |\n",
            def.name,
            cell(def.forward),
            cell(def.backward),
            def.cost_class()
        ));
    }
    out
}

#[test]
fn docs_operators_md_is_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/operators.md");
    let expected = render();
    if std::env::var_os("SINAPSE_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("docs/operators.md is writable");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/operators.md is out of date with the operator registry; regenerate it with \
         SINAPSE_BLESS=1 cargo test -p sinapse-autograd --test operator_table"
    );
}
