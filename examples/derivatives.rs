//! The course's calculus with autograd: first and second derivatives of
//! (t-5)^2, 1-t^2, t^3 and x1^2+x2^2, the classification of each critical
//! point by its second derivative, the gradient-descent path to it, and the
//! activations sigmoid, tanh and ReLU with their derivatives.
//!
//! ```text
//! cargo run --release --example derivatives -- --out out/derivatives
//! ```

use clap::Parser;
use sinapse_autograd::{BackwardOptions, Var};
use sinapse_examples::outln;
use sinapse_examples::plots::{contour_chart, line_chart, Series, Surface};
use sinapse_examples::{cli, flags};
use sinapse_tensor::Tensor;
use std::path::PathBuf;

#[derive(Parser)]
#[command(about = "Derivatives and gradient descent on the course's functions")]
struct Args {
    /// Learning rate (step size) of gradient descent.
    #[arg(long, default_value_t = 0.1, value_parser = flags::learning_rate)]
    lr: f64,
    /// Number of gradient-descent steps.
    #[arg(long, default_value_t = 40, value_parser = flags::count)]
    steps: usize,
    /// Folder for the plots.
    #[arg(long, default_value = "out/derivatives")]
    out: PathBuf,
}

/// `f(t)`, `f'(t)` and `f''(t)` by differentiating twice: the first
/// backward pass records itself (`create_graph`), so its result can be
/// differentiated again.
fn derivatives(f: &dyn Fn(&Var<f64>) -> Var<f64>, t: f64) -> (f64, f64, f64) {
    let tv = Var::new(Tensor::scalar(t));
    let y = f(&tv);
    let value = y.item();
    let opts = BackwardOptions { create_graph: true, ..Default::default() };
    let grads = y.backward_with_options(Tensor::scalar(1.0), &opts);
    let Some(dy) = grads.get_var(&tv).cloned() else { return (value, 0.0, 0.0) };
    let first = dy.item();
    let second = if dy.requires_grad() { dy.backward().get(&tv).map(|g| g.item()).unwrap_or(0.0) } else { 0.0 };
    (value, first, second)
}

/// What the second derivative says about a critical point (`f'(t*) = 0`).
fn classify(second: f64) -> &'static str {
    if second > 0.0 {
        "minimum (f'' > 0)"
    } else if second < 0.0 {
        "maximum (f'' < 0)"
    } else {
        "inconclusive (f'' = 0): here a saddle / inflection point"
    }
}

/// The course's activations and their derivatives on [-4, 4] (its Fig. 10),
/// drawn into `out/activations.png`. Each derivative is one backward pass
/// over the whole grid: an activation acts element by element, so the
/// gradient of the sum of its outputs is its derivative at every point.
fn activation_curves(out: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let grid: Vec<f64> = (0..=240).map(|i| -4.0 + i as f64 / 30.0).collect();
    let activations: [(&str, Scalar1d); 3] =
        [("sigmoid", |v| v.sigmoid()), ("tanh", |v| v.tanh()), ("ReLU", |v| v.relu())];
    let mut curves = Vec::new();
    outln!("\nactivation   phi(0)   phi'(0)   largest phi'")?;
    for (name, phi) in activations {
        let v = Var::new(Tensor::from_vec(grid.clone(), &[grid.len()])?);
        let y = phi(&v);
        let dy = y.sum_all().backward().get(&v).map(|g| g.to_vec()).ok_or("no gradient for v")?;
        let values = y.value().to_vec();
        let at_zero = grid.iter().position(|&t| t == 0.0).ok_or("0 is on the grid")?;
        let largest = dy.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        outln!("{name:<10} {:>8.4} {:>9.4} {:>14.4}", values[at_zero], dy[at_zero], largest)?;
        let points = |ys: Vec<f64>| grid.iter().copied().zip(ys).collect();
        curves.push(Series { name: format!("{name}(v)"), points: points(values), dashed: false });
        curves.push(Series { name: format!("{name}'(v)"), points: points(dy), dashed: true });
    }
    let title = "The activations (solid) and their derivatives by autograd (dashed)";
    line_chart(&out.join("activations.png"), title, "v", "phi(v), phi'(v)", &curves, false)?;
    Ok(())
}

/// The message for a gradient path that left the finite numbers: a step
/// too large for the function's curvature overshoots further every time.
fn diverged(what: &str, value: f64, lr: f64) -> String {
    format!("{what} diverged with --lr {lr}: the point became {value}; lower --lr")
}

/// A function applied element by element, as the course's functions and
/// activations are.
type Scalar1d = fn(&Var<f64>) -> Var<f64>;

struct Course1d {
    name: &'static str,
    formula: &'static str,
    f: Scalar1d,
    critical: f64,
    start: f64,
    /// +1 descends (towards a minimum), -1 ascends (towards a maximum).
    direction: f64,
}

fn main() {
    cli::run(|| run_example(Args::parse()))
}

