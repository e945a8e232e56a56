//! The committed man pages and shell completions are exactly what `cargo run --example gen-docs`
//! writes from the current clap definitions, and the man pages are clean roff.

mod common;

use common::process;
use devtools::docs;
use std::path::Path;
use std::process::Command;

const REGENERATE: &str = "run `cargo run --example gen-docs` and commit the result";

#[test]
fn committed_pages_and_completions_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stale: Vec<String> = docs::generate_all()
        .expect("generate the docs")
        .into_iter()
        .filter(|file| std::fs::read(root.join(&file.path)).ok() != Some(file.content.clone()))
        .map(|file| file.path.display().to_string())
        .collect();
    assert!(
        stale.is_empty(),
        "out of date: {}; {REGENERATE}",
        stale.join(", ")
    );
}

#[test]
fn no_leftover_generated_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generated: Vec<_> = docs::generate_all()
        .expect("generate the docs")
        .into_iter()
        .map(|file| file.path)
        .collect();
    let mut leftovers = Vec::new();
    for (dir, extension) in [("completions", None), ("man", Some("1"))] {
        for entry in std::fs::read_dir(root.join(dir)).expect("read the folder") {
            let path = Path::new(dir).join(entry.expect("folder entry").file_name());
            let owned = match extension {
                None => true,
                Some(ext) => path.extension().is_some_and(|e| e == ext),
            };
            if owned && !generated.contains(&path) {
                leftovers.push(path.display().to_string());
            }
        }
    }
    assert!(
        leftovers.is_empty(),
        "not generated (a removed tool?): {leftovers:?}"
    );
}

#[test]
fn every_page_has_the_hand_written_sections() {
    for tool in &docs::TOOLS {
        let page = String::from_utf8(docs::man_page(tool).expect("render")).expect("UTF-8");
        for heading in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH OPTIONS",
            ".SH EXAMPLES",
            ".SH EXIT STATUS",
            ".SH DIFFERENCES FROM",
            ".SH SEE ALSO",
        ] {
            assert!(page.contains(heading), "{}.1 lacks {heading}", tool.name);
        }
        let options = page.find(".SH OPTIONS").expect("OPTIONS");
        let examples = page.find(".SH EXAMPLES").expect("EXAMPLES");
        assert!(
            options < examples,
            "{}.1: EXAMPLES before OPTIONS",
            tool.name
        );
    }
}

#[test]
fn examples_cover_every_go_profile_kind() {
    for tool in &docs::TOOLS {
        let page = String::from_utf8(docs::man_page(tool).expect("render")).expect("UTF-8");
        let examples = &page[page.find(".SH EXAMPLES").expect("EXAMPLES")..];
        let examples = &examples[..examples.find(".SH EXIT STATUS").expect("EXIT STATUS")];
        for kind in [
            "heap",
            "allocs",
            "goroutine",
            "block",
            "mutex",
            "threadcreate",
        ] {
            assert!(
                examples.contains(&format!("/debug/pprof/{kind}"))
                    || examples.contains(&format!("\\-\\-profile {kind}"))
                    || examples.contains(&format!("{kind}.pb.gz")),
                "{}.1: no example for the {kind} profile",
                tool.name
            );
        }
        assert!(
            examples.contains("http://127.0.0.1:6060 \\-t 30"),
            "{}.1: no CPU profile example",
            tool.name
        );
    }
}

#[test]
fn completion_scripts_exist_for_every_shell() {
    for tool in &docs::TOOLS {
        for shell in docs::SHELLS {
            let file = docs::completion(tool, shell);
            let text = String::from_utf8(file.content).expect("UTF-8");
            assert!(
                text.contains(tool.name) && text.contains("help"),
                "{}: not a completion script for {}",
                file.path.display(),
                tool.name
            );
        }
    }
}

