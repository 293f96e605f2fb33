//! The filters example: kernels do what their names say on a real digit,
//! the parameter counts of the course, valid vs same on the 4x4 example, the
//! flip between the course's convolution and conv1d, and valid PNGs.

use sinapse_examples::filters::{
    apply_kernels, conv_params, course_convolution, course_kernels, cross_correlation, dense_params, format_pixels,
    signal_1d, valid_vs_same, write_plots, FiltersConfig, FiltersError,
};
use sinapse_examples::programs::filters::run;
use sinapse_tensor::Tensor;
use std::fs::File;

fn png_size(path: &std::path::Path) -> (u32, u32) {
    let decoder = png::Decoder::new(File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (info.width, info.height)
}

fn kernel(name: &str) -> usize {
    course_kernels().iter().position(|k| k.name == name).unwrap()
}

#[test]
fn kernels_on_an_mnist_digit() {
    let report = run(&FiltersConfig::default()).unwrap();
    assert_eq!(report.digit, (0, 7));
    let original = &report.outputs[kernel("identity")];
    assert_eq!(original.len(), 784);
    assert!(original.iter().all(|v| (0.0..=1.0).contains(v)) && original.iter().any(|&v| v > 0.9));
    // The digit does not touch the border, so the blur (weights summing to
    // 1) keeps the total ink and lowers the peak.
    let blur = &report.outputs[kernel("gaussian_blur")];
    let (sum_o, sum_b): (f32, f32) = (original.iter().sum(), blur.iter().sum());
    assert!((sum_o - sum_b).abs() < 1e-3 * sum_o, "{sum_o} vs {sum_b}");
    assert!(blur.iter().copied().fold(0.0, f32::max) < original.iter().copied().fold(0.0, f32::max));
    // Edge detectors sum to zero: no response on the empty background, both
    // signs where strokes start and end.
    for name in ["sobel_horizontal", "sobel_vertical"] {
        let y = &report.outputs[kernel(name)];
        assert_eq!(y[0], 0.0, "{name} at the corner");
        assert!(y.iter().any(|&v| v > 1.0) && y.iter().any(|&v| v < -1.0), "{name}");
        assert!(y.iter().sum::<f32>().abs() < 1e-3, "{name}: the responses cancel over the whole image");
    }
    assert_eq!(report.conv.total(), 10);
    assert_eq!(report.dense.total(), 615_440);
}

#[test]
fn sobel_kernels_see_only_their_own_edges() {
    // Top half bright: a horizontal edge.
    let img = Tensor::<f32>::from_fn(&[1, 1, 8, 8], |i| if i[2] < 4 { 1.0 } else { 0.0 });
    let y = apply_kernels(&img, &course_kernels());
    let plane = |k: usize| y.select(1, k).select(0, 0);
    let (h, v) = (plane(kernel("sobel_horizontal")), plane(kernel("sobel_vertical")));
    // Row below minus row above, at the edge between rows 3 and 4, away from the sides.
    assert_eq!(h.get(&[3, 4]), -4.0);
    assert_eq!(h.get(&[4, 4]), -4.0);
    assert_eq!(h.get(&[1, 4]), 0.0);
    assert_eq!(v.get(&[3, 4]), 0.0);
    // The transposed picture swaps the roles.
    let img_t = Tensor::<f32>::from_fn(&[1, 1, 8, 8], |i| if i[3] < 4 { 1.0 } else { 0.0 });
    let yt = apply_kernels(&img_t, &course_kernels());
    assert_eq!(yt.select(1, kernel("sobel_vertical")).get(&[0, 4, 3]), -4.0);
    assert_eq!(yt.select(1, kernel("sobel_horizontal")).get(&[0, 4, 3]), 0.0);
}

#[test]
fn parameter_counts() {
    assert_eq!((conv_params(3).weights, conv_params(3).biases), (9, 1));
    assert_eq!(conv_params(5).total(), 26);
    let d = dense_params(28, 28);
    assert_eq!((d.weights, d.biases, d.total()), (614_656, 784, 615_440));
}

#[test]
fn valid_is_2x2_and_same_is_4x4() {
    let (x, w, valid, same) = valid_vs_same();
    assert_eq!((x.shape(), w.shape()), (&[1usize, 1, 4, 4][..], &[1usize, 1, 3, 3][..]));
    assert_eq!(valid.shape(), &[1, 1, 2, 2]);
    assert_eq!(valid.to_vec(), vec![30.0; 4]);
    assert_eq!(same.shape(), &[1, 1, 4, 4]);
    #[rustfmt::skip]
    let expected = vec![
        -20.0, 20.0, 20.0, 0.0,
        -30.0, 30.0, 30.0, 0.0,
        -30.0, 30.0, 30.0, 0.0,
        -20.0, 20.0, 20.0, 0.0,
    ];
    assert_eq!(same.to_vec(), expected);
}

#[test]
fn the_flip_separates_convolution_from_cross_correlation() {
    let (x, w) = ([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0]);
    assert_eq!(course_convolution(&x, &w), vec![1.0, 4.0, 10.0, 16.0, 22.0, 22.0, 15.0]);
    assert_eq!(cross_correlation(&x, &w), vec![14.0, 20.0, 26.0]);
    assert_eq!(cross_correlation(&x, &[3.0, 2.0, 1.0]), vec![10.0, 16.0, 22.0]);
    // A symmetric kernel does not care.
    assert_eq!(course_convolution(&x, &[1.0, 1.0, 1.0])[2..5], cross_correlation(&x, &[1.0, 1.0, 1.0])[..]);

    let s = signal_1d(3);
    assert_eq!((s.noisy.len(), s.smoothed.len(), s.slope_convolution.len()), (100, 100, 100));
    assert!((s.gaussian.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(s.error(&s.smoothed) < 0.25 * s.error(&s.noisy), "{} vs {}", s.error(&s.smoothed), s.error(&s.noisy));
    assert!(s.slope_agreement(&s.slope_convolution) > 0.8);
    assert!(s.slope_agreement(&s.slope_correlation) < -0.8);
    for (a, b) in s.slope_convolution.iter().zip(&s.slope_correlation) {
        assert!((a + b).abs() < 1e-12, "with an antisymmetric kernel the flip only changes the sign");
    }
}

#[test]
fn out_of_range_digit_is_an_error() {
    match run(&FiltersConfig { index: 10_000, seed: 3 }) {
        Err(FiltersError::Config(msg)) => assert!(msg.contains("--index 10000"), "{msg}"),
        other => panic!("expected a config error, got {:?}", other.map(|r| r.digit)),
    }
}

#[test]
fn plots_are_valid_pngs() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_plots(&run(&FiltersConfig { index: 1, seed: 3 }).unwrap(), dir.path()).unwrap();
    let names: Vec<_> = files.iter().map(|f| f.file_name().unwrap().to_str().unwrap().to_string()).collect();
    assert_eq!(names, ["filters.png", "valid_same.png", "conv1d_smoothing.png", "conv1d_flip.png"]);
    for f in &files {
        let (w, h) = png_size(f);
        assert!(w >= 400 && h >= 200, "{}: {w}x{h}", f.display());
    }
}

#[test]
fn images_as_numbers_course_digit_pixel_values() {
    let report = run(&FiltersConfig::default()).unwrap();
    // The pixels are the bytes the network divides by 255.
    let original = &report.outputs[kernel("identity")];
    assert!(report.pixels.iter().zip(original).all(|(&p, &x)| p as f32 / 255.0 == x));
    let text = format_pixels(&report.pixels, 28);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 28);
    assert!(rows.iter().all(|r| r.len() == 28 * 4 - 1), "{text}");
    assert_eq!(rows[0].split_whitespace().collect::<Vec<_>>(), ["0"; 28], "the top row is background");
    assert!(text.contains("255"), "the 7 has ink at full intensity:\n{text}");
    assert_eq!(format_pixels(&[0, 7, 255, 12], 2), "  0   7\n255  12");
}
