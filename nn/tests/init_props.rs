//! Statistics of the initializers, as properties over random shapes.
//!
//! Every tolerance is six standard errors of the statistic for the sample
//! size at hand (so a correct initializer fails with probability ~1e-9 per
//! check), computed from the distribution's own moments:
//! - the sample mean of `n` draws with variance `s^2` has standard error `s / sqrt(n)`;
//! - the mean of `x^2` (`x` centred) estimates `s^2` with standard error
//!   `sqrt(E[x^4] - s^4) / sqrt(n)`, i.e. `s^2 sqrt(2/n)` for a normal and
//!   `s^2 sqrt(4/5 / n)` for a uniform (`E[x^4] = a^4/5`, `s^2 = a^2/3`).

use proptest::prelude::*;
use sinapse_nn::{fans, Conv2d, Init, Linear, Module};
use sinapse_tensor::{seeded_rng, Tensor};

const SIGMAS: f64 = 6.0;

/// Dense `[out, in]` or convolution `[O, C, k, k]` shapes of 512 to ~48,000 elements.
fn shapes() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        (16usize..200, 32usize..200).prop_map(|(o, i)| vec![o, i]),
        (8usize..32, 8usize..32, 1usize..4).prop_map(|(o, c, k)| vec![o, c, 2 * k + 1, 2 * k + 1]),
    ]
}

/// `(mean, mean of (x - centre)^2)` of the elements.
fn moments(t: &Tensor<f64>, centre: f64) -> (f64, f64) {
    let v = t.to_vec();
    let n = v.len() as f64;
    (v.iter().sum::<f64>() / n, v.iter().map(|x| (x - centre).powi(2)).sum::<f64>() / n)
}

fn check_normal(t: &Tensor<f64>, mean: f64, std: f64) -> Result<(), TestCaseError> {
    let n = t.numel() as f64;
    let (m, var) = moments(t, mean);
    prop_assert!((m - mean).abs() <= SIGMAS * std / n.sqrt(), "mean {m}, expected {mean} (std {std}, n {n})");
    let s2 = std * std;
    prop_assert!((var - s2).abs() <= SIGMAS * s2 * (2.0 / n).sqrt(), "variance {var}, expected {s2} (n {n})");
    Ok(())
}

fn check_uniform(t: &Tensor<f64>, limit: f64) -> Result<(), TestCaseError> {
    let n = t.numel() as f64;
    prop_assert!(t.to_vec().iter().all(|x| x.abs() <= limit), "a value leaves [-{limit}, {limit}]");
    let (m, var) = moments(t, 0.0);
    let s2 = limit * limit / 3.0;
    prop_assert!(m.abs() <= SIGMAS * s2.sqrt() / n.sqrt(), "mean {m} (limit {limit}, n {n})");
    prop_assert!((var - s2).abs() <= SIGMAS * s2 * (0.8 / n).sqrt(), "variance {var}, expected {s2} (n {n})");
    // Each side: P(max < 0.9 limit) = 0.95^n, below 1e-11 for n >= 500.
    let max = t.max_all();
    let min = t.min_all();
    prop_assert!(max > 0.9 * limit && min < -0.9 * limit, "range [{min}, {max}] does not fill [-{limit}, {limit}]");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn glorot_uniform(shape in shapes(), seed in any::<u64>()) {
        let (fi, fo) = fans(&shape);
        let t: Tensor<f64> = Init::GlorotUniform.tensor(&shape, &mut seeded_rng(seed));
        check_uniform(&t, (6.0 / (fi + fo) as f64).sqrt())?;
    }

    #[test]
    fn glorot_course(shape in shapes(), seed in any::<u64>()) {
        let (fi, _) = fans(&shape);
        let t: Tensor<f64> = Init::GlorotCourse.tensor(&shape, &mut seeded_rng(seed));
        check_uniform(&t, 1.0 / (fi as f64).sqrt())?;
    }

    #[test]
    fn glorot_normal(shape in shapes(), seed in any::<u64>()) {
        let (fi, fo) = fans(&shape);
        let t: Tensor<f64> = Init::GlorotNormal.tensor(&shape, &mut seeded_rng(seed));
        check_normal(&t, 0.0, (2.0 / (fi + fo) as f64).sqrt())?;
    }

    #[test]
    fn he_normal(shape in shapes(), seed in any::<u64>()) {
        let (fi, _) = fans(&shape);
        let t: Tensor<f64> = Init::HeNormal.tensor(&shape, &mut seeded_rng(seed));
        check_normal(&t, 0.0, (2.0 / fi as f64).sqrt())?;
    }

    #[test]
    fn he_uniform(shape in shapes(), seed in any::<u64>()) {
        let (fi, _) = fans(&shape);
        let t: Tensor<f64> = Init::HeUniform.tensor(&shape, &mut seeded_rng(seed));
        check_uniform(&t, (6.0 / fi as f64).sqrt())?;
    }

    #[test]
    fn plain_normal_and_uniform(shape in shapes(), seed in any::<u64>(), mean in -2.0f64..2.0, std in 0.01f64..3.0) {
        let t: Tensor<f64> = Init::Normal { mean, std }.tensor(&shape, &mut seeded_rng(seed));
        check_normal(&t, mean, std)?;
        let u: Tensor<f64> = Init::Uniform { limit: std }.tensor(&shape, &mut seeded_rng(seed));
        check_uniform(&u, std)?;
    }

    #[test]
    fn zeros_and_constants_are_exact(shape in shapes(), c in -5.0f64..5.0) {
        let z: Tensor<f32> = Init::Zeros.tensor(&shape, &mut seeded_rng(0));
        prop_assert!(z.to_vec().iter().all(|&x| x == 0.0));
        let k: Tensor<f64> = Init::Constant(c).tensor(&shape, &mut seeded_rng(0));
        prop_assert!(k.to_vec().iter().all(|&x| x == c));
    }
}

