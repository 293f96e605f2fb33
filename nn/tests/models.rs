//! The course's models: parameter counts, names and output shapes as
//! Keras's `model.summary()` and PyTorch's `state_dict()` report them, and
//! the fused steps of `Sequential` and of a functional `Graph`.

use sinapse_nn::functional::Graph;
use sinapse_nn::prelude::*;
use sinapse_tensor::{seeded_rng, Tensor};

fn perceptron() -> Sequential<f32> {
    let mut rng = seeded_rng(0);
    Sequential::new().add(Linear::new(784, 10, &mut rng)).add(Sigmoid)
}

fn mlp() -> Sequential<f32> {
    let mut rng = seeded_rng(0);
    Sequential::new().add(Linear::new(784, 128, &mut rng)).add(ReLU).add(Linear::new(128, 10, &mut rng))
}

fn cnn() -> Sequential<f32> {
    let mut rng = seeded_rng(0);
    Sequential::new()
        .add(Conv2d::new(1, 32, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Conv2d::new(32, 64, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Flatten)
        .add(Linear::new(1600, 10, &mut rng))
}

fn names_and_shapes(m: &dyn Module<f32>) -> Vec<(String, Vec<usize>)> {
    m.parameters().into_iter().map(|(n, p)| (n, p.shape().to_vec())).collect()
}

#[test]
fn perceptron_matches_keras() {
    let m = perceptron();
    assert_eq!(m.num_parameters(), 7_850);
    assert_eq!(m.output_shape(&[32, 784]), vec![32, 10]);
    assert_eq!(names_and_shapes(&m), vec![("0.weight".into(), vec![10, 784]), ("0.bias".into(), vec![10])]);
    let y = m.forward(&Var::constant(Tensor::ones(&[3, 784])));
    assert_eq!(y.shape(), &[3, 10]);
    assert!(y.value().to_vec().iter().all(|&p| p > 0.0 && p < 1.0), "sigmoid outputs lie in (0, 1)");
}

#[test]
fn mlp_matches_keras() {
    let m = mlp();
    assert_eq!(m.num_parameters(), 101_770);
    assert_eq!(m.output_shape(&[1, 784]), vec![1, 10]);
    assert_eq!(
        names_and_shapes(&m),
        vec![
            ("0.weight".into(), vec![128, 784]),
            ("0.bias".into(), vec![128]),
            ("2.weight".into(), vec![10, 128]),
            ("2.bias".into(), vec![10]),
        ]
    );
}

#[test]
fn cnn_matches_keras() {
    let m = cnn();
    assert_eq!(m.num_parameters(), 34_826);
    let summary = m.summary(&[1, 1, 28, 28]);
    let shapes: Vec<Vec<usize>> = summary.rows.iter().map(|r| r.output_shape.clone()).collect();
    assert_eq!(
        shapes,
        vec![
            vec![1, 32, 26, 26],
            vec![1, 32, 26, 26],
            vec![1, 32, 13, 13],
            vec![1, 64, 11, 11],
            vec![1, 64, 11, 11],
            vec![1, 64, 5, 5],
            vec![1, 1600],
            vec![1, 10],
        ]
    );
    let params: Vec<usize> = summary.rows.iter().map(|r| r.parameters).collect();
    assert_eq!(params, vec![320, 0, 0, 18_496, 0, 0, 0, 16_010]);
    let text = summary.to_string();
    assert!(text.contains("Conv2d(1 -> 32, kernel 3x3)"), "{text}");
    assert!(text.contains("18,496") && text.ends_with("Total params: 34,826"), "{text}");
    let y = m.forward(&Var::constant(Tensor::ones(&[2, 1, 28, 28])));
    assert_eq!(y.shape(), &[2, 10]);
    let acts = m.forward_with_activations(&Var::constant(Tensor::ones(&[2, 1, 28, 28])));
    assert_eq!(acts.len(), 8);
    assert_eq!(acts[5].shape(), &[2, 64, 5, 5]);
    assert_eq!(acts[7].value().to_vec(), y.value().to_vec());
}

#[test]
fn linear_computes_x_w_transpose_plus_b() {
    // W = [[1, 2], [3, 4], [5, 6]] (out 3, in 2), b = [0.5, -1, 0]; x = [1, -1]:
    // y = [1 - 2 + 0.5, 3 - 4 - 1, 5 - 6 + 0] = [-0.5, -2, -1].
    let w = Var::parameter(Tensor::<f64>::from_vec(vec![1., 2., 3., 4., 5., 6.], &[3, 2]).unwrap(), "weight");
    let b = Var::parameter(Tensor::from_vec(vec![0.5, -1., 0.], &[3]).unwrap(), "bias");
    let layer = Linear::from_parts(w, Some(b));
    let y = layer.forward(&Var::constant(Tensor::from_vec(vec![1., -1.], &[1, 2]).unwrap()));
    assert_eq!(y.value().to_vec(), vec![-0.5, -2.0, -1.0]);
}

#[test]
fn builders_change_init_bias_and_padding() {
    let mut rng = seeded_rng(3);
    let no_bias: Linear<f32> = Linear::builder(5, 4).bias(false).init(Init::Constant(0.25)).build(&mut rng);
    assert_eq!(no_bias.num_parameters(), 20);
    assert!(no_bias.weight().value().to_vec().iter().all(|&w| w == 0.25));
    assert_eq!(no_bias.describe(), "Linear(5 -> 4, no bias)");

    let same: Conv2d<f32> = Conv2d::builder(3, 8, 5).padding(Padding::Same).build(&mut rng);
    assert_eq!(same.output_shape(&[2, 3, 17, 9]), vec![2, 8, 17, 9]);
    let strided: Conv2d<f32> = Conv2d::builder(3, 8, 3).padding(Padding::Same).stride(2).build(&mut rng);
    // Keras's "same" with stride 2: ceil(17 / 2) = 9, ceil(9 / 2) = 5.
    assert_eq!(strided.output_shape(&[1, 3, 17, 9]), vec![1, 8, 9, 5]);
    let y = strided.forward(&Var::constant(Tensor::ones(&[1, 3, 17, 9])));
    assert_eq!(y.shape(), &[1, 8, 9, 5]);
    let dilated: Conv2d<f32> = Conv2d::builder(1, 1, 3).dilation(2).padding(Padding::Same).build(&mut rng);
    assert_eq!(dilated.output_shape(&[1, 1, 10, 10]), vec![1, 1, 10, 10]);
    assert_eq!(AvgPool2d::new(2).output_shape(&[1, 4, 7, 7]), vec![1, 4, 3, 3]);
    assert_eq!(MaxPool2d::with(3, 1, 1).output_shape(&[1, 4, 7, 7]), vec![1, 4, 7, 7]);
    assert_eq!(MinPool2d::with(3, 2, 1).output_shape(&[1, 4, 7, 7]), vec![1, 4, 4, 4]);
    assert_eq!(Module::<f32>::describe(&MinPool2d::new(2)), "MinPool2d(2x2)");
    let excluded = AvgPool2d::with(3, 2, 1).count_include_pad(false);
    assert_eq!(
        Module::<f32>::describe(&excluded),
        "AvgPool2d(3x3, stride (2, 2), padding (1, 1), count_include_pad=false)"
    );
}

#[test]
#[should_panic(expected = "'same' padding needs an odd kernel span")]
fn same_padding_rejects_even_kernels() {
    let _: Conv2d<f32> = Conv2d::builder(1, 1, 2).padding(Padding::Same).build(&mut seeded_rng(0));
}

#[test]
#[should_panic(expected = "Linear(784 -> 10): input of shape [2, 100] must end with 784 features")]
fn wrong_input_names_the_layer() {
    perceptron().forward(&Var::constant(Tensor::zeros(&[2, 100])));
}

#[test]
fn dense_helper_and_dropout_mode() {
    let mut rng = seeded_rng(0);
    let mut m = Sequential::<f64>::new()
        .add_dense(4, 3, Activation::Tanh, &mut rng)
        .add(Dropout::new(0.5, 1))
        .add_dense(3, 2, Activation::Identity, &mut rng);
    assert_eq!(m.len(), 4);
    assert_eq!(
        m.parameters().iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["0.weight", "0.bias", "3.weight", "3.bias"]
    );
    let x = Var::constant(Tensor::<f64>::rand_uniform(&[50, 4], -1.0, 1.0, &mut rng));
    m.set_training(false);
    let a = m.forward(&x).value().to_vec();
    let b = m.forward(&x).value().to_vec();
    assert_eq!(a, b, "evaluation mode is deterministic");
    m.set_training(true);
    let c = m.forward(&x).value().to_vec();
    assert_ne!(a, c, "training mode drops units");
}

#[test]
fn reseeding_replays_dropout_masks() {
    let mut m = Sequential::<f32>::new().add(Dropout::new(0.5, 0)).add(Dropout::new(0.5, 0));
    let x = Var::constant(Tensor::ones(&[64]));
    m.reseed(5);
    let first = m.forward_with_activations(&x);
    m.reseed(5);
    let again = m.forward_with_activations(&x);
    assert_eq!(first[1].value().to_vec(), again[1].value().to_vec(), "same seed, same masks");
    let m0: Vec<bool> = first[0].value().to_vec().iter().map(|&v| v != 0.0).collect();
    let mut solo = Dropout::new(0.5, 0);
    Module::<f32>::reseed(&mut solo, 5);
    let s0: Vec<bool> = solo.forward(&x).value().to_vec().iter().map(|&v: &f32| v != 0.0).collect();
    assert_ne!(m0, s0, "children get seeds derived from the parent's, not the parent's itself");
    m.reseed(6);
    assert_ne!(m.forward(&x).value().to_vec(), first[1].value().to_vec());
}

#[test]
fn modules_are_send_and_sync() {
    fn check<M: Send + Sync>() {}
    check::<Sequential<f32>>();
    check::<Linear<f64>>();
    check::<Conv2d<f32>>();
    check::<Dropout>();
    check::<Box<dyn Module<f32>>>();
}

/// The ops on the path from `y` back to the inputs, outermost first
/// (following each op's first input).
fn op_chain<T: sinapse_tensor::Element>(y: &Var<T>) -> Vec<&'static str> {
    let mut ops = Vec::new();
    let mut at = y.clone();
    while let Some(op) = at.op_name() {
        ops.push(op);
        at = at.inputs()[0].clone();
    }
    ops
}

/// How `fused` and `unfused` (the same model run layer by layer) must agree
/// on the gradients; the values always agree bit for bit.
#[derive(Clone, Copy)]
enum Gradients {
    /// Bit for bit: the same operations in the same order.
    SameBits,
    /// Within rounding: the same sums added in another order.
    Close,
}

/// `fused` and `unfused` agree bit for bit on the output, and on the
/// gradient of every parameter and of `x` as `grads` says.
fn assert_same_results(
    m: &Sequential<f32>,
    x: &Var<f32>,
    fused: Var<f32>,
    unfused: Var<f32>,
    seed: u64,
    grads: Gradients,
) {
    let bits = |t: &Tensor<f32>| t.to_vec().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(fused.value()), bits(unfused.value()));
    assert!(fused.value().to_vec().contains(&0.0), "some windows are all negative");
    let dy = Tensor::<f32>::rand_uniform(fused.shape(), -1.0, 1.0, &mut seeded_rng(seed));
    let (g_fused, g_unfused) = (fused.backward_with(dy.clone()), unfused.backward_with(dy));
    for (name, p) in m.parameters().into_iter().chain([("x".to_string(), x)]) {
        let (a, b) = (g_fused.get(p).unwrap(), g_unfused.get(p).unwrap());
        match grads {
            Gradients::SameBits => assert_eq!(bits(a), bits(b), "gradient of {name}"),
            Gradients::Close => {
                let scale = b.to_vec().iter().fold(1.0f32, |m, v| m.max(v.abs()));
                for (u, v) in a.to_vec().iter().zip(b.to_vec()) {
                    assert!((u - v).abs() <= 1e-5 * scale, "gradient of {name}: {u} vs {v}");
                }
            }
        }
    }
}

