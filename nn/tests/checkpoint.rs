//! Checkpoints: round trips, compatibility with the reference safetensors
//! reader, precise errors on bad files, and atomic saves.

use safetensors::{Dtype, SafeTensors};
use sinapse_nn::checkpoint::atomic_write;
use sinapse_nn::prelude::*;
use sinapse_nn::{CheckpointError, StateMismatch};
use sinapse_tensor::{seeded_rng, Tensor};
use std::path::Path;

fn mlp(seed: u64) -> Sequential<f32> {
    let mut rng = seeded_rng(seed);
    Sequential::new().add(Linear::new(6, 5, &mut rng)).add(ReLU).add(Linear::new(5, 3, &mut rng))
}

fn input() -> Var<f32> {
    Var::constant(Tensor::rand_uniform(&[4, 6], -1.0, 1.0, &mut seeded_rng(99)))
}

/// `[n][header][data]` with an arbitrary header, for hand-made bad files.
fn craft(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn load_err(bytes: &[u8]) -> CheckpointError {
    Checkpoint::<f32>::from_bytes(bytes).expect_err("the file is invalid")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn round_trip_gives_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mlp.safetensors");
    let a = mlp(1);
    a.save_parameters(&path).unwrap();
    let mut b = mlp(2);
    assert_ne!(a.forward(&input()).value().to_vec(), b.forward(&input()).value().to_vec());
    b.load_parameters(&path).unwrap();
    assert_eq!(a.forward(&input()).value().to_vec(), b.forward(&input()).value().to_vec());
    for ((na, pa), (nb, pb)) in a.parameters().into_iter().zip(b.parameters()) {
        assert_eq!(na, nb);
        assert_eq!(pa.value().to_vec(), pb.value().to_vec(), "{na} is bit-identical");
    }
}

#[test]
fn f64_checkpoints_and_metadata_round_trip() {
    let mut ckpt = Checkpoint::<f64>::new();
    ckpt.tensors.insert("x".into(), Tensor::from_vec(vec![1.0 / 3.0, -0.0, f64::MAX, 1e-310], &[2, 2]).unwrap());
    ckpt.tensors.insert("empty".into(), Tensor::zeros(&[0, 3]));
    ckpt.tensors.insert("scalar".into(), Tensor::scalar(2.5));
    // A transposed view is written in logical row-major order.
    ckpt.tensors.insert("t".into(), Tensor::from_vec(vec![1., 2., 3., 4., 5., 6.], &[2, 3]).unwrap().t());
    ckpt.metadata.insert("epoch".into(), "12".into());
    let back = Checkpoint::<f64>::from_bytes(&ckpt.to_bytes().unwrap()).unwrap();
    assert_eq!(back.metadata, ckpt.metadata);
    assert_eq!(back.tensors.len(), 4);
    for (name, t) in &ckpt.tensors {
        assert_eq!(back.tensors[name].shape(), t.shape(), "{name}");
        let (x, y) = (back.tensors[name].to_vec(), t.to_vec());
        assert!(x.iter().zip(&y).all(|(a, b)| a.to_bits() == b.to_bits()), "{name}: {x:?} vs {y:?}");
    }
    assert_eq!(back.tensors["t"].to_vec(), vec![1., 4., 2., 5., 3., 6.]);
}

#[test]
fn the_same_state_always_gives_the_same_bytes() {
    let mut ckpt = Checkpoint::from_tensors(mlp(5).state_dict());
    for (k, v) in [("format", "test/1"), ("epoch", "3"), ("seed", "42"), ("history", "[]"), ("loss", "Mse")] {
        ckpt.metadata.insert(k.into(), v.into());
    }
    let first = ckpt.to_bytes().unwrap();
    for _ in 0..8 {
        assert_eq!(ckpt.to_bytes().unwrap(), first, "two encodings of one state differ");
    }
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.safetensors"), dir.path().join("b.safetensors"));
    ckpt.save(&a).unwrap();
    Checkpoint::<f32>::load(&a).unwrap().save(&b).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "a loaded and re-saved file changed");
    // The data section starts 8-byte aligned, as the reference writer leaves it.
    let header_len = u64::from_le_bytes(first[..8].try_into().unwrap());
    assert_eq!(header_len % 8, 0);
}

