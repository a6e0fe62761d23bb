//! Compressed landing files, recognised by their name's extension as Glue and Spark do: gzip
//! (`.gz`, what Kinesis Data Firehose writes), bzip2 (`.bz2`), zstd (`.zst`), zlib (`.deflate`,
//! Hadoop's DefaultCodec), and snappy and lz4 (`.snappy`, `.lz4`) in Hadoop's block framing (what
//! Spark's `compression` option writes) or in their own framing formats (`lz4` and `snzip`-style
//! tools), told apart by their magic bytes. Each decoder streams (multi-member gzip and
//! multi-stream bzip2 included); files are decompressed in parallel, one per pool thread.
//!
//! Sinks write the same codecs ([`Codec::compress`]) as Spark's and Glue's JSON and CSV writers do
//! through Hadoop's codecs, so PySpark and Athena read the files back.
//!
//! A file that fails to decompress is quarantined whole: gzip's and bzip2's checksums are checked
//! only at the end of a member, so text before the damage is not known to be intact.

use std::io::Read;

/// A file that decompresses to more than this is refused (quarantined) instead of exhausting
/// memory: the whole text is held while it is decoded.
pub(crate) const MAX_DECOMPRESSED_BYTES: u64 = 32 << 30;

/// Magic bytes of the LZ4 frame format and of snappy's framing format (its stream identifier).
const LZ4_FRAME_MAGIC: &[u8] = &[0x04, 0x22, 0x4D, 0x18];
const SNAPPY_FRAME_MAGIC: &[u8] = b"\xff\x06\x00\x00sNaPpY";

/// A codec of compressed landing files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    Gzip,
    Bzip2,
    Zstd,
    /// zlib, as Hadoop's `DefaultCodec` writes it (`.deflate`).
    Deflate,
    /// Hadoop's `SnappyCodec`: blocks of raw snappy behind big-endian lengths.
    HadoopSnappy,
    /// Hadoop's `Lz4Codec`: blocks of raw lz4 behind big-endian lengths.
    HadoopLz4,
}

