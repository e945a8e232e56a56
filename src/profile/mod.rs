//! The pprof profile model: protobuf messages, gzip sniffing, the `-raw` text parser.
