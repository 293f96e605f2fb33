//! Figures of several small charts in one PNG: a grid of line charts (each
//! with a linear or a logarithmic y axis) and a grid of histograms.

use super::probe::Histogram;
use crate::plots::{PlotError, Series};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::path::Path;
use std::sync::Once;

static FONT: Once = Once::new();

/// Registers the embedded DejaVu Sans as plotters' "sans-serif" (once), as
/// the plots module does, so text renders on machines without fonts.
fn ensure_font() {
    FONT.call_once(|| {
        let _ = register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
    });
}

fn err(path: &Path, e: impl std::fmt::Display) -> PlotError {
    PlotError { path: path.display().to_string(), message: e.to_string() }
}

/// Colours of the curves, in order; the same series position gets the same
/// colour in every panel of a figure.
const COLORS: [RGBColor; 8] = [
    RGBColor(120, 120, 120),
    RED,
    BLUE,
    RGBColor(0, 140, 0),
    MAGENTA,
    RGBColor(230, 120, 0),
    RGBColor(0, 150, 160),
    BLACK,
];

/// The y axis of a [`LinePanel`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum YAxis {
    /// Linear, spanning the data.
    Linear,
    /// Linear over a fixed range (fractions, accuracies: `(0.0, 1.0)`).
    Fixed(f64, f64),
    /// Logarithmic (norms that span decades); points at or below 0 are not
    /// drawn.
    Log,
}

/// One chart of a [`line_grid`].
#[derive(Clone, Debug)]
pub struct LinePanel {
    /// Chart title.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// The curves.
    pub series: Vec<Series>,
    /// The y axis.
    pub y_axis: YAxis,
}

/// A tick value in at most three significant digits (`0.001`, `2.5e-5`).
fn tick(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-3..4).contains(&mag) {
        return format!("{v:.1e}");
    }
    let decimals = (2 - mag).clamp(0, 6) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The corner of a chart whose legend box (about 40% of the width, a line
/// per series) covers the fewest points of the curves, sampled along their
/// segments. `unit` maps a data point to `[0, 1]^2` (y up).
fn legend_corner(curves: &[Vec<(f64, f64)>], unit: impl Fn((f64, f64)) -> (f64, f64)) -> SeriesLabelPosition {
    let height = (0.07 * curves.len() as f64 + 0.04).clamp(0.15, 0.7);
    let mut samples = Vec::new();
    for c in curves {
        for w in c.windows(2) {
            let (a, b) = (unit(w[0]), unit(w[1]));
            samples.extend((0..=16).map(|k| {
                let t = k as f64 / 16.0;
                (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
            }));
        }
        samples.extend(c.iter().map(|&p| unit(p)));
    }
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let covered = |right: bool, upper: bool| {
        let inside = |&&(x, y): &&(f64, f64)| {
            (if right { x > 0.55 } else { x < 0.45 }) && (if upper { y > 1.0 - height } else { y < height })
        };
        samples.iter().filter(inside).count()
    };
    // The first of the emptiest corners, in the order above.
    let (best, _) = corners.iter().fold((SeriesLabelPosition::UpperRight, usize::MAX), |(best, n), (pos, r, u)| {
        let c = covered(*r, *u);
        if c < n {
            (pos.clone(), c)
        } else {
            (best, n)
        }
    });
    best
}

/// Draws one line chart into `area`.
fn draw_line_panel(
    path: &Path,
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    panel: &LinePanel,
) -> Result<(), PlotError> {
    let log = panel.y_axis == YAxis::Log;
    let ok = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite() && (!log || p.1 > 0.0);
    let pts: Vec<(f64, f64)> = panel.series.iter().flat_map(|s| s.points.iter().filter(ok).copied()).collect();
    let span = |f: fn(&(f64, f64)) -> f64| {
        pts.iter().map(f).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)))
    };
    let (x0, mut x1) = if pts.is_empty() { (0.0, 1.0) } else { span(|p| p.0) };
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let (mut y0, mut y1) = match panel.y_axis {
        YAxis::Fixed(lo, hi) => (lo, hi),
        _ if pts.is_empty() => (0.1, 1.0),
        _ => span(|p| p.1),
    };
    if y1 <= y0 {
        y1 = y0 + y0.abs().max(1e-3);
    }
    match panel.y_axis {
        YAxis::Log => (y0, y1) = (y0 / 1.5, y1 * 1.5),
        YAxis::Linear => (y0, y1) = (y0 - 0.05 * (y1 - y0), y1 + 0.05 * (y1 - y0)),
        YAxis::Fixed(..) => {}
    }
    let curves: Vec<Vec<(f64, f64)>> =
        panel.series.iter().map(|s| s.points.iter().filter(ok).copied().collect()).collect();
    let (ly0, ly1) = if log { (y0.log10(), y1.log10()) } else { (y0, y1) };
    let corner = legend_corner(&curves, |(x, y)| {
        let y = if log { y.log10() } else { y };
        ((x - x0) / (x1 - x0), (y - ly0) / (ly1 - ly0))
    });
    // Integer x (epochs, layer numbers): one tick per value when few.
    let integer_x = pts.iter().all(|p| p.0.fract() == 0.0);
    let x_ticks = if integer_x { ((x1 - x0) as usize + 1).min(11) } else { 8 };
    let mut builder = ChartBuilder::on(area);
    builder.caption(&panel.title, ("sans-serif", 19)).margin(10).x_label_area_size(40).y_label_area_size(64);
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(panel.x_label.as_str())
                .y_desc(panel.y_label.as_str())
                .x_labels(x_ticks)
                .x_label_formatter(&|v: &f64| if integer_x { format!("{v:.0}") } else { tick(*v) })
                .y_label_formatter(&|v: &f64| tick(*v))
                .label_style(("sans-serif", 14))
                .draw()
                .map_err(|e| err(path, e))?;
            for (i, s) in panel.series.iter().enumerate() {
                let color = COLORS[i % COLORS.len()];
                let line: Vec<(f64, f64)> = s.points.iter().filter(ok).copied().collect();
                chart
                    .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))
                    .map_err(|e| err(path, e))?
                    .label(s.name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
                if line.len() <= 40 {
                    chart
                        .draw_series(line.iter().map(|&p| Circle::new(p, 3, color.filled())))
                        .map_err(|e| err(path, e))?;
                }
            }
            chart
                .configure_series_labels()
                .position(corner.clone())
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .label_font(("sans-serif", 13))
                .draw()
                .map_err(|e| err(path, e))?;
        }};
    }
    if log {
        draw!(builder.build_cartesian_2d(x0..x1, (y0..y1).log_scale()).map_err(|e| err(path, e))?);
    } else {
        draw!(builder.build_cartesian_2d(x0..x1, y0..y1).map_err(|e| err(path, e))?);
    }
    Ok(())
}

