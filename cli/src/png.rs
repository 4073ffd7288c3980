//! PNG copies of the SVG charts, so `syncsim report` and `syncsim bench` write every chart as
//! PNG and SVG like the page's ZIP does. The page rasterises on a `<canvas>` with the browser's
//! fonts; natively there is no canvas, so the SVG the CLI already draws is rendered with resvg
//! (a well-kept pure-Rust renderer) and the machine's installed fonts.

use resvg::{tiny_skia, usvg};

/// The font database, loaded once per command (scanning the system fonts takes a while).
pub struct Rasterizer {
    options: usvg::Options<'static>,
    /// Whether any font was found: without one, text is left out and the CLI says so.
    pub has_fonts: bool,
}

impl Rasterizer {
    pub fn new() -> Rasterizer {
        let mut options = usvg::Options::default();
        let db = options.fontdb_mut();
        db.load_system_fonts();
        // fontdb maps the generic `sans-serif` to Arial, which Linux machines rarely have:
        // take the first installed family of a few common ones instead.
        let families: Vec<String> = db
            .faces()
            .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
            .collect();
        for want in ["Arial", "Liberation Sans", "DejaVu Sans", "Noto Sans"] {
            if families.iter().any(|f| f == want) {
                db.set_sans_serif_family(want);
                break;
            }
        }
        let has_fonts = !families.is_empty();
        Rasterizer { options, has_fonts }
    }

    /// The PNG of one SVG document, at the SVG's own pixel size.
    pub fn png(&self, svg: &str) -> Result<Vec<u8>, String> {
        let tree = usvg::Tree::from_str(svg, &self.options).map_err(|e| format!("bad SVG: {e}"))?;
        let size = tree.size().to_int_size();
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
            .ok_or_else(|| format!("empty chart size {}x{}", size.width(), size.height()))?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
        pixmap
            .encode_png()
            .map_err(|e| format!("PNG encoding: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_svg_becomes_a_png_of_its_size() {
        let r = Rasterizer::new();
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="red"/><text x="2" y="15" font-family="sans-serif" font-size="12">ab</text></svg>"#;
        let png = r.png(svg).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // IHDR: width and height, big-endian, at bytes 16..24.
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 40);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 20);
        assert!(r.png("<not svg").unwrap_err().contains("bad SVG"));
    }

    /// With fonts installed (the CI machines have DejaVu and Liberation), text is drawn.
    #[test]
    fn text_is_drawn_with_the_system_fonts() {
        let r = Rasterizer::new();
        if !r.has_fonts {
            eprintln!("no system fonts: skipped");
            return;
        }
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><text x="2" y="15" font-family="sans-serif" font-size="14">Hit</text></svg>"#;
        let png = tiny_skia::Pixmap::decode_png(&r.png(svg).unwrap()).unwrap();
        let inked = png.pixels().iter().filter(|p| p.red() < 128).count();
        assert!(inked > 10, "{inked} dark pixels");
    }
}
