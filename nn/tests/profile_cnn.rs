//! The profiler on the course CNN's training step: every operator it runs is
//! registered, and every one that does arithmetic gets a GFLOP/s figure,
//! the fused convolution block first among them.

use sinapse_autograd::ops::operator;
use sinapse_autograd::profiler::ACCUMULATE_GRAD;
use sinapse_autograd::{profile, Cost};
use sinapse_nn::loss::{cross_entropy_with_probs, one_hot};
use sinapse_nn::{Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Reduction, Sequential};
use sinapse_tensor::{seeded_rng, Tensor};

#[test]
fn every_operator_of_the_cnn_step_shows_its_rate() {
    let mut rng = seeded_rng(3);
    let cnn = Sequential::new()
        .add(Conv2d::new(1, 32, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Conv2d::new(32, 64, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Flatten)
        .add(Linear::new(1600, 10, &mut rng));
    let x = sinapse_autograd::Var::constant(Tensor::<f32>::rand_uniform(&[4, 1, 28, 28], 0.0, 1.0, &mut rng));
    let y = one_hot::<f32>(&[3, 1, 4, 1], 10);

    let (grads, report) = profile(|| cross_entropy_with_probs(&cnn.forward(&x), &y, Reduction::Mean).backward());
    assert_eq!(grads.len(), 6, "two convolutions and the dense layer, weights and biases");

    let fused = report.op("conv2d_relu_max_pool2d").expect("Sequential fuses each convolution block");
    assert_eq!((fused.forward.calls, fused.backward.calls), (2, 2));
    // 26x26 and 11x11 convolution outputs, 9 and 288 taps each.
    let conv_flops = 4 * (32 * 26 * 26 * (2 * 9 + 2) + 64 * 11 * 11 * (2 * 288 + 2)) as u64;
    assert_eq!(fused.forward.flops, conv_flops);

    for stats in &report.ops {
        if stats.op == ACCUMULATE_GRAD {
            continue;
        }
        let def = operator(stats.op).unwrap_or_else(|| panic!("`{}` is not a registered operator", stats.op));
        if matches!(def.cost, Cost::View | Cost::Copy) {
            continue;
        }
        assert!(stats.gflops_per_second().is_some(), "`{}` shows no GFLOP/s: {stats:?}", stats.op);
    }
}
