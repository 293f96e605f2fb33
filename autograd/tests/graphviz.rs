//! Graph export: the DOT text names every node and edge of a small graph,
//! shows value and gradient summaries, survives a 100,000-node chain on a
//! small stack, and renders to PNG/SVG when Graphviz is installed.

use sinapse_autograd::{
    dot_available, graph_nodes, graph_to_dot, render_dot, render_dot_with, BackwardOptions, DotOptions, ImageFormat,
    RenderError, Var,
};
use sinapse_tensor::Tensor;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::PathBuf;

fn t(data: &[f64], shape: &[usize]) -> Tensor<f64> {
    Tensor::from_vec(data.to_vec(), shape).unwrap()
}

/// The line of the DOT text that declares node `v`.
fn node_line<'a>(dot: &'a str, v: &Var<f64>) -> &'a str {
    let prefix = format!("  n{} [", v.id());
    dot.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no node line for {v:?} in\n{dot}"))
}

/// True for a node declaration such as `  n12 [label=...];`.
fn is_node_line(line: &str) -> bool {
    line.strip_prefix("  n").is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())) && !line.contains(" -> ")
}

/// Every `a -> b` edge of the DOT text, as `(a, b, label)`.
fn edges(dot: &str) -> BTreeSet<(u64, u64, String)> {
    dot.lines()
        .filter_map(|l| {
            let (from, rest) = l.trim().split_once(" -> ")?;
            let to_end = rest.find([' ', ';']).unwrap();
            let label = rest.split_once("label=\"").map(|(_, r)| r[..r.find('"').unwrap()].to_string());
            Some((from[1..].parse().unwrap(), rest[1..to_end].parse().unwrap(), label.unwrap_or_default()))
        })
        .collect()
}

/// `loss = sum(sigmoid(x W + b))`: x a constant, W and b parameters.
struct Small {
    x: Var<f64>,
    w: Var<f64>,
    b: Var<f64>,
    xw: Var<f64>,
    z: Var<f64>,
    s: Var<f64>,
    loss: Var<f64>,
}

fn small() -> Small {
    let x = Var::constant(t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]));
    let w = Var::parameter(t(&[0.1, -0.2, 0.3, 0.4, -0.5, 0.6], &[3, 2]), "weight");
    let b = Var::parameter(t(&[0.5, -0.5], &[2]), "bias");
    let xw = x.matmul(&w);
    let z = xw.add(&b);
    let s = z.sigmoid();
    let loss = s.sum_all();
    Small { x, w, b, xw, z, s, loss }
}

#[test]
fn small_graph_has_its_nodes_edges_and_labels() {
    let g = small();
    let dot = g.loss.to_dot(&DotOptions { title: Some("a \"small\" graph"), ..Default::default() });
    assert!(dot.starts_with("digraph sinapse {\n") && dot.ends_with("}\n"), "{dot}");
    assert!(dot.contains("label=\"a \\\"small\\\" graph\""), "the title is escaped:\n{dot}");

    // Seven nodes: two parameters, one constant, four operations.
    assert_eq!(dot.lines().filter(|l| is_node_line(l)).count(), 7, "{dot}");
    assert!(node_line(&dot, &g.w).contains("label=\"weight\\n[3, 2]\""));
    assert!(node_line(&dot, &g.b).contains("label=\"bias\\n[2]\""));
    assert!(node_line(&dot, &g.x).contains("label=\"constant\\n[2, 3]\""));
    assert!(node_line(&dot, &g.xw).contains("label=\"matmul\\n[2, 2]\""));
    assert!(node_line(&dot, &g.z).contains("label=\"add\\n[2, 2]\""));
    assert!(node_line(&dot, &g.s).contains("label=\"sigmoid\\n[2, 2]\""));
    assert!(node_line(&dot, &g.loss).contains("label=\"sum\\nscalar\""));

    // Constants and parameters are styled differently; the root is bold;
    // operations say where they were created.
    assert!(node_line(&dot, &g.x).contains("dashed"));
    assert!(!node_line(&dot, &g.w).contains("dashed"));
    assert_ne!(style(node_line(&dot, &g.x)), style(node_line(&dot, &g.w)));
    assert!(node_line(&dot, &g.loss).contains("penwidth"));
    assert!(!node_line(&dot, &g.s).contains("penwidth"));
    assert!(node_line(&dot, &g.xw).contains(&format!("tooltip=\"{}:", file!())));

    let expected: BTreeSet<(u64, u64, String)> = [
        (g.x.id(), g.xw.id(), "0"),
        (g.w.id(), g.xw.id(), "1"),
        (g.xw.id(), g.z.id(), "0"),
        (g.b.id(), g.z.id(), "1"),
        (g.z.id(), g.s.id(), ""),
        (g.s.id(), g.loss.id(), ""),
    ]
    .into_iter()
    .map(|(a, b, l)| (a, b, l.to_string()))
    .collect();
    assert_eq!(edges(&dot), expected);
}

