//! The messages of pprof's `profile.proto` (package `perftools.profiles`), written by hand as
//! prost messages: no protoc, no build script. Named `pb` to keep them apart from the decoded
//! model in [`super`] (`pb::Profile` is the wire message, `profile::Profile` the model).
//!
//! These structs are the schema in code and the way to *write* profiles (tests, the benchmark
//! generator, encoders): build them and call `prost::Message::encode`. The field numbers are
//! also named in [`tag`], for the hand decoder. Reading goes through [`super::decode`], a hand
//! decoder over the same schema that reports the byte offset of malformed fields and streams
//! samples without materialising them.
//! String fields are `int64` indices into `string_table`; `string_table` entries are kept as
//! bytes so that invalid UTF-8 never fails decoding.

/// A whole profile.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Profile {
    /// One entry per value column of every sample.
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    /// The measured stacks.
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<Sample>,
    /// Binaries mapped into the process (not used by pprof-collapse).
    #[prost(message, repeated, tag = "3")]
    pub mapping: Vec<Mapping>,
    /// Program counters, each with its (inlined) source lines.
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    /// Functions named by the lines of locations.
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    /// All strings; entry 0 must be empty.
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub string_table: Vec<Vec<u8>>,
    /// Regexp of frames to drop (string index; not applied).
    #[prost(int64, tag = "7")]
    pub drop_frames: i64,
    /// Regexp of frames to keep (string index; not used).
    #[prost(int64, tag = "8")]
    pub keep_frames: i64,
    /// Collection time, nanoseconds since the epoch.
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    /// Collection duration in nanoseconds.
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
    /// What one period of sampling measures.
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<ValueType>,
    /// Sampling period, in `period_type` units.
    #[prost(int64, tag = "12")]
    pub period: i64,
    /// Free-form comments (string indices).
    #[prost(int64, repeated, tag = "13")]
    pub comment: Vec<i64>,
    /// Type name of the preferred value column (string index).
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
    /// Documentation URL (string index).
    #[prost(int64, tag = "15")]
    pub doc_url: i64,
}

/// A value column's type and unit (string indices), e.g. `cpu`/`nanoseconds`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueType {
    /// Type name (string index).
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    /// Unit name (string index).
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

/// One measured stack.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Sample {
    /// Location ids, leaf first.
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    /// One value per sample type.
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
    /// Labels (string or numeric).
    #[prost(message, repeated, tag = "3")]
    pub label: Vec<Label>,
}

/// A sample label: string when `str` is set, else numeric.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Label {
    /// Key (string index).
    #[prost(int64, tag = "1")]
    pub key: i64,
    /// String value (string index).
    #[prost(int64, tag = "2")]
    pub str: i64,
    /// Numeric value.
    #[prost(int64, tag = "3")]
    pub num: i64,
    /// Unit of the numeric value (string index).
    #[prost(int64, tag = "4")]
    pub num_unit: i64,
}

/// A mapped binary.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Mapping {
    /// Unique nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Start address.
    #[prost(uint64, tag = "2")]
    pub memory_start: u64,
    /// End address.
    #[prost(uint64, tag = "3")]
    pub memory_limit: u64,
    /// Offset in the file.
    #[prost(uint64, tag = "4")]
    pub file_offset: u64,
    /// File name (string index).
    #[prost(int64, tag = "5")]
    pub filename: i64,
    /// Build id (string index).
    #[prost(int64, tag = "6")]
    pub build_id: i64,
    /// Symbolization flags.
    #[prost(bool, tag = "7")]
    pub has_functions: bool,
    /// Symbolization flags.
    #[prost(bool, tag = "8")]
    pub has_filenames: bool,
    /// Symbolization flags.
    #[prost(bool, tag = "9")]
    pub has_line_numbers: bool,
    /// Symbolization flags.
    #[prost(bool, tag = "10")]
    pub has_inline_frames: bool,
}

/// A program counter and its source lines, innermost inlined function first.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Location {
    /// Unique nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Mapping id (0 = none).
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    /// Instruction address.
    #[prost(uint64, tag = "3")]
    pub address: u64,
    /// Lines; `line[0]` is the innermost inlined function, the last the physical caller.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
    /// Marks folded frames (ignored).
    #[prost(bool, tag = "5")]
    pub is_folded: bool,
}

