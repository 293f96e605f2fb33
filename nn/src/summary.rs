//! The Keras-style model summary table.

use std::fmt;

/// One line of a [`Summary`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    /// The layer's position in its [`Sequential`](crate::Sequential) (the
    /// prefix of its parameter names).
    pub name: String,
    /// [`Module::describe`](crate::Module::describe) of the layer.
    pub description: String,
    /// The layer's output shape, batch dimension included.
    pub output_shape: Vec<usize>,
    /// Number of scalar parameters of the layer.
    pub parameters: usize,
}

/// Per-layer output shapes and parameter counts of a model, from
/// [`Module::summary`](crate::Module::summary).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The input shape the table was computed for.
    pub input_shape: Vec<usize>,
    /// One row per layer, in order.
    pub rows: Vec<SummaryRow>,
}

impl Summary {
    /// Sum of the layers' parameter counts.
    pub fn total_parameters(&self) -> usize {
        self.rows.iter().map(|r| r.parameters).sum()
    }
}

/// `12,345` for 12345.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layer_w = self.rows.iter().map(|r| r.name.len() + 1 + r.description.len()).max().unwrap_or(0).max(12);
        let shape_w = self.rows.iter().map(|r| format!("{:?}", r.output_shape).len()).max().unwrap_or(0).max(12);
        let width = layer_w + shape_w + 14;
        writeln!(f, "Input shape: {:?}", self.input_shape)?;
        writeln!(f, "{}", "=".repeat(width))?;
        writeln!(f, "{:<layer_w$}  {:<shape_w$}  {:>10}", "Layer (type)", "Output shape", "Param #")?;
        writeln!(f, "{}", "=".repeat(width))?;
        for r in &self.rows {
            let layer = format!("{} {}", r.name, r.description);
            let shape = format!("{:?}", r.output_shape);
            writeln!(f, "{layer:<layer_w$}  {shape:<shape_w$}  {:>10}", thousands(r.parameters))?;
        }
        writeln!(f, "{}", "=".repeat(width))?;
        write!(f, "Total params: {}", thousands(self.total_parameters()))
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(7850), "7,850");
        assert_eq!(thousands(101_770), "101,770");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
