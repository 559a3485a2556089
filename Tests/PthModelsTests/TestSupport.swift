// The helpers every test target shares (`relativeError`, `pseudoRandom`, `float64ReferenceConvolution`),
// visible in each file of this target without an import of its own.
@_exported import PthTestSupport
