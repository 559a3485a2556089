import PthCheckpoint
import PthClassifier

// Usage: consumer CHECKPOINT IMAGE — prints the checkpoint's tensor count, then the image's top-3 classes.
let arguments = CommandLine.arguments
guard arguments.count == 3 else { fatalError("usage: consumer CHECKPOINT IMAGE") }
let stateDict = try Checkpoint(contentsOf: arguments[1]).stateDict()
print("\(stateDict.names.count) tensors")
let classifier = try ImageClassifier(contentsOf: arguments[1])
for prediction in try classifier.classify(imageAt: arguments[2], topK: 3) {
    print("\(prediction.index) \(prediction.label) \(prediction.probability)")
}
