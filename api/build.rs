//! The schema's migrations are compiled into the binary (`embed_migrations!` in `store/db.rs`);
//! this tells cargo to build again when one is added or changed, which it cannot see otherwise.

fn main() {
    println!("cargo::rerun-if-changed=../migrations");
}
