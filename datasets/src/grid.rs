//! Turning pictures back into a PNG: a grid of tiles, each with a caption
//! (its label, or "label/prediction") drawn underneath in a tiny font.

use std::borrow::Cow;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use crate::batch::Batch;
use crate::error::{DatasetError, Result};
use crate::font::{ink, GLYPH_H, GLYPH_W};
use crate::subset::Subset;

/// Each picture pixel becomes a `ZOOM x ZOOM` square: 28 px is too small to
/// read on a screen.
const ZOOM: usize = 2;
/// Each font pixel becomes a `FONT_ZOOM x FONT_ZOOM` square.
const FONT_ZOOM: usize = 2;
/// Space around tiles and between picture and caption, in output pixels.
const PAD: usize = 4;
const BACKGROUND: [u8; 3] = [48, 48, 48];
const CAPTION: [u8; 3] = [240, 240, 240];
const HIGHLIGHT: [u8; 3] = [255, 80, 80];

/// One picture of a grid.
#[derive(Debug, Clone)]
pub struct GridTile<'a> {
    /// Gray levels, row-major, `rows * cols` of them (0 = black).
    pub pixels: Cow<'a, [u8]>,
    /// Text under the picture: digits and ` / - : . =` (others show as `?`).
    /// Cut to what fits under the picture.
    pub caption: String,
    /// Draw the caption in red, e.g. for a wrong prediction.
    pub highlight: bool,
}

/// Writes `tiles` as an RGB PNG, `columns` tiles per row, each picture
/// `rows x cols` pixels shown twice as large, its caption underneath.
pub fn save_grid(path: &Path, tiles: &[GridTile<'_>], rows: usize, cols: usize, columns: usize) -> Result<()> {
    if tiles.is_empty() || columns == 0 || rows == 0 || cols == 0 {
        return Err(DatasetError::Config(format!(
            "a grid needs tiles, columns and picture sides >= 1 (got {} tiles, {columns} columns, {rows}x{cols})",
            tiles.len()
        )));
    }
    if let Some((i, t)) = tiles.iter().enumerate().find(|(_, t)| t.pixels.len() != rows * cols) {
        return Err(DatasetError::Config(format!("tile {i} has {} pixels, not {rows}x{cols}", t.pixels.len())));
    }
    let tile_w = cols * ZOOM;
    let cell_w = tile_w + PAD;
    let cell_h = rows * ZOOM + PAD + GLYPH_H * FONT_ZOOM + PAD;
    let columns = columns.min(tiles.len());
    let grid_rows = tiles.len().div_ceil(columns);
    let (width, height) = (PAD + columns * cell_w, PAD + grid_rows * cell_h);
    let too_big = || DatasetError::Config(format!("grid of {width}x{height} pixels is too large"));
    let (w32, h32) = (u32::try_from(width).map_err(|_| too_big())?, u32::try_from(height).map_err(|_| too_big())?);
    let mut rgb = BACKGROUND.repeat(width * height);
    let mut put = |x: usize, y: usize, color: [u8; 3]| {
        let at = 3 * (y * width + x);
        rgb[at..at + 3].copy_from_slice(&color);
    };
    for (n, tile) in tiles.iter().enumerate() {
        let (x0, y0) = (PAD + (n % columns) * cell_w, PAD + (n / columns) * cell_h);
        for y in 0..rows * ZOOM {
            for x in 0..tile_w {
                let v = tile.pixels[(y / ZOOM) * cols + x / ZOOM];
                put(x0 + x, y0 + y, [v, v, v]);
            }
        }
        let color = if tile.highlight { HIGHLIGHT } else { CAPTION };
        let advance = (GLYPH_W + 1) * FONT_ZOOM;
        let fits = (tile_w + FONT_ZOOM) / advance;
        let ty = y0 + rows * ZOOM + PAD;
        for (k, c) in tile.caption.chars().take(fits).enumerate() {
            for y in 0..GLYPH_H * FONT_ZOOM {
                for x in 0..GLYPH_W * FONT_ZOOM {
                    if ink(c, x / FONT_ZOOM, y / FONT_ZOOM) {
                        put(x0 + k * advance + x, ty + y, color);
                    }
                }
            }
        }
    }
    let png_err = |source| DatasetError::Png { path: path.into(), source };
    let file = File::create(path).map_err(|e| DatasetError::io(path, "create", e))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), w32, h32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(png_err)?;
    writer.write_image_data(&rgb).map_err(png_err)?;
    writer.finish().map_err(png_err)
}

impl<'a> Subset<'a> {
    /// Tiles for the examples at view positions `positions`, captioned with
    /// their labels. The pictures are borrowed, not copied.
    pub fn tiles(&self, positions: &[usize]) -> Vec<GridTile<'a>> {
        positions
            .iter()
            .map(|&k| GridTile {
                pixels: Cow::Borrowed(self.image(k)),
                caption: self.label(k).to_string(),
                highlight: false,
            })
            .collect()
    }
}

impl Batch {
    /// Tiles for this batch's pictures (values in `[0, 1]` turned back into
    /// bytes, `round(255 x)`), captioned with their labels. With
    /// `predictions`, captions read "label/prediction" and wrong ones are
    /// highlighted.
    pub fn tiles(&self, predictions: Option<&[usize]>) -> Vec<GridTile<'static>> {
        let values = self.images.to_vec();
        let per = values.len() / self.len().max(1);
        let to_byte = |x: f32| (x.clamp(0.0, 1.0) * 255.0).round() as u8;
        (0..self.len())
            .map(|i| {
                let pixels = values[i * per..(i + 1) * per].iter().map(|&x| to_byte(x)).collect();
                let label = self.labels[i];
                let (caption, highlight) = match predictions.and_then(|p| p.get(i)) {
                    Some(&p) => (format!("{label}/{p}"), p != label),
                    None => (label.to_string(), false),
                };
                GridTile { pixels: Cow::Owned(pixels), caption, highlight }
            })
            .collect()
    }
}
