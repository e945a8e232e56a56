//! flamepipe: Go pprof profiles to interactive flame graphs, as three Unix filters.
//!
//! ```text
//! pprof-fetch http://127.0.0.1:8080 -t 30 | pprof-collapse | flamegraph > torch.svg
//! ```
//!
//! Data flows one way, one module per stage:
//!
//! * [`fetch`] downloads a raw profile from a Go `net/http/pprof` endpoint;
//! * [`profile`] decodes pprof data (protobuf, gzipped or not, or `go tool pprof -raw` text);
//! * [`collapse`] turns a decoded profile into folded stacks;
//! * [`folded`] reads and writes the folded-stack text format (`a;b;c 123`);
//! * [`flamegraph`] merges folded stacks into frames and writes the interactive SVG.
//!
//! [`hash`], [`intern`] and [`varint`] are the one hash, interner and varint codec that
//! collapse, flamegraph and the protobuf decoder share.
//!
//! [`cli`] holds the three command lines (clap definitions) and the few pieces the binaries share.

pub mod cli;
pub mod collapse;
pub mod fetch;
pub mod flamegraph;
pub mod folded;
pub mod hash;
pub mod intern;
pub mod profile;
pub mod shape;
pub mod varint;
