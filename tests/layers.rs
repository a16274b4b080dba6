//! The layering `src/lib.rs` describes, checked on the source: no module imports
//! a layer above its own, and inside `tui/` imports point one way (as
//! `src/tui/mod.rs` describes). Reads `src/` with std only. An import is any
//! path written from `crate::`, `super::` or `self::` (`use` trees included),
//! outside comments and string literals; a file's module is taken from where it
//! lies under `src/`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::fs;
use std::path::{Path, PathBuf};

/// The crate's layers, lowest first, as `src/lib.rs` lists them. A module may
/// import its own layer and those below it.
const LAYERS: &[&[&str]] = &[
    &["market"],
    &["metrics"],
    &["thetadata", "terminal"],
    &["cache"],
    &["data"],
    &["engine"],
    &["strategies"],
    &["run"],
    &["stack", "logging"],
    &["tui", "cli"],
];

/// `tui/`'s modules, lowest first, as `src/tui/mod.rs` describes them: `ui`
/// reads `state`, `state` reads `action` and the leaves `model` and `layout`.
const TUI_LAYERS: &[&[&str]] = &[
    &["model", "layout", "theme", "log_buffer", "engine_thread", "run_file", "export"],
    &["action"],
    &["keymap"],
    &["state", "effects"],
    &["ui"],
    &["app", "fixtures", "tests"],
];

fn rank(layers: &[&[&str]], module: &str) -> Option<usize> {
    layers.iter().position(|layer| layer.contains(&module))
}

/// A source file and the module path its place under `src/` gives it
/// (`src/tui/state/mod.rs` is `tui::state`); `lib.rs` and `main.rs` are left out.
struct SourceFile {
    path: PathBuf,
    module: Vec<String>,
}

impl SourceFile {
    /// The path as a failure names it, from the crate's directory.
    fn shown(&self) -> String {
        self.path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(&self.path).display().to_string()
    }
}

fn source_files() -> Vec<SourceFile> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&src).unwrap().with_extension("");
                let mut module: Vec<String> =
                    relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                if module.last().is_some_and(|m| m == "mod") {
                    module.pop();
                }
                if module != ["lib"] && module != ["main"] {
                    files.push(SourceFile { path, module });
                }
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The text with comments, string literals and char literals blanked out.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut code = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        let after_ident = i > 0 && ident(chars[i - 1]);
        if rest.starts_with(&['/', '/']) {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if rest.starts_with(&['/', '*']) {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i..].starts_with(&['/', '*']) {
                    depth += 1;
                    i += 2;
                } else if chars[i..].starts_with(&['*', '/']) {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if !after_ident && raw_string_hashes(rest).is_some() {
            let hashes = raw_string_hashes(rest).unwrap_or(0);
            i += rest.iter().position(|c| *c == '"').unwrap_or(0) + 1;
            while i < chars.len()
                && !(chars[i] == '"' && chars[i + 1..].iter().take_while(|c| **c == '#').count() >= hashes)
            {
                i += 1;
            }
            i += 1 + hashes;
        } else if chars[i] == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if chars[i] == '\'' && rest.get(1) == Some(&'\\') {
            // An escaped char: the quote, the backslash and the escaped character, then on to the close.
            i += 3;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if chars[i] == '\'' && rest.get(2) == Some(&'\'') {
            i += 3;
        } else {
            code.push(chars[i]);
            i += 1;
            continue;
        }
        code.push(' ');
    }
    code
}

/// `Some(number of #)` when `rest` opens a raw string (`r"`, `r#"`, `br"`…).
fn raw_string_hashes(rest: &[char]) -> Option<usize> {
    let after_r = match rest {
        ['r', after @ ..] | ['b', 'r', after @ ..] => after,
        _ => return None,
    };
    let hashes = after_r.iter().take_while(|c| **c == '#').count();
    (after_r.get(hashes) == Some(&'"')).then_some(hashes)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Star,
    Other,
}

fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
            continue;
        }
        if chars[i..].starts_with(&[':', ':']) {
            tokens.push(Token::PathSep);
            i += 2;
            continue;
        }
        match c {
            '{' => tokens.push(Token::Open),
            '}' => tokens.push(Token::Close),
            ',' => tokens.push(Token::Comma),
            '*' => tokens.push(Token::Star),
            c if c.is_whitespace() => {}
            _ => tokens.push(Token::Other),
        }
        i += 1;
    }
    tokens
}

/// The paths a path or `use` tree starting at `tokens[i]` names, and the index
/// after it: `super::{a::B, c}` names `super::a::B` and `super::c`.
fn use_tree(tokens: &[Token], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix: Vec<String> = Vec::new();
    loop {
        match tokens.get(i) {
            Some(Token::Ident(name)) => {
                prefix.push(name.clone());
                i += 1;
                if tokens.get(i) == Some(&Token::Ident("as".into())) {
                    return (vec![prefix], i + 2);
                }
            }
            Some(Token::Open) => {
                i += 1;
                let mut paths = Vec::new();
                while let Some(token) = tokens.get(i) {
                    match token {
                        Token::Close => return (paths, i + 1),
                        Token::Comma => i += 1,
                        _ => {
                            let (inner, next) = use_tree(tokens, i);
                            paths.extend(inner.into_iter().map(|p| [prefix.clone(), p].concat()));
                            i = next.max(i + 1);
                        }
                    }
                }
                return (paths, i);
            }
            Some(Token::Star) => return (vec![prefix], i + 1),
            _ => return (vec![prefix], i),
        }
        if tokens.get(i) != Some(&Token::PathSep) {
            return (vec![prefix], i);
        }
        i += 1;
    }
}