#[test]
fn conv_relu_max_pool_runs_fused_with_the_same_values_and_gradients() {
    // Real CNN activations (mixed signs, ties at 0 after the ReLU), in f32
    // as the examples train, through both ReLU spellings; 1 input channel
    // (9 taps: the one-pass kernel), 2 (18 taps: conv, then ReLU + pool)
    // and 8 (72 taps, channels-last gradients). Overlapping 3x3 windows, so
    // some positions are chosen twice. The gradients come from the pooled
    // gradient: the same sums in another order.
    let mut rng = seeded_rng(3);
    let relus = || [Box::new(ReLU) as Box<dyn Module<f32>>, Box::new(Activation::ReLU), Box::new(ReLU)];
    for (channels, relu) in [1, 2, 8].into_iter().zip(relus()) {
        let m = Sequential::<f32>::new()
            .add(Conv2d::new(channels, 4, 3, &mut rng))
            .add_boxed(relu)
            .add(MaxPool2d::with(3, 2, 1))
            .add(Flatten);
        let x = Var::parameter(Tensor::rand_uniform(&[3, channels, 9, 8], -1.0, 1.0, &mut rng), "x");
        let fused = m.forward(&x);
        let unfused = m.forward_with_activations(&x).pop().unwrap();
        assert_eq!(op_chain(&fused), ["reshape", "conv2d_relu_max_pool2d"]);
        assert_eq!(op_chain(&unfused), ["reshape", "max_pool2d", "relu", "conv2d"]);
        assert_same_results(&m, &x, fused, unfused, channels as u64, Gradients::Close);
    }
}

