import Foundation
import PthVision

/// `--html report.html`: a contact sheet, one card per image with its thumbnail, a link to the
/// original file and a bar per top-k class, sortable and filterable in the browser (by path, label,
/// top probability, errors first or only) with no server and no network; the view is kept in the
/// address's fragment (`#sort=prob-&filter=cat&errors=1`).
///
/// Written as the run goes, one line per image: HTML needs no closing `</body></html>`, so the file is
/// a complete page after every batch, and `--resume` appends to it as to the results. Thumbnails are
/// JPEGs of at most `thumbnailByteLimit` bytes, inside the page for small runs; past `inlineLimit`
/// images they are files in a folder beside the page (`report.html.thumbs/`), so the page stays a few
/// hundred bytes per image.
final class ClassifyHTMLReport {
    /// Longest side of the thumbnails, in pixels.
    static let thumbnailSide = 128
    /// Largest thumbnail, in bytes: quality is lowered until it fits.
    static let thumbnailByteLimit = 6 * 1024
    /// Most images whose thumbnails are embedded in the page.
    static let inlineLimit = 2000

    private let output: BatchOutput
    /// Where thumbnails go as files, when they are not embedded.
    private let thumbnailFolder: String?
    /// The page's folder as an absolute path, for links to the originals.
    private let pageFolder: String