#[test]
fn bash_completion_registers_the_tool() {
    for tool in &docs::TOOLS {
        let file = docs::completion(tool, docs::Shell::Bash);
        let script = String::from_utf8(file.content).expect("UTF-8");
        let check = format!("{script}\ncomplete -p {}\n", tool.name);
        let output = process::run_with_stdin("bash", &["-s"], check.as_bytes());
        assert!(
            output.status.success() && String::from_utf8_lossy(&output.stdout).contains(tool.name),
            "bash did not register the completion of {}: {}",
            tool.name,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
#[ignore = "needs mandoc"]
fn man_pages_pass_mandoc_lint_without_warnings() {
    let mandoc = common::tools::require("mandoc", "mandoc");
    for tool in &docs::TOOLS {
        let page = docs::man_page(tool).expect("render");
        let output = process::run_with_stdin(&mandoc, &["-T", "lint", "-W", "warning"], &page);
        let messages = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && messages.trim().is_empty(),
            "mandoc -T lint -W warning on {}.1:\n{messages}",
            tool.name
        );
    }
}

/// The Go profile kinds the README has a recipe for, each with a text its recipe contains.
const PROFILE_KINDS: [(&str, &str); 8] = [
    ("cpu", "http://127.0.0.1:6060 -t 30 "),
    ("heap", "/debug/pprof/heap "),
    ("allocs", "/debug/pprof/allocs "),
    ("goroutine", "/debug/pprof/goroutine "),
    ("block", "/debug/pprof/block "),
    ("mutex", "/debug/pprof/mutex "),
    ("threadcreate", "/debug/pprof/threadcreate "),
    ("trace", "/debug/pprof/trace"),
];

#[test]
fn readme_recipes_are_those_of_the_help_and_the_man_pages() {
    let recipes = readme_recipes();
    let help = logical_lines(&collapse_help());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for recipe in &recipes {
        assert!(
            help.contains(recipe),
            "README recipe not in `pprof-collapse --help` (src/cli/collapse.rs): {recipe}"
        );
        for tool in ["pprof-fetch", "pprof-collapse", "flamegraph"] {
            let page = std::fs::read_to_string(root.join(format!("man/{tool}.1"))).expect("page");
            assert!(
                logical_lines(&unroff(&page)).contains(recipe),
                "README recipe not in man/{tool}.1 (man/sections/{tool}.roff): {recipe}"
            );
        }
    }
    for line in help.iter().filter(|line| line.starts_with("pprof-fetch ")) {
        assert!(
            recipes.contains(line),
            "`pprof-collapse --help` recipe not in the README's recipes: {line}"
        );
    }
}

#[test]
fn readme_has_a_recipe_for_every_go_profile_kind() {
    let recipes = readme_recipes();
    for (kind, text) in PROFILE_KINDS {
        assert!(
            recipes.iter().any(|recipe| recipe.contains(text)),
            "README: no recipe for the {kind} profile (none contains {text:?})"
        );
    }
}

/// The commands of the ```sh blocks in the README's "## Recipes" section, continued lines
/// joined.
fn readme_recipes() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let start = readme
        .find("\n## Recipes")
        .expect("README.md has a `## Recipes` section");
    let section = &readme[start + 1..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut commands = Vec::new();
    let mut blocks = section.split("```");
    blocks.next();
    while let (Some(block), _) = (blocks.next(), blocks.next()) {
        if let Some(code) = block.strip_prefix("sh\n") {
            commands.extend(logical_lines(code));
        }
    }
    assert!(!commands.is_empty(), "README.md: no recipes found");
    commands
}

/// The text's lines with `\`-continued lines joined, blanks collapsed and trimmed, empty ones
/// dropped.
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim_end();
        let (part, continued) = match line.strip_suffix('\\') {
            Some(part) => (part, true),
            None => (line, false),
        };
        current.push(' ');
        current.push_str(part);
        if !continued {
            let joined = current.split_whitespace().collect::<Vec<_>>().join(" ");
            if !joined.is_empty() {
                lines.push(joined);
            }
            current.clear();
        }
    }
    lines
}

/// Roff text with the escapes that the recipes use replaced by the characters they print.
fn unroff(page: &str) -> String {
    [
        ("\\-", "-"),
        ("\\e", "\\"),
        ("\\(aq", "'"),
        ("\\fB", ""),
        ("\\fI", ""),
        ("\\fR", ""),
        ("\\&", ""),
    ]
    .iter()
    .fold(page.to_string(), |text, (escape, plain)| {
        text.replace(escape, plain)
    })
}

/// What `pprof-collapse --help` prints.
fn collapse_help() -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_pprof-collapse"))
        .arg("--help")
        .output()
        .expect("run pprof-collapse --help");
    assert!(output.status.success(), "pprof-collapse --help failed");
    String::from_utf8(output.stdout).expect("UTF-8 help")
}
