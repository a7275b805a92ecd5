#!/usr/bin/env bash
# Side-by-side check of hpp's memory kernels against small C kernels of the
# same method, compiled with -O3 -march=native, in one run on this machine.
# Prints each figure and the ratio hpp / C. Usage: benches/ruler.sh [latency|bandwidth|flops|julia|diffusion|all]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo build --release --quiet
gcc -O3 -march=native -o "$out/latency" benches/c/latency.c
gcc -O3 -march=native -pthread -o "$out/bandwidth" benches/c/bandwidth.c
gcc -O3 -march=native -o "$out/flops" benches/c/flops.c
gcc -O3 -march=native -ffp-contract=off -o "$out/julia" benches/c/julia.c
gcc -O3 -march=native -o "$out/diffusion" benches/c/diffusion.c
export HPP_PROGRESS=0
hpp=target/release/hpp

if [[ $what == latency || $what == all ]]; then
  $hpp run latency --json "$out/lat.json" >/dev/null
  sizes=$(python3 -c "import json;print(' '.join(str(l['size_bytes']) for l in json.load(open('$out/lat.json'))['levels']))")
  "$out/latency" $sizes >"$out/lat_c.txt"
  python3 - "$out/lat.json" "$out/lat_c.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = {int(l.split()[0]): float(l.split()[1]) for l in open(sys.argv[2])}
print("latency (ns per load)      hpp        C   hpp/C")
for l in r["levels"]:
    s = l["size_bytes"]
    print(f"  {l['level']:<5} at {s:>10} B  {l['ns_per_load']:7.2f}  {c[s]:7.2f}  {l['ns_per_load']/c[s]:6.3f}")
PY
fi

if [[ $what == bandwidth || $what == all ]]; then
  n=$(nproc)
  $hpp run bandwidth --json "$out/bw.json" >/dev/null
  size=$(python3 -c "import json;print(max(p['size_bytes'] for p in json.load(open('$out/bw.json'))['points']))")
  for t in 1 $n; do "$out/bandwidth" "$t" "$size"; done >"$out/bw_c.txt"
  python3 - "$out/bw.json" "$out/bw_c.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("bandwidth (GB/s)                     hpp        C   hpp/C")
for line in open(sys.argv[2]):
    k, t, s, g = line.split()
    t, s, g = int(t), int(s), float(g)
    p = next(p for p in r["points"] if p["kernel"] == k and p["threads"] == t and p["size_bytes"] == s)
    print(f"  {k:<6} {t} thread(s) at {s:>10} B  {p['gb_per_s']:7.2f}  {g:7.2f}  {p['gb_per_s']/g:6.3f}")
PY
fi

if [[ $what == flops || $what == all ]]; then
  $hpp run flops --threads 1 --json "$out/fl.json" >/dev/null
  $hpp run clock --json "$out/clk.json" >/dev/null
  "$out/flops" >"$out/fl_c.txt"
  python3 - "$out/fl.json" "$out/clk.json" "$out/fl_c.txt" <<'PY'
import json, sys
fl = json.load(open(sys.argv[1])); clk = json.load(open(sys.argv[2]))
c = dict(l.split() for l in open(sys.argv[3]))
print("compute                         hpp        C   hpp/C")
for bits in (256, 512):
    for p in ("f64", "f32"):
        h = next((x["gflops"] for x in fl["points"] if x["precision"] == p and x["vector_bits"] == bits and x["threads"] == 1), None)
        if h is None or f"{p}_{bits}" not in c:
            continue
        g = float(c[f"{p}_{bits}"])
        print(f"  {p} {bits}-bit FMA, GFLOP/s   {h:7.2f}  {g:7.2f}  {h/g:6.3f}")
g = float(c["clock"])
print(f"  clock (add chain), GHz     {clk['ghz']:7.3f}  {g:7.3f}  {clk['ghz']/g:6.3f}")
PY
fi

if [[ $what == julia || $what == all ]]; then
  # hpp's julia times Rust with the median of its runs; so does the ruler.
  HPP_PYTHON=/nonexistent $hpp run julia --threads 1 --json "$out/ju.json" >/dev/null
  "$out/julia" >"$out/ju_c.txt"
  python3 - "$out/ju.json" "$out/ju_c.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
_, secs, total = open(sys.argv[2]).read().split()
h = next(x for x in r["rows"] if "counter tested first" in x["variant"])
print("julia (1000x1000, 300 it.)           hpp        C   hpp/C")
print(f"  scalar, cheap test first, ms  {h['seconds']*1e3:8.1f} {float(secs)*1e3:8.1f}  {h['seconds']/float(secs):6.3f}")
print(f"  sums: hpp {h['output_sum']}, C {total}")
PY
fi

if [[ $what == diffusion || $what == all ]]; then
  # The fused single pass, f64, one thread: hpp's median seconds per step
  # against the same pass in C at 512² and 2048² (no
  # Python: faster). This VM's speed drifts over a minute, so the two are
  # interleaved: C, hpp, C, hpp, C, and each side's runs averaged.
  sizes="512 2048"
  for r in 1 2 3; do
    "$out/diffusion" $sizes >>"$out/df_c.txt"
    if [[ $r -lt 3 ]]; then
      HPP_PYTHON=/nonexistent $hpp run diffusion --json "$out/df$r.json" >/dev/null
    fi
  done
  python3 - "$out/df_c.txt" "$out/df1.json" "$out/df2.json" <<'PY'
import json, sys
from statistics import mean
c = {}
for line in open(sys.argv[1]):
    n, s, total = line.split()
    c.setdefault(int(n), []).append((float(s), float(total)))
h = {}
for f in sys.argv[2:]:
    for row in json.load(open(f))["rows"]:
        if row["implementation"] == "fused single pass":
            h.setdefault(row["grid"], []).append((row["seconds_per_step"], row["checksum"]))
print("diffusion, fused pass (ms per step)   hpp        C   C/hpp (speed ratio)")
for n in sorted(c):
    if n not in h:
        continue
    hs, cs = mean(x[0] for x in h[n]), mean(x[0] for x in c[n])
    print(f"  {n:>5} x {n:<5}               {hs*1e3:8.3f} {cs*1e3:8.3f}  {cs/hs:6.3f}   sums {h[n][0][1]:.6g} / {c[n][0][1]:.6g}")
PY
fi
