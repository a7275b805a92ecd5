//! Storage kernels: a scratch file that cannot outlive the run, and timed
//! sequential and random reads through the page cache or around it
//! (`O_DIRECT`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, Unavailable};
use crate::kernels::rng::SplitMix64;

/// Alignment `O_DIRECT` needs for buffers, offsets and lengths on common
/// Linux filesystems.
pub const DIRECT_ALIGN: usize = 4096;

/// A scratch file, written once with known bytes. Its name is removed from
/// the directory as soon as it is open, so nothing is left behind on any
/// path out — error, panic, Ctrl-C or kill.
#[derive(Debug)]
pub struct ScratchFile {
    file: File,
    direct: std::result::Result<File, Unavailable>,
    size: u64,
    dir: PathBuf,
}

/// Free bytes on the filesystem holding `dir`.
///
/// # Errors
/// `Unavailable` where the OS will not say.
pub fn free_bytes(dir: &Path) -> std::result::Result<u64, Unavailable> {
    fs_stats(dir).map(|(free, _)| free)
}

/// Total bytes of the filesystem holding `dir`.
///
/// # Errors
/// `Unavailable` where the OS will not say.
pub fn total_bytes(dir: &Path) -> std::result::Result<u64, Unavailable> {
    fs_stats(dir).map(|(_, total)| total)
}

/// (free for unprivileged users, total) bytes of the filesystem at `dir`.
fn fs_stats(dir: &Path) -> std::result::Result<(u64, u64), Unavailable> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
            .map_err(|_| Unavailable::new("the folder name contains a NUL byte"))?;
        // SAFETY: `c` is a valid NUL-terminated path; `st` is written by the
        // call and only read when it succeeds.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
            return Err(Unavailable::new(format!(
                "statvfs({}) failed: {}",
                dir.display(),
                std::io::Error::last_os_error()
            )));
        }
        let frag = st.f_frsize as u64;
        Ok((st.f_bavail as u64 * frag, st.f_blocks as u64 * frag))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Err(Unavailable::new("hpp reads filesystem sizes on Unix only"))
    }
}

impl ScratchFile {
    /// Create a file of `size` bytes (rounded up to 1 MiB) in `dir`, write
    /// it, flush it to the device and unlink its name.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a zero size, [`Error::TooBig`] when the
    /// filesystem lacks room for twice the size, [`Error::Io`] when the file
    /// cannot be created or written.
    pub fn create(dir: &Path, size: u64) -> Result<Self> {
        if size == 0 {
            return Err(Error::bad_input(
                "a 0-byte file measures nothing: give a size of 1 MiB or more",
            ));
        }
        let size = size.div_ceil(1 << 20) * (1 << 20);
        if let Ok(free) = free_bytes(dir)
            && free / 2 < size
        {
            return Err(Error::TooBig {
                what: format!("a scratch file in {}", dir.display()),
                needed_bytes: size.saturating_mul(2),
                available_bytes: free,
            });
        }
        let name = dir.join(format!(
            "hpp-storage-{}-{}.tmp",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        let ctx = |what: &str| format!("{what} {}", name.display());
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&name)
            .map_err(|e| Error::io(ctx("creating"), e))?;
        let direct = open_direct(&name);
        // From here on the name is gone; the open handles keep the data.
        let _ = std::fs::remove_file(&name);
        let mut chunk = vec![0u8; 1 << 20];
        let mut rng = SplitMix64::new(size);
        for _ in 0..size >> 20 {
            for w in chunk.chunks_exact_mut(8) {
                w.copy_from_slice(&rng.next_u64().to_le_bytes());
            }
            file.write_all(&chunk)
                .map_err(|e| Error::io(ctx("writing"), e))?;
        }
        file.sync_all().map_err(|e| Error::io(ctx("flushing"), e))?;
        Ok(ScratchFile {
            file,
            direct,
            size,
            dir: dir.to_path_buf(),
        })
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The folder it was created in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether reads around the page cache are possible here.
    pub fn direct(&self) -> std::result::Result<(), &Unavailable> {
        self.direct.as_ref().map(|_| ())
    }

    /// Read the whole file in `chunk`-byte reads; returns bytes read and the
    /// XOR of the first word of every 4 KiB page (so the reads cannot be
    /// skipped, and the answer does not depend on the chunk size).
    ///
    /// # Errors
    /// [`Error::Io`] on a failed read; `Unavailable` for direct reads where
    /// the filesystem refuses `O_DIRECT`.
    pub fn read_sequential(&self, chunk: usize, direct: bool) -> Result<(u64, u64)> {
        let f = self.handle(direct)?;
        let mut buf = AlignedBuf::new(chunk.max(DIRECT_ALIGN));
        let mut off = 0u64;
        let mut mix = 0u64;
        while off < self.size {
            let n = pread(f, buf.as_mut(), off)?;
            if n == 0 {
                break;
            }
            mix ^= page_mix(&buf.as_mut()[..n]);
            off += n as u64;
        }
        Ok((off, mix))
    }

    /// Reference for [`ScratchFile::read_sequential`]: the plainest loop of
    /// ordinary 4 KiB reads through `std::io::Read`, from the start.
    ///
    /// # Errors
    /// [`Error::Io`] on a failed read.
    pub fn read_reference(&self) -> Result<(u64, u64)> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = self
            .file
            .try_clone()
            .map_err(|e| Error::io("reopening the scratch file", e))?;
        f.seek(SeekFrom::Start(0))
            .map_err(|e| Error::io("seeking the scratch file", e))?;
        let mut page = [0u8; 4096];
        let (mut total, mut mix) = (0u64, 0u64);
        loop {
            let n = f
                .read(&mut page)
                .map_err(|e| Error::io("reading the scratch file", e))?;
            if n == 0 {
                return Ok((total, mix));
            }
            mix ^= page_mix(&page[..n]);
            total += n as u64;
        }
    }

    /// `count` reads of `block` bytes at random block-aligned offsets.
    ///
    /// # Errors
    /// As for [`ScratchFile::read_sequential`].
    pub fn read_random(&self, block: usize, count: usize, direct: bool, seed: u64) -> Result<u64> {
        let f = self.handle(direct)?;
        let block = block.max(DIRECT_ALIGN);
        let blocks = (self.size / block as u64).max(1) as usize;
        let mut buf = AlignedBuf::new(block);
        let mut rng = SplitMix64::new(seed);
        let mut mix = 0u64;
        for _ in 0..count {
            let off = rng.below(blocks) as u64 * block as u64;
            pread(f, buf.as_mut(), off)?;
            mix ^= u64::from_le_bytes(buf.as_mut()[..8].try_into().unwrap_or([0; 8]));
        }
        Ok(mix)
    }

    /// Ask the kernel to drop this file's pages from the page cache, so the
    /// next ordinary reads come from the device (Linux `posix_fadvise`).
    ///
    /// # Errors
    /// `Unavailable` where the OS has no such call.
    pub fn drop_cache(&self) -> std::result::Result<(), Unavailable> {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: the fd is open for the lifetime of `self`.
            let r = unsafe {
                libc::posix_fadvise(self.file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED)
            };
            if r == 0 {
                Ok(())
            } else {
                Err(Unavailable::new(format!(
                    "posix_fadvise failed (error {r})"
                )))
            }
        }
        #[cfg(not(target_os = "linux"))]
        Err(Unavailable::new(
            "dropping one file's cached pages needs Linux",
        ))
    }

