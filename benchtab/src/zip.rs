//! A minimal ZIP writer (stored entries, no compression) so that "Export all" hands the user one
//! file instead of a burst of downloads, which browsers throttle or block. Stored entries keep it
//! tiny: PNGs are already compressed, and the CSV/JSON/SVG files are small. Format: PKWARE APPNOTE 6.3.x, sections 4.3.7 (local header), 4.3.12
//! (central directory) and 4.3.16 (end of central directory).

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bit by bit.
/// Hand-written on purpose: `crc32fast` ships a 16 KB slicing table that cost the page about
/// 16 KB gzipped, and even a 1 KB byte table costs 1 KB gzipped (it does not compress). An export
/// of a few files does not need the speed.
fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |mut c, &b| {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = (c >> 1) ^ (0xEDB8_8320 & (c & 1).wrapping_neg());
        }
        c
    })
}

/// One file of the archive: its name and contents.
pub struct ZipEntry {
    pub name: String,
    pub data: Vec<u8>,
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// The fields a local header and its central-directory record share, from "version needed"
/// to "extra field length" (APPNOTE 4.3.7 / 4.3.12).
fn shared_fields(out: &mut Vec<u8>, crc: u32, size: u32, name_len: u16) {
    u16le(out, 20); // version needed: 2.0
    u16le(out, 0x0800); // flags: names are UTF-8
    u16le(out, 0); // method: stored
    u16le(out, 0); // time
    u16le(out, 0x21); // date: 1980-01-01
    u32le(out, crc);
    u32le(out, size); // compressed size
    u32le(out, size); // uncompressed size
    u16le(out, name_len);
    u16le(out, 0); // extra field length
}

/// Build a ZIP archive with every entry stored. Fails when the archive would need ZIP64
/// (more than 65535 entries or 4 GiB), which an export never comes near.
pub fn store_zip(entries: &[ZipEntry]) -> Result<Vec<u8>, String> {
    if entries.len() > u16::MAX as usize {
        return Err("too many files for one archive".into());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let name = e.name.as_bytes();
        let (Ok(size), Ok(name_len), Ok(offset)) = (
            u32::try_from(e.data.len()),
            u16::try_from(name.len()),
            u32::try_from(out.len()),
        ) else {
            return Err(format!("`{}` is too large for the archive", e.name));
        };
        let crc = crc32(&e.data);
        // Local file header.
        u32le(&mut out, 0x0403_4b50);
        shared_fields(&mut out, crc, size, name_len);
        out.extend_from_slice(name);
        out.extend_from_slice(&e.data);
        // Central directory record.
        u32le(&mut central, 0x0201_4b50);
        u16le(&mut central, 20); // made by: 2.0
        shared_fields(&mut central, crc, size, name_len);
        u16le(&mut central, 0); // comment length
        u16le(&mut central, 0); // disk
        u16le(&mut central, 0); // internal attributes
        u32le(&mut central, 0); // external attributes
        u32le(&mut central, offset);
        central.extend_from_slice(name);
    }
    let (Ok(cd_offset), Ok(cd_size)) = (u32::try_from(out.len()), u32::try_from(central.len()))
    else {
        return Err("the archive is too large".into());
    };
    out.extend_from_slice(&central);
    let count = entries.len() as u16;
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, count);
    u16le(&mut out, count);
    u32le(&mut out, cd_size);
    u32le(&mut out, cd_offset);
    u16le(&mut out, 0); // comment length
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, data: &[u8]) -> ZipEntry {
        ZipEntry {
            name: name.into(),
            data: data.to_vec(),
        }
    }

    fn read_u32(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }
    fn read_u16(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }

    #[test]
    fn layout_matches_the_spec() {
        let zip = store_zip(&[entry("a.txt", b"hello"), entry("b/c.csv", b"x,y\n1,2\n")]).unwrap();
        // Local header of the first entry, its CRC (CRC-32 of "hello" is 0x3610a686), its data.
        assert_eq!(read_u32(&zip, 0), 0x0403_4b50);
        assert_eq!(read_u32(&zip, 14), 0x3610_a686);
        assert_eq!(read_u32(&zip, 18), 5);
        assert_eq!(&zip[30..35], b"a.txt");
        assert_eq!(&zip[35..40], b"hello");
        // End of central directory: 22 bytes at the end, 2 entries, pointing at the directory.
        let eocd = zip.len() - 22;
        assert_eq!(read_u32(&zip, eocd), 0x0605_4b50);
        assert_eq!(read_u16(&zip, eocd + 10), 2);
        let cd = read_u32(&zip, eocd + 16) as usize;
        assert_eq!(read_u32(&zip, cd), 0x0201_4b50);
        assert_eq!(read_u32(&zip, cd + 42), 0, "first entry at offset 0");
        let second = cd + 46 + 5;
        assert_eq!(read_u32(&zip, second), 0x0201_4b50);
        assert_eq!(&zip[second + 46..second + 46 + 7], b"b/c.csv");
        assert_eq!(read_u32(&zip, second + 42) as usize, 30 + 5 + 5);
    }

    #[test]
    fn crc32_matches_the_standard_check_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn an_empty_archive_is_just_the_end_record() {
        let zip = store_zip(&[]).unwrap();
        assert_eq!(zip.len(), 22);
        assert_eq!(read_u32(&zip, 0), 0x0605_4b50);
    }
}