/// `path` as seen from `module`, from the crate root; `None` unless it starts at
/// `crate`, `super` or `self`.
fn resolve(module: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut absolute = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "self" | "super" => module.to_vec(),
        _ => return None,
    };
    let mut segments = path.iter().skip_while(|s| *s == "crate");
    for segment in segments.by_ref() {
        match segment.as_str() {
            "self" => {}
            "super" => {
                absolute.pop()?;
            }
            _ => {
                absolute.push(segment.clone());
                break;
            }
        }
    }
    absolute.extend(segments.filter(|s| *s != "self").cloned());
    Some(absolute)
}

/// Every crate path `text` names, from the crate root, read as code in `module`
/// (inline `mod x { … }` blocks count as a level below it).
fn crate_paths(module: &[String], text: &str) -> Vec<Vec<String>> {
    let tokens = tokens(&code_only(text));
    let mut paths = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Open => depth += 1,
            Token::Close => {
                if inline.last().is_some_and(|(_, opened)| *opened == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some(Token::Ident(name)), Some(Token::Open)) = (tokens.get(i + 1), tokens.get(i + 2)) {
                    inline.push((name.clone(), depth + 1));
                }
            }
            Token::Ident(head)
                if ["crate", "super", "self"].contains(&head.as_str())
                    && tokens.get(i + 1) == Some(&Token::PathSep)
                    && (i == 0 || tokens[i - 1] != Token::PathSep) =>
            {
                let here: Vec<String> =
                    module.iter().cloned().chain(inline.iter().map(|(name, _)| name.clone())).collect();
                let (named, next) = use_tree(&tokens, i);
                paths.extend(named.iter().filter_map(|path| resolve(&here, path)));
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    paths
}

/// Each import that climbs `layers`: `who` gives a file's own module within
/// them and `what` the module a path from the crate root lands in.
fn climbing_imports(
    layers: &[&[&str]],
    who: impl Fn(&SourceFile) -> Option<String>,
    what: impl Fn(&[String]) -> Option<String>,
) -> Vec<String> {
    let mut found = Vec::new();
    for file in source_files() {
        let Some(own) = who(&file) else { continue };
        let own_rank = rank(layers, &own).unwrap_or_else(|| panic!("{own} has no layer"));
        let text = fs::read_to_string(&file.path).unwrap();
        for path in crate_paths(&file.module, &text) {
            let Some(target) = what(&path) else { continue };
            if rank(layers, &target).is_some_and(|r| r > own_rank) {
                found.push(format!("{} ({own}) imports {} ({target})", file.shown(), path.join("::")));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn every_module_has_a_layer() {
    for file in source_files() {
        let top = &file.module[0];
        assert!(rank(LAYERS, top).is_some(), "{}: add `{top}` to LAYERS and to lib.rs", file.shown());
        if top == "tui" && file.module.len() > 1 {
            let inner = &file.module[1];
            assert!(rank(TUI_LAYERS, inner).is_some(), "{}: add `{inner}` to TUI_LAYERS", file.shown());
        }
    }
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let climbing = climbing_imports(LAYERS, |file| file.module.first().cloned(), |path| path.first().cloned());
    assert!(climbing.is_empty(), "imports of a higher layer:\n{}", climbing.join("\n"));
}

#[test]
fn tui_imports_point_one_way() {
    let inside_tui = |module: &[String]| (module.len() > 1 && module[0] == "tui").then(|| module[1].clone());
    let climbing = climbing_imports(TUI_LAYERS, |file| inside_tui(&file.module), |path| inside_tui(path));
    assert!(climbing.is_empty(), "tui imports against the grain:\n{}", climbing.join("\n"));
}

#[test]
fn the_reader_sees_use_trees_and_super_paths_but_not_comments_or_strings() {
    let module: Vec<String> = vec!["tui".into(), "state".into(), "run".into()];
    let text = r#"
        use super::{form::Form, Load as Loaded};
        use crate::{run::RunRequest, tui::{model::RunSummary, layout}};
        // use crate::engine::Broker;
        /* crate::cli::Cli */
        const NOTE: &str = "crate::strategies::NAMES";
        fn f<'a>(x: &'a str) -> char { let _ = crate::market::time::et_date; '{' }
        mod tests { use super::*; }
    "#;
    let paths: Vec<String> = crate_paths(&module, text).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        paths,
        [
            "tui::state::form::Form",
            "tui::state::Load",
            "run::RunRequest",
            "tui::model::RunSummary",
            "tui::layout",
            "market::time::et_date",
            "tui::state::run",
        ]
    );
}
