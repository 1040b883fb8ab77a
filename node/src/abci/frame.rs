//! The socket protocol's framing (CometBFT `spec/abci/abci++_client_server.md`:
//! "Messages are serialized using Protobuf3 and length-prefixed with an
//! unsigned varint"): prost's varint and protobuf codecs over
//! tendermint-proto's v0.38 types, read with a bound on the frame size.
//!
//! tendermint-abci's and tower-abci's servers read frames of any length
//! into memory and panic on a request with no value, so the node reads
//! frames itself: a frame longer than the bound, a bad length prefix or a
//! body that is not a `Request` is an error the server answers with an
//! exception before closing the connection.

use std::io::{self, Read, Write};

use prost::Message;
use tendermint_proto::v0_38::abci::{Request, Response};

/// The largest request frame read by default: CometBFT's largest block
/// (`block.max_bytes` at most 100 MiB) with room for the rest of the request.
pub const DEFAULT_MAX_FRAME: usize = 128 << 20;

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The peer closed the connection between frames.
    #[error("the connection was closed")]
    Closed,
    /// Reading failed (or the peer closed it inside a frame).
    #[error("reading a request failed: {0}")]
    Io(#[from] io::Error),
    /// A length prefix that is not a valid varint.
    #[error("malformed frame: the length prefix is not a valid unsigned varint")]
    BadLength,
    /// A frame longer than the bound.
    #[error("frame of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The announced length.
        len: u64,
        /// The bound.
        max: usize,
    },
    /// A body that does not decode as a `Request`.
    #[error("malformed frame: the body is not an ABCI request: {0}")]
    Malformed(#[from] prost::DecodeError),
}

/// Reads one request, refusing frames longer than `max` bytes before
/// reading their body.
///
/// # Errors
///
/// [`FrameError`]; the connection should be closed after any of them.
pub fn read_request(r: &mut impl Read, max: usize) -> Result<Request, FrameError> {
    let mut prefix = Vec::with_capacity(10);
    loop {
        let mut byte = [0u8; 1];
        match r.read(&mut byte) {
            Ok(0) if prefix.is_empty() => return Err(FrameError::Closed),
            Ok(0) => return Err(FrameError::Io(io::ErrorKind::UnexpectedEof.into())),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FrameError::Io(e)),
        }
        prefix.push(byte[0]);
        if byte[0] & 0x80 == 0 {
            break;
        }
        if prefix.len() == 10 {
            return Err(FrameError::BadLength);
        }
    }
    let len = prost::encoding::decode_varint(&mut prefix.as_slice())
        .map_err(|_| FrameError::BadLength)?;
    if len > max as u64 {
        return Err(FrameError::TooLarge { len, max });
    }
    let mut body = vec![0u8; usize::try_from(len).map_err(|_| FrameError::BadLength)?];
    r.read_exact(&mut body)?;
    Ok(Request::decode(body.as_slice())?)
}

/// Writes one response frame and flushes it.
///
/// # Errors
///
/// The write failed.
pub fn write_response(w: &mut impl Write, response: &Response) -> io::Result<()> {
    w.write_all(&response.encode_length_delimited_to_vec())?;
    w.flush()
}
