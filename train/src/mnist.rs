//! MNIST and Fashion-MNIST as a [`BatchSource`]: each batch is converted
//! from the memory-mapped bytes when `fit` asks for it, so the 47 million
//! pixels of the training set are never copied into floats at once.

use crate::BatchSource;
use sinapse_datasets::{ImageLayout, Subset};
use sinapse_tensor::Tensor;

/// Some images of a data set served as `(x, y)` batches: `x` is `[B, 784]`
/// or `[B, 1, 28, 28]` in `[0, 1]` (`pixel / 255`), `y` the one-hot labels
/// `[B, 10]`, the course's preparation of MNIST.
///
/// ```no_run
/// use sinapse_datasets::{DataSource, ImageLayout, Mnist, Split};
/// use sinapse_train::{BatchSource, MnistSource};
/// let train = Mnist::load(Split::Train, &DataSource::standard()).unwrap();
/// let source = MnistSource::new(train.all(), ImageLayout::Flat);
/// let (x, y) = source.batch(&[0, 1, 2]);
/// assert_eq!((x.shape(), y.shape()), (&[3, 784][..], &[3, 10][..]));
/// ```
#[derive(Clone, Debug)]
pub struct MnistSource<'a> {
    subset: Subset<'a>,
    layout: ImageLayout,
}

impl<'a> MnistSource<'a> {
    /// Serves `subset` with images in `layout`.
    pub fn new(subset: Subset<'a>, layout: ImageLayout) -> Self {
        MnistSource { subset, layout }
    }

    /// The examples served.
    pub fn subset(&self) -> &Subset<'a> {
        &self.subset
    }

    /// The label of example `k`.
    pub fn label(&self, k: usize) -> usize {
        self.subset.label(k) as usize
    }

    /// All labels, in order.
    pub fn labels(&self) -> Vec<usize> {
        (0..self.subset.len()).map(|k| self.label(k)).collect()
    }

    /// The image of example `k` as `28 * 28` values in `[0, 1]`.
    pub fn image(&self, k: usize) -> Vec<f32> {
        self.subset.image(k).iter().map(|&p| p as f32 / 255.0).collect()
    }
}

impl BatchSource<f32> for MnistSource<'_> {
    fn len(&self) -> usize {
        self.subset.len()
    }

    fn batch(&self, indices: &[usize]) -> (Tensor<f32>, Tensor<f32>) {
        let b = self.subset.batch(indices, self.layout);
        (b.images, b.one_hot)
    }
}
