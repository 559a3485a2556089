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

extension Architecture {
    /// `stateDict` built as the registered architecture called `name`, or as the one `detect` finds
    /// when `name` is nil. With `transformInput`, Inception v3 and GoogLeNet are built with
    /// `transform_input` set to it (see `Architecture.transformInput`); asking for it on an architecture
    /// without that setting is an error, not a silent no-op.
    public static func build(_ stateDict: StateDict, named name: String?, transformInput: Bool? = nil) throws -> (Architecture, Graph) {
        func adjusted(_ architecture: Architecture) -> Architecture {
            transformInput.flatMap { architecture.settingTransformInput($0) } ?? architecture
        }
        func checked(_ architecture: Architecture) throws -> Architecture {
            if transformInput != nil && architecture.transformInput == nil {
                let names = all.filter { $0.transformInput != nil }.map(\.name).joined(separator: " and ")
                throw ModelError(architecture.name, "has no transform_input setting; only \(names) re-normalise their input")
            }
            return architecture
        }
        if let name {
            let architecture = try checked(adjusted(named(name)))
            return (architecture, try architecture.graph(from: stateDict))
        }
        let (architecture, graph) = try detect(in: stateDict, among: all.map(adjusted))
        return (try checked(architecture), graph)
    }
}
