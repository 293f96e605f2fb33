//! A computation graph as Graphviz DOT text.

use crate::gradients::Gradients;
use crate::var::Var;
use sinapse_tensor::{Element, Tensor};
use std::collections::HashSet;
use std::fmt::Write;

/// What [`Var::to_dot`] and [`graph_to_dot`] put in the picture.
pub struct DotOptions<'a, T: Element> {
    /// Show each variable's value summary: `min / mean / max`.
    pub values: bool,
    /// Show the gradient summary (`min / mean / max`) of every variable this
    /// map holds: the leaves after a backward pass, and the intermediates
    /// whose ids were listed in
    /// [`BackwardOptions::retain`](crate::BackwardOptions::retain).
    pub gradients: Option<&'a Gradients<T>>,
    /// A caption for the whole picture.
    pub title: Option<&'a str>,
    /// Lay the graph out left to right instead of top to bottom.
    pub left_to_right: bool,
}

impl<T: Element> Default for DotOptions<'_, T> {
    /// Operations and shapes only, top to bottom, no caption.
    fn default() -> Self {
        DotOptions { values: false, gradients: None, title: None, left_to_right: false }
    }
}

/// Every variable `roots` depend on, roots included, oldest first (so each
/// variable comes after its inputs).
///
/// The walk uses an explicit stack, so a 100,000-node chain is fine on a
/// small thread stack.
pub fn graph_nodes<T: Element>(roots: &[&Var<T>]) -> Vec<Var<T>> {
    let mut seen: HashSet<u64> = HashSet::new();
    let mut stack: Vec<Var<T>> = roots.iter().map(|&v| v.clone()).collect();
    let mut nodes = Vec::new();
    while let Some(v) = stack.pop() {
        if !seen.insert(v.id()) {
            continue;
        }
        stack.extend(v.inputs().iter().filter(|i| !seen.contains(&i.id())).cloned());
        nodes.push(v);
    }
    // Ids grow with creation time: ascending ids are a topological order.
    nodes.sort_unstable_by_key(Var::id);
    nodes
}

impl<T: Element> Var<T> {
    /// This variable's computation graph as Graphviz DOT text (render it with
    /// [`render_dot`](crate::render_dot) or `dot -Tsvg`).
    ///
    /// One box per operation, labelled with [`op_name`](Var::op_name) and
    /// the output shape; parameters (named leaves) in green with their
    /// [`name`](Var::name); other leaves that require a gradient in yellow;
    /// constants (data, targets) in grey with a dashed border. Arrows go from
    /// inputs to the operation that used them, numbered when the operation
    /// has several inputs. The variable itself has a bold border.
    ///
    /// ```
    /// use sinapse_autograd::{DotOptions, Var};
    /// use sinapse_tensor::Tensor;
    /// let w = Var::parameter(Tensor::<f32>::ones(&[3]), "w");
    /// let y = w.mul_scalar(2.0).sum_all();
    /// let dot = y.to_dot(&DotOptions { values: true, ..Default::default() });
    /// assert!(dot.contains("mul_scalar") && dot.contains("w\\n[3]"));
    /// ```
    pub fn to_dot(&self, options: &DotOptions<'_, T>) -> String {
        graph_to_dot(&[self], options)
    }
}

/// The union of several variables' graphs as one DOT picture (e.g. the
/// gradients of all parameters after a `create_graph` backward pass): shared
/// parts are drawn once. See [`Var::to_dot`] for the legend.
pub fn graph_to_dot<T: Element>(roots: &[&Var<T>], options: &DotOptions<'_, T>) -> String {
    let nodes = graph_nodes(roots);
    let root_ids: HashSet<u64> = roots.iter().map(|v| v.id()).collect();
    // Writing to a String cannot fail, hence the ignored results below.
    let mut out = String::with_capacity(nodes.len() * 96 + 256);
    out.push_str("digraph sinapse {\n");
    let _ = writeln!(out, "  rankdir={};", if options.left_to_right { "LR" } else { "TB" });
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
    if let Some(title) = options.title {
        let _ = writeln!(out, "  label=\"{}\";\n  labelloc=t;", escape(title));
    }
    for v in &nodes {
        write_node(&mut out, v, options, root_ids.contains(&v.id()));
    }
    for v in &nodes {
        let inputs = v.inputs();
        for (i, input) in inputs.iter().enumerate() {
            if inputs.len() > 1 {
                let _ = writeln!(out, "  n{} -> n{} [label=\"{i}\"];", input.id(), v.id());
            } else {
                let _ = writeln!(out, "  n{} -> n{};", input.id(), v.id());
            }
        }
    }
    out.push_str("}\n");
    out
}

fn write_node<T: Element>(out: &mut String, v: &Var<T>, options: &DotOptions<'_, T>, is_root: bool) {
    let (title, style) = match (v.op_name(), v.name()) {
        (Some(op), _) => (op.to_string(), "shape=box, style=\"rounded,filled\", fillcolor=\"#dbe9f6\""),
        (None, Some(name)) => (name.to_string(), "shape=ellipse, style=filled, fillcolor=\"#c7e9c0\""),
        (None, None) if v.requires_grad() => ("leaf".to_string(), "shape=ellipse, style=filled, fillcolor=\"#fff3b0\""),
        (None, None) => ("constant".to_string(), "shape=ellipse, style=\"filled,dashed\", fillcolor=\"#eeeeee\""),
    };
    let mut lines = vec![escape(&title), format_shape(v.shape())];
    if options.values {
        lines.push(format!("value {}", summary(v.value())));
    }
    if let Some(g) = options.gradients.and_then(|grads| grads.get_by_id(v.id())) {
        lines.push(format!("grad {}", summary(g)));
    }
    let border = if is_root { ", penwidth=2.5" } else { "" };
    let tooltip = match v.creation_site() {
        Some(loc) => format!(", tooltip=\"{}\"", escape(&loc.to_string())),
        None => String::new(),
    };
    let _ = writeln!(out, "  n{} [label=\"{}\", {style}{border}{tooltip}];", v.id(), lines.join("\\n"));
}

/// `[2, 3]`, or `scalar` for a 0-d value.
fn format_shape(shape: &[usize]) -> String {
    if shape.is_empty() {
        "scalar".to_string()
    } else {
        format!("{shape:?}")
    }
}

/// `min / mean / max` of a tensor, for a label.
fn summary<T: Element>(t: &Tensor<T>) -> String {
    if t.numel() == 0 {
        return "(empty)".to_string();
    }
    let (min, mean, max) = (t.min_all(), t.mean_all(), t.max_all());
    format!(
        "{} / {} / {}",
        number(min.to_f64_lossless()),
        number(mean.to_f64_lossless()),
        number(max.to_f64_lossless())
    )
}

/// Four significant figures: plain notation for ordinary magnitudes,
/// scientific notation for very small or large ones.
fn number(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || !x.is_finite() || (1e-3..1e4).contains(&a) {
        let s = format!("{x:.4}");
        // 0.5000 -> 0.5, 2.0000 -> 2
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        format!("{x:.3e}")
    }
}

/// Escapes text for a double-quoted DOT string.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-2.0), "-2");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(1.0e-5), "1.000e-5");
        assert_eq!(number(123456.0), "1.235e5");
        assert_eq!(number(f64::NAN), "NaN");
    }

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