#[test]
fn files_read_by_the_reference_safetensors_reader() {
    // What PyTorch's `safetensors.torch.load_file` sees: names, F32 dtype,
    // PyTorch shapes ([out, in]) and little-endian row-major bytes.
    let model = mlp(3);
    let mut ckpt = Checkpoint::from_tensors(model.state_dict());
    ckpt.metadata.insert("format".into(), "pt".into());
    let bytes = ckpt.to_bytes().unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let mut names = st.names();
    names.sort();
    assert_eq!(names, ["0.bias", "0.weight", "2.bias", "2.weight"]);
    let w = st.tensor("0.weight").unwrap();
    assert_eq!(w.dtype(), Dtype::F32);
    assert_eq!(w.shape(), &[5, 6]);
    assert_eq!(w.data(), f32_bytes(&model.parameters()[0].1.value().to_vec()).as_slice());
    let (_, meta) = SafeTensors::read_metadata(&bytes).unwrap();
    assert_eq!(meta.metadata().as_ref().unwrap()["format"], "pt");
}

#[test]
fn files_written_by_the_reference_writer_load() {
    let w = f32_bytes(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let b = f32_bytes(&[0.5, -0.5]);
    let views = vec![
        ("weight", safetensors::tensor::TensorView::new(Dtype::F32, vec![2, 3], &w).unwrap()),
        ("bias", safetensors::tensor::TensorView::new(Dtype::F32, vec![2], &b).unwrap()),
    ];
    let bytes = safetensors::serialize(views, &None).unwrap();
    let mut layer = Linear::<f32>::new(3, 2, &mut seeded_rng(0));
    layer.load_state_dict(&Checkpoint::<f32>::from_bytes(&bytes).unwrap().tensors).unwrap();
    let y = layer.forward(&Var::constant(Tensor::from_vec(vec![1.0, 0.0, -1.0], &[1, 3]).unwrap()));
    // [1 - 3 + 0.5, 4 - 6 - 0.5]
    assert_eq!(y.value().to_vec(), vec![-1.5, -2.5]);
}

#[test]
fn mismatched_parameters_are_all_listed_and_nothing_changes() {
    let mut model = mlp(4);
    let before = model.state_dict();
    let mut tensors = mlp(5).state_dict();
    tensors.remove("2.bias");
    tensors.insert("0.weight".into(), Tensor::zeros(&[5, 7]));
    tensors.insert("3.weight".into(), Tensor::zeros(&[1]));
    tensors.insert("extra".into(), Tensor::zeros(&[1]));
    let err = model.load_state_dict(&tensors).unwrap_err();
    let msg = err.to_string();
    match err {
        CheckpointError::StateMismatch(StateMismatch { missing, unexpected, shape_mismatches }) => {
            assert_eq!(missing, ["2.bias"]);
            assert_eq!(unexpected, ["3.weight", "extra"]);
            assert_eq!(shape_mismatches, [("0.weight".to_string(), vec![5, 6], vec![5, 7])]);
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(
        msg,
        "the checkpoint does not match the model's parameters: missing keys [\"2.bias\"]; unexpected keys \
         [\"3.weight\", \"extra\"]; shape mismatch for '0.weight': model [5, 6], checkpoint [5, 7];"
    );
    let after = model.state_dict();
    assert!(before.iter().all(|(k, v)| after[k].to_vec() == v.to_vec()), "a failed load leaves the model alone");
}

#[test]
fn dtype_mismatch_is_reported() {
    let mut ckpt = Checkpoint::<f64>::new();
    ckpt.tensors.insert("w".into(), Tensor::zeros(&[2]));
    let err = load_err(&ckpt.to_bytes().unwrap());
    assert!(matches!(err, CheckpointError::DtypeMismatch { .. }));
    assert_eq!(
        err.to_string(),
        "tensor 'w' is stored as F64, but the checkpoint is read as F32; load it with the matching float type"
    );
}

#[test]
fn truncated_files_are_refused() {
    let bytes = Checkpoint::from_tensors(mlp(6).state_dict()).to_bytes().unwrap();
    // Body cut short: the last tensor's range now ends past the data.
    let err = load_err(&bytes[..bytes.len() - 3]);
    assert!(matches!(err, CheckpointError::OutOfBounds { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("lies outside the") && msg.contains("(truncated file?)"), "{msg}");
    // Cut inside the header.
    let err = load_err(&bytes[..20]);
    assert!(matches!(err, CheckpointError::HeaderTooLarge { available: 12, .. }), "{err:?}");
    // Cut inside the length prefix.
    assert_eq!(
        load_err(&bytes[..5]).to_string(),
        "not a safetensors file: it has 5 bytes, fewer than the 8-byte header length"
    );
}

#[test]
fn lying_headers_are_refused_before_allocating() {
    // A header length far beyond the file (would be an 8 EB allocation if trusted).
    let mut bytes = craft("{}", &[]);
    bytes[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(
        load_err(&bytes).to_string(),
        format!(
            "corrupt safetensors file: the header claims {} bytes but only 2 bytes follow the length prefix \
             (truncated file, or not a safetensors file)",
            u64::MAX
        )
    );
    // A tensor whose offsets point past the end of the data.
    let data = f32_bytes(&[1.0, 2.0]);
    let past = craft(r#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, &data);
    assert_eq!(
        load_err(&past).to_string(),
        "tensor 'w': byte range [8, 16) lies outside the 8-byte data section (truncated file?)"
    );
    // A shape whose size disagrees with the byte range.
    let lying_shape = craft(r#"{"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,8]}}"#, &data);
    assert_eq!(
        load_err(&lying_shape).to_string(),
        "tensor 'w': shape [1000000, 1000000] of F32 needs 4000000000000 bytes, but its byte range holds 8"
    );
    // A shape whose element count overflows.
    let overflow = craft(r#"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, &data);
    assert!(load_err(&overflow).to_string().contains("has more elements than fit in memory"));
    // Two tensors sharing bytes (would multiply memory use if allowed).
    let overlap = craft(
        r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
        &data,
    );
    assert_eq!(load_err(&overlap).to_string(), "tensors 'a' and 'b' overlap in the data section");
    // Not JSON, or JSON of the wrong form.
    assert!(load_err(&craft("{not json", &[]))
        .to_string()
        .starts_with("corrupt safetensors header: the header is not a JSON object"));
    assert_eq!(
        load_err(&craft(r#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, &[])).to_string(),
        "corrupt safetensors header: tensor 'w': shape entry -1 is not a non-negative integer"
    );
    assert_eq!(
        load_err(&craft(r#"{"w":{"dtype":"F32","shape":[1]}}"#, &[])).to_string(),
        "corrupt safetensors header: tensor 'w' has no 'data_offsets'"
    );
}

#[test]
fn trailing_bytes_after_the_data_are_ignored() {
    let data = f32_bytes(&[1.0, 2.0]);
    let mut bytes = craft(r#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, &data);
    bytes.extend_from_slice(&[0xAB; 13]);
    let ckpt = Checkpoint::<f32>::from_bytes(&bytes).unwrap();
    assert_eq!(ckpt.tensors["w"].to_vec(), vec![1.0, 2.0]);
}

#[test]
fn missing_file_names_the_path() {
    let err = Checkpoint::<f32>::load("/nonexistent/dir/model.safetensors").unwrap_err();
    assert!(err.to_string().starts_with("checkpoint /nonexistent/dir/model.safetensors: "), "{err}");
}

#[test]
fn interrupted_save_keeps_the_previous_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ckpt.safetensors");
    let old = mlp(7);
    old.save_parameters(&path).unwrap();
    let new_bytes = Checkpoint::from_tensors(mlp(8).state_dict()).to_bytes().unwrap();

    // The new file is fully written to the temporary file, then the process
    // "dies" before the rename: the error stands for the crash.
    let crash = atomic_write(&path, |f| {
        std::io::Write::write_all(f, &new_bytes)?;
        Err(std::io::Error::other("simulated crash before rename"))
    });
    assert_eq!(crash.unwrap_err().to_string(), "simulated crash before rename");
    // Half-written, too.
    let crash = atomic_write(&path, |f| {
        std::io::Write::write_all(f, &new_bytes[..new_bytes.len() / 2])?;
        Err(std::io::Error::other("disk full"))
    });
    assert!(crash.is_err());

    let mut restored = mlp(9);
    restored.load_parameters(&path).unwrap();
    assert_eq!(restored.forward(&input()).value().to_vec(), old.forward(&input()).value().to_vec());
    assert_eq!(files_in(dir.path()), ["ckpt.safetensors"], "no temporary file is left behind");

    // A successful save replaces the file.
    mlp(8).save_parameters(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), new_bytes);
    assert_eq!(files_in(dir.path()), ["ckpt.safetensors"]);
}

#[test]
fn failing_rename_reports_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    // The target is a non-empty directory, so the final rename must fail.
    let target = dir.path().join("taken");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), b"x").unwrap();
    let err = mlp(1).save_parameters(&target).unwrap_err();
    assert!(matches!(err, CheckpointError::Io { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("checkpoint {}: ", target.display())), "{err}");
    assert_eq!(files_in(dir.path()), ["taken"], "the temporary file is removed");
    assert_eq!(files_in(&target), ["keep"]);
}

#[test]
fn prefixes_separate_model_and_other_state() {
    let model = mlp(1);
    let mut ckpt = Checkpoint::new();
    ckpt.insert_prefixed("model.", model.state_dict());
    ckpt.insert_prefixed("optimizer.", [("0.weight.momentum_buffer".to_string(), Tensor::zeros(&[5, 6]))]);
    let back = Checkpoint::<f32>::from_bytes(&ckpt.to_bytes().unwrap()).unwrap();
    let mut other = mlp(2);
    other.load_state_dict(&back.prefixed("model.")).unwrap();
    assert_eq!(other.forward(&input()).value().to_vec(), model.forward(&input()).value().to_vec());
    assert_eq!(back.prefixed("optimizer.").len(), 1);
}

mod corrupted_files {
    use super::*;
    use proptest::prelude::*;

    fn valid() -> Vec<u8> {
        let mut ckpt = Checkpoint::from_tensors(mlp(1).state_dict());
        ckpt.metadata.insert("epoch".into(), "1".into());
        ckpt.to_bytes().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any truncation or byte corruption gives `Ok` or a typed error, never a panic;
        /// a successful parse never yields more elements than the file has bytes for.
        #[test]
        fn never_panics(cut in 0usize..2000, flips in proptest::collection::vec((0usize..2000, any::<u8>()), 0..4)) {
            let mut bytes = valid();
            for (pos, val) in flips {
                let n = bytes.len();
                bytes[pos % n] = val;
            }
            bytes.truncate(cut.min(bytes.len()));
            if let Ok(ckpt) = Checkpoint::<f32>::from_bytes(&bytes) {
                let elements: usize = ckpt.tensors.values().map(|t| t.numel()).sum();
                prop_assert!(elements * 4 <= bytes.len());
            }
        }
    }
}

#[test]
fn a_file_with_nan_weights_is_refused_naming_the_file_and_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("diverged.safetensors");
    let mut state = mlp(3).state_dict();
    let w = state.get_mut("2.weight").unwrap();
    let mut values = w.to_vec();
    values[4] = f32::NAN;
    *w = Tensor::from_vec(values, w.shape()).unwrap();
    Checkpoint::from_tensors(state).save(&path).unwrap();

    let mut net = mlp(4);
    let before = net.state_dict();
    let err = net.load_parameters(&path).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("{}: ", path.display())), "{msg}");
    assert!(msg.contains("parameter '2.weight' holds NaN at element 4"), "{msg}");
    let after = net.state_dict();
    assert!(before.iter().all(|(k, v)| after[k].to_vec() == v.to_vec()), "a refused load changed the model");
}

#[test]
fn a_corrupt_file_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.safetensors");
    std::fs::write(&path, b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}").unwrap();
    let msg = Checkpoint::<f32>::load(&path).unwrap_err().to_string();
    assert!(msg.starts_with(&format!("{}: corrupt safetensors header", path.display())), "{msg}");
}
