#!/usr/bin/env bash
# Per-source-line cycle profile of the BENCH scenario, client and server side, per call.
# Builds nothing: takes the unstripped contracts from BIN_DIR (see README in this directory
# for the build command), writes the mock txs (mktx.py = ckb-ipc-tests' bench_tx), runs
# ckb-debugger once per (tx, VM) with the step log, and prints (8 calls - 0 calls) / 8 per line.
#
# usage: profile.sh BIN_DIR [IMPL...]      IMPL: inplace (default: inplace floor) or any
#        <client>:<server> pair of binaries in BIN_DIR, e.g. owned-client:owned-server
# env:   SCENARIOS="add echo0" (add | echo0 | echoN for an N-byte echo), CALLS=8, TOP=25,
#        OUT=$TMPDIR/ckb-ipc-profile (txs, pc histograms, reports are kept there),
#        SRC_ROOT=the repository (the sources the binaries were built from, to print the lines)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN_DIR=$(cd "${1:?usage: profile.sh BIN_DIR [IMPL...]}" && pwd); shift
if [ $# -eq 0 ]; then IMPLS=(inplace floor); else IMPLS=("$@"); fi
SCENARIOS=${SCENARIOS:-add echo0}
CALLS=${CALLS:-8}
TOP=${TOP:-25}
OUT=${OUT:-${TMPDIR:-/tmp}/ckb-ipc-profile}
DEBUGGER=${CKB_DEBUGGER:-$(command -v ckb-debugger || echo ~/.cargo/bin/ckb-debugger)}
mkdir -p "$OUT"

# pc histogram ("<pc hex> <count>") of VM $3 running tx $1, into $2; prints ckb-debugger's lines.
trace() {
  local tx=$1 pcs=$2 vm=$3 fifo
  fifo=$(mktemp -u "$OUT/steplog.XXXX"); mkfifo "$fifo"
  # Each step: a line "pc : 0x..", then the registers, 4 a line: count (pc, a7, ra) triples
  # (a7: the syscall number at an ecall; ra: the caller of a leaf like memcpy).
  awk '/^pc/ {pc = $NF; next}
       /^zero/ {s = $0; sub(/.*ra  : 0x */, "", s); split(s, t, " "); ra = t[1]; next}
       /^a6/ {s = $0; sub(/.*a7  : 0x */, "", s); split(s, t, " "); c[pc " " t[1] " " ra]++}
       END {for (k in c) print k, c[k]}' "$fifo" > "$pcs" &
  local awk_pid=$!
  "$DEBUGGER" --tx-file "$tx" --script input.0.lock --vm-id "$vm" \
    --enable-steplog --steplog-output "$fifo" > "$pcs.log" 2>&1 || { cat "$pcs.log"; rm -f "$fifo"; return 1; }
  wait $awk_pid; rm -f "$fifo"
}

for impl in "${IMPLS[@]}"; do
  case $impl in
    *:*) client=${impl%%:*}; server=${impl##*:} ;;
    *) client=$impl-client; server=$impl-server ;;
  esac
  for sc in $SCENARIOS; do
    case $sc in
      add) op=0; size=0 ;;
      echo*) op=1; size=${sc#echo} ;;
      *) echo "unknown scenario $sc" >&2; exit 2 ;;
    esac
    for n in 0 "$CALLS"; do
      tx=$OUT/bench-$client-$server-$op-$n-$size.json
      python3 "$HERE/mktx.py" "$BIN_DIR/$client" "$BIN_DIR/$server" $op "$n" "$size" "$tx"
      trace "$tx" "$tx.vm0.pcs" 0
      trace "$tx" "$tx.vm1.pcs" 1
    done
    b=$OUT/bench-$client-$server-$op-0-$size.json; f=$OUT/bench-$client-$server-$op-$CALLS-$size.json
    all() { grep -m1 'All cycles' "$1" | sed 's/.*: //'; }
    txc() { all "$1.vm0.pcs.log"; }
    vmc() { grep 'All cycles' "$1" | tail -1 | sed 's/.*: //'; }
    {
      echo "==================== $client / $server  $sc  (($CALLS calls - 0 calls) / $CALLS) ===================="
      echo "tx total (ckb-debugger, all VMs): $CALLS calls $(txc "$f"), 0 calls $(txc "$b")"
      grep 'Spawn tree' "$f.vm0.pcs.log" || true
      echo "client VM alone (ckb-debugger replay): $CALLS calls $(vmc "$f.vm0.pcs.log"), 0 calls $(vmc "$b.vm0.pcs.log")"
      echo "server VM alone (ckb-debugger replay): $CALLS calls $(vmc "$f.vm1.pcs.log"), 0 calls $(vmc "$b.vm1.pcs.log")"
      python3 - "$(txc "$f")" "$(txc "$b")" "$(vmc "$f.vm0.pcs.log")" "$(vmc "$b.vm0.pcs.log")" \
        "$(vmc "$f.vm1.pcs.log")" "$(vmc "$b.vm1.pcs.log")" "$CALLS" <<'PY'
import sys
t8, t0, c8, c0, s8, s0 = (int(a.split("(")[0]) for a in sys.argv[1:7]); n = int(sys.argv[7])
t, c, s = (t8 - t0) / n, (c8 - c0) / n, (s8 - s0) / n
print(f"PER CALL: tx {t:.1f} = client VM {c:.1f} + server VM {s:.1f} + syscall charges outside "
      f"the VMs {t - c - s:.1f} (800 per read/write/... yield + bytes/4)")
PY
      echo "---------- client: $client ----------"
      python3 "$HERE/cycles_by_line.py" "$BIN_DIR/$client" "$f.vm0.pcs" "$b.vm0.pcs" "$CALLS" --top "$TOP"
      echo "---------- server: $server ----------"
      python3 "$HERE/cycles_by_line.py" "$BIN_DIR/$server" "$f.vm1.pcs" "$b.vm1.pcs" "$CALLS" --top "$TOP"
      echo
    } | tee "$OUT/report-$client-$sc.txt"
  done
done
