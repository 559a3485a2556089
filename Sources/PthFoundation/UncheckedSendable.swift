/// A value handed to code that runs concurrently although its type is not `Sendable`: a pointer into
/// a buffer whose parts concurrent workers read or write at disjoint places, a closure that only does
/// such work, a plan whose state every thread only reads.
///
/// The compiler cannot see that the places are disjoint: every use must say, beside it, why the
/// concurrent accesses do not overlap.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    /// The value.
    public let value: Value

    /// Wraps `value`; say beside the call why sharing it is safe.
    public init(_ value: Value) { self.value = value }
}