#[test]
fn relu_then_max_pool_runs_fused_with_the_same_values_and_gradients() {
    // Without a convolution before the ReLU, the pair alone is fused.
    // Mostly negative inputs, so that some windows are all negative.
    let mut rng = seeded_rng(4);
    let m = Sequential::<f32>::new().add(ReLU).add(MaxPool2d::with(3, 2, 1)).add(Flatten);
    let x = Var::parameter(Tensor::rand_uniform(&[3, 2, 9, 8], -1.0, 0.2, &mut rng), "x");
    let fused = m.forward(&x);
    let unfused = m.forward_with_activations(&x).pop().unwrap();
    assert_eq!(op_chain(&fused), ["reshape", "relu_max_pool2d"]);
    assert_eq!(op_chain(&unfused), ["reshape", "max_pool2d", "relu"]);
    assert_same_results(&m, &x, fused, unfused, 5, Gradients::SameBits);
}

#[test]
fn fused_relu_max_pool_keeps_the_layer_error_message() {
    let m = Sequential::<f32>::new().add(ReLU).add(MaxPool2d::new(2));
    let x = Var::constant(Tensor::zeros(&[4, 4]));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| m.forward(&x))).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert_eq!(msg, "MaxPool2d: input of shape [4, 4] must be [N, C, H, W]");
}

