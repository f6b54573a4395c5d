fn main() {
    // embed_migrations! does not notice new migration folders without this.
    println!("cargo:rerun-if-changed=migrations");
}
