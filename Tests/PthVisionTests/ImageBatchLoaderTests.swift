import Foundation
import PthVision
import XCTest

/// The decode-ahead queue behind `pth classify`: batches in input order holding exactly the tensors the
/// preprocessor makes one image at a time, failures in their place, whatever the worker count and depth;
/// and the JPEG thumbnails its callers encode.
final class ImageBatchLoaderTests: XCTestCase {
    private let paths = [
        "images/astronaut.jpg", "broken/empty.jpg", "images/chelsea.png", "preprocess/cmyk.jpg",
        "broken/truncated.png", "preprocess/one_pixel.png", "preprocess/gray16.png",
    ].map(VisionFixtures.path)

    func testBatchesComeInOrderWithTheSingleImageTensors() throws {
        let preprocessor = ImagePreprocessor(preset: try XCTUnwrap(PreprocessingPreset.named("efficientnet_b0")))
        let expected: [[Float]?] = paths.map { try? preprocessor.tensor(forImageAt: $0) }
        for (batchSize, workers, depth) in [(1, 1, 1), (2, 3, 1), (3, 4, 2), (8, 2, 3)] {
            let loader = ImageBatchLoader(paths: paths, preprocessor: preprocessor, batchSize: batchSize, workers: workers, depth: depth) { $0.width }
            var seen = 0
            while let batch = loader.next() {
                XCTAssertEqual(batch.indices, seen..<min(seen + batchSize, paths.count))
                let good = batch.indices.compactMap { expected[$0] }
                XCTAssertEqual(batch.count, good.count)
                XCTAssertEqual(batch.values, good.flatMap { $0 }, "batch \(batch.indices) with \(workers) workers, depth \(depth)")
                for (index, outcome) in zip(batch.indices, batch.outcomes) {
                    switch outcome {
                    case .success(let width): XCTAssertNotNil(expected[index], paths[index]); XCTAssertGreaterThan(width, 0)
                    case .failure(let error): XCTAssertNil(expected[index], paths[index]); XCTAssertEqual(error.path, paths[index])
                    }
                }
                seen = batch.indices.upperBound
            }
            XCTAssertEqual(seen, paths.count)
            XCTAssertNil(loader.next())
        }
    }

    func testThumbnailRoundTripsThroughJPEG() throws {
        let image = try ImageDecoder().decode(contentsOf: VisionFixtures.path("images/chelsea.png"))
        let thumbnail = image.thumbnail(fitting: 128)
        XCTAssertEqual([thumbnail.width, thumbnail.height], [128, 85], "451x300 shrunk to fit 128, aspect kept")
        let jpeg = try thumbnail.jpegData(quality: 90)
        let decoded = try ImageDecoder().decode(jpeg, path: "thumbnail.jpg")
        XCTAssertEqual([decoded.width, decoded.height], [128, 85])
        let meanError = zip(decoded.pixels, thumbnail.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) } / thumbnail.pixels.count
        XCTAssertLessThanOrEqual(meanError, 4, "quality 90 stays close to the pixels encoded")
        XCTAssertEqual(image.thumbnail(fitting: 1000), image, "never enlarged")
    }
}
