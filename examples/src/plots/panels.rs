//! Two more kinds of picture: data points with fitted curves over them
//! (regression), and panels of images of different sizes side by side (a
//! digit next to 3x3 kernels).

use super::{ensure_font, plot_err, Palette, PlotError, Series};
use plotters::prelude::*;
use std::path::Path;

const COLORS: [RGBColor; 7] =
    [BLUE, RED, RGBColor(0, 140, 0), MAGENTA, RGBColor(230, 120, 0), RGBColor(0, 150, 160), BLACK];

/// Draws `points` as dots (one colour per series, no lines) and `curves` as
/// lines, on a y axis fixed to `y_range`.
///
/// A curve leaving `y_range` is cut where it leaves and resumes where it
/// comes back, so a wildly oscillating fit shows as such instead of
/// stretching the axis until the data look flat. Points outside are not drawn.
pub fn scatter_and_curves(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[Series],
    curves: &[Series],
    y_range: (f64, f64),
) -> Result<(), PlotError> {
    ensure_font();
    let all_x = points.iter().chain(curves).flat_map(|s| s.points.iter().map(|p| p.0)).filter(|x| x.is_finite());
    let (mut x0, mut x1) = all_x.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if x0 > x1 {
        (x0, x1) = (0.0, 1.0);
    }
    let (y0, y1) = y_range;
    let inside = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite() && p.1 >= y0 && p.1 <= y1;
    let root = BitMapBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 26))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| plot_err(path, e))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style(("sans-serif", 16))
        .draw()
        .map_err(|e| plot_err(path, e))?;
    // Curves take the palette from its start, points from its end, so the
    // two sets never share a colour when there are few of each.
    for (i, s) in curves.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for p in &s.points {
            if inside(p) {
                runs.last_mut().expect("never empty").push(*p);
            } else if !runs.last().expect("never empty").is_empty() {
                runs.push(Vec::new());
            }
        }
        let mut first = true;
        for run in runs.into_iter().filter(|r| !r.is_empty()) {
            let drawn =
                chart.draw_series(LineSeries::new(run, color.stroke_width(2))).map_err(|e| plot_err(path, e))?;
            if std::mem::take(&mut first) {
                drawn
                    .label(s.name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
            }
        }
    }
    for (i, s) in points.iter().enumerate() {
        let color = COLORS[COLORS.len() - 1 - (i % COLORS.len())];
        let (filled, radius) = if i == 0 { (true, 5) } else { (false, 3) };
        let style = if filled { color.filled() } else { color.stroke_width(1) };
        chart
            .draw_series(s.points.iter().filter(|p| inside(p)).map(|&p| Circle::new(p, radius, style)))
            .map_err(|e| plot_err(path, e))?
            .label(s.name.clone())
            .legend(move |(x, y)| Circle::new((x + 10, y), radius, style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(|e| plot_err(path, e))?;
    root.present().map_err(|e| plot_err(path, e))?;
    Ok(())
}

/// One image of an [`image_panels`] figure.
#[derive(Clone, Debug)]
pub struct ImagePanel {
    /// `height * width` values, row-major.
    pub values: Vec<f32>,
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// Text under the image.
    pub caption: String,
    /// Colour map (see [`Palette`]).
    pub palette: Palette,
    /// The magnitude drawn at full colour with [`Palette::Diverging`];
    /// `None`: the image's own largest magnitude. Give two images the same
    /// scale to compare their strengths (a feature map and its change).
    pub scale: Option<f32>,
    /// Whether to write each value in its cell (for small images such as
    /// kernels).
    pub show_values: bool,
}

impl ImagePanel {
    /// A panel scaled by its own largest magnitude, values not written.
    ///
    /// # Panics
    /// If `values.len() != height * width`.
    #[track_caller]
    pub fn new(values: Vec<f32>, height: usize, width: usize, caption: impl Into<String>, palette: Palette) -> Self {
        assert_eq!(values.len(), height * width, "ImagePanel: {} values for a {height}x{width} image", values.len());
        ImagePanel { values, height, width, caption: caption.into(), palette, scale: None, show_values: false }
    }

    /// The same panel with its values written in the cells.
    pub fn with_values_shown(self) -> Self {
        ImagePanel { show_values: true, ..self }
    }

    /// The same panel drawn at the given full-colour magnitude.
    pub fn with_scale(self, scale: f32) -> Self {
        ImagePanel { scale: Some(scale), ..self }
    }
}

/// The colour of value `v` in `palette`; `scale` is the image's largest
/// magnitude (for [`Palette::Diverging`]).
fn color_of(v: f32, scale: f32, palette: Palette) -> RGBColor {
    match palette {
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
    }
}

/// A kernel value as written in its cell: at most four decimals, no
/// trailing zeros (`1`, `-2`, `0.0625`).
fn cell_text(v: f32) -> String {
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// Draws images of possibly different sizes in a grid of `columns`, each
/// scaled to fit a `tile x tile` pixel square, with its caption under it.
/// Panels with [`ImagePanel::show_values`] also get each value written in its
/// cell.
#[track_caller]
pub fn image_panels(
    path: &Path,
    title: &str,
    panels: &[ImagePanel],
    columns: usize,
    tile: usize,
) -> Result<(), PlotError> {
    ensure_font();
    let columns = columns.clamp(1, panels.len().max(1));
    let rows = panels.len().div_ceil(columns).max(1);
    let (cell_w, cell_h) = (tile as i32 + 16, tile as i32 + 16 + 22);
    let top = 44i32;
    let size = ((columns as i32 * cell_w + 16) as u32, (top + rows as i32 * cell_h + 8) as u32);
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
    root.draw(&Text::new(title.to_string(), (10, 10), ("sans-serif", 22).into_font()))
        .map_err(|e| plot_err(path, e))?;
    for (k, p) in panels.iter().enumerate() {
        assert_eq!(p.values.len(), p.height * p.width, "image_panels: panel {k} has the wrong number of values");
        let zoom = (tile / p.height.max(p.width).max(1)).max(1) as i32;
        let (gx, gy) = ((k % columns) as i32 * cell_w + 12, top + (k / columns) as i32 * cell_h);
        let own = p.values.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let scale = p.scale.unwrap_or(own).max(1e-12);
        let small = p.show_values;
        for r in 0..p.height {
            for c in 0..p.width {
                let v = p.values[r * p.width + c];
                let (x, y) = (gx + c as i32 * zoom, gy + r as i32 * zoom);
                root.draw(&Rectangle::new([(x, y), (x + zoom, y + zoom)], color_of(v, scale, p.palette).filled()))
                    .map_err(|e| plot_err(path, e))?;
                if small {
                    root.draw(&Rectangle::new([(x, y), (x + zoom, y + zoom)], BLACK.stroke_width(1)))
                        .map_err(|e| plot_err(path, e))?;
                    let text = cell_text(v);
                    // Shrink long numbers (0.0625) so they stay inside the cell.
                    let px = (3 * zoom / (2 * (text.len() as i32 + 1))).clamp(9, 18);
                    let dark = match p.palette {
                        Palette::Gray => v < 0.5,
                        Palette::Diverging => (v / scale).abs() > 0.6,
                    };
                    let font = ("sans-serif", px).into_font().color(if dark { &WHITE } else { &BLACK });
                    root.draw(&Text::new(text, (x + zoom / 8, y + zoom / 3), font)).map_err(|e| plot_err(path, e))?;
                }
            }
        }
        let caption_y = gy + p.height as i32 * zoom + 4;
        root.draw(&Text::new(p.caption.clone(), (gx, caption_y), ("sans-serif", 15).into_font()))
            .map_err(|e| plot_err(path, e))?;
    }
    root.present().map_err(|e| plot_err(path, e))?;
    Ok(())
}
