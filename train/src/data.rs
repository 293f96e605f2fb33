//! Where `fit` gets its examples: any [`BatchSource`], so a data set can be
//! served batch by batch without first being copied whole into floats.

use sinapse_tensor::{Element, Tensor};

/// A training or evaluation set that hands out batches on demand: the
/// examples at `indices` as an input tensor `x` and a target tensor `y`,
/// each with the batch as its first dimension.
///
/// [`Model::fit_source`](crate::Model::fit_source) shuffles positions
/// `0..len()` itself and asks for one batch (or one chunk of a batch) at a
/// time, so an implementation only needs random access. [`TensorData`]
/// serves tensors already in memory; a memory-mapped image set can convert
/// its bytes batch by batch instead.
pub trait BatchSource<T: Element> {
    /// Number of examples `N`.
    fn len(&self) -> usize;

    /// True when there are no examples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The examples at `indices` (positions in `0..len()`, in that order):
    /// `(x, y)` with `x.shape()[0] == y.shape()[0] == indices.len()`.
    fn batch(&self, indices: &[usize]) -> (Tensor<T>, Tensor<T>);
}

/// Inputs and targets held as tensors, as Keras's `fit(x, y)` takes them:
/// `x` is `[N, ...]`, `y` is `[N, ...]` (one-hot rows, class indices, or
/// regression targets).
///
/// ```
/// use sinapse_train::{BatchSource, TensorData};
/// use sinapse_tensor::Tensor;
/// let x = Tensor::<f32>::from_vec((0..6).map(|v| v as f32).collect(), &[3, 2]).unwrap();
/// let y = Tensor::<f32>::from_vec(vec![0.0, 1.0, 2.0], &[3]).unwrap();
/// let data = TensorData::new(&x, &y);
/// let (xb, yb) = data.batch(&[2, 0]);
/// assert_eq!(xb.to_vec(), vec![4.0, 5.0, 0.0, 1.0]);
/// assert_eq!(yb.to_vec(), vec![2.0, 0.0]);
/// ```
#[derive(Clone, Debug)]
pub struct TensorData<T: Element> {
    x: Tensor<T>,
    y: Tensor<T>,
}

impl<T: Element> TensorData<T> {
    /// Pairs inputs with targets (contiguous copies are made only for
    /// strided views).
    ///
    /// # Panics
    /// When `x` or `y` is 0-dimensional, or their first dimensions differ.
    #[track_caller]
    pub fn new(x: &Tensor<T>, y: &Tensor<T>) -> Self {
        assert!(
            x.ndim() >= 1 && y.ndim() >= 1 && x.shape()[0] == y.shape()[0],
            "TensorData: inputs {:?} and targets {:?} must share their first (example) dimension",
            x.shape(),
            y.shape()
        );
        TensorData { x: x.contiguous(), y: y.contiguous() }
    }

    /// The inputs `[N, ...]`.
    pub fn x(&self) -> &Tensor<T> {
        &self.x
    }

    /// The targets `[N, ...]`.
    pub fn y(&self) -> &Tensor<T> {
        &self.y
    }
}

/// Rows `indices` of a contiguous tensor, as a new `[indices.len(), ...]` tensor.
#[track_caller]
pub(crate) fn gather_rows<T: Element>(t: &Tensor<T>, indices: &[usize]) -> Tensor<T> {
    let n = t.shape()[0];
    let row: usize = t.shape()[1..].iter().product();
    let data = t.as_slice().expect("TensorData keeps contiguous tensors");
    let mut out = Vec::with_capacity(indices.len() * row);
    for &i in indices {
        assert!(i < n, "BatchSource::batch: index {i} out of range for {n} examples");
        out.extend_from_slice(&data[i * row..(i + 1) * row]);
    }
    let mut shape = t.shape().to_vec();
    shape[0] = indices.len();
    Tensor::from_vec(out, &shape).expect("buffer sized from the shape")
}

impl<T: Element> BatchSource<T> for TensorData<T> {
    fn len(&self) -> usize {
        self.x.shape()[0]
    }

    fn batch(&self, indices: &[usize]) -> (Tensor<T>, Tensor<T>) {
        (gather_rows(&self.x, indices), gather_rows(&self.y, indices))
    }
}

impl<T: Element, S: BatchSource<T> + ?Sized> BatchSource<T> for &S {
    fn len(&self) -> usize {
        (**self).len()
    }

    fn batch(&self, indices: &[usize]) -> (Tensor<T>, Tensor<T>) {
        (**self).batch(indices)
    }
}
