//! The booking code as a QR code, for the counter's scanner: SVG for pages, PNG for e-mail
//! (mail programs show PNG inline; many refuse SVG).

use crate::error::AppError;

fn code_matrix(text: &str) -> Result<qrcode::QrCode, AppError> {
    qrcode::QrCode::new(text.as_bytes()).map_err(|e| AppError::Internal(e.into()))
}

pub fn svg(text: &str) -> Result<String, AppError> {
    Ok(code_matrix(text)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build())
}

/// Pixels per module: a 9-character code gives a 21-module symbol, 29 with the quiet zone,
/// so 174 pixels square.
const MODULE_PIXELS: usize = 6;
/// The blank border a scanner needs, in modules.
const QUIET_ZONE: usize = 4;

/// A black-and-white PNG, one bit per pixel.
pub fn png(text: &str) -> Result<Vec<u8>, AppError> {
    let code = code_matrix(text)?;
    let modules = code.width();
    let dark = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * MODULE_PIXELS;
    let row_bytes = side.div_ceil(8);
    let mut pixels = vec![0xFF_u8; row_bytes * side];
    for (index, color) in dark.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (module_x, module_y) = (index % modules, index / modules);
        for dy in 0..MODULE_PIXELS {
            let y = (module_y + QUIET_ZONE) * MODULE_PIXELS + dy;
            for dx in 0..MODULE_PIXELS {
                let x = (module_x + QUIET_ZONE) * MODULE_PIXELS + dx;
                // In a 1-bit grayscale PNG, 0 is black; the leftmost pixel is the high bit.
                pixels[y * row_bytes + x / 8] &= !(0x80 >> (x % 8));
            }
        }
    }
    let mut out = Vec::new();
    let failed = |e: png::EncodingError| AppError::Internal(e.into());
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&pixels).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_decodes_to_the_symbol_with_its_quiet_zone() {
        let bytes = png("ABCDEFGHJ").unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buffer).unwrap();
        let code = code_matrix("ABCDEFGHJ").unwrap();
        let side = (code.width() + 2 * QUIET_ZONE) * MODULE_PIXELS;
        assert_eq!((frame.width as usize, frame.height as usize), (side, side));
        let pixel = |x: usize, y: usize| {
            let row = &buffer[y * frame.line_size..];
            row[x / 8] & (0x80 >> (x % 8)) == 0
        };
        // The top-left finder pattern's corner is dark; the quiet zone before it is light.
        let corner = QUIET_ZONE * MODULE_PIXELS;
        assert!(pixel(corner, corner));
        assert!(!pixel(corner - 1, corner));
        // Every module matches the symbol.
        for (index, color) in code.to_colors().iter().enumerate() {
            let x = (index % code.width() + QUIET_ZONE) * MODULE_PIXELS + 2;
            let y = (index / code.width() + QUIET_ZONE) * MODULE_PIXELS + 2;
            assert_eq!(pixel(x, y), *color == qrcode::Color::Dark, "module {index}");
        }
    }
}
