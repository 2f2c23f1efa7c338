//! Embeds AWS's CloudFormation resource schemas (schemas/aws/, written by
//! scripts/update-schemas) into the binary: one `include_str!` per type listed
//! in schemas/aws/supported.txt, so the list of embedded schemas is that file
//! and nothing is fetched at run time.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/aws");
    println!("cargo:rerun-if-changed={}", root.display());
    let supported = std::fs::read_to_string(root.join("supported.txt")).expect("schemas/aws/supported.txt");
    let mut out = String::from("/// (type name, resource schema JSON, cfn-lint extension rules JSON)\n");
    out.push_str("pub static EMBEDDED: &[(&str, &str, &str)] = &[\n");
    for type_name in supported.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let file = format!("{}.json", type_name.replace("::", "-"));
        let resource = root.join("resources").join(&file);
        let extensions = root.join("extensions").join(&file);
        for path in [&resource, &extensions] {
            assert!(path.exists(), "{} is missing: run scripts/update-schemas", path.display());
            println!("cargo:rerun-if-changed={}", path.display());
        }
        writeln!(
            out,
            "    ({type_name:?}, include_str!({:?}), include_str!({:?})),",
            resource.display().to_string(),
            extensions.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("aws_schemas.rs");
    std::fs::write(dest, out).unwrap();
}
