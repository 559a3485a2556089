/// Image decoding, PIL-exact preprocessing and class labels.
public enum Vision {}
