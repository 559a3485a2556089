import Foundation
import PthModels
import PthNumpy
import PthRuntime

/// An already-preprocessed `[N, C, H, W]` float32 `.npy` batch and the network it is run through, as
/// `forward` and `embed --input` take them: the batch's channels must be the network's input channels,
/// and the run is announced on stderr once the network is built.
struct PreprocessedBatch {
    let input: FeatureMap
    let network: Network

    init(
        npy path: String, weights: String, stateDict: String?, architecture: String?, transformInput: Bool?, detected: Bool,
        threads: Int?
    ) throws {
        let batch = try NpyArray(contentsOf: path)
        let network = try Network(contentsOf: weights, stateDictKey: stateDict, architecture: architecture, transformInput: transformInput, threads: threads)
        guard batch.shape.count == 4, batch.shape[1] == network.inputChannels else {
            throw ModelError(path, "expected a float32 array of shape [N, \(network.inputChannels), H, W], found \(batch.shape)")
        }
        RunDescription(
            architecture: network.architecture.name, detected: detected, transformInput: network.architecture.transformInput,
            weights: weights, stateDict: network.stateDictChoice?.description,
            classes: network.classes, inputChannels: network.inputChannels, threads: network.threads
        ).announce()
        self.input = FeatureMap(shape: batch.shape, values: batch.values)
        self.network = network
    }
}
