import ArgumentParser

/// `--transform-input` / `--no-transform-input`, for the commands that build a network from a checkpoint.
enum TransformInputFlag {
    /// What the flag does and when to turn it off: a state dict does not say, so the user must.
    static let help = ArgumentHelp(
        "Inception v3 and GoogLeNet: re-normalise the input to [-1, 1] first, as torchvision's transform_input "
            + "(default on, as torchvision's pretrained weights have it; turn it off for a network built with weights=None).")
}
