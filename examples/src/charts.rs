//! Several line charts side by side in one PNG (for comparing the same
//! curves against different x axes).

use crate::plots::{log_tick_label, tick_label, PlotError, Series};
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

/// One chart of a row.
pub struct Panel<'a> {
    /// Chart title.
    pub title: &'a str,
    /// X axis label.
    pub x_label: &'a str,
    /// Y axis label.
    pub y_label: &'a str,
    /// The curves (same colours, in order, in every panel).
    pub series: &'a [Series],
    /// Logarithmic x axis (positive x only).
    pub log_x: bool,
}

fn err(path: &Path, e: impl std::fmt::Display) -> PlotError {
    PlotError { path: path.display().to_string(), message: e.to_string() }
}

/// Draws `panels` left to right under a common `title`; the y axis is
/// logarithmic in all of them (losses). Non-finite or non-positive points
/// are skipped.
pub fn line_panels(path: &Path, title: &str, panels: &[Panel<'_>]) -> Result<(), PlotError> {
    ensure_font();
    let width = 520 * panels.len().max(1) as u32;
    let root = BitMapBackend::new(path, (width, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let root = root.titled(title, ("sans-serif", 26)).map_err(|e| err(path, e))?;
    let colors = [BLUE, RED, RGBColor(0, 140, 0), MAGENTA, RGBColor(230, 120, 0), BLACK];
    for (area, panel) in root.split_evenly((1, panels.len().max(1))).iter().zip(panels) {
        // Log axes drawn as linear axes of log10 values labelled with the
        // values themselves (see `plots::line_chart`).
        let ok = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite() && p.1 > 0.0 && (!panel.log_x || p.0 > 0.0);
        let to_axes = |&(x, y): &(f64, f64)| (if panel.log_x { x.log10() } else { x }, y.log10());
        let points = |s: &Series| -> Vec<(f64, f64)> { s.points.iter().filter(|p| ok(p)).map(to_axes).collect() };
        let pts: Vec<(f64, f64)> = panel.series.iter().flat_map(points).collect();
        let fold = |f: fn(&(f64, f64)) -> f64| {
            pts.iter().map(f).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)))
        };
        let (mut x0, mut x1) = if pts.is_empty() { (1.0, 2.0) } else { fold(|p| p.0) };
        let (mut y0, mut y1) = if pts.is_empty() { (-1.0, 0.0) } else { fold(|p| p.1) };
        if x1 <= x0 {
            x1 = x0 + 1.0;
        }
        if y1 <= y0 {
            y1 = y0 + 0.3;
        }
        if !panel.log_x {
            x0 = x0.min(0.0);
        }
        let pad = (y1 - y0) * 0.05;
        (y0, y1) = (y0 - pad, y1 + pad);
        let mut builder = ChartBuilder::on(area);
        builder.caption(panel.title, ("sans-serif", 20)).margin(12).x_label_area_size(40).y_label_area_size(60);
        macro_rules! draw {
            ($chart:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .x_desc(panel.x_label)
                    .y_desc(panel.y_label)
                    .label_style(("sans-serif", 14))
                    .y_labels(12)
                    .y_label_formatter(&|v: &f64| log_tick_label(*v))
                    .x_label_formatter(&|v: &f64| if panel.log_x { log_tick_label(*v) } else { tick_label(*v) })
                    .draw()
                    .map_err(|e| err(path, e))?;
                for (i, s) in panel.series.iter().enumerate() {
                    let color = colors[i % colors.len()];
                    let line = points(s);
                    chart
                        .draw_series(LineSeries::new(line, color.stroke_width(2)))
                        .map_err(|e| err(path, e))?
                        .label(s.name.clone())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
                }
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK)
                    .label_font(("sans-serif", 14))
                    .draw()
                    .map_err(|e| err(path, e))?;
            }};
        }
        draw!(builder.build_cartesian_2d(x0..x1, y0..y1).map_err(|e| err(path, e))?);
    }
    root.present().map_err(|e| err(path, e))?;
    Ok(())
}
