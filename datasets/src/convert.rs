//! Bytes to numbers: pixels to `f32` in `[0, 1]`, labels to one-hot rows.

use rayon::prelude::*;

/// The pixel value that maps to 1.0: `x = p / PIXEL_SCALE`.
pub const PIXEL_SCALE: f32 = 255.0;

/// Below this many pixels a gather runs on one thread: a [64, 784] batch
/// converts in microseconds, less than waking rayon's pool costs.
const PARALLEL_MIN_PIXELS: usize = 1 << 18;

sinapse_tensor::widest_vectors! {
    /// Converts pixels to `f32`: `dst[k] = src[k] as f32 / 255.0`.
    ///
    /// Division rather than multiplication by `1/255`: it gives the correctly
    /// rounded quotient, so 255 maps to exactly 1.0 and every value equals what a
    /// reader computes by hand. The loop vectorizes either way, and runs on the
    /// widest vectors the CPU has: divisions are slow, and a batch of 64 MNIST
    /// images spent most of its 21 us in them on 4-wide registers.
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn pixels_to_f32(src: &[u8], dst: &mut [f32]) {
        assert_eq!(src.len(), dst.len(), "pixels_to_f32: length mismatch");
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = f32::from(s) / PIXEL_SCALE;
        }
    }
}

/// Fills `dst` (`images.len() * pixels` values) with the pictures given by
/// `image(k)` for `k` in `0..count`, each converted by [`pixels_to_f32`],
/// in parallel for large batches.
pub(crate) fn gather_pixels<'a>(
    count: usize,
    pixels: usize,
    image: impl Fn(usize) -> &'a [u8] + Sync,
    dst: &mut [f32],
) {
    debug_assert_eq!(dst.len(), count * pixels);
    if pixels == 0 {
        return;
    }
    if count * pixels < PARALLEL_MIN_PIXELS {
        for (k, row) in dst.chunks_exact_mut(pixels).enumerate() {
            pixels_to_f32(image(k), row);
        }
    } else {
        dst.par_chunks_exact_mut(pixels).enumerate().with_min_len(64).for_each(|(k, row)| pixels_to_f32(image(k), row));
    }
}

/// One-hot rows: for each label `y`, a row of `classes` values with 1.0 at
/// column `y` and 0.0 elsewhere, rows concatenated (`[labels.len(), classes]`
/// row-major).
///
/// Classes are numbered from 0, so a label is in `0..classes`: the course
/// numbers them `1..K`, and its class `k` is label `k - 1` here (MNIST's
/// digits are their own labels, 0 to 9). `sinapse_nn::loss::one_hot` builds
/// the same rows as a tensor, with the same check and message.
///
/// ```
/// use sinapse_datasets::one_hot;
/// assert_eq!(one_hot(&[2, 0], 3), [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
/// ```
///
/// # Panics
/// When a label is not below `classes`: a caller's mistake, since labels
/// read from a file are checked when it is loaded (`IdxLabels` and
/// [`Dataset::new`](crate::Dataset::new) refuse a label `>= classes` with
/// an error). The message names the function, the label, its index and
/// `classes`.
#[track_caller]
pub fn one_hot(labels: &[usize], classes: usize) -> Vec<f32> {
    if let Some((i, &y)) = labels.iter().enumerate().find(|&(_, &y)| y >= classes) {
        panic!("one_hot: label {y} at index {i} is not below the {classes} classes (classes are numbered from 0)");
    }
    let mut out = vec![0.0; labels.len() * classes];
    // Every label is below `classes`, so `classes >= 1` whenever a row exists.
    for (row, &y) in out.chunks_exact_mut(classes.max(1)).zip(labels) {
        row[y] = 1.0;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_is_exact_division() {
        // Every byte value, twice and then some: whole vectors and a tail.
        let src: Vec<u8> = (0..600).map(|i| (i % 256) as u8).collect();
        let converted = sinapse_tensor::kernels::instruction_sets::for_each_level(|| {
            let mut dst = vec![f32::NAN; src.len()];
            pixels_to_f32(&src, &mut dst);
            dst
        });
        for (level, dst) in converted {
            for (p, x) in src.iter().zip(&dst) {
                assert_eq!(x.to_bits(), (*p as f32 / 255.0).to_bits(), "{level:?}");
            }
            assert_eq!(dst[0], 0.0);
            assert_eq!(dst[255], 1.0);
        }
    }

    #[test]
    fn one_hot_rows() {
        assert_eq!(one_hot(&[2, 0], 3), vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
        assert_eq!(one_hot(&[], 3), Vec::<f32>::new());
        assert_eq!(one_hot(&[], 0), Vec::<f32>::new());
    }

    #[test]
    fn parallel_and_serial_gather_agree() {
        let pics: Vec<Vec<u8>> = (0..600).map(|i| vec![(i % 256) as u8; 784]).collect();
        let mut big = vec![0.0; 600 * 784];
        gather_pixels(600, 784, |k| &pics[k], &mut big);
        for (k, row) in big.chunks(784).enumerate() {
            assert!(row.iter().all(|&x| x == (k % 256) as f32 / 255.0));
        }
    }
}