/// The `fillcolor` and `style` attributes of a node line.
fn style(line: &str) -> &str {
    &line[line.find("style=").unwrap()..line.find(", tooltip").unwrap_or(line.len())]
}

#[test]
fn value_and_gradient_summaries_are_min_mean_max() {
    let w = Var::parameter(t(&[1.0, -2.0], &[2]), "w");
    let sq = w.square();
    let loss = sq.sum_all();
    // Retain the intermediate's gradient too: it is 1 everywhere.
    let opts = BackwardOptions { retain: vec![sq.id()], ..Default::default() };
    let grads = loss.clone().backward_with_options(Tensor::scalar(1.0), &opts);
    let dot = loss.to_dot(&DotOptions { values: true, gradients: Some(&grads), ..Default::default() });
    // w = [1, -2]: value -2 / -0.5 / 1; dL/dw = 2w = [2, -4]: -4 / -1 / 2.
    assert!(node_line(&dot, &w).contains("w\\n[2]\\nvalue -2 / -0.5 / 1\\ngrad -4 / -1 / 2\""), "{dot}");
    assert!(node_line(&dot, &sq).contains("value 1 / 2.5 / 4\\ngrad 1 / 1 / 1\""), "{dot}");
    // The loss itself was not retained: a value, no gradient.
    assert!(node_line(&dot, &loss).contains("value 5 / 5 / 5\""), "{dot}");

    let bare = loss.to_dot(&DotOptions::default());
    assert!(!bare.contains("\\nvalue ") && !bare.contains("\\ngrad "), "{bare}");
}

#[test]
fn several_roots_share_their_common_part() {
    let w = Var::parameter(t(&[1.0, 2.0], &[2]), "w");
    let h = w.exp();
    let (a, b) = (h.sum_all(), h.square().sum_all());
    let nodes = graph_nodes(&[&a, &b]);
    // w, exp, sum, square, sum: exp once.
    assert_eq!(nodes.len(), 5);
    assert!(nodes.windows(2).all(|p| p[0].id() < p[1].id()), "oldest first");
    let dot = graph_to_dot(&[&a, &b], &DotOptions { left_to_right: true, ..Default::default() });
    assert!(dot.contains("rankdir=LR;"));
    assert_eq!(dot.matches("label=\"exp\\n").count(), 1);
    assert_eq!(dot.matches("penwidth").count(), 2, "both roots are bold");
}

#[test]
fn backward_graph_of_create_graph_gradients_exports() {
    let w = Var::parameter(t(&[0.5, -1.0], &[2]), "w");
    let loss = w.sigmoid().sum_all();
    let opts = BackwardOptions { create_graph: true, ..Default::default() };
    let grads = loss.backward_with_options(Tensor::scalar(1.0), &opts);
    let dw = grads.get_var(&w).unwrap();
    let dot = dw.to_dot(&DotOptions::default());
    // dw = g * s * (1 - s): the backward rule's own operations, down to w.
    assert!(dot.contains("label=\"rsub_scalar\\n[2]\"") && dot.contains("label=\"mul\\n[2]\""), "{dot}");
    assert!(node_line(&dot, &w).contains("label=\"w\\n[2]\""));
}

