//! The `?debug=1` texts of `net/http/pprof`: count profiles (goroutine, threadcreate, custom),
//! heap/allocs (unsampled like Go's protobuf writer) and block/mutex (delay in nanoseconds).
//! Records are a record line, an optional labels line, symbol lines (leaf first) and a blank
//! line; see docs/goroutine-dumps.md, "The ?debug=1 texts".

use super::header::{addresses, count_header, heap_numbers, parse_heap_header, Debug1Kind};
use super::lines::{LineReader, Next};
use super::model::Builder;
use super::quoted::parse_label_map;
use super::{cut_warning, file_and_line, line_error, parse_decimal, parse_hex, TextInfo};
use crate::profile::{Label, Profile, ProfileError, StrId, ValueType};
use std::io::Read;

/// Reads a whole `?debug=1` text of `kind`.
pub(crate) fn read(kind: Debug1Kind, input: impl Read) -> Result<Profile, ProfileError> {
    let mut lines = LineReader::new(input, false, false);
    let mut reader = Reader::new(kind);
    loop {
        let number = lines.number + 1;
        let line = match lines.next_line()? {
            Next::Line(line) => line,
            Next::End => break,
        };
        if reader.line(line, number)? == Flow::Stop {
            break;
        }
    }
    reader.finish(lines.cut)
}

#[derive(PartialEq, Eq)]
enum Flow {
    More,
    Stop,
}

enum Phase {
    /// Before the header line.
    Start,
    /// Block/mutex `KEY=VALUE` lines, before the first record.
    Settings,
    Records,
}

/// One record being read.
struct Record {
    values: Vec<i64>,
    labels: Vec<Label>,
    stack: Vec<u64>,
    /// The next line may still be its labels line.
    labels_next: bool,
}

struct Reader {
    kind: Debug1Kind,
    builder: Builder,
    phase: Phase,
    types: Vec<ValueType>,
    name: String,
    header_line: usize,
    /// Count profiles: the header's total and the sum of the records.
    total: u64,
    sum: u128,
    rate: u64,
    cycles_per_second: f64,
    record: Option<Record>,
    records: u64,
    bytes_key: StrId,
}

impl Reader {
    fn new(kind: Debug1Kind) -> Self {
        Reader {
            kind,
            builder: Builder::new(match kind {
                Debug1Kind::Count => 1,
                Debug1Kind::Heap => 4,
                Debug1Kind::Contention | Debug1Kind::Mutex => 2,
            }),
            phase: Phase::Start,
            types: Vec::new(),
            name: String::new(),
            header_line: 0,
            total: 0,
            sum: 0,
            rate: 0,
            cycles_per_second: 0.0,
            record: None,
            records: 0,
            bytes_key: 0,
        }
    }

    fn line(&mut self, line: &[u8], number: usize) -> Result<Flow, ProfileError> {
        match self.phase {
            Phase::Start => {
                let start = line
                    .iter()
                    .take_while(|&&b| b == b' ' || b == b'\t')
                    .count();
                if start < line.len() {
                    self.header(&line[start..], number);
                }
                Ok(Flow::More)
            }
            Phase::Settings => self.setting(line, number),
            Phase::Records => self.record_line(line, number),
        }
    }

    /// The first non-blank line (already classified, so it parses).
    fn header(&mut self, line: &[u8], number: usize) {
        self.header_line = number;
        let b = &mut self.builder;
        self.phase = Phase::Records;
        match self.kind {
            Debug1Kind::Count => {
                let (name, total) = count_header(line).unwrap_or((b"goroutine", 0));
                self.name = String::from_utf8_lossy(name).into_owned();
                self.total = total;
                self.types = vec![b.value_type(&self.name, "count")];
            }
            Debug1Kind::Heap => {
                self.rate = parse_heap_header(line).unwrap_or(0);
                self.types = vec![
                    b.value_type("alloc_objects", "count"),
                    b.value_type("alloc_space", "bytes"),
                    b.value_type("inuse_objects", "count"),
                    b.value_type("inuse_space", "bytes"),
                ];
                self.bytes_key = b.string(b"bytes");
            }
            Debug1Kind::Contention | Debug1Kind::Mutex => {
                self.types = vec![
                    b.value_type("contentions", "count"),
                    b.value_type("delay", "nanoseconds"),
                ];
                self.phase = Phase::Settings;
            }
        }
    }

