//! `syncsim`: the headless native runner. The core stays I/O free; all file and console output
//! lives here.

fn main() {
    eprintln!("usage: syncsim <simbench|fuzz|bench> ...");
    std::process::exit(2);
}
