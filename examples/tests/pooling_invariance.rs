//! The pooling-invariance example: shifting, the relative-change measure,
//! and the claims on a briefly trained CNN: pooled features change less
//! than unpooled ones, two stages less than one, and none is fully invariant.

use sinapse_examples::invariance::{mean_relative_change, shift, write_plots, InvarianceConfig, InvarianceError, Repr};
use sinapse_examples::programs::pooling_invariance::{run, small_cnn};
use sinapse_nn::Module;
use sinapse_tensor::Tensor;
use std::fs::File;

fn png_size(path: &std::path::Path) -> (u32, u32) {
    let decoder = png::Decoder::new(File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (info.width, info.height)
}

fn fast(train_images: usize) -> InvarianceConfig {
    InvarianceConfig { n_digits: 150, max_shift: 2, train_images, ..InvarianceConfig::default() }
}

#[test]
fn shift_moves_pixels_and_fills_with_zeros() {
    let x = Tensor::<f32>::from_fn(&[1, 1, 3, 3], |i| (i[2] * 3 + i[3] + 1) as f32);
    assert_eq!(shift(&x, 0, 0).to_vec(), x.to_vec());
    assert_eq!(shift(&x, 0, 1).to_vec(), vec![0., 1., 2., 0., 4., 5., 0., 7., 8.]);
    assert_eq!(shift(&x, -1, 0).to_vec(), vec![4., 5., 6., 7., 8., 9., 0., 0., 0.]);
    assert_eq!(shift(&x, 3, 0).to_vec(), vec![0.0; 9]);
}

#[test]
fn relative_change_is_per_example_then_averaged() {
    let a = Tensor::<f32>::from_vec(vec![3., 4., 1., 0.], &[2, 2]).unwrap();
    let b = Tensor::<f32>::from_vec(vec![3., 4., 0., 1.], &[2, 2]).unwrap();
    // Example 0 unchanged, example 1 changed by sqrt(2) / 1.
    assert!((mean_relative_change(&a, &b) - std::f64::consts::SQRT_2 / 2.0).abs() < 1e-12);
    assert_eq!(mean_relative_change(&a, &a), 0.0);
}

#[test]
fn pooling_reduces_the_change_caused_by_shifts() {
    let report = run(&fast(3000)).unwrap();
    println!("{}\n{}", report.table(), report.conclusion());
    assert_eq!(report.rows.len(), 3);
    assert_eq!(report.rows[0].change, [0.0; 6]);
    assert!(report.rows[0].accuracy > 0.8, "the trained CNN should classify unshifted digits");
    for row in &report.rows[1..] {
        let c = |r: Repr| row.get(r);
        // pixels > conv > max-pooled > two stages > 0
        assert!(c(Repr::Pixels) > c(Repr::Conv), "{row:?}");
        assert!(c(Repr::Conv) > c(Repr::MaxPool) && c(Repr::MaxPool) > c(Repr::TwoStages), "{row:?}");
        assert!(c(Repr::TwoStages) > 0.05, "not fully invariant: {row:?}");
        // Controls: a smaller map without a window summary does not help;
        // averaging over the window does.
        assert!((c(Repr::Subsampled) - c(Repr::Conv)).abs() < 0.1 * c(Repr::Conv), "{row:?}");
        assert!(c(Repr::AvgPool) < c(Repr::Subsampled), "{row:?}");
    }
    for repr in Repr::ALL {
        assert!(report.rows[2].get(repr) > report.rows[1].get(repr), "larger shifts change {repr:?} more");
    }
    assert!(report.rows[2].accuracy < report.rows[0].accuracy, "larger shifts hurt the classifier");
    let text = report.conclusion();
    assert!(text.contains("less than unpooled ones at every shift, two stages less than one at every shift"), "{text}");
}

#[test]
fn pooling_helps_even_with_untrained_filters() {
    // The invariance comes from the max over a window, not from training.
    let report = run(&fast(0)).unwrap();
    let row = &report.rows[1];
    assert!(row.get(Repr::MaxPool) < row.get(Repr::Conv), "{row:?}");
    assert!(row.get(Repr::TwoStages) < row.get(Repr::MaxPool), "{row:?}");
}

#[test]
fn the_cnn_has_the_documented_size() {
    assert_eq!(small_cnn(0).num_parameters(), 8 * 9 + 8 + 16 * 8 * 9 + 16 + 400 * 10 + 10);
    assert_eq!(small_cnn(0).output_shape(&[2, 1, 28, 28]), vec![2, 10]);
}

#[test]
fn bad_settings_are_errors() {
    for cfg in [
        InvarianceConfig { max_shift: 0, ..fast(0) },
        InvarianceConfig { n_digits: 0, ..fast(0) },
        InvarianceConfig { train_images: 70_000, ..fast(0) },
        InvarianceConfig { lr: -1.0, ..fast(0) },
    ] {
        match run(&cfg) {
            Err(InvarianceError::Config(msg)) => assert!(msg.contains("--"), "{msg}"),
            other => panic!("expected a config error, got {:?}", other.map(|r| r.rows)),
        }
    }
}

#[test]
fn plots_are_valid_pngs() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(&InvarianceConfig { n_digits: 20, ..fast(0) }).unwrap();
    let files = write_plots(&report, dir.path()).unwrap();
    let names: Vec<_> = files.iter().map(|f| f.file_name().unwrap().to_str().unwrap().to_string()).collect();
    assert_eq!(names, ["invariance.png", "accuracy.png", "feature_maps.png"]);
    for f in &files {
        let (w, h) = png_size(f);
        assert!(w >= 300 && h >= 300, "{}: {w}x{h}", f.display());
    }
}