impl Codec {
    /// The codec a file name's extension names, if any (case-insensitive).
    #[must_use]
    pub(crate) fn of(name: &str) -> Option<Self> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "gz" | "gzip" => Some(Codec::Gzip),
            "bz2" => Some(Codec::Bzip2),
            "zst" | "zstd" => Some(Codec::Zstd),
            "deflate" => Some(Codec::Deflate),
            "snappy" => Some(Codec::HadoopSnappy),
            "lz4" => Some(Codec::HadoopLz4),
            _ => None,
        }
    }

    /// The codec's name in messages.
    #[must_use]
    pub(crate) fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Bzip2 => "bzip2",
            Codec::Zstd => "zstd",
            Codec::Deflate => "deflate (zlib)",
            Codec::HadoopSnappy => "snappy (Hadoop framing)",
            Codec::HadoopLz4 => "lz4 (Hadoop framing)",
        }
    }

    /// Spark's and Glue's names of a text file's codec (`compression=`), case-insensitive:
    /// `bzip2`, `deflate`, `gzip`, `lz4`, `snappy`, `zstd`, or a Hadoop codec's class name.
    /// `None` for a name that is no codec (`none` and `uncompressed` are for the caller).
    #[must_use]
    pub(crate) fn named(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        let short = lower.strip_prefix("org.apache.hadoop.io.compress.").unwrap_or(&lower);
        Some(match short {
            "gzip" | "gz" | "gzipcodec" => Codec::Gzip,
            "bzip2" | "bz2" | "bzip2codec" => Codec::Bzip2,
            "zstd" | "zstandardcodec" => Codec::Zstd,
            "deflate" | "defaultcodec" | "deflatecodec" => Codec::Deflate,
            "snappy" | "snappycodec" => Codec::HadoopSnappy,
            "lz4" | "lz4codec" => Codec::HadoopLz4,
            _ => return None,
        })
    }

    /// The extension Hadoop's codec gives the files it writes (and [`Codec::of`] reads back).
    #[must_use]
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Codec::Gzip => "gz",
            Codec::Bzip2 => "bz2",
            Codec::Zstd => "zst",
            Codec::Deflate => "deflate",
            Codec::HadoopSnappy => "snappy",
            Codec::HadoopLz4 => "lz4",
        }
    }

    /// Compress `text` as Hadoop's codec of the same name writes a file: one gzip member, one
    /// bzip2 stream, one zstd frame, one zlib stream, or Hadoop's block framing of raw snappy or
    /// lz4.
    ///
    /// # Errors
    /// The encoder's I/O error (none is expected writing to memory).
    pub(crate) fn compress(self, text: &[u8]) -> std::io::Result<Vec<u8>> {
        use std::io::Write;
        match self {
            Codec::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(text)?;
                encoder.finish()
            }
            Codec::Bzip2 => {
                let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
                encoder.write_all(text)?;
                encoder.finish()
            }
            Codec::Zstd => zstd::encode_all(text, 1),
            Codec::Deflate => {
                let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(text)?;
                encoder.finish()
            }
            Codec::HadoopSnappy => {
                let mut encoder = snap::raw::Encoder::new();
                hadoop_framed(text, |block| encoder.compress_vec(block).map_err(std::io::Error::other))
            }
            Codec::HadoopLz4 => hadoop_framed(text, |block| Ok(lz4_flex::block::compress(block))),
        }
    }

    /// Decompress `stored`.
    ///
    /// # Errors
    /// The codec's own message when the data is not valid for it (corrupt or truncated).
    pub(crate) fn decompress(self, stored: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            Codec::Gzip => read_all(flate2::read::MultiGzDecoder::new(stored), stored.len()),
            Codec::Bzip2 => read_all(bzip2::read::MultiBzDecoder::new(stored), stored.len()),
            Codec::Zstd => {
                read_all(zstd::stream::read::Decoder::with_buffer(stored).map_err(|e| e.to_string())?, stored.len())
            }
            Codec::Deflate => read_all(flate2::read::ZlibDecoder::new(stored), stored.len()),
            Codec::HadoopSnappy if stored.starts_with(SNAPPY_FRAME_MAGIC) => {
                read_all(snap::read::FrameDecoder::new(stored), stored.len())
            }
            Codec::HadoopLz4 if stored.starts_with(LZ4_FRAME_MAGIC) => {
                read_all(lz4_flex::frame::FrameDecoder::new(stored), stored.len())
            }
            Codec::HadoopSnappy => hadoop_blocks(stored, snappy_block),
            Codec::HadoopLz4 => hadoop_blocks(stored, lz4_block),
        }
    }
}

/// Everything `reader` decompresses, up to [`MAX_DECOMPRESSED_BYTES`].
fn read_all(reader: impl Read, stored: usize) -> Result<Vec<u8>, String> {
    // A guess for the first allocation only, kept small: the text grows as it comes.
    let mut text = Vec::with_capacity(stored.saturating_mul(4).min(64 << 20));
    reader.take(MAX_DECOMPRESSED_BYTES + 1).read_to_end(&mut text).map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_DECOMPRESSED_BYTES {
        return Err(format!("it decompresses to more than {MAX_DECOMPRESSED_BYTES} bytes"));
    }
    Ok(text)
}

/// A landing file's content after looking at its name.
#[derive(Debug)]
pub(crate) enum Content {
    /// Not compressed: use the stored bytes.
    Plain,
    Decompressed(Vec<u8>),
    /// Compressed but unreadable: the reason, for the quarantine.
    Corrupt(String),
}

/// Decompress `stored` if `name` says it is compressed.
#[must_use]
pub(crate) fn decompress_named(name: &str, stored: &[u8]) -> Content {
    let Some(codec) = Codec::of(name) else { return Content::Plain };
    match codec.decompress(stored) {
        Ok(text) => Content::Decompressed(text),
        Err(reason) => Content::Corrupt(format!(
            "the {} file could not be decompressed ({reason}); none of its records were read",
            codec.name()
        )),
    }
}

