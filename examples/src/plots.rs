//! PNG pictures for the examples, drawn with `plotters`: curves, a
//! confusion matrix and grids of small images (weights, filters, digits).
//!
//! Text uses DejaVu Sans embedded in the binary, so the pictures look the
//! same on a machine with no fonts installed.

use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::path::Path;
use std::sync::Once;

mod contours;
mod panels;
pub use contours::{contour_chart, level_segments, Surface};
pub use panels::{image_panels, scatter_and_curves, ImagePanel};

/// A plotting failure (unwritable file, drawing error), with the file named.
#[derive(Debug, thiserror::Error)]
#[error("could not draw {path}: {message}")]
pub struct PlotError {
    /// The PNG that was being written.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

fn plot_err(path: &Path, e: impl std::fmt::Display) -> PlotError {
    PlotError { path: path.display().to_string(), message: e.to_string() }
}

static FONT: Once = Once::new();

/// Registers the embedded font as plotters' "sans-serif" (once).
fn ensure_font() {
    FONT.call_once(|| {
        // The bytes are a valid TrueType font shipped by the `dejavu` crate;
        // if registration ever failed, text would be missing, not the plot.
        let _ = register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
    });
}

/// One named curve of `(x, y)` points.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed, so that a curve lying on another (a control that
    /// matches what it controls) stays visible.
    pub dashed: bool,
}

impl Series {
    /// A curve from `y` values at x = 1, 2, 3, ... (epochs).
    pub fn from_values(name: impl Into<String>, values: &[f64]) -> Self {
        Series {
            name: name.into(),
            points: values.iter().enumerate().map(|(i, &v)| ((i + 1) as f64, v)).collect(),
            dashed: false,
        }
    }
}

/// Draws curves on one chart (a legend names each). Non-finite points are
/// skipped. `log_y` plots the y axis on a log scale (for losses).
pub fn line_chart(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    log_y: bool,
) -> Result<(), PlotError> {
    ensure_font();
    // A log axis is drawn as a linear axis of log10(y) labelled with y
    // itself: plotters' own log scale puts ticks only at powers of ten, so a
    // loss between 0.2 and 0.5 would get no label at all.
    let to_axis = |y: f64| if log_y { y.log10() } else { y };
    let finite = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite() && (!log_y || p.1 > 0.0);
    let points = |s: &Series| -> Vec<(f64, f64)> {
        s.points.iter().filter(|p| finite(p)).map(|&(x, y)| (x, to_axis(y))).collect()
    };
    let all: Vec<(f64, f64)> = series.iter().flat_map(points).collect();
    let (mut x0, mut x1) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (mut y0, mut y1) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
    if all.is_empty() {
        (x0, x1, y0, y1) = (0.0, 1.0, to_axis(0.1), to_axis(1.0));
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + y0.abs().max(1e-3);
    }
    let pad = (y1 - y0) * 0.05;
    let root = BitMapBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
    let mut builder = ChartBuilder::on(&root);
    builder.caption(title, ("sans-serif", 26)).margin(16).x_label_area_size(44).y_label_area_size(72);
    let colors = [BLUE, RED, RGBColor(0, 140, 0), MAGENTA, RGBColor(230, 120, 0), RGBColor(0, 150, 160), BLACK];
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(x_label)
                .y_desc(y_label)
                .y_label_formatter(&|v: &f64| if log_y { log_tick_label(*v) } else { tick_label(*v) })
                .label_style(("sans-serif", 16))
                .draw()
                .map_err(|e| plot_err(path, e))?;
            for (i, s) in series.iter().enumerate() {
                let color = colors[i % colors.len()];
                let pts = points(s);
                let style = color.stroke_width(if s.dashed { 3 } else { 2 });
                let drawn = if s.dashed {
                    chart.draw_series(DashedLineSeries::new(pts.clone(), 10, 8, style))
                } else {
                    chart.draw_series(LineSeries::new(pts.clone(), style))
                };
                drawn
                    .map_err(|e| plot_err(path, e))?
                    .label(s.name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
                if pts.len() <= 60 {
                    chart
                        .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                        .map_err(|e| plot_err(path, e))?;
                }
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 16))
                .draw()
                .map_err(|e| plot_err(path, e))?;
        }};
    }
    let chart = builder.build_cartesian_2d(x0..x1, y0 - pad..y1 + pad).map_err(|e| plot_err(path, e))?;
    draw!(chart);
    root.present().map_err(|e| plot_err(path, e))?;
    Ok(())
}

