// Rebuild when a migration is added or changed, so a build never ships without its newest one.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
