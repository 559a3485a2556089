/// Element types a PyTorch checkpoint can store, named as `torch.<name>`.
public enum DType: String, Sendable, CaseIterable, Codable {
    case float32, float64, float16, bfloat16
    case int64, int32, int16, int8, uint8
    /// Unsigned types beyond uint8 (torch ≥ 2.3 has them; safetensors files store them).
    case uint16, uint32, uint64
    case bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64, .uint64: return 8
        case .float32, .int32, .uint32: return 4
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// Whether this is a floating-point type (convertible to Float32 for inference).
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: return true
        default: return false
        }
    }
}
