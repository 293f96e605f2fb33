//! A digit drawn on the page, turned into the kind of image MNIST holds.
//!
//! MNIST's digits were prepared in two steps (LeCun et al., 1998): each was
//! scaled, keeping its aspect ratio, to fit a 20x20 box, with grey levels
//! from the averaging; then it was placed in a 28x28 field so that its centre
//! of mass `(sum_i v_i x_i / sum_i v_i, ...)` sits at the field's centre. A
//! network trained on MNIST expects exactly that, so a drawing goes through
//! the same steps before it is classified.

use thiserror::Error;

/// Side of the images the networks read.
pub const SIDE: usize = 28;
/// Side of the box the digit is scaled into.
pub const BOX: usize = 20;
/// Ink below this level does not count towards the digit's bounding box.
const INK: f32 = 0.05;

/// A drawing that cannot be read.
#[derive(Debug, Error, PartialEq)]
pub enum DrawingError {
    /// The pixel count is not `width * height`.
    #[error("a {width}x{height} drawing has {expected} pixels, got {got}")]
    WrongSize {
        /// Columns.
        width: usize,
        /// Rows.
        height: usize,
        /// `width * height`.
        expected: usize,
        /// What arrived.
        got: usize,
    },
    /// A pixel is not a number in `[0, 1]`.
    #[error("pixel {index} is {value}, not an ink level in [0, 1]")]
    BadPixel {
        /// Its position, row by row.
        index: usize,
        /// Its value.
        value: f32,
    },
}

/// `gray` (`height` rows of `width` ink levels in `[0, 1]`, 1 = full ink)
/// as a 28x28 MNIST-style image, row by row; all zeros when nothing is drawn.
pub fn preprocess(gray: &[f32], width: usize, height: usize) -> Result<Vec<f32>, DrawingError> {
    let expected = width.saturating_mul(height);
    if gray.len() != expected {
        return Err(DrawingError::WrongSize { width, height, expected, got: gray.len() });
    }
    if let Some(index) = gray.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(DrawingError::BadPixel { index, value: gray[index] });
    }
    let mut out = vec![0.0; SIDE * SIDE];
    let Some((x0, y0, x1, y1)) = bounding_box(gray, width, height) else {
        return Ok(out);
    };
    // Step 1: the box's longer side becomes 20 pixels.
    let (bw, bh) = (x1 - x0, y1 - y0);
    let scale = BOX as f64 / bw.max(bh) as f64;
    let (tw, th) = (scaled(bw, scale), scaled(bh, scale));
    let wx = area_weights(x0, bw, tw);
    let wy = area_weights(y0, bh, th);
    let mut small = vec![0.0f32; tw * th];
    for (ty, row_weights) in wy.iter().enumerate() {
        for &(sy, a) in row_weights {
            for (tx, col_weights) in wx.iter().enumerate() {
                let v: f32 = col_weights.iter().map(|&(sx, b)| b * gray[sy * width + sx]).sum();
                small[ty * tw + tx] += a * v;
            }
        }
    }
    // Step 2: the centre of mass goes to the centre of the 28x28 field.
    let mass: f32 = small.iter().sum();
    let (mut cx, mut cy) = (0.0f32, 0.0f32);
    for (i, v) in small.iter().enumerate() {
        cx += v * ((i % tw) as f32 + 0.5);
        cy += v * ((i / tw) as f32 + 0.5);
    }
    let shift = |centre: f32| (SIDE as f32 / 2.0 - centre / mass).round() as isize;
    let (dx, dy) = (shift(cx), shift(cy));
    for (i, v) in small.iter().enumerate() {
        let (x, y) = ((i % tw) as isize + dx, (i / tw) as isize + dy);
        if (0..SIDE as isize).contains(&x) && (0..SIDE as isize).contains(&y) {
            out[y as usize * SIDE + x as usize] = v.clamp(0.0, 1.0);
        }
    }
    Ok(out)
}

/// `(x0, y0, x1, y1)`, exclusive ends, of the pixels with ink.
fn bounding_box(gray: &[f32], width: usize, height: usize) -> Option<(usize, usize, usize, usize)> {
    let (mut x0, mut y0, mut x1, mut y1) = (width, height, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if gray[y * width + x] > INK {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            }
        }
    }
    (x1 > x0).then_some((x0, y0, x1, y1))
}

/// `n * scale` pixels, at least 1 and at most [`BOX`].
fn scaled(n: usize, scale: f64) -> usize {
    ((n as f64 * scale).round() as usize).clamp(1, BOX)
}

