import Foundation
import XCTest

/// The `--html` report at scale: sortable and filterable in a real browser, linked to the originals,
/// wrapping names at separators, thumbnails capped in bytes and moved beside the page for big runs.
final class ClassifyHTMLReportTests: XCTestCase {
    private var root: URL!
    private let lenet5 = CommandLineRunner.fixture("models/lenet5.pth")

    override func setUpWithError() throws {
        root = try ClassifyFixture.scratch(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Two photos and a broken file under `images/long_folder-name.v2/`, classified with the report in `reports/`.
    private func smallReport() throws -> (report: URL, images: [String]) {
        let folder = root.appendingPathComponent("images/long_folder-name.v2")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("reports"), withIntermediateDirectories: true)
        for name in ["coffee.jpg", "chelsea.png"] {
            try FileManager.default.copyItem(atPath: CommandLineRunner.fixture("images/\(name)"), toPath: folder.appendingPathComponent(name).path)
        }
        try Data("not an image".utf8).write(to: folder.appendingPathComponent("broken.png"))
        let report = root.appendingPathComponent("reports/report.html")
        let result = try CommandLineRunner.run(["classify", folder.path, "--weights", lenet5, "--html", report.path, "--threads", "1"])
        XCTAssertEqual(result.status, 1, result.messages)
        return (report, ["broken.png", "chelsea.png", "coffee.jpg"].map { folder.appendingPathComponent($0).path })
    }

    func testCardsCarrySortKeysLinksAndSmallThumbnails() throws {
        let (report, images) = try smallReport()
        let html = try ClassifyFixture.read(report)
        XCTAssertEqual(html.components(separatedBy: "<script>").count, 2, "one script")
        let figures = html.components(separatedBy: "<figure ").dropFirst()
        XCTAssertEqual(figures.count, 3)
        for (figure, image) in zip(figures, images) {
            XCTAssertTrue(figure.hasPrefix("data-label=\""), figure)
            XCTAssertTrue(figure.replacingOccurrences(of: "<wbr>", with: "").contains("<figcaption>\(image)</figcaption>"), figure)
            XCTAssertEqual(figure.contains(" data-error>"), image.hasSuffix("broken.png"), figure)
            // The link, relative to the page's folder, leads to the original file.
            let href = try XCTUnwrap(figure.components(separatedBy: "<a href=\"").dropFirst().first?.split(separator: "\"").first)
            XCTAssertTrue(href.hasPrefix("../images/long_folder-name.v2/"), String(href))
            let linked = URL(string: String(href), relativeTo: report)!.standardizedFileURL.path
            XCTAssertEqual(linked, image)
            // Names may wrap after separators only.
            XCTAssertTrue(figure.contains("<figcaption>/<wbr>"), figure)
            XCTAssertTrue(figure.contains("long_<wbr>folder-<wbr>name.<wbr>v2/<wbr>"), figure)
            if let encoded = figure.components(separatedBy: "data:image/jpeg;base64,").dropFirst().first?.split(separator: "\"").first {
                let jpeg = try XCTUnwrap(Data(base64Encoded: String(encoded)))
                XCTAssertLessThanOrEqual(jpeg.count, 6 * 1024)
                XCTAssertEqual(Array(jpeg.prefix(2)), [0xFF, 0xD8])
            } else {
                XCTAssertTrue(image.hasSuffix("broken.png"), "only the broken file has no thumbnail")
            }
        }
        let probabilities = figures.compactMap { $0.components(separatedBy: "data-prob=\"").dropFirst().first?.split(separator: "\"").first }
        XCTAssertEqual(probabilities.first, "-1", "an error sorts below every probability")
    }

    func testThumbnailsGoBesideThePageForLargeRuns() throws {
        let folder = root.appendingPathComponent("many")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let count = 2001
        for index in 0..<count {
            try FileManager.default.copyItem(
                atPath: CommandLineRunner.fixture("preprocess/one_pixel.png"),
                toPath: folder.appendingPathComponent(String(format: "img%04d.png", index)).path)
        }
        let report = root.appendingPathComponent("report.html")
        let result = try CommandLineRunner.run([
            "classify", folder.path, "--weights", lenet5, "--html", report.path, "--threads", "1",
            "--batch-size", "256", "--output", root.appendingPathComponent("out.csv").path, "--format", "csv",
        ])
        XCTAssertEqual(result.status, 0, result.messages)
        let html = try ClassifyFixture.read(report)
        XCTAssertFalse(html.contains("data:image"), "no thumbnail inside the page")
        XCTAssertEqual(html.components(separatedBy: "<img ").count - 1, count)
        let sources = Set(
            html.components(separatedBy: "<img loading=\"lazy\" src=\"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) })
        XCTAssertEqual(sources.count, 1, "identical images share one thumbnail file")
        let thumbnail = try XCTUnwrap(sources.first)
        XCTAssertTrue(thumbnail.hasPrefix("report.html.thumbs/"), thumbnail)
        let bytes = try Data(contentsOf: root.appendingPathComponent(thumbnail))
        XCTAssertEqual(Array(bytes.prefix(2)), [0xFF, 0xD8])
        // A card is its caption, link and image paths (about 100 bytes each here) and five bars.
        XCTAssertLessThan(html.utf8.count / count, 700, "bytes of page per image")
    }

    /// The page's own script, run by headless Chromium: sort and filter from the address's fragment.
    func testSortAndFilterInAHeadlessBrowser() throws {
        let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try XCTSkipIf(browser == nil, "no headless Chromium installed")
        let (report, images) = try smallReport()
        func dom(_ fragment: String) throws -> String {
            let result = try CommandLineRunner.run(
                [
                    "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(root.path)/chromium",
                    "--dump-dom", report.absoluteString + fragment,
                ], executable: browser)
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout
        }
        func shown(_ page: String) -> [String] {
            page.components(separatedBy: "<figure ").dropFirst().filter { !$0.contains(" hidden=") && !$0.contains(" hidden>") }
                .compactMap { $0.components(separatedBy: "data-path=\"").dropFirst().first?.split(separator: "\"").first.map(String.init) }
        }
        let plain = try dom("")
        XCTAssertTrue(plain.contains("<span id=\"count\">3 of 3 images</span>"), plain)
        XCTAssertEqual(shown(plain), images, "sorted by path")
        let errorsFirst = try dom("#sort=error")
        XCTAssertEqual(shown(errorsFirst).first, images[0], "broken.png first")
        let onlyErrors = try dom("#errors=1")
        XCTAssertEqual(shown(onlyErrors), [images[0]])
        XCTAssertTrue(onlyErrors.contains("1 of 3 images"))
        let filtered = try dom("#filter=coffee")
        XCTAssertEqual(shown(filtered), [images[2]])
        // Most confident first: the two photos by their top probability, the broken file last.
        let confident = try dom("#sort=prob%2B")
        let html = try ClassifyFixture.read(report)
        let probability = { (path: String) -> Double in
            let card = html.components(separatedBy: "<figure ").first {
                $0.replacingOccurrences(of: "<wbr>", with: "").contains("<figcaption>\(path)</figcaption>")
            }!
            return Double(card.components(separatedBy: "data-prob=\"")[1].split(separator: "\"")[0])!
        }
        XCTAssertEqual(shown(confident), images.sorted { probability($0) > probability($1) })
    }
}
