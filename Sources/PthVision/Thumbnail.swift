extension RGBImage {
    /// The image shrunk (never enlarged) to fit `side`×`side`, keeping its aspect ratio, with PIL's
    /// antialiased bilinear filter.
    public func thumbnail(fitting side: Int) -> RGBImage {
        let scale = min(1, Double(side) / Double(max(width, height)))
        let newWidth = max(1, Int((Double(width) * scale).rounded()))
        let newHeight = max(1, Int((Double(height) * scale).rounded()))
        if newWidth == width && newHeight == height { return self }
        return resized(width: newWidth, height: newHeight, filter: .bilinear)
    }
}
