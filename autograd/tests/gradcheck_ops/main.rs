//! Finite-difference checks of every differentiable operator, first and
//! second order, in `f64`, on random shapes, broadcasting pairs and
//! non-contiguous inputs (see `common/mod.rs` for the strategies and for
//! what [`common::check_op`] runs).
//!
//! Each operator has one proptest named exactly like it, in the file of its
//! family (`arith.rs`, `unary.rs`, ...). [`OPS`] lists every `pub fn` of
//! `src/ops`, and [`STD_OPS`] every `std::ops` form; the test
//! `every_operator_is_checked` fails when an operator is added to `src/ops`
//! without a check here, or a listed check is missing.

#[path = "../common/mod.rs"]
mod common;

mod arith;
mod conv;
mod matmul;
mod pool;
mod reduce;
mod shape;
mod softmax;
mod strategies;
mod unary;

/// Every public operation in `src/ops`, each the name of its proptest.
pub const OPS: &[&str] = &[
    // arith.rs
    "add",
    "sub",
    "mul",
    "div",
    "neg",
    "add_scalar",
    "mul_scalar",
    "rsub_scalar",
    // unary.rs
    "exp",
    "ln",
    "sqrt",
    "powf",
    "square",
    "abs",
    "relu",
    "sigmoid",
    "tanh",
    "maximum",
    "minimum",
    // reduce.rs
    "sum_axes",
    "sum",
    "sum_all",
    "mean_axes",
    "mean",
    "mean_all",
    "max",
    // matmul.rs (2-D, batched with broadcast batch dims, vector operands)
    "matmul",
    // shape.rs
    "reshape",
    "flatten",
    "permute",
    "transpose",
    "t",
    "narrow",
    "cat",
    "pad_dim",
    "select",
    "squeeze",
    "unsqueeze",
    // broadcast.rs (checked in shape.rs)
    "broadcast_to",
    "sum_to_shape",
    // softmax.rs, loss.rs (checked in softmax.rs)
    "softmax",
    "log_softmax",
    "cross_entropy_with_logits",
    // conv.rs
    "conv2d",
    "conv2d_grad_input",
    "conv2d_grad_weight",
    "conv1d",
    // pool.rs
    "max_pool2d",
    "min_pool2d",
    "relu_max_pool2d",
    "conv2d_relu_max_pool2d",
    "avg_pool2d",
    "avg_pool2d_with",
];

/// The `std::ops` forms (all in `src/ops/arith.rs`) and their proptests.
pub const STD_OPS: &[(&str, &str)] = &[
    ("Var + Var (all four ownership forms)", "std_add"),
    ("Var - Var (all four ownership forms)", "std_sub"),
    ("Var * Var (all four ownership forms)", "std_mul"),
    ("Var / Var (all four ownership forms)", "std_div"),
    ("&Var + scalar, &Var - scalar, &Var * scalar, &Var / scalar", "std_scalar"),
    ("-&Var, -Var", "std_neg"),
];

/// The names `pub fn NAME` declared in a source file.
fn public_fns(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("pub fn "))
        .map(|rest| rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect())
        .collect()
}

/// The `std::ops` traits a source file implements for `Var`, directly
/// (`impl<T: Element> Add<T> for &Var<T>`) or through `var_binary_op!(Add, add)`.
fn std_traits(source: &str) -> Vec<String> {
    let ident = |rest: &str| rest.chars().take_while(|c| c.is_alphanumeric()).collect::<String>();
    source
        .lines()
        .map(str::trim_start)
        .filter_map(|l| l.strip_prefix("impl<T: Element> ").or_else(|| l.strip_prefix("var_binary_op!(")))
        .map(ident)
        .filter(|name| !name.is_empty() && name != "Var")
        .collect()
}

/// The text of every `.rs` file in a folder of this crate.
fn sources(folder: &str) -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("readable source");
            out.push((path.display().to_string(), text));
        }
    }
    out
}

#[test]
fn every_operator_is_checked() {
    let mut declared: Vec<String> = sources("src/ops").iter().flat_map(|(_, text)| public_fns(text)).collect();
    declared.sort();
    let mut listed: Vec<String> = OPS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(declared, listed, "OPS must list exactly the pub fns of src/ops (left: declared, right: listed)");

    let mut traits: Vec<String> = sources("src/ops").iter().flat_map(|(_, text)| std_traits(text)).collect();
    traits.sort();
    traits.dedup();
    assert_eq!(traits, ["Add", "Div", "Mul", "Neg", "Sub"], "STD_OPS must cover every std::ops trait of src/ops");

    let tests: String = sources("tests/gradcheck_ops").into_iter().map(|(_, text)| text).collect();
    let names = OPS.iter().copied().chain(STD_OPS.iter().map(|&(_, test)| test));
    for name in names {
        assert!(tests.contains(&format!("fn {name}(")), "no proptest named `{name}` in tests/gradcheck_ops/");
    }
}
