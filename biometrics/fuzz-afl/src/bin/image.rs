//! Every image decoder, through the format sniffing the records use.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = amparo_biometrics::image::decode(data);
    });
}
