//! Bad command lines, missing files and wrong pictures: each must come back
//! as an error with a message that says what to fix (which `cli::run`
//! prints as `error: ...` with exit status 2), never as a panic.

use clap::error::ErrorKind;
use clap::Parser;
use sinapse_examples::cli::{parse_from, CommonArgs, DatasetChoice};
use sinapse_examples::error::ExampleError;
use sinapse_examples::models::Arch;
use sinapse_examples::practice::Practice;
use sinapse_examples::predict::PredictArgs;
use sinapse_examples::programs::mlp;
use sinapse_examples::programs::predict::predict;
use sinapse_examples::report::{save_model, MODEL_FILE};
use std::path::Path;

fn parse(extra: &[&str]) -> Result<CommonArgs, clap::Error> {
    let recipe = mlp::RECIPE;
    let mut argv = vec![recipe.defaults.name, "--quiet"];
    argv.extend_from_slice(extra);
    parse_from(recipe.defaults, &argv)
}

/// Runs the mlp with `extra` flags (which must parse) and returns its error.
fn run_error(out: &Path, extra: &[&str]) -> ExampleError {
    let mut flags = vec!["--out", out.to_str().unwrap(), "--train-limit", "64", "--test-limit", "32"];
    flags.extend_from_slice(extra);
    let args = parse(&flags).expect("these flags parse");
    match Practice::run(mlp::RECIPE, args, mlp::program) {
        Ok(_) => panic!("{extra:?} trained without error"),
        Err(e) => e,
    }
}

fn write_gray_png(path: &Path, w: u32, h: u32) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut encoder = png::Encoder::new(file, w, h);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&vec![0u8; (w * h) as usize]).unwrap();
}

#[test]
fn unknown_flag_is_a_usage_error_naming_it() {
    let e = parse(&["--bogus-flag"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownArgument);
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("--bogus-flag"), "{e}");
}

#[test]
fn non_numeric_epochs_is_a_usage_error_naming_the_value() {
    let e = parse(&["--epochs", "two"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ValueValidation);
    assert_eq!(e.exit_code(), 2);
    let msg = e.to_string();
    assert!(msg.contains("'two'") && msg.contains("--epochs"), "{msg}");
}

#[test]
fn batch_size_zero_is_refused_before_training() {
    // On the command line: clap's message names the flag and the rule.
    let e = parse(&["--batch-size", "0"]).unwrap_err();
    assert_eq!((e.kind(), e.exit_code()), (ErrorKind::ValueValidation, 2));
    let msg = e.to_string();
    assert!(msg.contains("--batch-size") && msg.contains("must be at least 1"), "{msg}");
    // Set in code after parsing: the same check, before anything is written.
    let out = tempfile::tempdir().unwrap();
    let mut args = parse(&["--out", out.path().to_str().unwrap()]).unwrap();
    args.batch_size = 0;
    let e = Practice::run(mlp::RECIPE, args, mlp::program).err().expect("a batch size of 0 must be refused");
    assert!(matches!(e, ExampleError::Usage(_)), "{e:?}");
    assert_eq!(e.to_string(), "--batch-size must be at least 1");
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none(), "files written before the check");
}

#[test]
fn missing_data_dir_names_the_folder() {
    let out = tempfile::tempdir().unwrap();
    let missing = out.path().join("no-such-data");
    let e = run_error(out.path(), &["--data-dir", missing.to_str().unwrap()]);
    let msg = e.to_string();
    assert!(matches!(e, ExampleError::Usage(_)), "{e:?}");
    assert!(msg.contains("no-such-data") && msg.contains("no such folder"), "{msg}");
}

#[test]
fn predict_without_a_model_says_how_to_train_one() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("digit.png");
    write_gray_png(&image, 28, 28);
    let args = PredictArgs::try_parse_from([
        "predict",
        image.to_str().unwrap(),
        "--model",
        dir.path().join("missing").join(MODEL_FILE).to_str().unwrap(),
    ])
    .unwrap();
    let msg = predict(&args).expect_err("no model must fail").to_string();
    assert!(msg.contains("no model at") && msg.contains("missing"), "{msg}");
}

#[test]
fn predict_on_a_wrong_size_png_names_both_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join(MODEL_FILE);
    save_model(&model, &Arch::Perceptron.build(1), Arch::Perceptron, DatasetChoice::Mnist).unwrap();
    let image = dir.path().join("big.png");
    write_gray_png(&image, 32, 20);
    let args =
        PredictArgs::try_parse_from(["predict", image.to_str().unwrap(), "--model", model.to_str().unwrap()]).unwrap();
    let e = predict(&args).expect_err("a 32x20 picture must fail");
    let msg = e.to_string();
    assert!(matches!(e, ExampleError::Image { .. }), "{e:?}");
    assert!(msg.contains("32x20") && msg.contains("28x28") && msg.contains("big.png"), "{msg}");

    // A file that is no PNG at all.
    std::fs::write(&image, b"not a picture").unwrap();
    let msg = predict(&args).expect_err("a non-PNG must fail").to_string();
    assert!(msg.contains("not a readable PNG"), "{msg}");
}
