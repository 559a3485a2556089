/// Eight-lane Float vectors, the unit of the Swift kernels' loops (AVX2 registers hold 8 floats).
typealias Float8 = SIMD8<Float>

extension UnsafePointer where Pointee == Float {
    @inline(__always) func load8(_ offset: Int) -> Float8 {
        UnsafeRawPointer(self + offset).loadUnaligned(as: Float8.self)
    }

    /// Sixteen floats, for strided reads that keep every other lane (`evenHalf`).
    @inline(__always) func load16(_ offset: Int) -> SIMD16<Float> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD16<Float>.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func load8(_ offset: Int) -> Float8 {
        UnsafeRawPointer(self + offset).loadUnaligned(as: Float8.self)
    }

    /// Sixteen floats, for strided reads that keep every other lane (`evenHalf`).
    @inline(__always) func load16(_ offset: Int) -> SIMD16<Float> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) func store8(_ value: Float8, _ offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: Float8.self)
    }
}
