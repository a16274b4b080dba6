fn main() {
    println!("thetabench: the command line is being built");
}