    /// A block/mutex `KEY=VALUE` line, or the first record line.
    fn setting(&mut self, line: &[u8], number: usize) -> Result<Flow, ProfileError> {
        if line.is_empty() {
            return Ok(Flow::More);
        }
        if let Some((values, stack)) = self.parse_record(line) {
            self.check_cycles()?;
            self.phase = Phase::Records;
            self.start_record(values, stack);
            return Ok(Flow::More);
        }
        let Some(eq) = memchr::memchr(b'=', line) else {
            return Err(line_error(number, "malformed record line"));
        };
        if &line[..eq] == b"cycles/second" {
            self.cycles_per_second = parse_decimal(&line[eq + 1..]).unwrap_or(0) as f64;
        }
        Ok(Flow::More)
    }

    fn check_cycles(&self) -> Result<(), ProfileError> {
        if self.cycles_per_second > 0.0 {
            Ok(())
        } else {
            Err(line_error(self.header_line, "missing cycles/second"))
        }
    }

    fn record_line(&mut self, line: &[u8], number: usize) -> Result<Flow, ProfileError> {
        if line.is_empty() {
            self.end_record();
            return Ok(Flow::More);
        }
        if line[0] == b'#' {
            return self.hash_line(line, number);
        }
        match self.parse_record(line) {
            Some((values, stack)) => {
                self.end_record();
                self.start_record(values, stack);
                Ok(Flow::More)
            }
            None => Err(line_error(number, "malformed record line")),
        }
    }

    /// A line starting with `#`: a symbol line, a labels line, a comment or (heap) the end of
    /// the records.
    fn hash_line(&mut self, line: &[u8], number: usize) -> Result<Flow, ProfileError> {
        if let Some(frame) = self.symbol_line(line) {
            let Some(record) = &mut self.record else {
                return Err(line_error(number, "symbol line outside a record"));
            };
            record.labels_next = false;
            record.stack.extend(frame);
            return Ok(Flow::More);
        }
        if self.kind == Debug1Kind::Heap {
            self.end_record();
            return Ok(Flow::Stop);
        }
        if line.starts_with(b"#\t") {
            return Err(line_error(number, "malformed record line"));
        }
        let labels_next = self.record.as_ref().is_some_and(|r| r.labels_next);
        if let (true, Some(map)) = (labels_next, line.strip_prefix(b"# labels:")) {
            return self.labels_line(map, number);
        }
        if let Some(record) = &mut self.record {
            record.labels_next = false;
        }
        Ok(Flow::More)
    }

