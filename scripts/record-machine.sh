#!/usr/bin/env bash
# Record the files hpp's Linux probe reads into a fixture folder, so the probe
# can be tested against this machine forever after:
#   scripts/record-machine.sh tests/fixtures/<name>
# Copies plain text only (sysfs attributes, /proc/cpuinfo, /proc/meminfo).
set -euo pipefail
dest=${1:?usage: record-machine.sh DEST_DIR}
mkdir -p "$dest"
copy() { # copy one readable file, keeping its path under $dest
  local f=$1
  [ -r "$f" ] && [ -f "$f" ] || return 0
  mkdir -p "$dest$(dirname "$f")"
  cat "$f" >"$dest$f" 2>/dev/null || rm -f "$dest$f"
}
cpu=/sys/devices/system/cpu
for f in "$cpu"/online "$cpu"/possible "$cpu"/present "$cpu"/smt/active "$cpu"/smt/control \
         "$cpu"/cpufreq/boost /sys/hypervisor/type \
         /sys/class/dmi/id/sys_vendor /sys/class/dmi/id/product_name \
         /proc/cpuinfo /proc/meminfo /proc/sys/kernel/perf_event_paranoid \
         /sys/kernel/mm/transparent_hugepage/enabled; do
  copy "$f"
done
for d in "$cpu"/cpu[0-9]*; do
  for f in "$d"/topology/{core_id,physical_package_id,thread_siblings_list,core_cpus_list,die_id} \
           "$d"/cache/index*/{level,type,size,coherency_line_size,ways_of_associativity,shared_cpu_list,number_of_sets} \
           "$d"/cpufreq/{scaling_governor,cpuinfo_max_freq,cpuinfo_min_freq,scaling_driver}; do
    copy "$f"
  done
done
echo "recorded $(find "$dest" -type f | wc -l) files under $dest"