    fn handle(&self, direct: bool) -> Result<&File> {
        if direct {
            self.direct
                .as_ref()
                .map_err(|u| Error::Unavailable(u.clone()))
        } else {
            Ok(&self.file)
        }
    }
}

/// XOR of the first 8-byte word of each 4 KiB page in `bytes` (which starts
/// on a page boundary of the file).
fn page_mix(bytes: &[u8]) -> u64 {
    bytes
        .chunks(4096)
        .filter_map(|p| p.get(..8))
        .map(|w| u64::from_le_bytes(w.try_into().unwrap_or([0; 8])))
        .fold(0, |a, b| a ^ b)
}

fn open_direct(path: &Path) -> std::result::Result<File, Unavailable> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        match OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECT)
            .open(path)
        {
            Ok(f) => {
                // Some filesystems accept the flag at open and refuse the read.
                let mut probe = AlignedBuf::new(DIRECT_ALIGN);
                match pread(&f, probe.as_mut(), 0) {
                    Ok(_) => Ok(f),
                    Err(e) => Err(Unavailable::new(format!(
                        "this filesystem refuses O_DIRECT reads ({e})"
                    ))),
                }
            }
            Err(e) => Err(Unavailable::new(format!(
                "this filesystem does not support O_DIRECT ({e})"
            ))),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        Err(Unavailable::new(
            "hpp reads around the page cache (O_DIRECT) on Linux only",
        ))
    }
}

fn pread(f: &File, buf: &mut [u8], off: u64) -> Result<usize> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        f.read_at(buf, off)
            .map_err(|e| Error::io("reading the scratch file", e))
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = f;
        f.seek(SeekFrom::Start(off))
            .map_err(|e| Error::io("seeking the scratch file", e))?;
        f.read(buf)
            .map_err(|e| Error::io("reading the scratch file", e))
    }
}

/// A byte buffer whose start is aligned for `O_DIRECT`.
struct AlignedBuf {
    raw: Vec<u8>,
    start: usize,
    len: usize,
}

impl AlignedBuf {
    fn new(len: usize) -> Self {
        let raw = vec![0u8; len + DIRECT_ALIGN];
        let start = raw.as_ptr().align_offset(DIRECT_ALIGN).min(DIRECT_ALIGN);
        AlignedBuf { raw, start, len }
    }

    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.raw[self.start..self.start + self.len]
    }
}