    fn labels_line(&mut self, map: &[u8], number: usize) -> Result<Flow, ProfileError> {
        let start = map.iter().take_while(|&&b| b == b' ').count();
        let pairs = parse_label_map(&map[start..])
            .ok_or_else(|| line_error(number, "malformed labels line"))?;
        let labels: Vec<Label> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| Label {
                key: self.builder.string(k),
                str: self.builder.string(v),
                num: 0,
                unit: 0,
            })
            .collect();
        if let Some(record) = &mut self.record {
            record.labels = labels;
            record.labels_next = false;
        }
        Ok(Flow::More)
    }

    /// `#\t0xPC[\tFUNC+0xOFF\tFILE:LINE]`: `Some(None)` for address 0 (no frame), `None` if the
    /// line is no symbol line.
    fn symbol_line(&mut self, line: &[u8]) -> Option<Option<u64>> {
        let rest = line.strip_prefix(b"#\t")?;
        let mut fields = rest.split(|&b| b == b'\t').filter(|f| !f.is_empty());
        let address = parse_hex(fields.next()?)?;
        let Some(func) = fields.next() else {
            return Some((address != 0).then(|| self.builder.address(address)));
        };
        let location = fields.next()?;
        if fields.next().is_some() {
            return None;
        }
        let name = strip_offset(func);
        let (file, line) = file_and_line(location);
        Some(Some(self.builder.frame_of(name, file, line)))
    }

    /// The values (model columns) and the address count of a record line.
    fn parse_record(&self, line: &[u8]) -> Option<(Vec<i64>, usize)> {
        let at = memchr::memchr(b'@', line)?;
        let (head, tail) = (&line[..at], &line[at + 1..]);
        let count = addresses(tail)?;
        let numbers: Vec<u64> = match self.kind {
            Debug1Kind::Heap => heap_numbers(line)?.0.to_vec(),
            _ => head
                .split(|&b| b == b' ')
                .filter(|t| !t.is_empty())
                .map(parse_decimal)
                .collect::<Option<_>>()?,
        };
        let values = match (self.kind, numbers.as_slice()) {
            (Debug1Kind::Count, &[n]) => vec![to_i64(n)],
            (Debug1Kind::Heap, &[io, ib, ao, ab]) => {
                let (ao, ab) = unsample(ao, ab, self.rate);
                let (io, ib) = unsample(io, ib, self.rate);
                vec![ao, ab, io, ib, bytes_label(numbers[2], numbers[3])]
            }
            (Debug1Kind::Contention | Debug1Kind::Mutex, &[cycles, n]) => {
                let delay = cycles as f64 / (self.cycles_per_second / 1e9);
                vec![to_i64(n), delay as i64]
            }
            _ => return None,
        };
        Some((values, count))
    }

    fn start_record(&mut self, mut values: Vec<i64>, _addresses: usize) {
        let mut labels = Vec::new();
        if self.kind == Debug1Kind::Heap {
            let bytes = values.pop().unwrap_or(0);
            if bytes != 0 {
                labels.push(Label {
                    key: self.bytes_key,
                    str: 0,
                    num: bytes,
                    unit: 0,
                });
            }
        }
        if self.kind == Debug1Kind::Count {
            self.sum += values[0] as u128;
        }
        self.records += 1;
        self.record = Some(Record {
            values,
            labels,
            stack: Vec::new(),
            labels_next: self.kind == Debug1Kind::Count,
        });
    }

    fn end_record(&mut self) {
        if let Some(r) = self.record.take() {
            if !r.stack.is_empty() {
                self.builder.add(&r.stack, &r.labels, 0, &r.values);
            }
        }
    }

    fn finish(mut self, cut: bool) -> Result<Profile, ProfileError> {
        if matches!(self.phase, Phase::Settings) {
            self.check_cycles()?;
        }
        let mut warnings = Vec::new();
        if cut {
            self.record = None;
            warnings.push(cut_warning("record"));
        } else {
            self.end_record();
            if self.kind == Debug1Kind::Count && self.sum != u128::from(self.total) {
                warnings.push(format!(
                    "the records add up to {} but the header says total {}",
                    self.sum, self.total
                ));
            }
        }
        let info = TextInfo {
            kind: match self.kind {
                Debug1Kind::Count => format!("{} profile (?debug=1 text)", self.name),
                Debug1Kind::Heap => "heap profile (?debug=1 text)".into(),
                Debug1Kind::Contention => "block profile (?debug=1 text)".into(),
                Debug1Kind::Mutex => "mutex profile (?debug=1 text)".into(),
            },
            records: self.records,
        };
        Ok(self.builder.finish(self.types, 0, warnings, info))
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Go's `scaleHeapSample`: (objects, bytes) of a sample taken every `rate` bytes on average.
fn unsample(objects: u64, bytes: u64, rate: u64) -> (i64, i64) {
    if objects == 0 || bytes == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (to_i64(objects), to_i64(bytes));
    }
    let avg = bytes as f64 / objects as f64;
    let scale = 1.0 / (1.0 - (-avg / rate as f64).exp());
    (
        (objects as f64 * scale) as i64,
        (bytes as f64 * scale) as i64,
    )
}

/// The numeric label `bytes`: the allocation size (0 = none).
fn bytes_label(alloc_objects: u64, alloc_bytes: u64) -> i64 {
    alloc_bytes.checked_div(alloc_objects).map_or(0, to_i64)
}

/// `FUNC+0xOFF` → `FUNC`.
fn strip_offset(func: &[u8]) -> &[u8] {
    match memchr::memmem::rfind(func, b"+0x") {
        Some(at) if parse_hex(&func[at + 1..]).is_some() => &func[..at],
        _ => func,
    }
}
