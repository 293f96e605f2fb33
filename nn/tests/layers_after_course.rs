//! Conv1d, AdaptiveAvgPool2d, LayerNorm, BatchNorm and Embedding: values against their
//! definitions, first- and second-order finite-difference checks in f64 with
//! respect to the input and the parameters (on permuted, non-contiguous
//! inputs too), and PyTorch's parameter names in checkpoints.

use proptest::prelude::*;
use sinapse_autograd::{gradcheck, gradgradcheck, GradcheckOptions, Var};
use sinapse_nn::{AdaptiveAvgPool2d, BatchNorm, Conv1d, Embedding, LayerNorm, Module, ModuleExt, Sequential};
use sinapse_tensor::{seeded_rng, Conv1dParams, RowIndices, Tensor};
use std::sync::Arc;

fn random(shape: &[usize], seed: u64) -> Tensor<f64> {
    Tensor::rand_uniform(shape, -2.0, 2.0, &mut seeded_rng(seed))
}

/// `shape` built in reversed axis order and permuted back: the same kind of
/// values in a non-contiguous layout.
fn permuted(shape: &[usize], seed: u64) -> Tensor<f64> {
    let reversed: Vec<usize> = shape.iter().rev().copied().collect();
    let perm: Vec<usize> = (0..shape.len()).rev().collect();
    random(&reversed, seed).permute(&perm)
}

/// First- and second-order checks of `f` at `inputs`.
fn check(f: impl Fn(&[Var<f64>]) -> Var<f64>, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError> {
    let opts = GradcheckOptions::default();
    gradcheck(&f, inputs, &opts).map_err(|e| TestCaseError::fail(format!("gradcheck: {e}")))?;
    gradgradcheck(&f, inputs, &opts).map_err(|e| TestCaseError::fail(format!("gradgradcheck: {e}")))?;
    Ok(())
}

/// A layer's parameters replaced by `values`, in the order of `parameters`.
fn with_parameters<M: Module<f64>>(mut layer: M, values: &[Var<f64>]) -> M {
    for ((_, p), v) in layer.parameters_mut().into_iter().zip(values) {
        *p = v.clone();
    }
    layer
}

#[test]
fn conv1d_is_the_conv1d_operator_with_pytorch_names() {
    let layer = Conv1d::<f64>::new(2, 3, 3, &mut seeded_rng(1)).padding(1).stride(2);
    let x = Var::constant(random(&[4, 2, 9], 2));
    let expected = x.conv1d(layer.weight(), Some(layer.bias()), Conv1dParams::new(2, 1, 1));
    let y = layer.forward(&x);
    assert_eq!(y.value().to_vec(), expected.value().to_vec());
    assert_eq!(y.shape(), &layer.output_shape(x.shape())[..]);
    assert_eq!(y.shape(), &[4, 3, 5]);
    let names: Vec<String> = layer.state_dict().into_keys().collect();
    assert_eq!(names, ["bias", "weight"]);
    assert_eq!(layer.state_dict()["weight"].shape(), &[3, 2, 3]);
}

#[test]
fn global_average_pool_is_the_mean_of_each_channel() {
    let x = Var::constant(random(&[2, 3, 5, 7], 3));
    let y = AdaptiveAvgPool2d::global().forward(&x);
    assert_eq!(y.shape(), &[2, 3, 1, 1]);
    let mean = x.mean_axes(&[2, 3], true);
    for (a, b) in y.value().to_vec().iter().zip(mean.value().to_vec()) {
        assert!((a - b).abs() < 1e-15);
    }
}

#[test]
fn adaptive_windows_overlap_as_in_pytorch() {
    // Length 5 to 3: rows [0, 2), [1, 4), [3, 5) (floor(i*5/3), ceil((i+1)*5/3)).
    let x = Tensor::from_vec((0..5).map(f64::from).collect(), &[1, 1, 5, 1]).unwrap();
    let y = AdaptiveAvgPool2d::new((3, 1)).forward(&Var::constant(x));
    assert_eq!(y.value().to_vec(), vec![0.5, 2.0, 3.5]);
    // Divisible sizes take the plain average pooling.
    let x = Tensor::from_vec((0..8).map(f64::from).collect(), &[1, 1, 2, 4]).unwrap();
    let y = AdaptiveAvgPool2d::new((1, 2)).forward(&Var::constant(x));
    assert_eq!(y.value().to_vec(), vec![2.5, 4.5]);
}

#[test]
fn layer_norm_gives_each_example_mean_zero_and_variance_one() {
    let ln = LayerNorm::<f64>::new(&[3, 4]);
    let y = ln.forward(&Var::constant(random(&[5, 3, 4], 4)));
    let mean = y.mean_axes(&[1, 2], false).value().to_vec();
    let var = y.square().mean_axes(&[1, 2], false).value().to_vec();
    for (m, v) in mean.iter().zip(var) {
        assert!(m.abs() < 1e-12 && (v - 1.0).abs() < 1e-4, "mean {m}, variance {v}");
    }
    let names: Vec<String> = ln.state_dict().into_keys().collect();
    assert_eq!(names, ["bias", "weight"]);
    assert!(ln.weight_names().is_empty(), "no L2 on normalization parameters");
}

/// The same parameter names, shapes and values.
fn assert_same<M: Module<f32>>(a: &M, b: &M) {
    let (a, b) = (a.state_dict(), b.state_dict());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, t) in &a {
        assert_eq!((t.shape(), t.to_vec()), (b[name].shape(), b[name].to_vec()), "{name}");
    }
}

