//! The overfitting example's claims, checked on its own numbers: degree 1
//! underfits, degree 12 overfits (lower training, higher validation error
//! than degree 3), L2 shrinks the weights and brings the validation error
//! down, and gradient descent with `WeightDecay::L2` lands on the ridge
//! solution computed in closed form.

use sinapse_examples::overfitting::{poly_features, sample, write_plots, Method, OverfitConfig, OverfitError};
use sinapse_examples::programs::overfitting::run;
use std::fs::File;

fn fast() -> OverfitConfig {
    OverfitConfig { lambdas: vec![1e-3, 1e-2, 1e-1], epochs: 12_000, ..OverfitConfig::default() }
}

/// Decodes a PNG fully and returns its size.
fn png_size(path: &std::path::Path) -> (u32, u32) {
    let decoder = png::Decoder::new(File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (info.width, info.height)
}

#[test]
fn low_degree_underfits_high_degree_overfits_and_l2_helps() {
    let report = run(&fast()).unwrap();
    let row = |d: usize| report.unregularized(d).unwrap().clone();
    let (d1, d3, d12) = (row(1), row(3), row(12));
    println!("{}", report.table());
    // Underfitting: a line cannot follow a sine, on either set.
    assert!(d1.train_mse > 3.0 * d3.train_mse && d1.valid_mse > 3.0 * d3.valid_mse, "{d1:?} vs {d3:?}");
    // Overfitting: more capacity fits the training points better and the
    // validation points worse.
    assert!(d12.train_mse < d3.train_mse, "{d12:?} vs {d3:?}");
    assert!(d12.valid_mse > 1.5 * d3.valid_mse, "{d12:?} vs {d3:?}");
    // The best lambda brings the validation error well below no penalty.
    let best = report.best_lambda().unwrap();
    assert!(best.lambda > 0.0, "{best:?}");
    assert!(best.valid_mse < 0.5 * d12.valid_mse, "{best:?} vs {d12:?}");
    // A larger lambda always gives smaller weights and a larger training error.
    let reg: Vec<_> = report.rows.iter().filter(|r| r.degree == 12).collect();
    for pair in reg.windows(2) {
        assert!(pair[1].weight_norm_sq < pair[0].weight_norm_sq, "{pair:?}");
        assert!(pair[1].train_mse > pair[0].train_mse, "{pair:?}");
    }
}

#[test]
fn validation_error_rises_while_training_error_falls() {
    let report = run(&fast()).unwrap();
    let (best_epoch, best_valid) = report.best_epoch().unwrap();
    let at_best = report.history.iter().find(|h| h.0 == best_epoch).unwrap();
    let last = report.history.last().unwrap();
    assert_eq!(last.0, 12_000);
    assert!(best_epoch < last.0 / 2, "validation minimum at epoch {best_epoch}");
    assert!(last.1 < at_best.1, "training MSE must keep falling: {at_best:?} -> {last:?}");
    assert!(last.2 > 1.5 * best_valid, "validation MSE must rise: {at_best:?} -> {last:?}");
}

/// Solves `A x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let p = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs())).unwrap();
        a.swap(col, p);
        b.swap(col, p);
        let pivot = a[col].clone();
        for row in col + 1..n {
            let f = a[row][col] / pivot[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x
}

#[test]
fn gradient_descent_with_l2_reaches_the_ridge_solution() {
    // Minimiser of (1/n)||Phi w + b - y||^2 + lambda/2 ||w||^2 (bias free):
    // [(2/n) Phi^T Phi + lambda I, (2/n) Phi^T 1; (2/n) 1^T Phi, 2] [w; b] = (2/n) [Phi^T y; 1^T y].
    let cfg = OverfitConfig { degrees: vec![12], lambdas: vec![1e-2], epochs: 12_000, ..OverfitConfig::default() };
    let (x, y) = sample(cfg.n_train, cfg.noise, cfg.seed);
    let phi = poly_features(&x, 12).to_vec();
    let (n, d) = (x.len(), 12);
    let feat = |i: usize, j: usize| if j < d { phi[i * d + j] } else { 1.0 };
    let mut a = vec![vec![0.0; d + 1]; d + 1];
    let mut rhs = vec![0.0; d + 1];
    for j in 0..=d {
        for (k, a_jk) in a[j].iter_mut().enumerate() {
            *a_jk = (0..n).map(|i| 2.0 / n as f64 * feat(i, j) * feat(i, k)).sum();
        }
        if j < d {
            a[j][j] += 1e-2;
        }
        rhs[j] = (0..n).map(|i| 2.0 / n as f64 * feat(i, j) * y[i]).sum();
    }
    let theta = solve(a, rhs);
    let train_mse: f64 =
        (0..n).map(|i| ((0..=d).map(|j| feat(i, j) * theta[j]).sum::<f64>() - y[i]).powi(2)).sum::<f64>() / n as f64;
    let norm: f64 = theta[..d].iter().map(|w| w * w).sum();

    let report = run(&cfg).unwrap();
    let row = report.rows.iter().find(|r| r.lambda == 1e-2).unwrap();
    assert!((row.train_mse - train_mse).abs() < 1e-6, "GD {} vs closed form {train_mse}", row.train_mse);
    assert!((row.weight_norm_sq - norm).abs() < 1e-4 * norm, "GD {} vs closed form {norm}", row.weight_norm_sq);
}

#[test]
fn plain_gradient_descent_and_adam_also_run() {
    for method in [Method::Gd { momentum: 0.0 }, Method::Adam] {
        let lr = if method == Method::Adam { 0.01 } else { 0.3 };
        let cfg =
            OverfitConfig { degrees: vec![3], lambdas: vec![], epochs: 3000, lr, method, ..OverfitConfig::default() };
        let report = run(&cfg).unwrap();
        let r = &report.rows[0];
        assert!(r.train_mse < 0.05 && r.valid_mse < 0.1, "{method}: {r:?}");
    }
}

#[test]
fn features_and_data_are_deterministic() {
    let f = poly_features(&[0.5, -1.0], 3).to_vec();
    assert_eq!(f, vec![0.5, 0.25, 0.125, -1.0, 1.0, -1.0]);
    assert_eq!(sample(5, 0.2, 9), sample(5, 0.2, 9));
    assert_ne!(sample(5, 0.2, 9), sample(5, 0.2, 10));
    let (x, _) = sample(100, 0.2, 1);
    assert!(x.iter().all(|v| (-1.0..=1.0).contains(v)));
}

#[test]
fn bad_settings_are_errors_not_panics() {
    let bad = [
        OverfitConfig { degrees: vec![0, 3], ..fast() },
        OverfitConfig { lambdas: vec![-1.0], ..fast() },
        OverfitConfig { n_train: 1, ..fast() },
        OverfitConfig { lr: 0.0, ..fast() },
        OverfitConfig { method: Method::Gd { momentum: 1.0 }, ..fast() },
    ];
    for cfg in bad {
        match run(&cfg) {
            Err(OverfitError::Config(msg)) => assert!(msg.contains("--"), "message should name the flag: {msg}"),
            other => panic!("expected a config error, got {other:?}"),
        }
    }
}

#[test]
fn plots_are_valid_pngs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = OverfitConfig { epochs: 500, ..fast() };
    let files = write_plots(&run(&cfg).unwrap(), dir.path()).unwrap();
    let names: Vec<_> = files.iter().map(|f| f.file_name().unwrap().to_str().unwrap().to_string()).collect();
    assert_eq!(names, ["fits.png", "l2_fits.png", "loss_vs_epoch.png", "loss_vs_lambda.png"]);
    for f in &files {
        let (w, h) = png_size(f);
        assert!(w >= 800 && h >= 500, "{}: {w}x{h}", f.display());
    }
}