/// Hadoop's `BlockCompressorStream` framing: repeated blocks of a 4-byte big-endian uncompressed
/// length, then compressed chunks (each a 4-byte big-endian length and the chunk) until that many
/// bytes came out.
fn hadoop_blocks(mut stored: &[u8], chunk: fn(&[u8], usize) -> Result<Vec<u8>, String>) -> Result<Vec<u8>, String> {
    fn length(stored: &mut &[u8], what: &str) -> Result<usize, String> {
        let (head, rest) =
            stored.split_first_chunk::<4>().ok_or_else(|| format!("truncated: a {what} length is cut off"))?;
        *stored = rest;
        usize::try_from(u32::from_be_bytes(*head)).map_err(|e| e.to_string())
    }
    let mut text = Vec::new();
    while !stored.is_empty() {
        let block = length(&mut stored, "block")?;
        let mut produced = 0;
        while produced < block {
            let size = length(&mut stored, "chunk")?;
            let body = stored.get(..size).ok_or("truncated: a chunk is cut off")?;
            stored = &stored[size..];
            let part = chunk(body, block - produced)?;
            if part.is_empty() {
                return Err("a chunk decompressed to nothing".into());
            }
            produced += part.len();
            text.extend_from_slice(&part);
            if text.len() as u64 > MAX_DECOMPRESSED_BYTES {
                return Err(format!("it decompresses to more than {MAX_DECOMPRESSED_BYTES} bytes"));
            }
        }
        if produced != block {
            return Err(format!("a block decompressed to {produced} bytes instead of {block}"));
        }
    }
    Ok(text)
}

/// Uncompressed bytes per Hadoop block: under the 256 KiB buffer Hadoop's snappy and lz4
/// decompressors allocate (`io.compression.codec.*.buffersize`), with room for their overhead.
const HADOOP_BLOCK: usize = 128 << 10;