/// Draws `panels` in a grid of `columns` under a common `title`, each panel
/// `panel_size` pixels (width, height). Non-finite points are skipped.
pub fn line_grid(
    path: &Path,
    title: &str,
    panels: &[LinePanel],
    columns: usize,
    panel_size: (u32, u32),
) -> Result<(), PlotError> {
    ensure_font();
    let columns = columns.clamp(1, panels.len().max(1));
    let rows = panels.len().div_ceil(columns).max(1);
    let size = (panel_size.0 * columns as u32, panel_size.1 * rows as u32 + 40);
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let root = root.titled(title, ("sans-serif", 24)).map_err(|e| err(path, e))?;
    for (area, panel) in root.split_evenly((rows, columns)).iter().zip(panels) {
        draw_line_panel(path, area, panel)?;
    }
    root.present().map_err(|e| err(path, e))?;
    Ok(())
}

/// One chart of a [`histogram_grid`].
#[derive(Clone, Debug)]
pub struct HistogramPanel {
    /// Chart title.
    pub title: String,
    /// The counts; bars show each bin's fraction of the total.
    pub histogram: Histogram,
}

/// Draws histograms as bar charts in a grid of `columns` under a common
/// `title`, each panel `panel_size` pixels; the y axis is the fraction of
/// values in each bin.
pub fn histogram_grid(
    path: &Path,
    title: &str,
    panels: &[HistogramPanel],
    columns: usize,
    panel_size: (u32, u32),
) -> Result<(), PlotError> {
    ensure_font();
    let columns = columns.clamp(1, panels.len().max(1));
    let rows = panels.len().div_ceil(columns).max(1);
    let size = (panel_size.0 * columns as u32, panel_size.1 * rows as u32 + 40);
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let root = root.titled(title, ("sans-serif", 20)).map_err(|e| err(path, e))?;
    for (area, panel) in root.split_evenly((rows, columns)).iter().zip(panels) {
        let h = &panel.histogram;
        let total = h.total().max(1) as f64;
        let fractions: Vec<f64> = h.counts.iter().map(|&c| c as f64 / total).collect();
        let top = fractions.iter().fold(0.0f64, |m, &f| m.max(f)).max(1e-3) * 1.08;
        let width = (h.hi - h.lo) / h.counts.len().max(1) as f64;
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, ("sans-serif", 14))
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(52)
            .build_cartesian_2d(h.lo..h.hi, 0.0..top)
            .map_err(|e| err(path, e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(5)
            .y_labels(5)
            .x_label_formatter(&|v: &f64| tick(*v))
            .y_label_formatter(&|v: &f64| tick(*v))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| err(path, e))?;
        let bars = fractions.iter().enumerate().map(|(k, &f)| {
            let left = h.lo + k as f64 * width;
            Rectangle::new([(left, 0.0), (left + width, f)], BLUE.mix(0.7).filled())
        });
        chart.draw_series(bars).map_err(|e| err(path, e))?;
    }
    root.present().map_err(|e| err(path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::tick;

    #[test]
    fn ticks_stay_short() {
        assert_eq!(tick(0.5), "0.5");
        assert_eq!(tick(0.30000000000000004), "0.3");
        assert_eq!(tick(1234.0), "1234");
        assert_eq!(tick(12345.0), "1.2e4");
        assert_eq!(tick(0.00002), "2.0e-5");
        assert_eq!(tick(12.0), "12");
    }
}
