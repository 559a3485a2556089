import PthCheckpoint
import PthGraph

/// Architecture builders: torchvision state dicts into graphs.
public enum Models {}