#[test]
fn a_100k_node_chain_exports_on_a_2_mib_stack() {
    const NODES: usize = 100_000;
    let (lines, edge_count, has_leaf, has_root) = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let x = Var::parameter(Tensor::<f64>::scalar(1.0), "x");
            let mut y = x.clone();
            for i in 0..NODES {
                y = if i % 2 == 0 { y.add_scalar(0.5) } else { y.mul_scalar(1.0) };
            }
            let dot = y.to_dot(&DotOptions { values: true, ..Default::default() });
            let lines = dot.lines().filter(|l| is_node_line(l)).count();
            let edge_count = dot.lines().filter(|l| l.contains(" -> ")).count();
            let has_leaf = dot.contains(&format!("n{} [label=\"x\\nscalar", x.id()));
            let has_root = dot
                .contains(&format!("n{} [label=\"mul_scalar\\nscalar\\nvalue 2.500e4 / 2.500e4 / 2.500e4\"", y.id()));
            (lines, edge_count, has_leaf, has_root)
        })
        .unwrap()
        .join()
        .expect("export and drop on a small stack");
    assert_eq!(lines, NODES + 1);
    assert_eq!(edge_count, NODES);
    assert!(has_leaf && has_root);
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sinapse-graphviz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// True when rendering tests may run; a missing `dot` fails only where
/// Graphviz is required (CI sets SINAPSE_REQUIRE_GRAPHVIZ=1).
fn graphviz_or_skip(test: &str) -> bool {
    if dot_available() {
        return true;
    }
    if std::env::var("SINAPSE_REQUIRE_GRAPHVIZ").as_deref() == Ok("1") {
        panic!("{test}: SINAPSE_REQUIRE_GRAPHVIZ=1 but the `dot` program is missing: apt-get install graphviz");
    }
    eprintln!("{test}: skipped, the `dot` program is not installed (apt-get install graphviz)");
    false
}

#[test]
fn renders_png_and_svg_when_graphviz_is_installed() {
    if !graphviz_or_skip("renders_png_and_svg_when_graphviz_is_installed") {
        return;
    }
    let g = small();
    let dot = g.loss.to_dot(&DotOptions { values: true, ..Default::default() });
    let png = scratch("small.png");
    render_dot(&dot, &png, ImageFormat::Png).unwrap();
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "PNG signature, got {:?}", &bytes[..bytes.len().min(8)]);
    assert!(bytes.len() > 1000, "a real picture, {} bytes", bytes.len());

    let svg = scratch("small.svg");
    render_dot(&dot, &svg, ImageFormat::Svg).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg") && text.contains("matmul") && text.contains("weight"), "{text}");
}

#[test]
fn malformed_dot_is_reported_with_dots_message() {
    if !graphviz_or_skip("malformed_dot_is_reported_with_dots_message") {
        return;
    }
    let err = render_dot("digraph { a -> ", &scratch("bad.png"), ImageFormat::Png).unwrap_err();
    assert!(matches!(err, RenderError::DotFailed { .. }), "{err:?}");
    assert!(err.to_string().contains("syntax error"), "{err}");
}

#[test]
fn a_missing_dot_program_says_how_to_install_graphviz() {
    let path = scratch("never.png");
    let err =
        render_dot_with(OsStr::new("sinapse-no-such-dot-program"), "digraph {}", &path, ImageFormat::Png).unwrap_err();
    assert!(matches!(err, RenderError::DotNotFound { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("install graphviz (apt-get install graphviz)") && msg.contains("never.png"), "{msg}");
    assert!(!path.exists());
}
