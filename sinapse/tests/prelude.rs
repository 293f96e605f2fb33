//! `use sinapse::prelude::*` brings every name a training program needs,
//! and the crates' own globs do not clash inside it.

use sinapse::prelude::*;

#[test]
fn names_from_every_crate_resolve_through_the_prelude() {
    // tensor and autograd
    let x = Var::new(Tensor::<f32>::from_vec(vec![0.5, -1.0, 2.0, 0.0], &[2, 2]).unwrap());
    // `one_hot` is the tensor one of sinapse-nn, not the Vec one of sinapse-datasets.
    let target: Tensor<f32> = one_hot(&[1, 0], 2);
    assert_eq!(target.shape(), &[2, 2]);
    let loss = mse(&x, &target, Reduction::Mean);
    assert!(loss.item().is_finite());

    // nn, optim and the training loop
    let mut rng = seeded_rng(0);
    let net = Sequential::<f32>::new().add(Linear::new(2, 3, &mut rng)).add(Tanh).add(Linear::new(3, 2, &mut rng));
    let mut model = Model::new(net);
    model.compile(Adam::new(0.01), Loss::CategoricalCrossEntropy, &[Metric::Accuracy]);
    let data = TensorData::new(x.value(), &target);
    assert_eq!(BatchSource::len(&data), 2);
    let _ = (Sgd::<f32>::new(0.1).momentum(Momentum::Nesterov(0.9)), FitConfig::new(1).batch_size(2));
    let _ = Activation::default();

    // datasets
    let _ = (DataSource::standard(), Split::Train, ImageLayout::Flat, DatasetKind::Mnist);
    let _: fn(Split, &DataSource) -> Result<Dataset, DatasetError> = Mnist::load;
    let _: fn(Split, &DataSource) -> Result<Dataset, DatasetError> = FashionMnist::load;
}
