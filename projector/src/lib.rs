//! gescom's projector: consumes the JetStream event stream and writes the read-model
//! tables, of which it is the only writer. It can rebuild them from the event store.

pub mod admin;
pub mod checkpoint;
pub mod cli;
pub mod consumer;
pub mod dead_letters;
pub mod projections;
pub mod rebuild;
pub mod sampler;
pub mod startup;
