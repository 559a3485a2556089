import Foundation

/// `--html report.html`: a contact sheet, one card per image with its thumbnail (a small JPEG inside
/// the page, so the report stands alone) and a bar per top-k class.
///
/// Written as the run goes, one line per image: HTML needs no closing `</body></html>`, so the file is
/// a complete page after every batch, and `--resume` appends to it as to the results.
final class ClassifyHTMLReport {
    /// Longest side of the thumbnails, in pixels.
    static let thumbnailSide = 128

    private let output: BatchOutput

    /// Opens the report at `path`; with `resume`, keeps what an earlier run wrote (minus a partial last line).
    init(path: String, resume: Bool) throws {
        let earlier = resume ? try BatchResume.completeLines(of: path) : nil
        output = try BatchOutput(path: path, append: resume)
        if earlier?.isEmpty ?? true {
            try output.write(Self.head)
        }
    }

    /// Appends a heading with the run's facts (each run that writes to the report adds its own, so a
    /// resumed report says what every part of it was made with).
    func describe(run: RunDescription) throws {
        let date = ISO8601DateFormatter().string(from: Date())
        try output.write("<header><h1>pth classify</h1><p>\(escape(run.line)) · \(date)</p></header>\n")
    }

    /// Appends one card per result; `thumbnails` holds the JPEG bytes of each readable image.
    func append(_ results: [ClassifyResult], thumbnails: [[UInt8]?]) throws {
        var html = ""
        for (result, thumbnail) in zip(results, thumbnails) {
            html += "<figure>"
            if let thumbnail {
                html += "<img src=\"data:image/jpeg;base64,\(Data(thumbnail).base64EncodedString())\" alt=\"\">"
            } else {
                html += "<div class=\"none\"></div>"
            }
            html += "<figcaption>\(escape(result.path))</figcaption>"
            if let error = result.error {
                html += "<p class=\"error\">\(escape(error))</p>"
            } else {
                html += "<ol>"
                for prediction in result.top {
                    let percent = String(format: "%.1f", 100 * prediction.probability)
                    html += "<li><span style=\"width:\(percent)%\"></span>\(escape(prediction.label)) \(percent)%</li>"
                }
                html += "</ol>"
            }
            html += "</figure>\n"
        }
        try output.write(html)
    }

    private static let head = """
        <!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>pth classify</title><style>\
        body{font:13px system-ui,sans-serif;margin:1em;display:flex;flex-wrap:wrap;gap:10px}\
        figure{margin:0;width:200px;border:1px solid #ccc;border-radius:4px;padding:6px}\
        img,.none{display:block;margin:auto;max-width:\(thumbnailSide)px;max-height:\(thumbnailSide)px}\
        header{flex-basis:100%}h1{font-size:16px;margin:0}header p{margin:2px 0;color:#444}\
        .none{width:\(thumbnailSide)px;height:\(thumbnailSide)px;background:#eee}\
        figcaption{word-break:break-all;font-weight:600;margin:4px 0}\
        ol{list-style:none;margin:0;padding:0}li{position:relative;z-index:0;padding:1px 3px;white-space:nowrap;overflow:hidden}\
        li span{position:absolute;left:0;top:0;bottom:0;background:#9cf;z-index:-1}.error{color:#b00}\
        </style>

        """

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "\n", with: " ")
    }
}
