//! A loss surface seen from above: level curves of `f(x1, x2)`, arrows of
//! the negative gradient, and a gradient-descent path (the course's pictures
//! of gradient descent on a two-parameter loss).

use super::{ensure_font, plot_err, PlotError};
use plotters::prelude::*;
use std::path::Path;

/// What [`contour_chart`] draws.
pub struct Surface<'a> {
    /// The function, evaluated on a grid for the level curves.
    pub f: &'a dyn Fn(f64, f64) -> f64,
    /// Its gradient, drawn as arrows of `-grad f` (the descent direction).
    pub grad: &'a dyn Fn(f64, f64) -> (f64, f64),
    /// `x1` range.
    pub x: (f64, f64),
    /// `x2` range.
    pub y: (f64, f64),
    /// The levels `c` of the curves `f = c`.
    pub levels: &'a [f64],
    /// A path of iterates `x(0), x(1), ...`.
    pub path: &'a [(f64, f64)],
}

/// The segments where `f = level` crosses a grid of `n x n` cells (marching
/// squares): on each cell edge whose corners lie on both sides of the level,
/// the crossing point by linear interpolation; two crossings in a cell make a
/// segment.
pub fn level_segments(s: &Surface<'_>, level: f64, n: usize) -> Vec<[(f64, f64); 2]> {
    let at = |i: usize, j: usize| {
        let x = s.x.0 + (s.x.1 - s.x.0) * i as f64 / n as f64;
        let y = s.y.0 + (s.y.1 - s.y.0) * j as f64 / n as f64;
        (x, y, (s.f)(x, y))
    };
    let cross = |a: (f64, f64, f64), b: (f64, f64, f64)| {
        ((a.2 < level) != (b.2 < level)).then(|| {
            let t = (level - a.2) / (b.2 - a.2);
            (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
        })
    };
    let mut segments = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let (c00, c10, c11, c01) = (at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1));
            let points: Vec<(f64, f64)> =
                [cross(c00, c10), cross(c10, c11), cross(c11, c01), cross(c01, c00)].into_iter().flatten().collect();
            // Four crossings (a saddle cell) make two segments.
            for pair in points.chunks_exact(2) {
                segments.push([pair[0], pair[1]]);
            }
        }
    }
    segments
}

/// Draws the level curves, the descent arrows on a 9 x 9 grid (all of one
/// length, so that they show direction; the level curves show steepness)
/// and the path into `path` (a PNG).
pub fn contour_chart(path: &Path, title: &str, s: &Surface<'_>) -> Result<(), PlotError> {
    ensure_font();
    let root = BitMapBackend::new(path, (720, 680)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(s.x.0..s.x.1, s.y.0..s.y.1)
        .map_err(|e| plot_err(path, e))?;
    chart.configure_mesh().x_desc("x1").y_desc("x2").draw().map_err(|e| plot_err(path, e))?;
    let grey = RGBColor(120, 120, 120);
    for &level in s.levels {
        let lines = level_segments(s, level, 120).into_iter().map(|seg| PathElement::new(seg.to_vec(), grey));
        chart.draw_series(lines).map_err(|e| plot_err(path, e))?;
    }
    let length = 0.06 * (s.x.1 - s.x.0).min(s.y.1 - s.y.0);
    let mut arrows = Vec::new();
    for i in 1..10 {
        for j in 1..10 {
            let x = s.x.0 + (s.x.1 - s.x.0) * i as f64 / 10.0;
            let y = s.y.0 + (s.y.1 - s.y.0) * j as f64 / 10.0;
            let (gx, gy) = (s.grad)(x, y);
            let norm = gx.hypot(gy);
            if norm > 0.0 && norm.is_finite() {
                let (dx, dy) = (-gx / norm * length, -gy / norm * length);
                let tip = (x + dx, y + dy);
                // Two short strokes back from the tip, 25 degrees either side.
                let head = |angle: f64| {
                    let (c, s) = (angle.cos(), angle.sin());
                    (tip.0 - 0.35 * (c * dx - s * dy), tip.1 - 0.35 * (s * dx + c * dy))
                };
                arrows.push(PathElement::new(vec![(x, y), tip], BLUE));
                arrows.push(PathElement::new(vec![head(0.44), tip, head(-0.44)], BLUE));
            }
        }
    }
    chart.draw_series(arrows).map_err(|e| plot_err(path, e))?;
    chart
        .draw_series(LineSeries::new(s.path.iter().copied(), RED.stroke_width(2)))
        .map_err(|e| plot_err(path, e))?
        .label("gradient-descent path")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    chart.draw_series(s.path.iter().map(|&p| Circle::new(p, 3, RED.filled()))).map_err(|e| plot_err(path, e))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(|e| plot_err(path, e))?;
    root.present().map_err(|e| plot_err(path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_curves_of_a_paraboloid_are_circles() {
        let f = |x: f64, y: f64| x * x + y * y;
        let grad = |x: f64, y: f64| (2.0 * x, 2.0 * y);
        let s = Surface { f: &f, grad: &grad, x: (-3.0, 3.0), y: (-3.0, 3.0), levels: &[4.0], path: &[] };
        let segments = level_segments(&s, 4.0, 60);
        assert!(segments.len() > 50, "{}", segments.len());
        for p in segments.iter().flatten() {
            // On the circle of radius 2, up to the grid's linear interpolation.
            assert!((p.0.hypot(p.1) - 2.0).abs() < 0.01, "{p:?}");
        }
    }
}
