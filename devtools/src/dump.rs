//! A synthetic goroutine dump (`?debug=2` text) for `scripts/bench-dumps.sh`: by default
//! 100,000 goroutines, about 117 MB, 18 to 34 frames per goroutine (26 on average), in the
//! shape Go prints (`goroutine N [STATE, M minutes]:`, function lines with argument lists,
//! inlined `(...)` frames, tab-indented `FILE:LINE +0xOFF` location lines, `created by F in
//! goroutine N`). Goroutines follow 600 stack templates by default (a service has few distinct
//! stacks and many goroutines per stack; `stacks` = the goroutine count makes the stacks all
//! different, the worst case for memory), with random arguments and wait minutes, and now and then a
//! running goroutine whose stack is unavailable. The seed is fixed by the caller: the same
//! arguments always give the same bytes.

use crate::rng::Rng;
use std::io::{self, Write};

/// Distinct stacks of the benchmark's dump.
pub const STACKS: u64 = 600;
const FUNCTIONS: u64 = 3_000;

/// Writes a dump of `count` goroutines over `stacks` stack templates, made with `seed`; with
/// `stacks` ≥ `count` goroutine N takes template N, so every stack is different.
pub fn write_dump(out: &mut impl Write, count: u64, stacks: u64, seed: u64) -> io::Result<()> {
    let mut rng = Rng(seed);
    let templates = templates(&mut rng, stacks.max(1));
    for id in 1..=count {
        let t = if stacks >= count {
            &templates[(id - 1) as usize]
        } else {
            &templates[rng.below(stacks.max(1)) as usize]
        };
        write_goroutine(out, &mut rng, id, t)?;
    }
    Ok(())
}

/// A function of the synthetic program: package, receiver, name, file.
fn function(id: u64) -> (String, String) {
    const PACKAGES: [&str; 10] = [
        "main", "http", "sync", "io", "os", "shop/db", "rpc", "cache", "net", "time",
    ];
    const VERBS: [&str; 8] = [
        "serve", "Read", "wait", "handle", "Lock", "loop", "Get", "run",
    ];
    let package = PACKAGES[(id % 10) as usize];
    let verb = VERBS[(id / 10 % 8) as usize];
    let name = match id % 3 {
        0 => format!("{package}.(*T{}).{verb}", id / 80),
        1 => format!("{package}.{verb}{}", id / 80),
        _ => format!("{package}.{verb}{}.func1", id / 80),
    };
    let file = format!("/a/f{}.go", id % 37);
    (name, file)
}

struct Template {
    state: &'static str,
    frames: Vec<(u64, u32, bool)>,
    creator: u64,
}

fn templates(rng: &mut Rng, count: u64) -> Vec<Template> {
    const STATES: [&str; 8] = [
        "chan receive",
        "select",
        "IO wait",
        "semacquire",
        "sync.Mutex.Lock",
        "sleep",
        "chan send",
        "sync.Cond.Wait",
    ];
    (0..count)
        .map(|_| {
            let depth = 18 + rng.below(17);
            // A function's frames are at one of its 4 call sites, as in a real program.
            let frames = (0..depth)
                .map(|_| {
                    let f = rng.below(FUNCTIONS);
                    let line = 10 + (f % 900) as u32 + 7 * rng.below(4) as u32;
                    (f, line, rng.below(3) == 0)
                })
                .collect();
            Template {
                state: STATES[rng.below(8) as usize],
                frames,
                creator: rng.below(FUNCTIONS),
            }
        })
        .collect()
}

fn write_goroutine(
    out: &mut impl Write,
    rng: &mut Rng,
    id: u64,
    template: &Template,
) -> io::Result<()> {
    if rng.below(1000) == 0 {
        writeln!(out, "goroutine {id} [running]:")?;
        writeln!(
            out,
            "\tgoroutine running on other thread; stack unavailable"
        )?;
    } else {
        write!(out, "goroutine {id} [{}", template.state)?;
        match rng.below(4) {
            0 => writeln!(out, "]:")?,
            _ => writeln!(out, ", {} minutes]:", 1 + rng.below(90))?,
        }
        for &(f, line, inlined) in &template.frames {
            let (name, file) = function(f);
            if inlined {
                writeln!(out, "{name}(...)\n\t{file}:{line}")?;
            } else {
                let arg = rng.next_u64() >> 52;
                writeln!(out, "{name}(0x{arg:x})\n\t{file}:{line} +0x{:x}", line * 3)?;
            }
        }
    }
    let (creator, file) = function(template.creator);
    writeln!(out, "created by {creator} in goroutine {}", 1 + id % 97)?;
    writeln!(out, "\t{file}:{} +0x{:x}\n", 40 + id % 7, id % 300)
}
