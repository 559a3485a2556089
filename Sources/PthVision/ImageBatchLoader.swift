import Foundation

/// Decodes and preprocesses a list of image files on worker threads, ahead of whoever consumes the
/// batches, and hands the batches out strictly in input order.
///
/// At most `depth` batches are being filled or waiting at any time (each a `batchSize`×C×H×W float
/// buffer), so memory stays bounded however far decoding could run ahead; a worker that gets that
/// far ahead sleeps until `next()` frees a buffer. Workers take images one at a time in input
/// order, so a slow file delays only its own batch.
///
/// `extra` runs on the worker for every decoded image (before preprocessing), for per-image side
/// products such as thumbnails.
///
/// Sendable without the compiler's proof: the mutable state is guarded by `condition`, and each
/// slot of `buffer` is written by the one worker that took its image before `next()` hands it out.
public final class ImageBatchLoader<Extra: Sendable>: @unchecked Sendable {
    /// One batch, in input order.
    public struct Batch: Sendable {
        /// Indices into the loader's `paths` covered by this batch.
        public let indices: Range<Int>
        /// Per image of `indices`: the `extra` value, or why the image could not be read.
        public let outcomes: [Result<Extra, ImageError>]
        /// The `[count, 3, H, W]` tensors of the images that were read, in order, with
        /// `count = outcomes` that succeeded.
        public let values: [Float]
        /// How many images `values` holds.
        public var count: Int { outcomes.filter { if case .success = $0 { return true } else { return false } }.count }
    }

    /// The files, in the order batches come out.
    public let paths: [String]
    /// Images per batch (the last may be shorter).
    public let batchSize: Int
    private let preprocessor: ImagePreprocessor
    private let extra: @Sendable (RGBImage) -> Extra
    private let depth: Int
    private let imageFloats: Int
    private let buffer: UnsafeMutableBufferPointer<Float>
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var nextImage = 0
    private var delivered = 0
    private var filled: [Int]
    private var outcomes: [Result<Extra, ImageError>?]
    private var cancelled = false

    /// Starts `workers` threads decoding `paths` with `preprocessor`, keeping up to `depth` batches
    /// of `batchSize` images in flight.
    public init(
        paths: [String], preprocessor: ImagePreprocessor, batchSize: Int, workers: Int, depth: Int = 2,
        extra: @escaping @Sendable (RGBImage) -> Extra
    ) {
        precondition(batchSize >= 1 && workers >= 1 && depth >= 1, "ImageBatchLoader: batchSize, workers and depth must be ≥ 1")
        self.paths = paths
        // Buffers are sized by the work, not the request: a batch never holds more images than there are.
        self.batchSize = min(batchSize, max(paths.count, 1))
        self.preprocessor = preprocessor
        self.extra = extra
        self.depth = depth
        imageFloats = preprocessor.tensorCount
        buffer = .allocate(capacity: depth * self.batchSize * imageFloats)
        filled = Array(repeating: 0, count: depth)
        outcomes = Array(repeating: nil, count: depth * self.batchSize)
        for _ in 0..<min(workers, max(paths.count, 1)) {
            let thread = Thread { [self] in work() }
            thread.name = "pth-decode"
            thread.start()
        }
    }

    deinit {
        buffer.deallocate()
    }

    /// The next batch in order, waiting for its images; nil after the last.
    public func next() -> Batch? {
        condition.lock()
        let batch = delivered
        let start = batch * batchSize
        guard start < paths.count else {
            condition.unlock()
            return nil
        }
        let count = min(batchSize, paths.count - start)
        let ring = batch % depth
        while filled[ring] < count { condition.wait() }
        let results = (0..<count).map { outcomes[ring * batchSize + $0]! }
        condition.unlock()

        // The slots are stable until `delivered` moves on: no worker writes them before that.
        var values: [Float] = []
        values.reserveCapacity(count * imageFloats)
        for (slot, result) in results.enumerated() {
            if case .success = result {
                let offset = (ring * batchSize + slot) * imageFloats
                values.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[offset..<(offset + imageFloats)]))
            }
        }

        condition.lock()
        filled[ring] = 0
        for slot in 0..<count { outcomes[ring * batchSize + slot] = nil }
        delivered += 1
        condition.broadcast()
        condition.unlock()
        return Batch(indices: start..<(start + count), outcomes: results, values: values)
    }

    /// Stops the workers after the image each is on; `next()` must not be called afterwards.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while !cancelled && nextImage < paths.count && nextImage / batchSize >= delivered + depth {
                condition.wait()
            }
            if cancelled || nextImage >= paths.count {
                condition.unlock()
                return
            }
            let index = nextImage
            nextImage += 1
            condition.unlock()

            let slot = (index / batchSize % depth) * batchSize + index % batchSize
            let outcome: Result<Extra, ImageError>
            do {
                let image = try preprocessor.decoder.decode(contentsOf: paths[index])
                let side = extra(image)
                preprocessor.writeTensor(for: image, into: UnsafeMutableBufferPointer(rebasing: buffer[(slot * imageFloats)..<((slot + 1) * imageFloats)]))
                outcome = .success(side)
            } catch let error as ImageError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(ImageError(path: paths[index], message: "\(error)"))
            }

            condition.lock()
            outcomes[slot] = outcome
            filled[index / batchSize % depth] += 1
            condition.broadcast()
            condition.unlock()
        }
    }
}

extension ImageBatchLoader where Extra == Void {
    /// A loader with no per-image side product.
    public convenience init(paths: [String], preprocessor: ImagePreprocessor, batchSize: Int, workers: Int, depth: Int = 2) {
        self.init(paths: paths, preprocessor: preprocessor, batchSize: batchSize, workers: workers, depth: depth, extra: { _ in })
    }
}
