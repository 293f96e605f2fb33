//! Any bytes through the safetensors checkpoint parser: errors are fine,
//! panics, hangs and huge allocations are not. What parses must write back
//! and parse again to the same tensors (compared bit for bit, NaN included).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sinapse_nn::Checkpoint;

fuzz_target!(|bytes: &[u8]| {
    let Ok(ckpt) = Checkpoint::<f32>::from_bytes(bytes) else { return };
    let again = Checkpoint::<f32>::from_bytes(&ckpt.to_bytes().expect("a parsed checkpoint writes back"))
        .expect("a written checkpoint parses");
    assert_eq!(again.metadata, ckpt.metadata);
    assert_eq!(again.tensors.len(), ckpt.tensors.len());
    for ((name, a), (name2, b)) in ckpt.tensors.iter().zip(&again.tensors) {
        assert_eq!(name, name2);
        assert_eq!(a.shape(), b.shape());
        let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
        assert_eq!(bits(a.to_vec()), bits(b.to_vec()), "{name}");
    }
});