/// For each of `to` target pixels, the source pixels `start..start + from`
/// it covers and the share of each: target pixel `t` spans the source
/// interval `[t, t + 1) * from / to`, and a source pixel weighs the length
/// of its overlap with it, divided by the span, so the weights sum to 1
/// (area averaging, which gives the grey edges MNIST's digits have).
fn area_weights(start: usize, from: usize, to: usize) -> Vec<Vec<(usize, f32)>> {
    let span = from as f64 / to as f64;
    (0..to)
        .map(|t| {
            let (a, b) = (t as f64 * span, (t + 1) as f64 * span);
            let first = a.floor() as usize;
            let last = (b.ceil() as usize).min(from);
            (first..last)
                .filter_map(|s| {
                    let overlap = (b.min(s as f64 + 1.0) - a.max(s as f64)).max(0.0);
                    (overlap > 0.0).then(|| (start + s, (overlap / span) as f32))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w x h` canvas with the rectangle `[x0, x1) x [y0, y1)` inked.
    fn canvas(w: usize, h: usize, (x0, y0, x1, y1): (usize, usize, usize, usize)) -> Vec<f32> {
        (0..w * h).map(|i| if (x0..x1).contains(&(i % w)) && (y0..y1).contains(&(i / w)) { 1.0 } else { 0.0 }).collect()
    }

    fn extent(img: &[f32]) -> (usize, usize, usize, usize) {
        bounding_box(img, SIDE, SIDE).expect("ink")
    }

    fn centre_of_mass(img: &[f32]) -> (f32, f32) {
        let m: f32 = img.iter().sum();
        let cx = img.iter().enumerate().map(|(i, v)| v * ((i % SIDE) as f32 + 0.5)).sum::<f32>() / m;
        let cy = img.iter().enumerate().map(|(i, v)| v * ((i / SIDE) as f32 + 0.5)).sum::<f32>() / m;
        (cx, cy)
    }

    #[test]
    fn a_tall_stroke_fills_twenty_rows_keeps_its_aspect_and_is_centred() {
        // A 20 x 200 stroke on a 280 x 280 canvas, far from the centre.
        let img = preprocess(&canvas(280, 280, (10, 30, 30, 230)), 280, 280).unwrap();
        let (x0, y0, x1, y1) = extent(&img);
        assert_eq!(y1 - y0, BOX);
        assert_eq!(x1 - x0, 2, "200:20 becomes 20:2");
        let (cx, cy) = centre_of_mass(&img);
        assert!((cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5, "centre of mass {cx}, {cy}");
        assert!(img.iter().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn the_same_drawing_anywhere_on_the_canvas_gives_the_same_image() {
        let a = preprocess(&canvas(280, 280, (20, 40, 80, 160)), 280, 280).unwrap();
        let b = preprocess(&canvas(280, 280, (190, 150, 250, 270)), 280, 280).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn area_averaging_keeps_the_ink_and_gives_grey_edges() {
        // 30 source pixels into 20: each target pixel covers 1.5 source pixels.
        let weights = area_weights(0, 30, 20);
        for w in &weights {
            let total: f32 = w.iter().map(|(_, s)| s).sum();
            assert!((total - 1.0).abs() < 1e-6);
        }
        // An L whose upright is 15 px wide in a 200 px box: scaled by 1/10,
        // the upright covers one target column and half of the next.
        let mut l = canvas(280, 280, (10, 10, 25, 210));
        for (i, v) in canvas(280, 280, (10, 195, 210, 210)).into_iter().enumerate() {
            l[i] = l[i].max(v);
        }
        let img = preprocess(&l, 280, 280).unwrap();
        let (x0, y0, _, _) = extent(&img);
        assert_eq!(img[(y0 + 5) * SIDE + x0], 1.0);
        assert!((img[(y0 + 5) * SIDE + x0 + 1] - 0.5).abs() < 1e-6);
        let ink: f32 = l.iter().sum::<f32>() / 100.0;
        assert!((img.iter().sum::<f32>() - ink).abs() < 1e-3, "area averaging keeps the ink");
    }

    #[test]
    fn a_small_drawing_is_enlarged_to_the_box() {
        let img = preprocess(&canvas(28, 28, (12, 12, 16, 16)), 28, 28).unwrap();
        let (x0, y0, x1, y1) = extent(&img);
        assert_eq!((x1 - x0, y1 - y0), (BOX, BOX));
    }

    #[test]
    fn an_empty_canvas_is_all_zeros_and_bad_input_is_refused() {
        assert_eq!(preprocess(&vec![0.0; 100], 10, 10).unwrap(), vec![0.0; SIDE * SIDE]);
        assert!(matches!(preprocess(&[0.0; 99], 10, 10), Err(DrawingError::WrongSize { .. })));
        assert!(matches!(preprocess(&[0.0; 4], usize::MAX, 2), Err(DrawingError::WrongSize { .. })));
        let mut bad = vec![0.0; 100];
        bad[7] = f32::NAN;
        assert!(matches!(preprocess(&bad, 10, 10), Err(DrawingError::BadPixel { index: 7, .. })));
    }
}
