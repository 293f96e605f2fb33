//! The Keras functional API: a network written as layers applied to
//! symbolic outputs, which can branch and join.
//!
//! ```text
//! Keras (the course)                                   Sinapse
//! inputs = Input(shape=(784,))                         let inputs = Input::new(&[784]);
//! outputs = Dense(10, activation='sigmoid')(inputs)    let outputs = Dense::new(10).activation(Activation::Sigmoid).call(&inputs);
//! model = Model(inputs, outputs)                       let model = Model::functional(&inputs, &outputs);
//! ```
//!
//! [`Input`] starts a graph and returns a [`Symbol`]: a placeholder with a
//! shape (without the batch dimension) and no values. Calling a [`Layer`] on a
//! symbol records the layer and returns the symbol of its output, after
//! checking the shapes; a mistake is caught here, naming the layer and both
//! shapes, not later in the middle of training. [`add`] and
//! [`concatenate`] join two symbols, so a network need not be a chain.
//! [`Graph::new`] keeps the layers that lead from the input to the output
//! and is an ordinary [`Module`](crate::Module).
//!
//! [`Dense`] and [`Conv`] take their input size from the symbol they are
//! called on, as Keras's `Dense` and `Conv2D` do; the crate's other layers
//! ([`MaxPool2d`](crate::MaxPool2d), [`Flatten`](crate::Flatten), a
//! [`Sequential`](crate::Sequential), ...) are called as they are, and a
//! layer of one's own goes in with [`Symbol::apply`].
//!
//! ```
//! use sinapse_nn::functional::{add, Dense, Graph, Input, Layer};
//! use sinapse_nn::{Activation, Module};
//! // A skip connection: y = relu(W2 relu(W1 x)) + x.
//! let x = Input::<f32>::new(&[16]);
//! let h = Dense::new(16).activation(Activation::ReLU).call(&x);
//! let h = Dense::new(16).activation(Activation::ReLU).call(&h);
//! let y = add(&h, &x);
//! let net = Graph::new(&x, &y);
//! assert_eq!(net.output_shape(&[5, 16]), vec![5, 16]);
//! assert_eq!(net.parameters()[2].0, "dense_1.weight");
//! ```

mod graph;
mod layers;
mod symbol;

pub use graph::Graph;
pub use layers::{add, concatenate, Conv, Dense, Layer};
pub use symbol::{Input, Symbol};