fn run_example(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    cli::create_out_dir(&args.out)?;
    let cases = [
        Course1d {
            name: "square_shift",
            formula: "(t-5)^2",
            f: |t| (t - 5.0).powf(2.0),
            critical: 5.0,
            start: 0.0,
            direction: 1.0,
        },
        Course1d {
            name: "concave",
            formula: "1-t^2",
            f: |t| t.square().rsub_scalar(1.0),
            critical: 0.0,
            start: 2.0,
            direction: -1.0,
        },
        Course1d { name: "cubic", formula: "t^3", f: |t| t.powf(3.0), critical: 0.0, start: 1.0, direction: 1.0 },
    ];
    outln!("{:<10} {:>8} {:>10} {:>10} {:>10}  verdict", "f(t)", "t*", "f(t*)", "f'(t*)", "f''(t*)")?;
    for case in &cases {
        let (v, d1, d2) = derivatives(&case.f, case.critical);
        outln!("{:<10} {:>8.3} {:>10.4} {:>10.4} {:>10.4}  {}", case.formula, case.critical, v, d1, d2, classify(d2))?;
    }
    outln!()?;
    for case in &cases {
        // Gradient descent: t <- t - lr f'(t); ascent for the maximum.
        let mut t = case.start;
        let mut path = vec![(t, derivatives(&case.f, t).0)];
        for _ in 0..args.steps {
            let (_, d1, _) = derivatives(&case.f, t);
            t -= case.direction * args.lr * d1;
            path.push((t, derivatives(&case.f, t).0));
        }
        let verb = if case.direction > 0.0 { "descent" } else { "ascent" };
        if !t.is_finite() {
            return Err(diverged(&format!("gradient {verb} on {}", case.formula), t, args.lr).into());
        }
        outln!(
            "{:<8} gradient {verb} from t={:.2}: after {} steps t={:.5} (critical point {})",
            case.formula,
            case.start,
            args.steps,
            t,
            case.critical
        )?;
        let lo = path.iter().map(|p| p.0).fold(case.critical, f64::min) - 1.0;
        let hi = path.iter().map(|p| p.0).fold(case.critical, f64::max) + 1.0;
        let curve: Vec<(f64, f64)> = (0..=200)
            .map(|i| {
                let x = lo + (hi - lo) * i as f64 / 200.0;
                (x, derivatives(&case.f, x).0)
            })
            .collect();
        let file = args.out.join(format!("{}.png", case.name));
        line_chart(
            &file,
            &format!("f(t) = {} and the gradient {verb} path", case.formula),
            "t",
            "f(t)",
            &[
                Series { name: format!("f(t) = {}", case.formula), points: curve, dashed: false },
                Series { name: format!("{} steps, lr {}", args.steps, args.lr), points: path, dashed: false },
            ],
            false,
        )?;
    }

    activation_curves(&args.out)?;

    // f(x) = x1^2 + x2^2: gradient (2 x1, 2 x2), Hessian 2I, minimum at 0.
    let f2 = |x: &Var<f64>| x.square().sum_all();
    let mut x = vec![3.0, -2.0];
    let mut path = Vec::new();
    for step in 0..=args.steps {
        let xv = Var::new(Tensor::from_vec(x.clone(), &[2])?);
        let y = f2(&xv);
        path.push((x[0], x[1]));
        let opts = BackwardOptions { create_graph: true, ..Default::default() };
        let grads = y.backward_with_options(Tensor::scalar(1.0), &opts);
        let g = grads.get_var(&xv).cloned().ok_or("no gradient for x")?;
        if step == 0 {
            // Hessian row by row: d/dx of the gradient's i-th component.
            let mut rows = Vec::new();
            for i in 0..2 {
                let gi = g.select(0, i);
                rows.push(gi.backward().get(&xv).map(|h| h.to_vec()).unwrap_or_default());
            }
            outln!(
                "x1^2+x2^2 at ({}, {}): gradient {:?} (expected (2 x1, 2 x2)); Hessian {:?} (expected 2I)",
                x[0],
                x[1],
                g.value().to_vec(),
                rows
            )?;
        }
        let gv = g.value().to_vec();
        x = vec![x[0] - args.lr * gv[0], x[1] - args.lr * gv[1]];
    }
    let last = path.last().copied().unwrap_or_default();
    if let Some(bad) = [last.0, last.1].into_iter().find(|v| !v.is_finite()) {
        return Err(diverged("gradient descent on x1^2+x2^2", bad, args.lr).into());
    }
    outln!("x1^2+x2^2 gradient descent from (3, -2): after {} steps x = ({:.5}, {:.5})", args.steps, last.0, last.1)?;
    line_chart(
        &args.out.join("paraboloid_path.png"),
        "Gradient descent on f(x) = x1^2 + x2^2 (minimum at the origin)",
        "x1",
        "x2",
        &[Series { name: format!("path from (3, -2), lr {}", args.lr), points: path.clone(), dashed: false }],
        false,
    )?;
    // The same descent on the loss surface seen from above: level curves,
    // the negative gradient (by autograd) as arrows, the path across them.
    let value = |x1: f64, x2: f64| x1 * x1 + x2 * x2;
    let gradient = |x1: f64, x2: f64| {
        let x = Var::new(Tensor::from_vec(vec![x1, x2], &[2]).expect("two values"));
        let g = f2(&x).backward().get(&x).map(|g| g.to_vec()).unwrap_or_else(|| vec![0.0, 0.0]);
        (g[0], g[1])
    };
    let surface = Surface {
        f: &value,
        grad: &gradient,
        x: (-4.0, 4.0),
        y: (-4.0, 4.0),
        levels: &[0.5, 2.0, 4.5, 8.0, 12.5, 18.0],
        path: &path,
    };
    contour_chart(&args.out.join("loss_surface.png"), "f(x) = x1^2 + x2^2: level curves and -grad f", &surface)?;
    outln!("plots written to {}", args.out.display())?;
    Ok(())
}
