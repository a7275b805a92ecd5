//! A GPU, if there is one: the NVIDIA driver's own library (`libcuda`),
//! opened at run time, lists the CUDA devices and times copies of a buffer
//! from host memory to the device and back. Nothing is linked at build
//! time, so hpp builds and runs the same on machines without a GPU: there
//! the answer is why not ("no NVIDIA driver: …").
//!
//! # Platforms
//! Linux with an NVIDIA driver (`libcuda.so.1`). Elsewhere unavailable.

use serde::{Deserialize, Serialize};

use crate::error::Fact;

/// One CUDA device, as the driver names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// The driver's name for it, e.g. "NVIDIA H200".
    pub name: String,
    /// Its memory in bytes.
    pub memory_bytes: u64,
    /// The driver's CUDA version, e.g. 12040 for 12.4.
    pub driver_version: i32,
}

/// Copy times for one buffer size, host memory (ordinary, pageable: what
/// numpy's arrays live in) to device 0 and back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyTime {
    /// Bytes copied each way.
    pub bytes: u64,
    /// Median seconds host → device.
    pub to_device_s: f64,
    /// Median seconds device → host.
    pub to_host_s: f64,
}

/// The CUDA devices, or why there are none.
pub fn devices() -> Fact<Vec<Device>> {
    imp::devices()
}

/// Copy `values` to device 0 and back `runs` times each way, checking the
/// round trip returns the same values; median times.
pub fn copy_times(values: &[f64], runs: usize) -> Fact<CopyTime> {
    imp::copy_times(values, runs.max(1))
}

#[cfg(all(target_os = "linux", not(feature = "force-fallback")))]
mod imp {
    use std::ffi::{CStr, c_char, c_int, c_uint, c_void};
    use std::time::Instant;

    use super::{CopyTime, Device};
    use crate::error::Fact;

    type CuResult = c_int;
    type CuDevice = c_int;
    type CuContext = *mut c_void;
    type CuPtr = u64;

    /// The driver entry points hpp uses, looked up by name.
    struct Driver {
        handle: *mut c_void,
        init: unsafe extern "C" fn(c_uint) -> CuResult,
        version: unsafe extern "C" fn(*mut c_int) -> CuResult,
        count: unsafe extern "C" fn(*mut c_int) -> CuResult,
        get: unsafe extern "C" fn(*mut CuDevice, c_int) -> CuResult,
        name: unsafe extern "C" fn(*mut c_char, c_int, CuDevice) -> CuResult,
        total_mem: unsafe extern "C" fn(*mut usize, CuDevice) -> CuResult,
        retain: unsafe extern "C" fn(*mut CuContext, CuDevice) -> CuResult,
        release: unsafe extern "C" fn(CuDevice) -> CuResult,
        set_current: unsafe extern "C" fn(CuContext) -> CuResult,
        alloc: unsafe extern "C" fn(*mut CuPtr, usize) -> CuResult,
        free: unsafe extern "C" fn(CuPtr) -> CuResult,
        to_device: unsafe extern "C" fn(CuPtr, *const c_void, usize) -> CuResult,
        to_host: unsafe extern "C" fn(*mut c_void, CuPtr, usize) -> CuResult,
    }

    impl Drop for Driver {
        fn drop(&mut self) {
            // SAFETY: the handle came from dlopen and is closed once.
            unsafe { libc::dlclose(self.handle) };
        }
    }

    /// The library's symbol `name` as a function pointer of type `F`.
    ///
    /// # Safety
    /// `F` must be the symbol's C signature, and `handle` a live dlopen
    /// handle.
    unsafe fn symbol<F: Copy>(handle: *mut c_void, name: &CStr) -> Result<F, String> {
        assert_eq!(size_of::<F>(), size_of::<*mut c_void>());
        // SAFETY: a live handle and a NUL-terminated name (the caller's).
        let p = unsafe { libc::dlsym(handle, name.as_ptr()) };
        if p.is_null() {
            return Err(format!(
                "the NVIDIA driver has no {} (too old?)",
                name.to_string_lossy()
            ));
        }
        // SAFETY: a non-null function address, read as the function pointer
        // type the caller vouches for (same size, checked above).
        Ok(unsafe { std::mem::transmute_copy::<*mut c_void, F>(&p) })
    }