/// The label of a tick at `v = log10(y)` on a log axis: `y` in two
/// significant digits (0.25, 0.032, 3200; 1.6e-5 and 2.5e6 beyond).
pub(crate) fn log_tick_label(v: f64) -> String {
    let y = 10f64.powf(v);
    if !(1e-3..1e6).contains(&y) {
        return format!("{y:.1e}");
    }
    let magnitude = y.log10().floor() as i32;
    if magnitude >= 1 {
        let unit = 10f64.powi(magnitude - 1);
        return format!("{}", (y / unit).round() * unit);
    }
    let decimals = (1 - magnitude) as usize;
    let text = format!("{y:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::log_tick_label;

    #[test]
    fn log_ticks_read_in_two_significant_digits_below_and_above_one() {
        let label = |y: f64| log_tick_label(y.log10());
        assert_eq!(label(0.2512), "0.25");
        assert_eq!(label(0.0316), "0.032");
        assert_eq!(label(0.1), "0.1");
        assert_eq!(label(3.162), "3.2");
        assert_eq!(label(316.2), "320");
        assert_eq!(label(3162.3), "3200");
        assert_eq!(label(1.6e-5), "1.6e-5");
    }
}

/// A tick value in at most four significant digits: log-scale axes put
/// ticks at values such as 0.30000000000000004, whose full text would not
/// fit the label area.
pub(crate) fn tick_label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let decimals = (3 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    // A tick at zero computed as -1e-17 would otherwise read "-0".
    if text == "-0" {
        "0".into()
    } else {
        text
    }
}

/// Draws a confusion matrix: row = true class, column = predicted class,
/// cells shaded by the fraction of their row, with the counts written in.
pub fn confusion_matrix(path: &Path, title: &str, counts: &[Vec<usize>], labels: &[String]) -> Result<(), PlotError> {
    ensure_font();
    let k = counts.len();
    let cell = 52i32;
    let (left, top) = (110i32, 70i32);
    let size = (left as u32 + (k as u32) * cell as u32 + 30, top as u32 + (k as u32) * cell as u32 + 60);
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
    let text = |s: &str, x: i32, y: i32, px: i32, color: &RGBColor| {
        root.draw(&Text::new(s.to_string(), (x, y), ("sans-serif", px).into_font().color(color)))
    };
    text(title, 10, 10, 22, &BLACK).map_err(|e| plot_err(path, e))?;
    text("true \\ predicted", 6, top - 24, 14, &BLACK).map_err(|e| plot_err(path, e))?;
    for (i, row) in counts.iter().enumerate() {
        let total: usize = row.iter().sum::<usize>().max(1);
        let y = top + i as i32 * cell;
        text(&labels[i], 12, y + cell / 3, 16, &BLACK).map_err(|e| plot_err(path, e))?;
        for (j, &c) in row.iter().enumerate() {
            let x = left + j as i32 * cell;
            let frac = c as f64 / total as f64;
            let shade = (255.0 * (1.0 - frac)).round() as u8;
            let fill = if i == j { RGBColor(shade, shade, 255) } else { RGBColor(255, shade, shade) };
            root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], fill.filled())).map_err(|e| plot_err(path, e))?;
            root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], BLACK.stroke_width(1)))
                .map_err(|e| plot_err(path, e))?;
            let color = if frac > 0.6 { WHITE } else { BLACK };
            text(&c.to_string(), x + 4, y + cell / 3, 14, &color).map_err(|e| plot_err(path, e))?;
        }
    }
    for (j, label) in labels.iter().enumerate() {
        let x = left + j as i32 * cell + cell / 3;
        text(label, x, top + k as i32 * cell + 8, 16, &BLACK).map_err(|e| plot_err(path, e))?;
    }
    root.present().map_err(|e| plot_err(path, e))?;
    Ok(())
}

/// How the values of an image grid map to colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Palette {
    /// 0 = black, 1 = white (pixels in [0, 1]).
    Gray,
    /// Negative red, zero white, positive blue, scaled per image by its
    /// largest magnitude (weights and filters).
    Diverging,
}

/// Draws `images` (each `height * width` values, row-major) in a grid of
/// `columns`, each scaled up by `zoom`, with an optional caption under each.
#[allow(clippy::too_many_arguments)]
pub fn image_grid(
    path: &Path,
    title: &str,
    images: &[Vec<f32>],
    height: usize,
    width: usize,
    columns: usize,
    zoom: usize,
    captions: Option<&[String]>,
    palette: Palette,
) -> Result<(), PlotError> {
    ensure_font();
    let columns = columns.max(1);
    let rows = images.len().div_ceil(columns).max(1);
    let caption_h = if captions.is_some() { 20 } else { 0 };
    let (tile_w, tile_h) = ((width * zoom + 8) as i32, (height * zoom + 8 + caption_h) as i32);
    let top = 40i32;
    let size = ((columns as i32 * tile_w + 8) as u32, (top + rows as i32 * tile_h + 8) as u32);
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
    root.draw(&Text::new(title.to_string(), (8, 8), ("sans-serif", 20).into_font())).map_err(|e| plot_err(path, e))?;
    for (k, img) in images.iter().enumerate() {
        let (gx, gy) = ((k % columns) as i32 * tile_w + 8, top + (k / columns) as i32 * tile_h);
        let scale = img.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-12);
        for r in 0..height {
            for c in 0..width {
                let v = img[r * width + c];
                let color = match palette {
                    Palette::Gray => {
                        let g = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                        RGBColor(g, g, g)
                    }
                    Palette::Diverging => {
                        let t = (v / scale).clamp(-1.0, 1.0);
                        let fade = (255.0 * (1.0 - t.abs())).round() as u8;
                        if t >= 0.0 {
                            RGBColor(fade, fade, 255)
                        } else {
                            RGBColor(255, fade, fade)
                        }
                    }
                };
                let (x, y) = (gx + (c * zoom) as i32, gy + (r * zoom) as i32);
                root.draw(&Rectangle::new([(x, y), (x + zoom as i32, y + zoom as i32)], color.filled()))
                    .map_err(|e| plot_err(path, e))?;
            }
        }
        if let Some(caps) = captions {
            if let Some(cap) = caps.get(k) {
                root.draw(&Text::new(
                    cap.clone(),
                    (gx, gy + (height * zoom) as i32 + 3),
                    ("sans-serif", 14).into_font(),
                ))
                .map_err(|e| plot_err(path, e))?;
            }
        }
    }
    root.present().map_err(|e| plot_err(path, e))?;
    Ok(())
}
