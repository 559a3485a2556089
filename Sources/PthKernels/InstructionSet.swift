import CKernels

/// The instruction sets the C kernels carry a copy for. Which one runs is chosen once per process
/// from the CPU, or forced with the environment variable `PTH_ISA` (`avx512`, `avx2`, `baseline`;
/// a name this CPU cannot run ends the process with a one-line error).
public enum InstructionSet: CaseIterable, Sendable, Equatable, CustomStringConvertible {
    case baseline, avx2, avx512

    /// The one the kernels run with in this process.
    public static var active: InstructionSet { InstructionSet(pth_isa_active()) }

    /// Every instruction set this CPU runs, widest last.
    public static var supported: [InstructionSet] { allCases.filter(\.isSupported) }

    /// Whether this CPU (and OS) runs it.
    public var isSupported: Bool { pth_isa_supported(isa) != 0 }

    /// The name `PTH_ISA` takes.
    public var description: String { String(cString: pth_isa_name(isa)) }

    var isa: pth_isa {
        switch self {
        case .baseline: pth_isa_baseline
        case .avx2: pth_isa_avx2
        case .avx512: pth_isa_avx512
        }
    }

    init(_ isa: pth_isa) {
        switch isa {
        case pth_isa_avx512: self = .avx512
        case pth_isa_avx2: self = .avx2
        default: self = .baseline
        }
    }
}
