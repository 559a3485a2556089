/// torchvision's `center_crop` geometry: where a `cropWidth`×`cropHeight` crop of a
/// `width`×`height` image starts, in image coordinates.
///
/// A crop larger than the image first pads it with zeros (left/top get the smaller half),
/// then crops the padded image at offsets rounded with Python's `round` (halves to even).
/// The result may start at negative coordinates: those pixels are the zero padding.
struct CenterCrop {
    /// Column of the crop's left edge in the image (negative inside left padding).
    let x: Int
    /// Row of the crop's top edge in the image (negative inside top padding).
    let y: Int

    init(width: Int, height: Int, cropWidth: Int, cropHeight: Int) {
        let padLeft = cropWidth > width ? (cropWidth - width) / 2 : 0
        let padTop = cropHeight > height ? (cropHeight - height) / 2 : 0
        let padRight = cropWidth > width ? (cropWidth - width + 1) / 2 : 0
        let padBottom = cropHeight > height ? (cropHeight - height + 1) / 2 : 0
        let paddedWidth = width + padLeft + padRight
        let paddedHeight = height + padTop + padBottom
        func offset(_ excess: Int) -> Int { Int((Double(excess) / 2).rounded(.toNearestOrEven)) }
        x = offset(paddedWidth - cropWidth) - padLeft
        y = offset(paddedHeight - cropHeight) - padTop
    }
}
