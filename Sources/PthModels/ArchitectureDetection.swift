import PthCheckpoint
import PthGraph

extension Architecture {
    /// The registered architecture whose keys and shapes `stateDict` matches exactly, with the graph
    /// built from it. A candidate matches when every key it expects is present with the expected
    /// shape and nothing else is left over, so family members of different depth (ResNet50 against
    /// ResNet101) or width do not stand in for one another.
    ///
    /// Throws naming every candidate considered and why it did not fit.
    public static func detect(in stateDict: StateDict, among candidates: [Architecture] = all) throws -> (Architecture, Graph) {
        var reasons: [String] = []
        for candidate in candidates {
            do {
                return (candidate, try candidate.graph(from: stateDict))
            } catch let error as ModelError {
                reasons.append("\(candidate.name) (\(error))")
            }
        }
        throw ModelError("checkpoint", "no known architecture matches its \(stateDict.count) keys; considered: \(reasons.joined(separator: "; "))")
    }
}