#[test]
fn conv_fans_follow_keras() {
    // Conv(32 -> 64, 3x3): fan_in = 32*9 = 288, fan_out = 64*9 = 576,
    // Glorot limit sqrt(6 / 864).
    assert_eq!(fans(&[64, 32, 3, 3]), (288, 576));
    let t: Tensor<f32> = Init::GlorotUniform.tensor(&[64, 32, 3, 3], &mut seeded_rng(5));
    let limit = (6.0f32 / 864.0).sqrt();
    assert!(t.max_all() <= limit && t.min_all() >= -limit);
    assert!(t.max_all() > 0.99 * limit, "18,432 draws reach the top percent of the range");
}

/// The course's initialization: `U(-e, e)` with `e = 1/sqrt(n)`, `n` the
/// fan-in. For 784 -> 10, `e = 1/28` against Glorot's `sqrt(6/794)`, and a
/// layer built with it draws its weights from that interval.
#[test]
fn initialization_course_glorot_epsilon_is_one_over_sqrt_fan_in() {
    let course = 1.0 / 784f64.sqrt();
    let glorot = (6.0 / 794f64).sqrt();
    assert!((course - 0.0357).abs() < 5e-5 && (glorot - 0.0869).abs() < 5e-5, "{course} {glorot}");

    let w: Tensor<f64> = Init::GlorotCourse.tensor(&[10, 784], &mut seeded_rng(3));
    assert!(w.max_all() <= course && w.min_all() >= -course, "[{}, {}]", w.min_all(), w.max_all());
    // 7,840 draws: the extremes lie in the top 0.1% of the range on each side.
    assert!(w.max_all() > 0.999 * course && w.min_all() < -0.999 * course);
    // The fan-out plays no part: [10, 784] and [1000, 784] share the bound.
    let wide: Tensor<f64> = Init::GlorotCourse.tensor(&[1000, 784], &mut seeded_rng(3));
    assert!(wide.max_all() <= course && wide.max_all() > 0.999 * course);

    let layer = Linear::<f64>::builder(784, 10).init(Init::GlorotCourse).build(&mut seeded_rng(3));
    let weight = layer.parameters()[0].1.value().clone();
    assert_eq!(weight.to_vec(), w.to_vec(), "the layer draws exactly Init::GlorotCourse");
    let conv = Conv2d::<f64>::builder(32, 64, 3).init(Init::GlorotCourse).build(&mut seeded_rng(4));
    let kernel = conv.parameters()[0].1.value().clone();
    let bound = 1.0 / 288f64.sqrt(); // fan_in = 32 * 3 * 3
    assert!(kernel.max_all() <= bound && kernel.max_all() > 0.99 * bound);
}
