/// The parity measure every test uses: `max|ours − reference| / max|reference|`, the largest difference
/// relative to the reference's largest magnitude (the relative L∞ error).
///
/// An all-zero reference has no scale: the error is then 0 when `ours` is all zeros too, and infinity
/// otherwise, so any departure from an all-zero reference fails every tolerance rather than being
/// divided by an arbitrary small number. A NaN on either side also gives infinity: no comparison passes
/// by skipping a value.
public func relativeError<Ours: Collection<Float>, Reference: Collection<Float>>(_ ours: Ours, _ reference: Reference) -> Float {
    precondition(ours.count == reference.count, "comparing \(ours.count) values with \(reference.count)")
    var difference: Float = 0, scale: Float = 0
    for (a, b) in zip(ours, reference) {
        let gap = abs(a - b)
        if gap.isNaN { return .infinity }
        difference = max(difference, gap)
        scale = max(scale, abs(b))
    }
    if scale == 0 { return difference == 0 ? 0 : .infinity }
    return difference / scale
}