    /// Opens the report at `path` for a run of `images` images; with `resume`, keeps what an earlier
    /// run wrote (minus a partial last line).
    init(path: String, images: Int, resume: Bool) throws {
        let earlier = resume ? try BatchResume.completeLines(of: path) : nil
        output = try BatchOutput(path: path, append: resume)
        pageFolder = (Self.absolute(path) as NSString).deletingLastPathComponent
        if images > Self.inlineLimit {
            let folder = path + ".thumbs"
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw CommandFailure(.fatal, "--html: cannot make the thumbnail folder: \(FailureReport.describe(error))")
            }
            thumbnailFolder = folder
        } else {
            thumbnailFolder = nil
        }
        if earlier?.isEmpty ?? true {
            try output.write(Self.head)
        }
    }

    /// A thumbnail of `image` as a JPEG within `thumbnailByteLimit`, or nil if even the lowest quality tried is larger.
    static func thumbnail(of image: RGBImage) throws -> [UInt8]? {
        let small = image.thumbnail(fitting: thumbnailSide)
        for quality in [75, 50, 30] {
            let jpeg = try small.jpegData(quality: quality)
            if jpeg.count <= thumbnailByteLimit { return jpeg }
        }
        return nil
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
            let best = result.top.first
            // The script sorts by the caption's text, so the path is not repeated in an attribute.
            html +=
                "<figure data-label=\"\(escape(best?.label ?? ""))\" "
                + "data-prob=\"\(best.map { String(format: "%.4f", $0.probability) } ?? "-1")\"\(result.error == nil ? "" : " data-error")>"
            html += "<a href=\"\(escape(link(to: result.path)))\">"
            if let thumbnail {
                html += "<img loading=\"lazy\" src=\"\(escape(try source(of: thumbnail)))\" alt=\"\">"
            } else {
                html += "<div class=\"none\"></div>"
            }
            html += "</a><figcaption>\(breakable(result.path))</figcaption>"
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

    /// The `src` of a thumbnail: a data URL, or a file in the thumbnail folder named by its bytes'
    /// digest, so identical thumbnails (and a resumed run's) share one file. The file is not synced:
    /// a crash costs at most a blank thumbnail, never the page.
    private func source(of thumbnail: [UInt8]) throws -> String {
        guard let thumbnailFolder else { return "data:image/jpeg;base64,\(Data(thumbnail).base64EncodedString())" }
        let name = String(ResumeRecord.sha256(Data(thumbnail)).prefix(20)) + ".jpg"
        let path = thumbnailFolder + "/" + name
        if !FileManager.default.fileExists(atPath: path) {
            do {
                try Data(thumbnail).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CommandFailure(.fatal, "--html thumbnail \(FailureReport.describe(error))")
            }
        }
        return Self.percentEncoded((thumbnailFolder as NSString).lastPathComponent + "/" + name)
    }

    /// A link from the page to the image at `path`: relative when both are under one root, so the
    /// folder can be moved or served as a whole.
    private func link(to path: String) -> String {
        let target = Self.absolute(path).split(separator: "/")
        let base = pageFolder.split(separator: "/")
        let common = zip(target, base).prefix { $0 == $1 }.count
        let relative = Array(repeating: "..", count: base.count - common) + target[common...].map(String.init)
        return Self.percentEncoded(relative.joined(separator: "/"))
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    private static func percentEncoded(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#;")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    /// A path that may wrap after its separators (and `_`, `-`, `.`) rather than inside a word.
    private func breakable(_ path: String) -> String {
        var html = ""
        for character in path {
            html += escape(String(character))
            if "/_-.".contains(character) { html += "<wbr>" }
        }
        return html
    }

    private static let head = """
        <!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>pth classify</title><style>\
        body{font:13px system-ui,sans-serif;margin:1em;display:flex;flex-wrap:wrap;gap:10px}\
        figure{margin:0;width:200px;border:1px solid #ccc;border-radius:4px;padding:6px}\
        img,.none{display:block;margin:auto;max-width:\(thumbnailSide)px;max-height:\(thumbnailSide)px}\
        header,nav{flex-basis:100%}h1{font-size:16px;margin:0}header p{margin:2px 0;color:#444}\
        nav{position:sticky;top:0;background:#fff;padding:4px 0;z-index:1}\
        .none{width:\(thumbnailSide)px;height:\(thumbnailSide)px;background:#eee}\
        figcaption{overflow-wrap:break-word;font-weight:600;margin:4px 0}\
        ol{list-style:none;margin:0;padding:0}li{position:relative;z-index:0;padding:1px 3px;white-space:nowrap;overflow:hidden}\
        li span{position:absolute;left:0;top:0;bottom:0;background:#9cf;z-index:-1}.error{color:#b00}\
        </style>
        <nav><input id="filter" type="search" placeholder="filter by path or label" size="30"> \
        <label>sort <select id="sort"><option value="path">path</option><option value="label">label</option>\
        <option value="prob-">confidence, lowest first</option><option value="prob+">confidence, highest first</option>\
        <option value="error">errors first</option></select></label> \
        <label><input id="errors" type="checkbox"> errors only</label> <span id="count"></span></nav>
        <script>
        addEventListener("DOMContentLoaded", () => {
          const cards = [...document.querySelectorAll("figure")], parent = cards.length ? cards[0].parentNode : document.body;
          const filter = document.getElementById("filter"), sort = document.getElementById("sort"), errors = document.getElementById("errors");
          for (const card of cards) card.dataset.path = card.querySelector("figcaption").textContent;
          const text = f => (f.dataset.path + " " + f.dataset.label).toLowerCase();
          const orders = {
            path: (a, b) => a.dataset.path < b.dataset.path ? -1 : a.dataset.path > b.dataset.path ? 1 : 0,
            label: (a, b) => a.dataset.label.localeCompare(b.dataset.label) || orders.path(a, b),
            "prob-": (a, b) => a.dataset.prob - b.dataset.prob || orders.path(a, b),
            "prob+": (a, b) => b.dataset.prob - a.dataset.prob || orders.path(a, b),
            error: (a, b) => b.hasAttribute("data-error") - a.hasAttribute("data-error") || orders.path(a, b),
          };
          function update() {
            const words = filter.value.toLowerCase().split(/\\s+/).filter(w => w);
            let shown = 0;
            for (const card of cards.sort(orders[sort.value])) {
              const visible = (!errors.checked || card.hasAttribute("data-error")) && words.every(w => text(card).includes(w));
              card.hidden = !visible;
              shown += visible;
              parent.appendChild(card);
            }
            document.getElementById("count").textContent = shown + " of " + cards.length + " images";
          }
          // The view lives in the address (#sort=prob-&filter=cat&errors=1), so it can be bookmarked or shared.
          const view = new URLSearchParams(location.hash.slice(1));
          if (orders[view.get("sort")]) sort.value = view.get("sort");
          filter.value = view.get("filter") || "";
          errors.checked = view.get("errors") === "1";
          for (const control of [filter, sort, errors]) control.addEventListener("input", () => {
            update();
            const state = new URLSearchParams({sort: sort.value, filter: filter.value, errors: errors.checked ? "1" : "0"});
            history.replaceState(null, "", "#" + state);
          });
          update();
        });
        </script>

        """

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "\n", with: " ")
    }
}
