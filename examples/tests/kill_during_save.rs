//! `kill -9` while a checkpoint is being saved: the file on disk must stay
//! a complete checkpoint, one of the versions written, never a mix.
//!
//! The test binary re-executes itself as a child that saves version after
//! version of a small model to one path (with `Checkpoint::save`, i.e.
//! `atomic_write`); the parent SIGKILLs it at seeded random moments and
//! checks the file after each kill.

use sinapse_nn::Checkpoint;
use sinapse_tensor::Tensor;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Set in the child: the folder to save into.
const CHILD_DIR: &str = "SINAPSE_KILL_TEST_DIR";
const FILE: &str = "ckpt.safetensors";
const TEST_NAME: &str = "kill_9_during_saves_leaves_a_complete_checkpoint";
/// Two tensors of 64 K floats each: 512 KB per save, long enough to be caught mid-write.
const LEN: usize = 1 << 16;

/// Element `i` of tensor `which` in version `v`: every version differs everywhere.
fn value(v: u64, which: usize, i: usize) -> f32 {
    ((v * 7919 + which as u64 * 104_729 + i as u64) % 1_000_003) as f32
}

fn version(v: u64) -> Checkpoint<f32> {
    let mut tensors = BTreeMap::new();
    for (which, name) in ["0.weight", "0.bias"].into_iter().enumerate() {
        let data = (0..LEN).map(|i| value(v, which, i)).collect();
        tensors.insert(name.to_string(), Tensor::from_vec(data, &[256, LEN / 256]).unwrap());
    }
    let mut ckpt = Checkpoint::from_tensors(tensors);
    ckpt.metadata.insert("version".into(), v.to_string());
    ckpt
}

/// Loads the checkpoint and returns its version after checking every value against it.
fn check(path: &Path) -> u64 {
    let ckpt = Checkpoint::<f32>::load(path).unwrap_or_else(|e| panic!("torn checkpoint: {e}"));
    let v: u64 = ckpt.metadata["version"].parse().unwrap();
    assert_eq!(ckpt.tensors.len(), 2);
    for (which, name) in ["0.weight", "0.bias"].into_iter().enumerate() {
        let t = &ckpt.tensors[name];
        assert_eq!(t.shape(), &[256, LEN / 256]);
        let data = t.to_vec();
        assert!(data.iter().enumerate().all(|(i, &x)| x == value(v, which, i)), "{name} is not version {v}");
    }
    v
}

/// The child: continue from the version on disk and save forever.
fn child(dir: &Path) -> ! {
    let path = dir.join(FILE);
    let mut v = check(&path);
    loop {
        v += 1;
        version(v).save(&path).unwrap();
    }
}

#[test]
fn kill_9_during_saves_leaves_a_complete_checkpoint() {
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        child(Path::new(&dir));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE);
    version(0).save(&path).unwrap();
    let exe = std::env::current_exe().unwrap();
    // xorshift, seeded: the kill moments are the same on every run.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut last = 0;
    for kill in 0..20 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let delay = 5 + state % 46;
        let mut c = Command::new(&exe)
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        c.kill().unwrap(); // SIGKILL on Unix: no destructor, no cleanup runs.
        c.wait().unwrap();
        let v = check(&path);
        assert!(v >= last, "kill {kill}: version went back from {last} to {v}");
        last = v;
    }
    // The children did save (otherwise nothing was tested), and were cut mid-run.
    assert!(last > 0, "no child ever saved a version");
    // Leftovers of killed saves are hidden `.ckpt.safetensors.*.tmp` files,
    // never `*.safetensors` that could be taken for a checkpoint.
    let mut leftovers = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let leftover = name.starts_with(&format!(".{FILE}.")) && name.ends_with(".tmp");
        assert!(name == FILE || leftover, "unexpected file {name}");
        leftovers += usize::from(leftover);
    }
    eprintln!("last version after 20 kills: {last}; {leftovers} kills landed mid-save");
}
