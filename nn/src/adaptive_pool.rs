//! Average pooling to a given output size, whatever the input size
//! (PyTorch's `AdaptiveAvgPool2d`), including the global average pool.

use crate::Module;
use sinapse_autograd::Var;
use sinapse_tensor::Element;

/// Average pooling of `[N, C, H, W]` to `[N, C, OH, OW]`: output row `i`
/// averages input rows `floor(i H / OH) .. ceil((i + 1) H / OH)`, and the
/// same for columns, as in PyTorch. `AdaptiveAvgPool2d::global()` (output
/// 1x1) is the global average pool of modern CNNs: one number per channel,
/// whatever the image size.
///
/// When `H` and `W` are multiples of the output size, the windows tile the
/// input and the layer is one [`Var::avg_pool2d`]; otherwise it averages each
/// window with [`Var::narrow`] and [`Var::mean_axes`] and joins them with
/// [`Var::cat`], so its gradient is theirs. No parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdaptiveAvgPool2d {
    output: (usize, usize),
}

impl AdaptiveAvgPool2d {
    /// Pooling to `output = (OH, OW)`.
    ///
    /// # Panics
    /// When a size is 0.
    #[track_caller]
    pub fn new(output: (usize, usize)) -> Self {
        assert!(output.0 > 0 && output.1 > 0, "AdaptiveAvgPool2d: output size {output:?} must be non-zero");
        AdaptiveAvgPool2d { output }
    }

    /// Pooling to 1x1: the mean of each channel.
    pub fn global() -> Self {
        Self::new((1, 1))
    }
}

/// The input range that output `i` of `out` averages over an axis of `len`.
fn window(i: usize, out: usize, len: usize) -> (usize, usize) {
    (i * len / out, ((i + 1) * len).div_ceil(out))
}

impl<T: Element> Module<T> for AdaptiveAvgPool2d {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        let shape = Module::<T>::output_shape(self, x.shape());
        let (h, w) = (x.shape()[2], x.shape()[3]);
        let (oh, ow) = self.output;
        if h % oh == 0 && w % ow == 0 {
            let kernel = (h / oh, w / ow);
            return x.avg_pool2d(kernel, kernel, (0, 0));
        }
        let rows: Vec<Var<T>> = (0..oh)
            .map(|i| {
                let (r0, r1) = window(i, oh, h);
                let band = x.narrow(2, r0, r1 - r0);
                let cells: Vec<Var<T>> = (0..ow)
                    .map(|j| {
                        let (c0, c1) = window(j, ow, w);
                        band.narrow(3, c0, c1 - c0).mean_axes(&[2, 3], true)
                    })
                    .collect();
                Var::cat(&cells.iter().collect::<Vec<_>>(), 3)
            })
            .collect();
        let y = Var::cat(&rows.iter().collect::<Vec<_>>(), 2);
        debug_assert_eq!(y.shape(), &shape[..]);
        y
    }

    fn describe(&self) -> String {
        format!("AdaptiveAvgPool2d({}x{})", self.output.0, self.output.1)
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        assert!(
            input.len() == 4 && input[2] > 0 && input[3] > 0,
            "{}: input of shape {input:?} must be [N, C, H, W] with H, W > 0",
            Module::<T>::describe(self)
        );
        vec![input[0], input[1], self.output.0, self.output.1]
    }
}
