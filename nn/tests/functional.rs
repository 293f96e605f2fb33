//! The functional API: networks written as layers called on symbols, which
//! can branch and join, checked against the same computation written out.

use sinapse_autograd::Var;
use sinapse_nn::functional::{add, concatenate, Conv, Dense, Graph, Input, Layer};
use sinapse_nn::prelude::*;
use sinapse_tensor::{seeded_rng, Tensor};
use std::collections::BTreeMap;

fn batch(shape: &[usize], seed: u64) -> Var<f64> {
    Var::constant(Tensor::rand_uniform(shape, -1.0, 1.0, &mut seeded_rng(seed)))
}

/// `x W^T + b` with the graph's own parameters `<name>.weight` and `<name>.bias`.
fn dense_by_hand(net: &Graph<f64>, name: &str, x: &Var<f64>) -> Var<f64> {
    let p: BTreeMap<String, Var<f64>> = net.parameters().into_iter().map(|(n, v)| (n, v.clone())).collect();
    x.matmul(&p[&format!("{name}.weight")].t()).add(&p[&format!("{name}.bias")])
}

fn assert_same(a: &Var<f64>, b: &Var<f64>) {
    assert_eq!(a.shape(), b.shape());
    for (u, v) in a.value().to_vec().iter().zip(b.value().to_vec()) {
        assert!((u - v).abs() <= 1e-12 * (1.0 + v.abs()), "{u} vs {v}");
    }
}

#[test]
fn the_course_perceptron_as_keras_writes_it() {
    let inputs = Input::new(&[784]);
    let outputs = Dense::new(10).activation(Activation::Sigmoid).call(&inputs);
    let net = Graph::<f64>::new(&inputs, &outputs);
    assert_eq!(net.num_parameters(), 7_850);
    let names: Vec<String> = net.parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["dense.weight", "dense.bias"]);
    assert_eq!(net.weight_names(), ["dense.weight"]);
    let x = batch(&[5, 784], 1);
    assert_same(&net.forward(&x), &dense_by_hand(&net, "dense", &x).sigmoid());
}

#[test]
fn the_course_cnn_has_34826_parameters_as_in_keras() {
    let inputs = Input::new(&[1, 28, 28]);
    let x = Conv::new(32, 3).activation(Activation::ReLU).call(&inputs);
    let x = MaxPool2d::new(2).call(&x);
    let x = Conv::new(64, 3).activation(Activation::ReLU).call(&x);
    let x = MaxPool2d::new(2).call(&x);
    let x = Flatten.call(&x);
    let outputs = Dense::new(10).call(&x);
    let net = Graph::<f32>::new(&inputs, &outputs);
    let summary = net.summary(&[1, 1, 28, 28]);
    assert_eq!(summary.total_parameters(), 34_826);
    let rows: Vec<(&str, &[usize], usize)> =
        summary.rows.iter().map(|r| (r.name.as_str(), &r.output_shape[..], r.parameters)).collect();
    assert_eq!(
        rows,
        [
            ("input", &[1, 1, 28, 28][..], 0),
            ("conv2d", &[1, 32, 26, 26][..], 320),
            ("maxpool2d", &[1, 32, 13, 13][..], 0),
            ("conv2d_1", &[1, 64, 11, 11][..], 18_496),
            ("maxpool2d_1", &[1, 64, 5, 5][..], 0),
            ("flatten", &[1, 1600][..], 0),
            ("dense", &[1, 10][..], 16_010),
        ]
    );
    let text = summary.to_string();
    assert!(
        text.contains("conv2d Conv2d(1 -> 32, kernel 3x3) + ReLU") && text.contains("Total params: 34,826"),
        "{text}"
    );
    assert_eq!(net.forward(&Var::constant(Tensor::zeros(&[2, 1, 28, 28]))).shape(), &[2, 10]);
}

#[test]
fn a_skip_connection_adds_the_input_back() {
    let x = Input::new(&[6]);
    let h = Dense::new(6).activation(Activation::Tanh).call(&x);
    let y = add(&h, &x);
    let net = Graph::<f64>::new(&x, &y);
    let xb = batch(&[4, 6], 2);
    assert_same(&net.forward(&xb), &dense_by_hand(&net, "dense", &xb).tanh().add(&xb));
    // Gradients reach the weights through the branch and the input through both paths.
    let grads = net.forward(&xb).sum_all().backward();
    assert!(net.parameters().iter().all(|(_, p)| grads.get(p).is_some()));
}

