//! `predict` on pictures written here (right size, wrong size, colour,
//! inverted), and a short `gd_modes` run.

use sinapse_examples::cli::{parse_from, CommonArgs, DatasetChoice, Defaults};
use sinapse_examples::gd_modes::GdModesArgs;
use sinapse_examples::models::Arch;
use sinapse_examples::predict::{describe, Invert, PredictArgs};
use sinapse_examples::programs::gd_modes::program as gd_run;
use sinapse_examples::programs::predict::predict;
use sinapse_examples::report::save_model;
use sinapse_nn::Module;
use std::path::{Path, PathBuf};

fn write_png(path: &Path, w: u32, h: u32, color: png::ColorType, data: &[u8]) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut enc = png::Encoder::new(file, w, h);
    enc.set_color(color);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(data).unwrap();
}

/// A model of each kind saved with fixed weights, and an MNIST test digit.
fn setup(dir: &Path, arch: Arch) -> (PathBuf, Vec<u8>, usize) {
    let net = arch.build(5);
    let path = dir.join(format!("{}.safetensors", arch.name()));
    save_model(&path, &net, arch, sinapse_examples::cli::DatasetChoice::Mnist).unwrap();
    let test = sinapse_datasets::Mnist::load(sinapse_datasets::Split::Test, &sinapse_datasets::DataSource::standard())
        .unwrap();
    let pixels = test.image(0).to_vec();
    // The class the network gives the same picture through the data pipeline.
    let batch = sinapse_datasets::Subset::from_range(&test, 0..1).unwrap().batch_all(arch.layout());
    let out = sinapse_autograd::no_grad(|| net.forward(&sinapse_autograd::Var::constant(batch.images)));
    (path, pixels, out.value().argmax(1)[0])
}

fn args(image: &Path, model: &Path) -> PredictArgs {
    PredictArgs { image: image.into(), model: model.into(), arch: None, invert: Invert::Auto }
}

#[test]
fn predict_classifies_a_gray_png_like_the_network_does() {
    let dir = tempfile::tempdir().unwrap();
    for arch in [Arch::Perceptron, Arch::Mlp, Arch::Cnn] {
        let (model, pixels, expected) = setup(dir.path(), arch);
        let image = dir.path().join("digit.png");
        write_png(&image, 28, 28, png::ColorType::Grayscale, &pixels);
        let p = predict(&args(&image, &model)).unwrap();
        assert_eq!(p.class, expected, "{arch:?}");
        assert!(!p.inverted);
        assert!((p.probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(describe(&p)
            .ends_with(&format!("class: {expected} ({expected}) with probability {:.4}", p.probabilities[expected])));

        // The same digit in RGBA, and dark on white: same answer.
        let rgba: Vec<u8> = pixels.iter().flat_map(|&g| [g, g, g, 255]).collect();
        write_png(&image, 28, 28, png::ColorType::Rgba, &rgba);
        assert_eq!(predict(&args(&image, &model)).unwrap().class, expected);
        let inverted: Vec<u8> = pixels.iter().map(|&g| 255 - g).collect();
        write_png(&image, 28, 28, png::ColorType::Grayscale, &inverted);
        let p = predict(&args(&image, &model)).unwrap();
        assert!(p.inverted);
        assert_eq!(p.class, expected);
    }
}

#[test]
fn predict_explains_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (model, _, _) = setup(dir.path(), Arch::Mlp);
    let image = dir.path().join("big.png");
    write_png(&image, 32, 32, png::ColorType::Grayscale, &[0; 32 * 32]);
    let err = predict(&args(&image, &model)).unwrap_err().to_string();
    assert!(err.contains("image is 32x32 pixels; the model expects 28x28 grayscale"), "{err}");

    let not_png = dir.path().join("notes.png");
    std::fs::write(&not_png, b"hello").unwrap();
    assert!(predict(&args(&not_png, &model)).unwrap_err().to_string().contains("not a readable PNG"));
    let err = predict(&args(&image, &dir.path().join("missing"))).unwrap_err().to_string();
    assert!(err.contains("train one first"), "{err}");
    let err = predict(&args(&dir.path().join("absent.png"), &model)).unwrap_err().to_string();
    assert!(err.contains("absent.png"), "{err}");
}

#[test]
fn gd_modes_runs_all_three_regimes_and_draws_them() {
    let out = tempfile::tempdir().unwrap();
    let d = Defaults {
        epochs: 1000,
        fashion_epochs: None,
        dataset: DatasetChoice::Mnist,
        batch_size: 32,
        lr: 0.1,
        name: "gd_modes",
    };
    let argv = [
        "gd_modes",
        "--quiet",
        "--seconds",
        "0.3",
        "--train-limit",
        "600",
        "--monitor",
        "200",
        "--epochs",
        "3",
        "--out",
        out.path().to_str().unwrap(),
    ];
    let a: GdModesArgs = parse_from(d, &argv).unwrap();
    let _: &CommonArgs = &a.common;
    let curves = gd_run(&a).unwrap();
    let names: Vec<&str> = curves.iter().map(|c| c.mode.as_str()).collect();
    assert_eq!(names, ["batch", "stochastic", "minibatch(32)"]);
    for c in &curves {
        let last = c.points.last().unwrap();
        assert!(c.points.len() >= 2 && last.updates > 0, "{c:?}");
        assert!(last.epochs <= 3.0 + 1e-9);
        assert!(last.loss < c.points[0].loss, "{} did not learn: {c:?}", c.mode);
    }
    // Stochastic makes the most updates per pass, batch the fewest.
    let per_epoch = |i: usize| {
        let l = curves[i].points.last().unwrap();
        l.updates as f64 / l.epochs
    };
    assert!((per_epoch(0) - 1.0).abs() < 1e-9 && (per_epoch(1) - 600.0).abs() < 1e-6);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("gd_modes.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    let decoder = png::Decoder::new(std::fs::File::open(out.path().join("gd_modes.png")).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    assert!(reader.next_frame(&mut buf).unwrap().width >= 1000);
}
