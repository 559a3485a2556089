import PthGraph

/// Where every value of a graph lives for one input shape, inside one arena of floats.
///
/// Values are grouped into storage roots: flatten and dropout outputs share their input's
/// storage, and concat inputs are placed straight into their channel slice of the concat output
/// (a concat whose inputs already sit side by side in a bigger buffer, like each DenseNet layer's
/// input inside its block's output, becomes a view and costs nothing). Roots then share arena
/// buffers by liveness: a buffer is reused once every value in it has been read for the last time.
struct MemoryPlan {
    /// Shape of every value, indexed like the graph's nodes.
    let shapes: [[Int]]
    /// Arena offset of image 0 of every value.
    let offsets: [Int]
    /// Floats between consecutive images of every value (its root's per-image size).
    let strides: [Int]
    /// For each concat node, whether each of its inputs must be copied into the output at run time.
    let concatCopies: [Int: [Bool]]
    /// Floats in the arena.
    let arenaCount: Int

    init(graph: Graph, inputShape: [Int]) throws {
        let shapes = try graph.shapes(forInput: inputShape)
        let nodes = graph.nodes
        let count = nodes.count
        let batch = inputShape[0]
        let perImage = shapes.map { $0.dropFirst().reduce(1, *) }

        // parent[v] holds v at per-image offset `relative[v]` inside parent's storage; roots are their own parent.
        var parent = Array(0..<count)
        var relative = Array(repeating: 0, count: count)
        func resolve(_ v: Int) -> (root: Int, offset: Int) {
            var v = v, offset = 0
            while parent[v] != v { offset += relative[v]; v = parent[v] }
            return (v, offset)
        }
        for (index, node) in nodes.enumerated() {
            switch node.op {
            case .flatten, .dropout: parent[index] = node.inputs[0].index
            default: break
            }
        }

        // Outermost concats first, so an inner concat's inputs land in the outer one's buffer.
        var concatCopies: [Int: [Bool]] = [:]
        for index in (0..<count).reversed() {
            guard case .concat = nodes[index].op else { continue }
            let inputs = nodes[index].inputs.map(\.index)
            var slices: [Int] = []
            var offset = 0
            for input in inputs { slices.append(offset); offset += perImage[input] }

            let first = resolve(inputs[0])
            let alreadyAdjacent =
                first.root != index
                && inputs.indices.allSatisfy { j in
                    let placed = resolve(inputs[j])
                    return placed.root == first.root && placed.offset == first.offset + slices[j]
                }
            if parent[index] == index && alreadyAdjacent {
                parent[index] = first.root
                relative[index] = first.offset
                concatCopies[index] = Array(repeating: false, count: inputs.count)
                continue
            }
            let target = resolve(index)
            var copies: [Bool] = []
            for (j, input) in inputs.enumerated() {
                let placed = resolve(input)
                if placed.root == target.root && placed.offset == target.offset + slices[j] {
                    copies.append(false)
                } else if parent[input] == input && input != target.root {
                    parent[input] = index
                    relative[input] = slices[j]
                    copies.append(false)
                } else {
                    copies.append(true)
                }
            }
            concatCopies[index] = copies
        }

        // Lifetime of each root: from the first member written to the last member read.
        let placement = (0..<count).map(resolve)
        var firstUse = Array(repeating: Int.max, count: count)
        var lastUse = Array(repeating: -1, count: count)
        for (index, node) in nodes.enumerated() {
            let root = placement[index].root
            firstUse[root] = min(firstUse[root], index)
            lastUse[root] = max(lastUse[root], index)
            for input in node.inputs {
                let inputRoot = placement[input.index].root
                lastUse[inputRoot] = max(lastUse[inputRoot], index)
            }
        }
        if let output = graph.output { lastUse[placement[output.index].root] = count }

        // Greedy best-fit over buffers in order of first use.
        var bufferSizes: [Int] = []
        var bufferOf = Array(repeating: -1, count: count)
        var free: [Int] = []
        var releaseAt: [Int: [Int]] = [:]
        var rootsStartingAt: [Int: [Int]] = [:]
        for root in 0..<count where placement[root].root == root && firstUse[root] != Int.max {
            rootsStartingAt[firstUse[root], default: []].append(root)
        }
        for index in 0..<count {
            for buffer in releaseAt.removeValue(forKey: index) ?? [] { free.append(buffer) }
            for root in rootsStartingAt[index] ?? [] {
                let needed = batch * perImage[root]
                let fitting = free.filter { bufferSizes[$0] >= needed }.min { bufferSizes[$0] < bufferSizes[$1] }
                let buffer: Int
                if let fitting {
                    buffer = fitting
                } else if let largest = free.max(by: { bufferSizes[$0] < bufferSizes[$1] }) {
                    buffer = largest
                    bufferSizes[largest] = needed
                } else {
                    buffer = bufferSizes.count
                    bufferSizes.append(needed)
                }
                free.removeAll { $0 == buffer }
                bufferOf[root] = buffer
                releaseAt[lastUse[root] + 1, default: []].append(buffer)
            }
        }
        var bufferOffsets: [Int] = []
        var total = 0
        for size in bufferSizes { bufferOffsets.append(total); total += size }

        self.shapes = shapes
        self.offsets = placement.map { bufferOffsets[bufferOf[$0.root]] + $0.offset }
        self.strides = placement.map { perImage[$0.root] }
        self.concatCopies = concatCopies
        self.arenaCount = total
    }
}