    fn check(what: &str, r: CuResult) -> Result<(), String> {
        if r == 0 {
            Ok(())
        } else {
            Err(format!("the CUDA driver's {what} failed (error {r})"))
        }
    }

    impl Driver {
        fn open() -> Result<Driver, String> {
            // SAFETY: a constant, NUL-terminated library name.
            let handle = unsafe { libc::dlopen(c"libcuda.so.1".as_ptr(), libc::RTLD_NOW) };
            if handle.is_null() {
                return Err("libcuda.so.1, the NVIDIA driver's library, is not installed".into());
            }
            // SAFETY (every symbol below): each is the driver API function
            // of that name, whose C signature the field's type spells
            // (CUDA driver API, cuda.h).
            let found = unsafe {
                (|| {
                    Ok::<_, String>(Driver {
                        handle,
                        init: symbol(handle, c"cuInit")?,
                        version: symbol(handle, c"cuDriverGetVersion")?,
                        count: symbol(handle, c"cuDeviceGetCount")?,
                        get: symbol(handle, c"cuDeviceGet")?,
                        name: symbol(handle, c"cuDeviceGetName")?,
                        total_mem: symbol(handle, c"cuDeviceTotalMem_v2")?,
                        retain: symbol(handle, c"cuDevicePrimaryCtxRetain")?,
                        release: symbol(handle, c"cuDevicePrimaryCtxRelease_v2")?,
                        set_current: symbol(handle, c"cuCtxSetCurrent")?,
                        alloc: symbol(handle, c"cuMemAlloc_v2")?,
                        free: symbol(handle, c"cuMemFree_v2")?,
                        to_device: symbol(handle, c"cuMemcpyHtoD_v2")?,
                        to_host: symbol(handle, c"cuMemcpyDtoH_v2")?,
                    })
                })()
            };
            let d = match found {
                Ok(d) => d,
                Err(why) => {
                    // SAFETY: the handle came from dlopen; no Driver owns it.
                    unsafe { libc::dlclose(handle) };
                    return Err(why);
                }
            };
            // SAFETY: cuInit takes flags 0.
            let r = unsafe { (d.init)(0) };
            if r != 0 {
                return Err(format!(
                    "the NVIDIA driver is installed but found no usable GPU (cuInit error {r})"
                ));
            }
            Ok(d)
        }

        fn list(&self) -> Result<Vec<Device>, String> {
            let mut version = 0;
            let mut count = 0;
            // SAFETY: out-pointers to live integers.
            unsafe {
                check("version query", (self.version)(&mut version))?;
                check("device count", (self.count)(&mut count))?;
            }
            (0..count)
                .map(|i| {
                    let mut dev = 0;
                    let mut name = [0 as c_char; 256];
                    let mut bytes = 0usize;
                    // SAFETY: out-pointers to live values; the name buffer's
                    // length is passed.
                    unsafe {
                        check("device lookup", (self.get)(&mut dev, i))?;
                        check("device name", (self.name)(name.as_mut_ptr(), 256, dev))?;
                        check("memory query", (self.total_mem)(&mut bytes, dev))?;
                    }
                    // SAFETY: the driver wrote a NUL-terminated name into the
                    // zeroed buffer (its last byte stays NUL).
                    let name = unsafe { CStr::from_ptr(name.as_ptr()) };
                    Ok(Device {
                        name: name.to_string_lossy().trim().to_string(),
                        memory_bytes: bytes as u64,
                        driver_version: version,
                    })
                })
                .collect()
        }
    }

    pub fn devices() -> Fact<Vec<Device>> {
        match Driver::open().and_then(|d| d.list()) {
            Ok(v) if v.is_empty() => Fact::unavailable("the NVIDIA driver lists no CUDA device"),
            Ok(v) => Fact::Known(v),
            Err(why) => Fact::unavailable(why),
        }
    }