#[test]
fn two_branches_joined_by_concatenation() {
    let x = Input::new(&[5]);
    let a = Dense::new(3).activation(Activation::ReLU).call(&x);
    let b = Dense::new(2).activation(Activation::Sigmoid).call(&x);
    let joined = concatenate(&[&a, &b]);
    assert_eq!(joined.shape(), &[5]);
    let y = Dense::new(4).call(&joined);
    let net = Graph::<f64>::new(&x, &y);
    let xb = batch(&[3, 5], 3);
    let by_hand =
        Var::cat(&[&dense_by_hand(&net, "dense", &xb).relu(), &dense_by_hand(&net, "dense_1", &xb).sigmoid()], -1);
    assert_same(&net.forward(&xb), &dense_by_hand(&net, "dense_2", &by_hand));
    assert_eq!(net.num_parameters(), (5 * 3 + 3) + (5 * 2 + 2) + (5 * 4 + 4));
}

#[test]
fn layers_off_the_path_to_the_output_are_left_out() {
    let x = Input::new(&[4]);
    let _unused = Dense::new(100).call(&x);
    let y = Dense::new(2).call(&x);
    let net = Graph::<f32>::new(&x, &y);
    assert_eq!(net.num_parameters(), 4 * 2 + 2);
    assert_eq!(net.summary(&[1, 4]).rows.len(), 2);
}

#[test]
fn the_same_seed_draws_the_same_network_and_parameters_round_trip_by_name() {
    let build = |seed| {
        let x = Input::seeded(&[3], seed);
        let h = Dense::new(4).activation(Activation::ReLU).call(&x);
        let y = add(&Dense::new(2).call(&h), &Dense::new(2).call(&x));
        Graph::<f64>::new(&x, &y)
    };
    let values = |g: &Graph<f64>| g.state_dict().into_iter().map(|(n, t)| (n, t.to_vec())).collect::<Vec<_>>();
    assert_eq!(values(&build(7)), values(&build(7)));
    let (trained, mut fresh) = (build(7), build(8));
    assert_ne!(values(&trained), values(&fresh));
    fresh.load_state_dict(&trained.state_dict()).unwrap();
    let xb = batch(&[2, 3], 4);
    assert_same(&fresh.forward(&xb), &trained.forward(&xb));
}

#[test]
fn sequential_blocks_and_own_layers_can_be_called() {
    let x = Input::new(&[3]);
    let block = Sequential::<f64>::new().add(Linear::new(3, 3, &mut seeded_rng(0))).add(Tanh);
    let h = block.call(&x);
    let y = h.apply(Activation::ReLU);
    let net = Graph::new(&x, &y);
    let names: Vec<String> = net.parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["sequential.0.weight", "sequential.0.bias"]);
}

#[test]
#[should_panic(
    expected = "Dense(10) called on input of shape [batch, 28, 28]: a dense layer takes [batch, features]; call Flatten first"
)]
fn dense_on_an_image_names_the_layer_and_the_shape() {
    let x = Input::new(&[28, 28]);
    let _ = Layer::<f32>::call(Dense::new(10), &x);
}

#[test]
#[should_panic(expected = "add: dense has shape [batch, 10] and dense_1 has shape [batch, 20]; add needs one shape")]
fn adding_two_shapes_names_both() {
    let x = Input::<f32>::new(&[4]);
    let _ = add(&Dense::new(10).call(&x), &Dense::new(20).call(&x));
}

#[test]
#[should_panic(expected = "concatenate: conv2d has shape [batch, 2, 3, 3] and conv2d_1 has shape [batch, 2, 2, 2]")]
fn concatenating_shapes_that_differ_before_the_last_axis_names_both() {
    let x = Input::<f32>::new(&[1, 5, 5]);
    let _ = concatenate(&[&Conv::new(2, 3).call(&x), &Conv::new(2, 4).call(&x)]);
}

#[test]
#[should_panic(
    expected = "Conv(8 filters, 3x3) called on input of shape [batch, 784]: a convolution takes [batch, channels, height, width]"
)]
fn a_convolution_on_flat_inputs_names_the_layer_and_the_shape() {
    let x = Input::<f32>::new(&[784]);
    let _ = Conv::new(8, 3).call(&x);
}

#[test]
#[should_panic(expected = "come from two different Inputs")]
fn symbols_of_two_inputs_do_not_mix() {
    let (a, b) = (Input::<f32>::new(&[3]), Input::<f32>::new(&[3]));
    let _ = add(&a, &b);
}

#[test]
#[should_panic(expected = "Graph: input of shape [2, 5] does not fit the Input [batch, 4]")]
fn running_on_the_wrong_input_shape_says_so() {
    let x = Input::new(&[4]);
    let y = Dense::new(2).call(&x);
    let _ = Graph::<f32>::new(&x, &y).forward(&Var::constant(Tensor::zeros(&[2, 5])));
}
