//! The course's 1-D convolution, written as its formula: a centred kernel
//! indexed from `-n` to `n`, flipped as it slides.

use crate::{Element, Tensor};

impl<T: Element> Tensor<T> {
    /// The course's convolution of a signal with a centred kernel:
    /// `(x * w)[i] = sum_{k=-n}^{n} x[i - k] w[k]`, for `i` in `0..L`.
    ///
    /// - `self`: the signal `x`, shape `[L]`; `x[j] = 0` outside `0..L`, so
    ///   the output has the input's length ("same" padding);
    /// - `w`: the kernel, shape `[2n + 1]`, stored from `w[-n]` (position 0)
    ///   through `w[0]` (position `n`, the centre) to `w[n]` (position `2n`);
    /// - returns `[L]`.
    ///
    /// Because `x` is read at `i - k`, the kernel is used back to front: the
    /// weight at `k = +1` multiplies the sample *before* `i`. A kernel whose
    /// only 1 is at `k = +1` delays the signal by one step. [`Tensor::conv1d`]
    /// computes the cross-correlation `y[i] = sum_j x[i + j] w[j]`, as every
    /// framework does; this is that operation with the kernel reversed and
    /// `n` zeros of padding on each side (a test checks it). Plain loops,
    /// `O(L n)`: a reference, not a fast path.
    ///
    /// ```
    /// use sinapse_tensor::Tensor;
    /// let x = Tensor::<f64>::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0], &[5]).unwrap();
    /// // w[-1] = 1, w[0] = 2, w[1] = 3: y[i] = x[i + 1] + 2 x[i] + 3 x[i - 1].
    /// let w = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]).unwrap();
    /// assert_eq!(x.course_conv1d(&w).to_vec(), [4.0, 10.0, 16.0, 22.0, 22.0]);
    /// ```
    ///
    /// # Panics
    /// When `x` or `w` is not 1-D, or `w` has an even number of elements
    /// (there is no centre).
    #[track_caller]
    pub fn course_conv1d(&self, w: &Tensor<T>) -> Tensor<T> {
        assert!(
            self.ndim() == 1 && w.ndim() == 1 && w.numel() % 2 == 1,
            "course_conv1d: signal of shape {:?} must be [L] and kernel of shape {:?} must be [2n + 1]",
            self.shape(),
            w.shape()
        );
        let (x, w) = (self.to_vec(), w.to_vec());
        let n = (w.len() / 2) as isize;
        let len = x.len() as isize;
        // w[k] for k in -n..=n lives at position k + n.
        let tap = |k: isize| w[(k + n) as usize];
        let y: Vec<T> = (0..len)
            .map(|i| {
                let mut s = T::zero();
                for k in -n..=n {
                    let j = i - k;
                    if (0..len).contains(&j) {
                        s += x[j as usize] * tap(k);
                    }
                }
                s
            })
            .collect();
        Tensor::from_vec_unchecked(y, &[x.len()])
    }
}