    pub fn copy_times(values: &[f64], runs: usize) -> Fact<CopyTime> {
        match copy(values, runs) {
            Ok(c) => Fact::Known(c),
            Err(why) => Fact::unavailable(why),
        }
    }

    fn copy(values: &[f64], runs: usize) -> Result<CopyTime, String> {
        let d = Driver::open()?;
        if d.list()?.is_empty() {
            return Err("the NVIDIA driver lists no CUDA device".into());
        }
        let bytes = std::mem::size_of_val(values);
        let mut dev = 0;
        let mut ctx: CuContext = std::ptr::null_mut();
        // SAFETY: out-pointers to live values; device 0 exists (listed).
        unsafe {
            check("device lookup", (d.get)(&mut dev, 0))?;
            check("context", (d.retain)(&mut ctx, dev))?;
        }
        let result = (|| {
            let mut buf: CuPtr = 0;
            // SAFETY: the primary context of device 0, made current.
            unsafe {
                check("context", (d.set_current)(ctx))?;
                check("allocation", (d.alloc)(&mut buf, bytes.max(1)))?;
            }
            let mut back = vec![0.0f64; values.len()];
            let mut up = Vec::with_capacity(runs);
            let mut down = Vec::with_capacity(runs);
            let timed = (|| {
                for _ in 0..=runs {
                    let t0 = Instant::now();
                    // SAFETY: `buf` holds `bytes`; `values` is `bytes` long.
                    unsafe {
                        check(
                            "copy to the device",
                            (d.to_device)(buf, values.as_ptr().cast(), bytes),
                        )?
                    };
                    up.push(t0.elapsed().as_secs_f64());
                    let t0 = Instant::now();
                    // SAFETY: `back` is `bytes` long; `buf` holds `bytes`.
                    unsafe {
                        check(
                            "copy to the host",
                            (d.to_host)(back.as_mut_ptr().cast(), buf, bytes),
                        )?
                    };
                    down.push(t0.elapsed().as_secs_f64());
                }
                Ok::<(), String>(())
            })();
            // SAFETY: `buf` came from cuMemAlloc and is freed once.
            unsafe { (d.free)(buf) };
            timed?;
            if back != values {
                return Err("the grid came back from the GPU changed".into());
            }
            // The first round trip pays for setting the copy up: not timed.
            let median = |v: &mut Vec<f64>| {
                v.remove(0);
                crate::measure::stats::median(v).unwrap_or(f64::NAN)
            };
            Ok(CopyTime {
                bytes: bytes as u64,
                to_device_s: median(&mut up),
                to_host_s: median(&mut down),
            })
        })();
        // SAFETY: releases the primary context retained above.
        unsafe { (d.release)(dev) };
        result
    }
}

#[cfg(not(all(target_os = "linux", not(feature = "force-fallback"))))]
mod imp {
    use super::{CopyTime, Device};
    use crate::error::Fact;

    const WHY: &str = "hpp looks for a CUDA GPU through the NVIDIA driver on Linux only";

    pub fn devices() -> Fact<Vec<Device>> {
        Fact::unavailable(WHY)
    }

    pub fn copy_times(_values: &[f64], _runs: usize) -> Fact<CopyTime> {
        Fact::unavailable(WHY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gpu_is_listed_or_the_reason_says_why() {
        match devices() {
            Fact::Known(v) => {
                assert!(!v.is_empty() && v.iter().all(|d| !d.name.is_empty()));
                let grid = vec![0.25; 1 << 16];
                let Fact::Known(c) = copy_times(&grid, 3) else {
                    panic!("a GPU that cannot copy");
                };
                assert_eq!(c.bytes, 1 << 19);
                assert!(c.to_device_s > 0.0 && c.to_host_s > 0.0);
            }
            Fact::Unavailable(u) => {
                assert!(!u.unavailable.is_empty());
                assert!(!copy_times(&[1.0], 1).is_known());
            }
        }
    }
}