/// [`hadoop_blocks`]' framing written: each block of at most [`HADOOP_BLOCK`] bytes as its length
/// and one compressed chunk.
fn hadoop_framed(text: &[u8], mut compress: impl FnMut(&[u8]) -> std::io::Result<Vec<u8>>) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 2 + 16);
    for block in text.chunks(HADOOP_BLOCK) {
        let chunk = compress(block)?;
        for length in [block.len(), chunk.len()] {
            let length = u32::try_from(length).map_err(std::io::Error::other)?;
            out.extend_from_slice(&length.to_be_bytes());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn snappy_block(body: &[u8], left: usize) -> Result<Vec<u8>, String> {
    // The chunk states its length: more than is left of its block is corrupt (and would only
    // make us allocate what a corrupt header claims).
    let claimed = snap::raw::decompress_len(body).map_err(|e| e.to_string())?;
    if claimed > left {
        return Err(format!("a chunk claims {claimed} bytes, more than the {left} left in its block"));
    }
    snap::raw::Decoder::new().decompress_vec(body).map_err(|e| e.to_string())
}

fn lz4_block(body: &[u8], left: usize) -> Result<Vec<u8>, String> {
    // A chunk decompresses to at most what is left of its block, and lz4 expands at most 255×.
    let most = left.min(body.len().saturating_mul(255).saturating_add(16));
    lz4_flex::block::decompress(body, most).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const TEXT: &[u8] = b"{\"user\":\"a\",\"timestamp\":1}\n{\"user\":\"b\",\"timestamp\":2}\n";

    fn hadoop_frame(chunks: &[Vec<u8>], block: usize) -> Vec<u8> {
        let mut out = (u32::try_from(block).unwrap()).to_be_bytes().to_vec();
        for chunk in chunks {
            out.extend_from_slice(&u32::try_from(chunk.len()).unwrap().to_be_bytes());
            out.extend_from_slice(chunk);
        }
        out
    }

    #[test]
    fn each_codec_round_trips() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(TEXT).unwrap();
        let mut gz = gz.finish().unwrap();
        // A second gzip member (concatenated files, as `cat a.gz b.gz` gives) is read too.
        gz.extend(gz.clone());
        assert_eq!(Codec::Gzip.decompress(&gz).unwrap(), [TEXT, TEXT].concat());

        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz.write_all(TEXT).unwrap();
        assert_eq!(Codec::Bzip2.decompress(&bz.finish().unwrap()).unwrap(), TEXT);

        let zst = zstd::stream::encode_all(TEXT, 1).unwrap();
        assert_eq!(Codec::Zstd.decompress(&zst).unwrap(), TEXT);

        let (first, second) = TEXT.split_at(20);
        let snappy: Vec<Vec<u8>> =
            [first, second].iter().map(|part| snap::raw::Encoder::new().compress_vec(part).unwrap()).collect();
        assert_eq!(Codec::HadoopSnappy.decompress(&hadoop_frame(&snappy, TEXT.len())).unwrap(), TEXT);

        let lz4 = vec![lz4_flex::block::compress(TEXT)];
        let framed = [hadoop_frame(&lz4, TEXT.len()), hadoop_frame(&lz4, TEXT.len())].concat();
        assert_eq!(Codec::HadoopLz4.decompress(&framed).unwrap(), [TEXT, TEXT].concat());

        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(TEXT).unwrap();
        assert_eq!(Codec::Deflate.decompress(&zlib.finish().unwrap()).unwrap(), TEXT);

        // The tools' own framing formats, told from Hadoop's by their magic bytes.
        let mut lz4_frame = lz4_flex::frame::FrameEncoder::new(Vec::new());
        lz4_frame.write_all(TEXT).unwrap();
        assert_eq!(Codec::HadoopLz4.decompress(&lz4_frame.finish().unwrap()).unwrap(), TEXT);
        let mut snappy_frame = snap::write::FrameEncoder::new(Vec::new());
        snappy_frame.write_all(TEXT).unwrap();
        assert_eq!(Codec::HadoopSnappy.decompress(&snappy_frame.into_inner().unwrap()).unwrap(), TEXT);
    }

    #[test]
    fn what_each_codec_writes_reads_back_across_blocks() {
        // More than two Hadoop blocks, so the framing's block loop is exercised.
        let text: Vec<u8> = (0..40_000).flat_map(|i| format!("{{\"n\":{i}}}\n").into_bytes()).collect();
        assert!(text.len() > 2 * HADOOP_BLOCK);
        for codec in [Codec::Gzip, Codec::Bzip2, Codec::Zstd, Codec::Deflate, Codec::HadoopSnappy, Codec::HadoopLz4] {
            let stored = codec.compress(&text).unwrap();
            assert!(stored.len() < text.len() / 2, "{codec:?}");
            assert_eq!(Codec::of(&format!("part-0.json.{}", codec.extension())), Some(codec));
            assert_eq!(codec.decompress(&stored).unwrap(), text, "{codec:?}");
        }
        assert_eq!(Codec::named("org.apache.hadoop.io.compress.GzipCodec"), Some(Codec::Gzip));
        assert_eq!(Codec::named("SNAPPY"), Some(Codec::HadoopSnappy));
        assert_eq!(Codec::named("none"), None);
    }

    #[test]
    fn names_choose_the_codec() {
        assert_eq!(Codec::of("customer-1.json.gz"), Some(Codec::Gzip));
        assert_eq!(Codec::of("part-0000.JSON.ZST"), Some(Codec::Zstd));
        assert_eq!(Codec::of("a.json.bz2"), Some(Codec::Bzip2));
        assert_eq!(Codec::of("a.json"), None);
        assert_eq!(Codec::of("gz"), None);
        assert!(matches!(decompress_named("a.json", b"x"), Content::Plain));
    }

    #[test]
    fn corrupt_and_truncated_data_are_errors_not_panics() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(TEXT).unwrap();
        let gz = gz.finish().unwrap();
        for codec in [Codec::Gzip, Codec::Bzip2, Codec::Zstd, Codec::Deflate, Codec::HadoopSnappy, Codec::HadoopLz4] {
            assert!(codec.decompress(b"this is plain text, not compressed").is_err(), "{codec:?}");
            assert!(codec.decompress(&gz[..gz.len() / 2]).is_err(), "{codec:?}");
        }
        let Content::Corrupt(reason) = decompress_named("x.json.gz", &gz[..10]) else { panic!("not corrupt") };
        assert!(reason.starts_with("the gzip file could not be decompressed"), "{reason}");
        // A Hadoop block that claims more than its chunks give.
        let lz4 = vec![lz4_flex::block::compress(TEXT)];
        assert!(Codec::HadoopLz4.decompress(&hadoop_frame(&lz4, TEXT.len() + 5)).is_err());
    }
}