#[test]
fn parameters_round_trip_through_a_checkpoint() {
    let dir = std::env::temp_dir().join(format!("sinapse-layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("conv1d.safetensors");
    let saved = Conv1d::<f32>::new(2, 3, 3, &mut seeded_rng(5));
    saved.save_parameters(&path).unwrap();
    let mut loaded = Conv1d::<f32>::new(2, 3, 3, &mut seeded_rng(6));
    loaded.load_parameters(&path).unwrap();
    assert_same(&saved, &loaded);
    let path = dir.join("embedding.safetensors");
    let saved = Embedding::<f32>::new(5, 2, &mut seeded_rng(5));
    saved.save_parameters(&path).unwrap();
    let mut loaded = Embedding::<f32>::new(5, 2, &mut seeded_rng(6));
    loaded.load_parameters(&path).unwrap();
    assert_same(&saved, &loaded);
    let path = dir.join("layer_norm.safetensors");
    let mut saved = LayerNorm::<f32>::new(&[4]);
    for (_, p) in saved.parameters_mut() {
        p.update(|t| *t = t.add_scalar(0.5));
    }
    saved.save_parameters(&path).unwrap();
    let mut loaded = LayerNorm::<f32>::new(&[4]);
    loaded.load_parameters(&path).unwrap();
    assert_same(&saved, &loaded);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn batch_norm_normalizes_per_channel_and_tracks_pytorchs_running_statistics() {
    let mut bn = BatchNorm::<f64>::new_2d(2);
    // Channel 0 holds 1..=8, channel 1 holds 10 * (1..=8), over N = 2, H = 2, W = 2.
    let x = Tensor::from_fn(&[2, 2, 2, 2], |i| {
        let k = (i[0] * 4 + i[2] * 2 + i[3] + 1) as f64;
        if i[1] == 0 {
            k
        } else {
            10.0 * k
        }
    });
    let y = bn.forward(&Var::constant(x.clone()));
    let mean = y.mean_axes(&[0, 2, 3], false).value().to_vec();
    let var = y.square().mean_axes(&[0, 2, 3], false).value().to_vec();
    for c in 0..2 {
        assert!(mean[c].abs() < 1e-12 && (var[c] - 1.0).abs() < 1e-5, "channel {c}: {} {}", mean[c], var[c]);
    }
    // Mean 4.5 and 45; unbiased variances 6 and 600 (the biased ones are 5.25
    // and 525); momentum 0.1 from zeros and ones.
    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
    assert!(close(&bn.running_mean().to_vec(), &[0.45, 4.5]), "{:?}", bn.running_mean().to_vec());
    assert!(close(&bn.running_var().to_vec(), &[0.9 + 0.6, 0.9 + 60.0]), "{:?}", bn.running_var().to_vec());
    assert_eq!(bn.state_dict()["num_batches_tracked"].item(), 1.0);

    // Evaluation: (x - running_mean) / sqrt(running_var + eps), independent of the batch.
    bn.set_training(false);
    let y = bn.forward(&Var::constant(x.clone()));
    let expected = (x.get(&[0, 1, 0, 0]) - 4.5) / (60.9f64 + 1e-5).sqrt();
    assert!((y.value().get(&[0, 1, 0, 0]) - expected).abs() < 1e-12);
    let first = bn.forward(&Var::constant(x.narrow(0, 0, 1)));
    assert_eq!(first.value().to_vec(), y.value().narrow(0, 0, 1).to_vec());
    assert_eq!(bn.state_dict()["num_batches_tracked"].item(), 1.0, "evaluation does not track");
}

#[test]
fn batch_norm_buffers_live_in_checkpoints_under_pytorchs_names() {
    let model = Sequential::<f32>::new().add(BatchNorm::new_1d(3));
    let names: Vec<String> = model.state_dict().into_keys().collect();
    assert_eq!(names, ["0.bias", "0.num_batches_tracked", "0.running_mean", "0.running_var", "0.weight"]);
    let _ = model.forward(&Var::constant(Tensor::<f32>::rand_uniform(&[8, 3], -1.0, 3.0, &mut seeded_rng(1))));
    let dir = std::env::temp_dir().join(format!("sinapse-bn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bn.safetensors");
    model.save_parameters(&path).unwrap();
    let mut fresh = Sequential::<f32>::new().add(BatchNorm::new_1d(3));
    fresh.load_parameters(&path).unwrap();
    assert_same(&model, &fresh);
    assert_ne!(fresh.state_dict()["0.running_mean"].to_vec(), vec![0.0; 3], "the statistics came back");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn embedding_reads_the_rows_its_ids_name() {
    let table = Tensor::<f32>::from_vec((0..12).map(|v| v as f32).collect(), &[4, 3]).unwrap();
    let layer = Embedding::from_pretrained(table);
    let ids = Var::constant(Tensor::from_vec(vec![3., 0., 3., 1.], &[2, 2]).unwrap());
    let y = layer.forward(&ids);
    assert_eq!(y.shape(), &[2, 2, 3]);
    assert_eq!(y.value().to_vec(), vec![9., 10., 11., 0., 1., 2., 9., 10., 11., 3., 4., 5.]);
    assert_eq!(layer.output_shape(&[2, 2]), vec![2, 2, 3]);
    // Row 3 is read twice, row 2 never: the gradient counts reads.
    let grads = y.sum_all().backward();
    let dw = grads.get(layer.weight()).unwrap().to_vec();
    assert_eq!(dw, vec![1., 1., 1., 1., 1., 1., 0., 0., 0., 2., 2., 2.]);
    let names: Vec<String> = layer.state_dict().into_keys().collect();
    assert_eq!(names, ["weight"]);
}

#[test]
#[should_panic(expected = "Embedding(4 ids -> 3): input of shape [2]: value 1.5 at position 1 is not a row index")]
fn embedding_ids_must_be_whole_numbers() {
    let layer = Embedding::<f32>::new(4, 3, &mut seeded_rng(0));
    layer.forward(&Var::constant(Tensor::from_vec(vec![1., 1.5], &[2]).unwrap()));
}

#[test]
#[should_panic(expected = "take_rows: index 4 is out of range for a table of shape [4, 3]")]
fn embedding_ids_must_name_a_row() {
    let layer = Embedding::<f32>::new(4, 3, &mut seeded_rng(0));
    layer.forward(&Var::constant(Tensor::from_vec(vec![0., 4.], &[2]).unwrap()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// The table's gradient through ids of random shape with repeats, on a
    /// transposed (non-contiguous) table.
    #[test]
    fn embedding_gradients(rows in 1..=4usize, width in 1..=3usize, ids in prop::collection::vec(0..100usize, 1..=6), seed in 0..1000u64) {
        let ids: Vec<usize> = ids.iter().map(|i| i % rows).collect();
        let shape = if ids.len().is_multiple_of(2) { vec![2, ids.len() / 2] } else { vec![ids.len()] };
        let ids = Arc::new(RowIndices::new(ids, &shape).unwrap());
        let layer = || Embedding::<f64>::new(rows, width, &mut seeded_rng(0));
        check(|v| with_parameters(layer(), &v[..1]).lookup(&ids), &[random(&[width, rows], seed).t()])?;
    }

    /// Input, weight and bias, with a random stride, padding and dilation.
    #[test]
    fn conv1d_gradients(n in 1..=2usize, c in 1..=2usize, o in 1..=2usize, k in 1..=3usize,
                        s in 1..=2usize, p in 0..=1usize, d in 1..=2usize, extra in 0..=2usize, seed in 0..1000u64) {
        let len = (d * (k - 1) + 1).saturating_sub(2 * p).max(1) + extra;
        let layer = || Conv1d::<f64>::new(c, o, k, &mut seeded_rng(0)).stride(s).padding(p).dilation(d);
        let inputs = [permuted(&[n, c, len], seed), random(&[o, c, k], seed + 1), random(&[o], seed + 2)];
        check(|v| with_parameters(layer(), &v[1..]).forward(&v[0]), &inputs)?;
    }

    /// Any input and output size, divisible or not.
    #[test]
    fn adaptive_avg_pool2d_gradients(h in 1..=5usize, w in 1..=5usize, oh in 1..=3usize, ow in 1..=3usize, seed in 0..1000u64) {
        let pool = AdaptiveAvgPool2d::new((oh, ow));
        check(|v| pool.forward(&v[0]), &[permuted(&[2, 2, h, w], seed)])?;
    }

    /// The full gradient through the mean and the variance, and the affine
    /// parameters'.
    #[test]
    fn layer_norm_gradients(batch in 1..=3usize, d in 2..=4usize, two_dims in any::<bool>(), seed in 0..1000u64) {
        let normalized = if two_dims { vec![2, d] } else { vec![d] };
        let shape: Vec<usize> = [batch].into_iter().chain(normalized.iter().copied()).collect();
        let inputs = [permuted(&shape, seed), random(&normalized, seed + 1), random(&normalized, seed + 2)];
        // eps = 1 keeps 1 / sqrt(var + eps) bounded when two random values happen
        // to nearly agree, so the finite differences stay accurate.
        let layer = || LayerNorm::new(&normalized).eps(1.0);
        check(|v| with_parameters(layer(), &v[1..]).forward(&v[0]), &inputs)?;
    }

    /// The full batch-statistics gradient with respect to the input and the
    /// affine parameters, 1-D on [N, C] and [N, C, L] and 2-D on [N, C, H, W].
    #[test]
    fn batch_norm_gradients(n in 2..=3usize, c in 1..=3usize, spatial in 0..=2usize, seed in 0..1000u64) {
        let shape: Vec<usize> = [n, c].into_iter().chain(std::iter::repeat_n(2, spatial)).collect();
        let layer = || {
            let bn = if spatial == 2 { BatchNorm::new_2d(c) } else { BatchNorm::new_1d(c) };
            // As for LayerNorm: eps = 1 keeps the finite differences accurate
            // when a channel's values nearly agree.
            bn.eps(1.0)
        };
        let inputs = [permuted(&shape, seed), random(&[c], seed + 1), random(&[c], seed + 2)];
        check(|v| with_parameters(layer(), &v[1..]).forward(&v[0]), &inputs)?;
    }
}