#[test]
fn fused_conv_relu_max_pool_keeps_the_pooling_layer_error_message() {
    let mut rng = seeded_rng(6);
    let m = Sequential::<f32>::new().add(Conv2d::new(1, 2, 3, &mut rng)).add(ReLU).add(MaxPool2d::new(4));
    let x = Var::constant(Tensor::zeros(&[1, 1, 5, 5]));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| m.forward(&x))).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.starts_with("MaxPool2d:"), "{msg}");
}

#[test]
fn the_functional_cnn_runs_its_conv_relu_pool_blocks_fused_with_the_same_values() {
    // Both ReLU spellings: a convolution's activation and a ReLU layer.
    let inputs = Input::seeded(&[1, 12, 12], 5);
    let x = Conv::new(4, 3).activation(Activation::ReLU).call(&inputs);
    let x = MaxPool2d::new(2).call(&x);
    let x = Conv::new(6, 3).call(&x);
    let x = ReLU.call(&x);
    let x = MaxPool2d::new(2).call(&x);
    let outputs = Dense::new(3).call(&Flatten.call(&x));
    let graph = Graph::<f32>::new(&inputs, &outputs);
    // The same layers drawn from the same generator, run one by one.
    let mut rng = seeded_rng(5);
    let layers = Sequential::<f32>::new()
        .add(Conv2d::new(1, 4, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Conv2d::new(4, 6, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Flatten)
        .add(Linear::new(6, 3, &mut rng));
    let xb = Var::constant(Tensor::rand_uniform(&[2, 1, 12, 12], -1.0, 1.0, &mut seeded_rng(6)));
    let fused = graph.forward(&xb);
    let unfused = layers.forward_with_activations(&xb).pop().unwrap();
    assert_eq!(fused.value().to_vec(), unfused.value().to_vec());
    let chain = op_chain(&fused);
    assert_eq!(chain.iter().filter(|&&op| op == "conv2d_relu_max_pool2d").count(), 2, "{chain:?}");
}

#[test]
fn a_relu_read_by_two_layers_is_not_fused_away() {
    let inputs = Input::<f32>::new(&[2, 6, 6]);
    let r = ReLU.call(&inputs);
    let pooled = Flatten.call(&MaxPool2d::new(2).call(&r));
    let direct = Flatten.call(&r);
    let graph = Graph::new(&inputs, &concatenate(&[&pooled, &direct]));
    // A parameter, so that the operations are recorded.
    let x = Var::parameter(Tensor::rand_uniform(&[3, 2, 6, 6], -1.0, 1.0, &mut seeded_rng(7)), "x");
    let expected =
        Var::cat(&[&x.relu().max_pool2d((2, 2), (2, 2), (0, 0)).flatten(1, -1), &x.relu().flatten(1, -1)], -1);
    assert_eq!(graph.forward(&x).value().to_vec(), expected.value().to_vec());
    // Alone, the ReLU and the pooling run as one operation.
    let alone = Graph::new(&inputs, &MaxPool2d::new(2).call(&ReLU.call(&inputs)));
    assert_eq!(op_chain(&alone.forward(&x)), ["relu_max_pool2d"]);
}
