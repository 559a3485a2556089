// Compiled into one module with the PthVision sources by tools/fuzz_loader.sh, so nothing to import.

/// libFuzzer entry point over image decoding through `ImageDecoder`, whatever formats it knows: the
/// format sniffing, our wrappers around the C decoders, and the colour conversions to RGB. Any input
/// ends in an image whose pixel buffer matches its size, or a one-line `ImageError`. The pixel cap is
/// lowered so a lying header cannot make an allocation the fuzzer's memory limit reports.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let image = try ImageDecoder(maxPixels: 1 << 22).decode(bytes, path: "fuzz")
        precondition(
            image.width > 0 && image.height > 0 && image.pixels.count == image.width * image.height * 3,
            "\(image.width)x\(image.height) image with \(image.pixels.count) bytes")
    } catch {
        precondition(!"\(error)".contains("\n"), "error over several lines: \(error)")
    }
    return 0
}