/// One source line of a location.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Line {
    /// Function id (0 = unknown, frame `?`).
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    /// Line number.
    #[prost(int64, tag = "2")]
    pub line: i64,
    /// Column number.
    #[prost(int64, tag = "3")]
    pub column: i64,
}

/// A function.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Function {
    /// Unique nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Human-readable name (string index).
    #[prost(int64, tag = "2")]
    pub name: i64,
    /// Mangled name (string index).
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    /// Source file (string index).
    #[prost(int64, tag = "4")]
    pub filename: i64,
    /// First line of the function.
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}

/// The field numbers of the messages above (the `tag`s of their prost attributes), by message,
/// for the hand decoder in [`super::decode`].
pub mod tag {
    /// Fields of [`super::Profile`].
    pub mod profile {
        /// `sample_type`
        pub const SAMPLE_TYPE: u64 = 1;
        /// `sample`
        pub const SAMPLE: u64 = 2;
        /// `mapping`
        pub const MAPPING: u64 = 3;
        /// `location`
        pub const LOCATION: u64 = 4;
        /// `function`
        pub const FUNCTION: u64 = 5;
        /// `string_table`
        pub const STRING_TABLE: u64 = 6;
        /// `drop_frames`
        pub const DROP_FRAMES: u64 = 7;
        /// `keep_frames`
        pub const KEEP_FRAMES: u64 = 8;
        /// `time_nanos`
        pub const TIME_NANOS: u64 = 9;
        /// `duration_nanos`
        pub const DURATION_NANOS: u64 = 10;
        /// `period_type`
        pub const PERIOD_TYPE: u64 = 11;
        /// `period`
        pub const PERIOD: u64 = 12;
        /// `comment`
        pub const COMMENT: u64 = 13;
        /// `default_sample_type`
        pub const DEFAULT_SAMPLE_TYPE: u64 = 14;
        /// `doc_url`
        pub const DOC_URL: u64 = 15;
    }

    /// Fields of [`super::ValueType`].
    pub mod value_type {
        /// `type`
        pub const TYPE: u64 = 1;
        /// `unit`
        pub const UNIT: u64 = 2;
    }

    /// Fields of [`super::Sample`].
    pub mod sample {
        /// `location_id`
        pub const LOCATION_ID: u64 = 1;
        /// `value`
        pub const VALUE: u64 = 2;
        /// `label`
        pub const LABEL: u64 = 3;
    }

    /// Fields of [`super::Label`].
    pub mod label {
        /// `key`
        pub const KEY: u64 = 1;
        /// `str`
        pub const STR: u64 = 2;
        /// `num`
        pub const NUM: u64 = 3;
        /// `num_unit`
        pub const NUM_UNIT: u64 = 4;
    }

    /// Fields of [`super::Location`].
    pub mod location {
        /// `id`
        pub const ID: u64 = 1;
        /// `mapping_id`
        pub const MAPPING_ID: u64 = 2;
        /// `address`
        pub const ADDRESS: u64 = 3;
        /// `line`
        pub const LINE: u64 = 4;
        /// `is_folded`
        pub const IS_FOLDED: u64 = 5;
    }

    /// Fields of [`super::Line`].
    pub mod line {
        /// `function_id`
        pub const FUNCTION_ID: u64 = 1;
        /// `line`
        pub const LINE: u64 = 2;
        /// `column`
        pub const COLUMN: u64 = 3;
    }

    /// Fields of [`super::Function`].
    pub mod function {
        /// `id`
        pub const ID: u64 = 1;
        /// `name`
        pub const NAME: u64 = 2;
        /// `system_name`
        pub const SYSTEM_NAME: u64 = 3;
        /// `filename`
        pub const FILENAME: u64 = 4;
        /// `start_line`
        pub const START_LINE: u64 = 5;
    }

    /// Fields of [`super::Mapping`] that are read (the others are only checked).
    pub mod mapping {
        /// `id`
        pub const ID: u64 = 1;
        /// `filename`
        pub const FILENAME: u64 = 5;
    }
}
