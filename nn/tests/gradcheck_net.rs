//! Whole networks against finite differences: the network is rebuilt from
//! the variables `gradcheck` passes in, so every parameter (and the input)
//! is checked element by element.

use sinapse_autograd::{gradcheck, GradcheckOptions, Var};
use sinapse_nn::prelude::*;
use sinapse_tensor::{seeded_rng, Conv2dParams, Tensor};

fn opts() -> GradcheckOptions {
    GradcheckOptions { eps: 1e-6, atol: 1e-7, rtol: 1e-5, seed: 3 }
}

/// Linear(4 -> 5) - ReLU - Linear(5 -> 3) from `[x, w1, b1, w2, b2]`.
fn mlp_from(v: &[Var<f64>]) -> Sequential<f64> {
    Sequential::new()
        .add(Linear::from_parts(v[1].clone(), Some(v[2].clone())))
        .add(ReLU)
        .add(Linear::from_parts(v[3].clone(), Some(v[4].clone())))
}

#[test]
fn linear_relu_linear() {
    let mut rng = seeded_rng(21);
    let inputs = vec![
        Tensor::rand_uniform(&[6, 4], -1.0, 1.0, &mut rng),
        Init::GlorotUniform.tensor(&[5, 4], &mut rng),
        Init::Uniform { limit: 0.3 }.tensor(&[5], &mut rng),
        Init::GlorotUniform.tensor(&[3, 5], &mut rng),
        Init::Uniform { limit: 0.3 }.tensor(&[3], &mut rng),
    ];
    gradcheck(|v| mlp_from(v).forward(&v[0]), &inputs, &opts()).unwrap();
    gradcheck(|v| cross_entropy(&mlp_from(v).forward(&v[0]), &[0, 2, 1, 1, 0, 2], Reduction::Mean), &inputs, &opts())
        .unwrap();
}

/// The pooling layers between the convolution and the dense layer, each
/// taking the 8x8 planes to 4x4.
const POOLS: [&str; 4] = ["max", "min", "avg", "avg without padding"];

/// Conv(2 -> 3, 3x3, same padding) - Tanh - a pooling of [`POOLS`] - Flatten -
/// Linear(48 -> 2) from `[x, kernel, conv bias, w, b]`.
fn cnn_from(v: &[Var<f64>], pool: &str) -> Sequential<f64> {
    let conv = Conv2d::from_parts(v[1].clone(), Some(v[2].clone()), Conv2dParams::same(3, 3));
    let s = Sequential::new().add(conv).add(Tanh);
    let s = match pool {
        "max" => s.add(MaxPool2d::new(2)),
        "min" => s.add(MinPool2d::new(2)),
        "avg" => s.add(AvgPool2d::new(2)),
        // 3x3 windows, stride 2, padding 1: the border windows cover 4 or 6 inputs.
        _ => s.add(AvgPool2d::with(3, 2, 1).count_include_pad(false)),
    };
    s.add(Flatten).add(Linear::from_parts(v[3].clone(), Some(v[4].clone())))
}

#[test]
fn conv_pool_linear() {
    let mut rng = seeded_rng(22);
    let inputs = vec![
        Tensor::rand_uniform(&[2, 2, 8, 8], -1.0, 1.0, &mut rng),
        Init::HeNormal.tensor(&[3, 2, 3, 3], &mut rng),
        Init::Uniform { limit: 0.3 }.tensor(&[3], &mut rng),
        Init::GlorotUniform.tensor(&[2, 48], &mut rng),
        Init::Uniform { limit: 0.3 }.tensor(&[2], &mut rng),
    ];
    for pool in POOLS {
        let net = cnn_from(&inputs.iter().map(|t| Var::new(t.clone())).collect::<Vec<_>>(), pool);
        assert_eq!(net.num_parameters(), 3 * 2 * 9 + 3 + 2 * 48 + 2);
        gradcheck(|v| cnn_from(v, pool).forward(&v[0]), &inputs, &opts()).unwrap();
        gradcheck(|v| cross_entropy(&cnn_from(v, pool).forward(&v[0]), &[1, 0], Reduction::Sum), &inputs, &opts())
            .unwrap();
    }
}

#[test]
fn parameter_gradients_are_keyed_by_the_module_parameters() {
    let mut rng = seeded_rng(23);
    let model = Sequential::<f64>::new().add(Linear::new(3, 4, &mut rng)).add(Sigmoid).add(Linear::new(4, 2, &mut rng));
    let x = Var::constant(Tensor::rand_uniform(&[5, 3], -1.0, 1.0, &mut rng));
    let grads = mse(&model.forward(&x), &Tensor::zeros(&[5, 2]), Reduction::Mean).backward();
    for (name, p) in model.parameters() {
        let g = grads.get(p).unwrap_or_else(|| panic!("no gradient for {name}"));
        assert_eq!(g.shape(), p.shape(), "{name}");
    }
}
